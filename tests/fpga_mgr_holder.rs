// SPDX-License-Identifier: GPL-2.0

//! A user of an FPGA manager for the scenario tests: while loaded, it holds the manager of the
//! faux device `fpga-rs-test-mgr` with `fpga_mgr_get()` (and, with `lock=1`, `fpga_mgr_lock()`),
//! and with `image=1` it programs `fpga-rs/test-image.bin`, or `image=2` the broken
//! `fpga-rs/test-image-corrupt.bin`, at load. It puts the manager when removed.

use core::ptr;
use kernel::{faux, prelude::*};

#[path = "../ffi/bindings.rs"]
mod bindings;
#[path = "common/faux_lookup.rs"]
mod faux_lookup;

use faux_lookup::find_on_bus;

module! {
    type: Holder,
    name: "fpga_mgr_holder",
    authors: ["fpga-rs developers"],
    description: "Holds an FPGA manager for fpga-rs scenario tests",
    license: "GPL",
    params: {
        lock: u32 {
            default: 0,
            description: "Also take the manager's exclusive lock",
        },
        image: u32 {
            default: 0,
            description: "Program at load: 1 the valid test image, 2 the corrupt one",
        },
    },
}

struct Holder {
    mgr: *mut bindings::fpga_manager,
    locked: bool,
    _dev: faux::Registration,
}

// SAFETY: The manager pointer may be used from any thread (C API).
unsafe impl Send for Holder {}
// SAFETY: As above.
unsafe impl Sync for Holder {}

/// Programs the firmware image `name` into `mgr`.
fn program(mgr: *mut bindings::fpga_manager, parent: *mut bindings::device, name: &CStr) -> Result {
    // SAFETY: `parent` is referenced by the caller; the name is devres memory of `info->dev`.
    unsafe {
        let info = bindings::fpga_image_info_alloc(parent);
        if info.is_null() {
            return Err(ENOMEM);
        }
        (*info).firmware_name =
            bindings::devm_kstrdup(parent, name.as_char_ptr(), bindings::GFP_KERNEL);
        let ret = bindings::fpga_mgr_load(mgr, info);
        bindings::fpga_image_info_free(info);
        kernel::error::to_result(ret)
    }
}

impl kernel::Module for Holder {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let dev = faux::Registration::new(c"fpga-rs-mgr-holder", None)?;
        let parent = find_on_bus(&dev, c"fpga-rs-test-mgr")?;
        // SAFETY: `fpga_mgr_get()` only compares the pointer with the managers' parents.
        let mgr = unsafe {
            bindings::fpga_mgr_get(
                ptr::from_ref(&*parent)
                    .cast::<bindings::device>()
                    .cast_mut(),
            )
        };
        // The lookup's reference goes; the get holds the manager.
        drop(parent);
        let mgr = kernel::error::from_err_ptr(mgr)?;
        let mut this = Self {
            mgr,
            locked: false,
            _dev: dev,
        };

        let image = *module_parameters::image.value();
        if *module_parameters::lock.value() != 0 || image != 0 {
            // SAFETY: `mgr` is held.
            kernel::error::to_result(unsafe { bindings::fpga_mgr_lock(mgr) })?;
            this.locked = true;
        }
        if image != 0 {
            // SAFETY: `mgr` is held, so its device (and parent) are alive.
            let parent = unsafe { (*mgr).dev.parent };
            let name = if image == 1 {
                c"fpga-rs/test-image.bin"
            } else {
                c"fpga-rs/test-image-corrupt.bin"
            };
            let res = program(mgr, parent, name);
            pr_info!(
                "fpga_mgr_holder: programming {} returned {:?}\n",
                name,
                res.err()
            );
        }
        if *module_parameters::lock.value() == 0 && this.locked {
            // SAFETY: Locked above.
            unsafe { bindings::fpga_mgr_unlock(mgr) };
            this.locked = false;
        }
        Ok(this)
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        // SAFETY: `mgr` is held (and locked if `locked`); each is released once.
        unsafe {
            if self.locked {
                bindings::fpga_mgr_unlock(self.mgr);
            }
            bindings::fpga_mgr_put(self.mgr);
        }
    }
}
