// SPDX-License-Identifier: GPL-2.0

//! Safe Rust API for users of an FPGA manager: code that programs an FPGA, such as a driver that
//! programs its own device (a PCIe card, a multi-function device) or a region.
//!
//! A user gets the manager ([`Manager::get`] by its parent device, or [`Manager::get_own`] from
//! the driver's own [`Registration`]), locks it ([`Manager::lock`]), describes the image in an
//! [`Image`] (`fpga/image.rs`) and loads it ([`Locked::load`]). Each step is a value whose
//! `Drop` undoes it: `fpga_mgr_unlock()`, `fpga_mgr_put()`, the image info's free. The lock
//! borrows the held manager and an image borrows its buffer or table, so the compiler rejects a
//! put before the unlock and a buffer freed before the load:
//!
//! ```ignore
//! let mgr = user::Manager::get_own(&registration)?;
//! let mut image = user::Image::new(mgr.device())?;
//! image.set_buffer(&bitstream);
//! image.set_flags(manager::flags::PARTIAL_RECONFIG);
//! mgr.lock()?.load(&mut image)?;
//! ```
//!
//! The calls are those of `Documentation/driver-api/fpga/fpga-programming.rst`, through the C API
//! of [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h). The errnos below
//! are fpga-rs's core's.
//!
//! Holding a manager does not keep its driver registered: the driver may unregister it (its
//! device unbinds) while a user holds it, and then a load must not reach the driver's ops, whose
//! data is gone. fpga-rs's core makes every call on an unregistered manager fail with `ENODEV`
//! (`Documentation/lifecycle.rst`, rule 4); the upstream C core calls the ops, so this API does
//! not load there (the [module doc] of `fpga`).
//!
//! [module doc]: super

pub use super::image::Image;
use super::{
    bindings,
    manager::{
        Ops,
        Registration, //
    }, //
};
use core::ptr::NonNull;
use kernel::{
    device::Device,
    error::{
        from_err_ptr,
        to_result, //
    },
    prelude::*,
    types::NotThreadSafe, //
};

/// An FPGA manager a user holds (`fpga_mgr_get()`); dropping it puts it (`fpga_mgr_put()`).
///
/// While it is held, the manager's device stays allocated and its driver's module loaded. The
/// driver may still unregister it (its device unbinds): then locking and loading fail with
/// `ENODEV`.
///
/// # Invariants
///
/// `mgr` comes from a successful `fpga_mgr_get()` that only `drop` puts.
pub struct Manager {
    mgr: NonNull<bindings::fpga_manager>,
}

// SAFETY: A get may be put, and the manager locked and loaded, from any task (C API).
unsafe impl Send for Manager {}
// SAFETY: `&Manager` only allows `fpga_mgr_lock()`, which any number of tasks may try at once
// (one wins, the others get `EBUSY`), and reading the manager's device, which the get holds.
unsafe impl Sync for Manager {}

impl Manager {
    /// Gets the manager registered for the parent device `parent` (`fpga_mgr_get()`).
    ///
    /// Fails with `ENODEV` if `parent` has no manager, or if its manager is being unregistered
    /// or its driver's module is going away.
    pub fn get(parent: &Device) -> Result<Self> {
        Self::get_raw(bindings::raw_device(parent))
    }

    /// Gets the manager a driver registered itself, to program its own FPGA (a PCIe or
    /// multi-function driver). As [`Manager::get`], it pins the driver's module until the put,
    /// so that a driver that holds the manager from outside its device's lifetime (a work item)
    /// cannot be unloaded under it.
    ///
    /// Fails with `ENODEV` as [`Manager::get`], or with `EINVAL` if another manager registered
    /// earlier on the same parent device is the one `fpga_mgr_get()` finds: register each
    /// manager on a device of its own.
    pub fn get_own<T: Ops>(registration: &Registration<T>) -> Result<Self> {
        let mgr = registration.as_raw();
        // SAFETY: `mgr` is registered while `registration` is borrowed (invariant of
        // `Registration`), so its device is valid, and so is the device's parent, which the
        // device references.
        let parent = unsafe { (*mgr).dev.parent };
        let held = Self::get_raw(parent)?;
        if held.mgr.as_ptr() != mgr {
            return Err(EINVAL);
        }
        Ok(held)
    }

