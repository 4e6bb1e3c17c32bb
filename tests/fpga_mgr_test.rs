// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of `fpga_mgr.ko` through its exported C API.
//!
//! This module links to the manager core by symbol, exactly as a C driver would: every call goes
//! through the declarations bindgen generated from
//! [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h).

use kernel::prelude::*;

#[path = "../ffi/bindings.rs"]
mod bindings;

module! {
    type: FpgaMgrTest,
    name: "fpga_mgr_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests for the fpga-rs FPGA manager core",
    license: "GPL",
}

struct FpgaMgrTest;

impl kernel::Module for FpgaMgrTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[kunit_tests(fpga_mgr_image_info)]
mod tests {
    use super::bindings;
    use kernel::{device::Device, faux, prelude::*};

    /// The C `struct device` of a Rust device.
    fn raw(dev: &Device) -> *mut bindings::device {
        // `Device` is a transparent wrapper of the C struct.
        core::ptr::from_ref(dev)
            .cast::<bindings::device>()
            .cast_mut()
    }

    /// A faux device for one test, and its C pointer.
    fn test_device(name: &'static CStr) -> Result<(faux::Registration, *mut bindings::device)> {
        let reg = faux::Registration::new(name, None)?;
        let dev = raw(reg.as_ref());
        Ok((reg, dev))
    }

    /// The reference count of a device (`kref_read(&dev->kobj.kref)`).
    fn refcount(dev: *mut bindings::device) -> i32 {
        // SAFETY: `dev` is a live device; the counter is an aligned `int` that is only read here.
        unsafe { core::ptr::read_volatile(&raw const (*dev).kobj.kref.refcount.refs.counter) }
    }

    /// The number of devres entries of a device (the length of `dev->devres_head`).
    fn devres_count(dev: *mut bindings::device) -> usize {
        // SAFETY: `dev` is a live device whose devres list only this test changes.
        let head = unsafe { &raw mut (*dev).devres_head };
        let mut n = 0;
        // SAFETY: The list is a valid, circular `list_head` list.
        let mut node = unsafe { (*head).next };
        while node != head {
            n += 1;
            // SAFETY: As above.
            node = unsafe { (*node).next };
        }
        n
    }

    #[test]
    fn image_info_alloc_pins_device_until_free() -> Result {
        let (reg, dev) = test_device(c"fpga-mgr-test-info")?;
        let (refs, devres) = (refcount(dev), devres_count(dev));

        // SAFETY: `dev` is a registered device.
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        assert!(!info.is_null());
        let (refs_held, devres_held) = (refcount(dev), devres_count(dev));
        // SAFETY: `info` was just allocated and is not shared.
        let (info_dev, flags, buf, count) =
            unsafe { ((*info).dev, (*info).flags, (*info).buf, (*info).count) };
        // SAFETY: `info` is freed once.
        unsafe { bindings::fpga_image_info_free(info) };
        let (refs_after, devres_after) = (refcount(dev), devres_count(dev));
        drop(reg);

        assert_eq!(info_dev, dev);
        assert_eq!((flags, buf.is_null(), count), (0, true, 0));
        assert_eq!((refs_held, devres_held), (refs + 1, devres + 1));
        assert_eq!((refs_after, devres_after), (refs, devres));
        Ok(())
    }

    #[test]
    fn image_info_free_releases_devres_firmware_name() -> Result {
        let (reg, dev) = test_device(c"fpga-mgr-test-fw")?;
        let (refs, devres) = (refcount(dev), devres_count(dev));

        // SAFETY: `dev` is a registered device.
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        assert!(!info.is_null());
        // SAFETY: `info` and `dev` are live; the name is devres memory of `info->dev`, as the API
        // requires.
        unsafe {
            (*info).firmware_name = bindings::devm_kstrdup(
                dev,
                c"fpga-rs/image.rbf".as_char_ptr(),
                bindings::GFP_KERNEL,
            );
        }
        let devres_named = devres_count(dev);
        // SAFETY: `info` is freed once.
        unsafe { bindings::fpga_image_info_free(info) };
        let (refs_after, devres_after) = (refcount(dev), devres_count(dev));
        drop(reg);

        assert_eq!(devres_named, devres + 2);
        assert_eq!((refs_after, devres_after), (refs, devres));
        Ok(())
    }

    #[test]
    fn image_info_free_of_null_is_a_no_op() {
        // SAFETY: NULL is explicitly allowed.
        unsafe { bindings::fpga_image_info_free(core::ptr::null_mut()) };
    }
}
