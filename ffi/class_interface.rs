// SPDX-License-Identifier: GPL-2.0

//! Class interfaces: a callback for each device of a class as it is added and removed
//! (`class_interface_register()`), with which a module adds attributes to the devices of a
//! class that another module owns, and the attribute groups it adds and removes.
//!
//! C header: [`include/linux/device/class.h`](srctree/include/linux/device/class.h)

use super::{
    bindings,
    sysfs::AttrGroups, //
};
use core::ptr;
use kernel::{
    prelude::*,
    types::Opaque, //
};

/// The callbacks of a class interface, for each device of the class: `add_dev` once it is
/// added (and, at registration, for each device there already is), `remove_dev` as it is
/// removed (and, at unregistration, for each device left). The driver core ignores what
/// `add_dev` returns: a failure is the interface's to log.
pub type AddFn = unsafe extern "C" fn(*mut bindings::device) -> i32;
/// See [`AddFn`].
pub type RemoveFn = unsafe extern "C" fn(*mut bindings::device);

/// A class interface, in static storage as the driver core requires (it links it into the
/// class's list of interfaces).
pub struct Interface(Opaque<bindings::class_interface>);

// SAFETY: The interface is only handed to the driver core, which serialises its use under the
// class's mutex.
unsafe impl Sync for Interface {}

impl Interface {
    /// An interface calling `add_dev` and `remove_dev`.
    pub const fn new(add_dev: AddFn, remove_dev: RemoveFn) -> Self {
        Self(Opaque::new(bindings::class_interface {
            // SAFETY: All-zero is a valid `struct list_head` (the registration initialises it).
            node: unsafe { core::mem::zeroed() },
            class: ptr::null(),
            add_dev: Some(add_dev),
            remove_dev: Some(remove_dev),
        }))
    }

    /// Registers the interface on `class`, calling `add_dev` for each device the class has;
    /// dropping the result unregisters it, calling `remove_dev` for each device left.
    ///
    /// # Safety
    ///
    /// - `class` must be a registered class that stays registered until the result is dropped
    ///   (the module that owns it stays loaded: the caller links against it);
    /// - the interface must not be registered (no other [`InterfaceRegistration`] of it exists):
    ///   the driver core links it into the class's list, once.
    pub unsafe fn register(
        &'static self,
        class: *const bindings::class,
    ) -> Result<InterfaceRegistration> {
        // SAFETY: The interface is static and not registered (the caller's requirement), so the
        // driver core does not read it: writing its class races with nothing.
        unsafe { (*self.0.get()).class = class };
        // SAFETY: `class` is registered (the caller's requirement); the interface is static
        // and initialised.
        kernel::error::to_result(unsafe { bindings::class_interface_register(self.0.get()) })?;
        // INVARIANT: Registered above.
        Ok(InterfaceRegistration(self))
    }
}

/// A registered class interface.
///
/// # Invariants
///
/// `self.0` is registered with the driver core until `drop`.
pub struct InterfaceRegistration(&'static Interface);

impl Drop for InterfaceRegistration {
    fn drop(&mut self) {
        // SAFETY: Registered (type invariant), unregistered once, here; its class is still
        // registered (the requirement of `Interface::register`).
        unsafe { bindings::class_interface_unregister(self.0 .0.get()) };
    }
}

/// Adds the attributes of `group` to `dev` (`sysfs_create_group()` on its kobject).
///
/// # Safety
///
/// `dev` must be a valid, added device.
pub unsafe fn add_group(dev: *mut bindings::device, group: &'static AttrGroups) -> Result {
    // SAFETY: `dev` is a valid, added device (the caller's requirement), so its kobject is in
    // sysfs; the group is static.
    kernel::error::to_result(unsafe {
        bindings::sysfs_create_group(&raw mut (*dev).kobj, group.group())
    })
}

/// Removes the attributes of `group` from `dev`, waiting for their callbacks in flight
/// (`sysfs_remove_group()`).
///
/// # Safety
///
/// `dev` must be a valid device to which `group` was added.
pub unsafe fn remove_group(dev: *mut bindings::device, group: &'static AttrGroups) {
    // SAFETY: `dev` is valid and carries `group` (the caller's requirement).
    unsafe { bindings::sysfs_remove_group(&raw mut (*dev).kobj, group.group()) }
}