    /// `fpga_mgr_get(parent)`.
    fn get_raw(parent: *mut bindings::device) -> Result<Self> {
        // SAFETY: `fpga_mgr_get()` takes any device pointer: it only compares `parent` with the
        // managers' parents.
        let mgr = from_err_ptr(unsafe { bindings::fpga_mgr_get(parent) })?;
        // INVARIANT: The get succeeded; the manager is put in `drop`.
        NonNull::new(mgr).map(|mgr| Self { mgr }).ok_or(ENODEV)
    }

    /// The manager's device (`fpgaN` in `/sys/class/fpga_manager/`), e.g. for [`Image::new`].
    pub fn device(&self) -> &Device {
        // SAFETY: The get holds a reference to the manager's device (type invariant), which
        // lives as long as `self`.
        unsafe { Device::from_raw(&raw mut (*self.mgr.as_ptr()).dev) }
    }

    /// Takes the manager for exclusive use (`fpga_mgr_lock()`) until the returned guard is
    /// dropped.
    ///
    /// Fails with `EBUSY` if another user holds the lock, or `ENODEV` if the manager is
    /// unregistered.
    pub fn lock(&self) -> Result<Locked<'_>> {
        // SAFETY: `mgr` is held (type invariant), as `fpga_mgr_lock()` requires.
        to_result(unsafe { bindings::fpga_mgr_lock(self.mgr.as_ptr()) })?;
        // INVARIANT: The lock succeeded; it is unlocked in `drop`.
        Ok(Locked {
            mgr: self,
            _not_send: NotThreadSafe,
        })
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the get is put once, here; no `Locked` borrows `self`
        // any more.
        unsafe { bindings::fpga_mgr_put(self.mgr.as_ptr()) };
    }
}

/// Exclusive use of a held [`Manager`] (`fpga_mgr_lock()`); dropping it unlocks the manager
/// (`fpga_mgr_unlock()`).
///
/// It borrows the manager, which therefore cannot be put while locked. The guard cannot be sent
/// to another task: fpga-rs's lock is a flag that any task may give back (rule 6), but the C API
/// declares it a mutex (upstream's), which the task that took it must release.
///
/// # Invariants
///
/// The task that created the guard holds the lock of `mgr`.
pub struct Locked<'a> {
    mgr: &'a Manager,
    _not_send: NotThreadSafe,
}

impl Locked<'_> {
    /// Programs the FPGA with `image` (`fpga_mgr_load()`) and returns when it is done (or
    /// failed), after the driver's `write_complete`; it sleeps.
    ///
    /// Fails with the errno of the step that failed, as the core passes it on: `EINVAL` for
    /// an image without a source, `ENOENT` for a firmware file that does not exist, `ENOMEM`,
    /// `ENODEV` if the manager is unregistered, `EOPNOTSUPP` if the driver has
    /// no way to take the image, or the errno of the driver's op (e.g. `ETIMEDOUT` when the
    /// FPGA does not signal the end of its configuration). The manager's sysfs `state` then
    /// names the failed step ("write error", ...) and `status` the driver's error bits.
    pub fn load(&self, image: &mut Image<'_>) -> Result {
        // SAFETY: `mgr` is held and locked (type invariants of `Manager` and `Locked`); the
        // image info is valid, with a source (buffer, table or devres firmware name) valid for
        // the call (invariant of `Image`), and the core is its only user during the call
        // (`&mut`). If the driver unregistered the manager, `fpga_mgr.ko` fails the load with
        // `ENODEV` without calling its ops (rule 4), the only core this module loads on.
        to_result(unsafe { bindings::fpga_mgr_load(self.mgr.mgr.as_ptr(), image.as_raw()) })
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        // SAFETY: This task holds the lock (type invariant; the guard is not `Send`), and
        // releases it once, here; `mgr` is still held (borrowed).
        unsafe { bindings::fpga_mgr_unlock(self.mgr.mgr.as_ptr()) };
    }
}
