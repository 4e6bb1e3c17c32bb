// SPDX-License-Identifier: GPL-2.0

//! The exported C API of
//! [`include/linux/fpga/fpga-region.h`](srctree/include/linux/fpga/fpga-region.h).
//!
//! Each function converts its C arguments, calls the core in `region.rs`/`program.rs`, and
//! converts the result back, as `drivers/fpga/fpga-region.c` does.
//!
//! `c_abi_checked!` after each function checks it against its C declaration, and
//! `ffi/exports/fpga_region_exports.c` exports it with `EXPORT_SYMBOL_GPL()`.

use crate::{
    ffi::{
        bindings,
        c_result::{
            is_valid,
            to_ptr,
            to_ret, //
        },
        class::MatchFn, //
    },
    image_owner::OverlayClaim,
    program,
    region::Region, //
};
use core::ptr;
use kernel::prelude::*;

/// The region behind a caller's pointer, or `None`, with a warning naming `caller`, for NULL or
/// an `ERR_PTR()` (a caller bug upstream would oops on).
///
/// # Safety
///
/// A real pointer must come from a registration or a lookup whose reference the caller owns.
unsafe fn region<'a>(r: *mut bindings::fpga_region, caller: &str) -> Option<&'a Region> {
    if !is_valid(r) {
        pr_warn!("{}: invalid FPGA region pointer\n", caller);
        return None;
    }
    // SAFETY: `r` is a real pointer, which comes from a registration or a lookup whose device
    // reference the caller still owns (this function's requirement).
    Some(unsafe { Region::from_c(r) })
}

/// Finds a region with `match_` (`class_find_device()` on the `fpga_region` class). Return: the
/// region with a reference to its device, which the caller drops with `put_device()`, or NULL.
///
/// # Safety
///
/// `start` must be NULL or a region device; `match_` must be safe to call with `data`.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_region_class_find(
    start: *mut bindings::device,
    data: *const core::ffi::c_void,
    match_: Option<MatchFn>,
) -> *mut bindings::fpga_region {
    // SAFETY: The caller's requirements.
    match unsafe { crate::FPGA_REGION_CLASS.find_device(start, data, match_) } {
        // SAFETY: `dev` is a region device, referenced for the caller.
        Some(dev) => unsafe { Region::from_dev(dev) }.as_c(),
        None => ptr::null_mut(),
    }
}
c_abi_checked!(fpga_region_class_find);

/// Programs the FPGA region with `region->info`: pins the region's, the manager's and each
/// bridge's owner module, locks the manager, disables the bridges, loads, enables the bridges,
/// and releases every pin and lock again, on success and on failure.
///
/// Return: 0 or a negative errno (see `program.rs`).
///
/// # Safety
///
/// `region` must come from a registration or a lookup whose reference the caller owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_region_program_fpga(
    region_: *mut bindings::fpga_region,
) -> i32 {
    // SAFETY: The caller holds a reference to the region's device (C API contract).
    match unsafe { region(region_, "fpga_region_program_fpga") } {
        Some(r) => to_ret(program::program(r)),
        None => EINVAL.to_errno(),
    }
}
c_abi_checked!(fpga_region_program_fpga);

/// Creates and registers a region (`region%d`) under `parent`, programmed by `info->mgr`
/// (which may be NULL) and with the bridges `info->get_bridges` (from `owner`) finds.
///
/// The region keeps a device reference to the manager, never a module reference. Return: the
/// region or an `ERR_PTR()`: `-EINVAL` without info.
///
/// # Safety
///
/// `parent` must be a valid device; `info` NULL or valid, its manager held by the caller.
#[no_mangle]
pub(crate) unsafe extern "C" fn __fpga_region_register_full(
    parent: *mut bindings::device,
    info: *const bindings::fpga_region_info,
    owner: *mut bindings::module,
) -> *mut bindings::fpga_region {
    if info.is_null() {
        if !parent.is_null() {
            // SAFETY: `parent` is a valid device (caller's requirement).
            let parent_dev: &kernel::device::Device =
                unsafe { kernel::device::Device::from_raw(parent) };
            dev_err!(
                parent_dev,
                "Attempt to register without required info structure\n"
            );
        }
        return EINVAL.to_ptr();
    }
    // SAFETY: `info` is valid (caller's requirement).
    to_ptr(Region::register(parent, unsafe { &*info }, owner))
}
c_abi_checked!(__fpga_region_register_full);

/// [`__fpga_region_register_full`] with a manager and `get_bridges` only.
///
/// # Safety
///
/// `parent` must be a valid device, and `mgr` NULL or a manager held by the caller.
#[no_mangle]
pub(crate) unsafe extern "C" fn __fpga_region_register(
    parent: *mut bindings::device,
    mgr: *mut bindings::fpga_manager,
    get_bridges: Option<unsafe extern "C" fn(*mut bindings::fpga_region) -> i32>,
    owner: *mut bindings::module,
) -> *mut bindings::fpga_region {
    let info = bindings::fpga_region_info {
        mgr,
        compat_id: ptr::null_mut(),
        priv_: ptr::null_mut(),
        get_bridges,
    };
    // SAFETY: `parent`, `mgr` and `owner` are valid as `__fpga_region_register_full` requires
    // (this function's requirements are the same); `info` is a valid local.
    unsafe { __fpga_region_register_full(parent, &info, owner) }
}
c_abi_checked!(__fpga_region_register);

