// SPDX-License-Identifier: GPL-2.0

//! KUnit suite `fpga_mgr_image_info`: `fpga_image_info_alloc()`/`fpga_image_info_free()` and the image info fields.

use kernel::prelude::*;

#[kunit_tests(fpga_mgr_image_info)]
mod image_info_tests {
    use crate::{
        bindings,
        observed_device::{
            is_released,
            observed_device, //
        }, //
    };
    use core::{
        ptr,
        sync::atomic::Ordering, //
    };
    use kernel::prelude::*;

    #[test]
    fn image_info_alloc_pins_device_until_free() -> Result {
        let (dev, released) = observed_device(c"fpga-mgr-test-info")?;

        // SAFETY: `dev` is an initialized device the test holds a reference to.
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        assert!(!info.is_null());
        // SAFETY: `info` was just allocated and is not shared.
        let (info_dev, flags, buf, count) =
            unsafe { ((*info).dev, (*info).flags, (*info).buf, (*info).count) };
        // SAFETY: Drops the test's reference: the info's is the only one left.
        unsafe { bindings::put_device(dev) };
        let released_while_held = released.load(Ordering::Acquire);
        // A device released under the info took the info's devres memory with it.
        if !released_while_held {
            // SAFETY: `info` is live (its device is) and freed once.
            unsafe { bindings::fpga_image_info_free(info) };
        }
        let released_after_free = is_released(&released);

        assert_eq!(info_dev, dev);
        assert_eq!((flags, buf.is_null(), count), (0, true, 0));
        assert!(!released_while_held);
        assert!(released_after_free);
        Ok(())
    }

    #[test]
    fn image_info_free_releases_devres_firmware_name() -> Result {
        let (dev, released) = observed_device(c"fpga-mgr-test-fw")?;

        // The devres memory allocated from here on is counted by releasing this group. Its
        // canary is devres memory of the device that the info does not own.
        // SAFETY: `dev` is an initialized device the test holds a reference to.
        let group =
            unsafe { bindings::devres_open_group(dev, ptr::null_mut(), bindings::GFP_KERNEL) };
        assert!(!group.is_null());
        // SAFETY: `dev` is an initialized device the test holds a reference to.
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        assert!(!info.is_null());
        // SAFETY: `info` and `dev` are live; the name is devres memory of `info->dev`, as the API
        // requires, and so is the canary.
        let (name, canary) = unsafe {
            (*info).firmware_name = bindings::devm_kstrdup(
                dev,
                c"fpga-rs/image.rbf".as_char_ptr(),
                bindings::GFP_KERNEL,
            );
            let canary = bindings::devm_kstrdup(dev, c"canary".as_char_ptr(), bindings::GFP_KERNEL);
            bindings::devres_close_group(dev, group);
            ((*info).firmware_name, canary)
        };
        // SAFETY: `info` is freed once.
        unsafe { bindings::fpga_image_info_free(info) };
        // The free drops the info's reference only: the test's keeps the device.
        let released_by_free = released.load(Ordering::Acquire);
        let mut left = None;
        if !released_by_free {
            // What the info had on the device went with it: only the canary is left to release.
            // SAFETY: `group` is a closed group of `dev`, which is live, released once.
            left = Some(unsafe { bindings::devres_release_group(dev, group) });
            // SAFETY: Drops the test's reference, the last one.
            unsafe { bindings::put_device(dev) };
        }

        assert!(!name.is_null() && !canary.is_null());
        assert!(!released_by_free);
        assert_eq!(left, Some(1));
        assert!(is_released(&released));
        Ok(())
    }

    #[test]
    fn image_info_free_of_null_is_a_no_op() {
        // SAFETY: NULL is explicitly allowed.
        unsafe { bindings::fpga_image_info_free(core::ptr::null_mut()) };
    }
}
