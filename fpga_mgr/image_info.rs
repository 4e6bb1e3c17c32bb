// SPDX-License-Identifier: GPL-2.0

//! `struct fpga_image_info`: the description of one image to program.
//!
//! C header: [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h);
//! mirrors `fpga_image_info_alloc()`/`fpga_image_info_free()` of `drivers/fpga/fpga-mgr.c`.
//! Both are exported by `ffi/exports/fpga_mgr_exports.c`.

use crate::ffi::bindings;
use core::ptr;

/// Allocates a zeroed `struct fpga_image_info` owned by `dev`.
///
/// The info is devres memory of `dev` and holds a reference to `dev` until
/// [`fpga_image_info_free`]. A `firmware_name` stored in it must be devres memory of `dev` too
/// (`devm_kstrdup(info->dev, ...)`), as upstream requires.
///
/// Return: the new info, or NULL when out of memory.
///
/// # Safety
///
/// `dev` must point to a valid, registered `struct device`.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_image_info_alloc(
    dev: *mut bindings::device,
) -> *mut bindings::fpga_image_info {
    // SAFETY: `dev` is valid by the function's safety requirement.
    let dev = unsafe { bindings::get_device(dev) };

    // SAFETY: `dev` is valid and we hold a reference to it.
    let info = unsafe {
        bindings::devm_kmalloc(
            dev,
            core::mem::size_of::<bindings::fpga_image_info>(),
            bindings::GFP_KERNEL | bindings::__GFP_ZERO,
        )
    }
    .cast::<bindings::fpga_image_info>();
    if info.is_null() {
        // SAFETY: Drops the reference taken above.
        unsafe { bindings::put_device(dev) };
        return ptr::null_mut();
    }

    // SAFETY: `info` is a fresh, zeroed allocation of the right size and alignment.
    unsafe { (*info).dev = dev };
    info
}
c_abi_checked!(fpga_image_info_alloc);

/// Frees an info from [`fpga_image_info_alloc`], with its devres `firmware_name`, and drops its
/// reference to the device. NULL is a no-op.
///
/// # Safety
///
/// `info` must be NULL or an info returned by [`fpga_image_info_alloc`] and not freed yet.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_image_info_free(info: *mut bindings::fpga_image_info) {
    if info.is_null() {
        return;
    }
    // SAFETY: `info` is a live info by the function's safety requirement.
    let (dev, firmware_name) = unsafe { ((*info).dev, (*info).firmware_name) };

    if !firmware_name.is_null() {
        // SAFETY: `firmware_name` is devres memory of `dev` (documented requirement).
        unsafe { bindings::devm_kfree(dev, firmware_name.cast()) };
    }
    // SAFETY: `info` is devres memory of `dev`, allocated by `fpga_image_info_alloc`.
    unsafe { bindings::devm_kfree(dev, info.cast()) };
    // SAFETY: Drops the reference `fpga_image_info_alloc` took.
    unsafe { bindings::put_device(dev) };
}
c_abi_checked!(fpga_image_info_free);