/// Unregisters a region: new programmings fail with `-ENODEV`, the one in flight is waited for,
/// and the device goes.
///
/// # Safety
///
/// `region` must come from a registration that has not been unregistered.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_region_unregister(region_: *mut bindings::fpga_region) {
    // SAFETY: The caller owns the registration, which `unregister` consumes.
    if let Some(r) = unsafe { region(region_, "fpga_region_unregister") } {
        // SAFETY: The caller owns the registration (C API contract), which `unregister`
        // consumes.
        unsafe { r.unregister() };
    }
}
c_abi_checked!(fpga_region_unregister);

/// fpga-rs extension (`ffi/fpga-rs.h`): freezes (disables) the bridges `region` claimed when
/// it programmed through them and gives the claims up, as the removal of the region's overlay
/// does: exactly those bridges, not whatever `get_bridges` would find now, with
/// `region->info` (its freeze timeout). A programming of the region in progress is waited for
/// (its claims are locked until it ends); the freeze does not fail because of it.
///
/// Return: 0, `-ENODEV` if the region is unregistered, or the first bridge's error (`-ENODEV`
/// for a bridge that went away); each bridge that cannot be frozen is named in the kernel log.
///
/// # Safety
///
/// `region` must come from a registration or a lookup whose reference the caller owns, and
/// `region->info` must be NULL or a valid image info until this returns.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_region_freeze_bridges(
    region_: *mut bindings::fpga_region,
) -> i32 {
    // SAFETY: The caller holds a reference to the region's device (C API contract).
    match unsafe { region(region_, "fpga_region_freeze_bridges") } {
        Some(r) => to_ret(r.freeze_bridges()),
        None => EINVAL.to_errno(),
    }
}
c_abi_checked!(fpga_region_freeze_bridges);

/// fpga-rs extension (`ffi/fpga-rs.h`): an overlay about to program `region` (of_fpga_region's
/// notifier) takes the region's image for itself, so that one image at a time is loaded, whether
/// through overlays or through the configfs interface.
///
/// Return: 0 if the overlay now owns the region's image (it must give it up with
/// [`fpga_region_overlay_release`] when it is removed or fails to program); 1 if the overlay is
/// the one a configfs load of the region is applying from the calling task (the load programs
/// the region: the notifier leaves the overlay alone); `-EBUSY` if a configfs image owns the
/// region's image, `-EEXIST` if another overlay does; `-EINVAL` for an invalid region.
///
/// # Safety
///
/// `region` must come from a registration or a lookup whose reference the caller owns;
/// `overlay` is only compared.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_region_overlay_claim(
    region_: *mut bindings::fpga_region,
    overlay: *mut bindings::device_node,
) -> i32 {
    // SAFETY: The caller holds a reference to the region's device (C API contract).
    let Some(r) = (unsafe { region(region_, "fpga_region_overlay_claim") }) else {
        return EINVAL.to_errno();
    };
    match r.owner().claim_for_overlay(overlay as usize) {
        Ok(OverlayClaim::Claimed) => 0,
        Ok(OverlayClaim::OfLoad) => 1,
        Err(e) => e.to_errno(),
    }
}
c_abi_checked!(fpga_region_overlay_claim);

/// fpga-rs extension (`ffi/fpga-rs.h`): the overlay `overlay` gives `region`'s image up (it was
/// removed, or failed to program the region); nothing if it does not own it.
///
/// # Safety
///
/// `region` must come from a registration or a lookup whose reference the caller owns;
/// `overlay` is only compared.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_region_overlay_release(
    region_: *mut bindings::fpga_region,
    overlay: *mut bindings::device_node,
) {
    // SAFETY: The caller holds a reference to the region's device (C API contract).
    if let Some(r) = unsafe { region(region_, "fpga_region_overlay_release") } {
        r.owner().release_overlay(overlay as usize);
    }
}
c_abi_checked!(fpga_region_overlay_release);

/// fpga-rs extension (`ffi/fpga-rs.h`): whether the overlay `overlay` owns `region`'s image
/// (it claimed it with [`fpga_region_overlay_claim`] and has not given it up). Return: `false`
/// also for an invalid region.
///
/// # Safety
///
/// `region` must come from a registration or a lookup whose reference the caller owns;
/// `overlay` is only compared.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_region_overlay_owns(
    region_: *mut bindings::fpga_region,
    overlay: *mut bindings::device_node,
) -> bool {
    // SAFETY: The caller holds a reference to the region's device (C API contract).
    match unsafe { region(region_, "fpga_region_overlay_owns") } {
        Some(r) => r.owner().is_overlay(overlay as usize),
        None => false,
    }
}
c_abi_checked!(fpga_region_overlay_owns);
