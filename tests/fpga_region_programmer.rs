// SPDX-License-Identifier: GPL-2.0

//! Programs the region of `fpga_test_region.ko` at load, for the scenario tests: it finds the
//! region with `fpga_region_class_find()` (the way DFL's FME finds its region) and programs
//! `fpga-rs/test-image.bin` (`image=1`) or the corrupt `fpga-rs/test-image-corrupt.bin`
//! (`image=2`) with `fpga_region_program_fpga()`. Loading fails with the programming's errno.

use core::ptr;
use kernel::prelude::*;

#[path = "../ffi/bindings.rs"]
mod bindings;

module! {
    type: Programmer,
    name: "fpga_region_programmer",
    authors: ["fpga-rs developers"],
    description: "Programs the fpga-rs test region at load",
    license: "GPL",
    params: {
        image: u32 {
            default: 1,
            description: "1: the valid test image, 2: the corrupt one",
        },
    },
}

struct Programmer;

/// Matches the region whose parent device is called `data`.
///
/// # Safety
///
/// Called by `class_find_device()` only, with a region device and a C string.
unsafe extern "C" fn match_parent_name(
    dev: *mut bindings::device,
    data: *const core::ffi::c_void,
) -> i32 {
    // SAFETY: A registered region device has a registered parent.
    unsafe { bindings::device_match_name((*dev).parent, data) }
}

/// Programs `region` with the firmware `name`.
///
/// # Safety
///
/// `region` must be referenced by the caller.
unsafe fn program(region: *mut bindings::fpga_region, name: &CStr) -> Result {
    // SAFETY: The region device is referenced; the name is devres memory of `info->dev`, as
    // `fpga_image_info_free()` requires.
    unsafe {
        let dev = &raw mut (*region).dev;
        let info = bindings::fpga_image_info_alloc(dev);
        if info.is_null() {
            return Err(ENOMEM);
        }
        (*info).firmware_name =
            bindings::devm_kstrdup(dev, name.as_char_ptr(), bindings::GFP_KERNEL);
        (*region).info = info;
        let ret = bindings::fpga_region_program_fpga(region);
        (*region).info = ptr::null_mut();
        bindings::fpga_image_info_free(info);
        kernel::error::to_result(ret)
    }
}

impl kernel::Module for Programmer {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: `match_parent_name` only compares names.
        let region = unsafe {
            bindings::fpga_region_class_find(
                ptr::null_mut(),
                c"fpga-rs-test-region".as_char_ptr().cast(),
                Some(match_parent_name),
            )
        };
        if region.is_null() {
            pr_err!("fpga_region_programmer: no test region\n");
            return Err(ENODEV);
        }
        let name = if *module_parameters::image.value() == 2 {
            c"fpga-rs/test-image-corrupt.bin"
        } else {
            c"fpga-rs/test-image.bin"
        };
        // SAFETY: `class_find` took a reference to the region.
        let res = unsafe { program(region, name) };
        // SAFETY: Drops `class_find`'s reference.
        unsafe { bindings::put_device(&raw mut (*region).dev) };
        pr_info!(
            "fpga_region_programmer: programming {} returned {:?}\n",
            name,
            res.err()
        );
        res.map(|()| Self)
    }
}
