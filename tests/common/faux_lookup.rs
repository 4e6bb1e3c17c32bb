// SPDX-License-Identifier: GPL-2.0

//! Finding the faux devices of other test modules by name, as a user finds a low-level device,
//! and getting the manager of one as a C user does.
//!
//! A public module of each fixture that compiles it: a fixture uses only part of it.

use crate::bindings;
use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    device::Device,
    faux,
    prelude::*,
    sync::aref::ARef, //
};

/// Finds the device `name` on the bus of `dev` (the faux bus).
pub fn find_on_bus(dev: &faux::Registration, name: &CStr) -> Result<ARef<Device>> {
    let raw = bindings::raw_device(dev.as_ref());
    // SAFETY: `raw` is our registered faux device.
    let found = unsafe { find_on_bus_of(raw, name) }?;
    let found = NonNull::new(found.cast::<Device>()).ok_or(ENODEV)?;
    // SAFETY: `bus_find_device()` returned the device with a reference, which the `ARef` takes
    // over (`Device` is a transparent wrapper of `struct device`).
    Ok(unsafe { ARef::from_raw(found) })
}

/// Finds the device `name` on the bus of the device `dev`, as [`find_on_bus`] does.
///
/// # Safety
///
/// `dev` must be a registered device on a bus.
pub unsafe fn find_on_bus_of(
    dev: *mut bindings::device,
    name: &CStr,
) -> Result<*mut bindings::device> {
    // SAFETY: `dev` is registered (caller's requirement); `device_match_name` compares names.
    let found = unsafe {
        bindings::bus_find_device(
            (*dev).bus,
            ptr::null_mut(),
            name.as_char_ptr().cast(),
            Some(bindings::device_match_name),
        )
    };
    if found.is_null() {
        pr_err!("no device {}\n", name);
        return Err(ENODEV);
    }
    Ok(found)
}

/// Gets the manager of the device `name` on the bus of `dev` (the faux bus) with
/// `fpga_mgr_get()`, which pins the manager's module; the caller puts it with `fpga_mgr_put()`.
pub fn get_mgr_on_bus(
    dev: &faux::Registration,
    name: &CStr,
) -> Result<*mut bindings::fpga_manager> {
    let parent = find_on_bus(dev, name)?;
    // SAFETY: `fpga_mgr_get()` only compares the pointer with the managers' parents.
    let mgr = unsafe { bindings::fpga_mgr_get(bindings::raw_device(&parent)) };
    // The lookup's reference goes; the get holds the manager.
    drop(parent);
    kernel::error::from_err_ptr(mgr)
}
