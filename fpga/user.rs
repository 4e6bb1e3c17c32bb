// SPDX-License-Identifier: GPL-2.0

//! Safe Rust API for users of an FPGA manager: code that programs an FPGA, such as a driver that
//! programs its own device (a PCIe card, a multi-function device) or a region.
//!
//! A user gets the manager ([`Manager::get`] by its parent device, or [`Manager::get_own`] from
//! the driver's own [`Registration`]), locks it ([`Manager::lock`]), describes the image in an
//! [`Image`] and loads it ([`Locked::load`]). Each step is a value whose `Drop` undoes it:
//! `fpga_mgr_unlock()`, `fpga_mgr_put()`, `fpga_image_info_free()`. The lock borrows the held
//! manager and an image borrows its buffer or table, so the compiler rejects a put before the
//! unlock and a buffer freed before the load:
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
//! of [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h), so the same code
//! runs on fpga-rs's core and on the upstream C core. The errnos below are the cores'.

use super::{
    bindings,
    manager::{Ops, Registration},
    sg_image::SgImage,
};
use core::{marker::PhantomData, ptr, ptr::NonNull};
use kernel::{
    device::Device,
    error::{from_err_ptr, to_result},
    prelude::*,
    scatterlist::SGTable,
    types::NotThreadSafe,
};

/// An FPGA manager a user holds (`fpga_mgr_get()`); dropping it puts it (`fpga_mgr_put()`).
///
/// While it is held, the manager's device stays allocated and its driver's module loaded. The
/// driver may still unregister it (its device unbinds): then locking and loading fail with
/// `ENODEV` on fpga-rs's core.
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
        Self::get_raw(super::raw_device(parent))
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
        // SAFETY: `mgr` is registered (invariant of `Registration`), so its device and the
        // device's parent are valid.
        let parent = unsafe { (*mgr).dev.parent };
        let held = Self::get_raw(parent)?;
        if held.mgr.as_ptr() != mgr {
            return Err(EINVAL);
        }
        Ok(held)
    }

    /// `fpga_mgr_get(parent)`.
    fn get_raw(parent: *mut bindings::device) -> Result<Self> {
        // SAFETY: `fpga_mgr_get()` only compares `parent` with the managers' parents.
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
    /// Fails with `EBUSY` if another user holds the lock, or (fpga-rs's core) `ENODEV` if the
    /// manager is unregistered.
    pub fn lock(&self) -> Result<Locked<'_>> {
        // SAFETY: `mgr` is held (type invariant).
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
/// It borrows the manager, which therefore cannot be put while locked. The upstream C core's
/// lock is a mutex, which the task that took it must release: the guard cannot be sent to
/// another task.
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
    /// `ENODEV` if the manager is unregistered (fpga-rs's core), `EOPNOTSUPP` if the driver has
    /// no way to take the image, or the errno of the driver's op (e.g. `ETIMEDOUT` when the
    /// FPGA does not signal the end of its configuration). The manager's sysfs `state` then
    /// names the failed step ("write error", ...) and `status` the driver's error bits.
    pub fn load(&self, image: &mut Image<'_>) -> Result {
        // SAFETY: `mgr` is held and locked (type invariants of `Manager` and `Locked`); `info`
        // is a valid image info whose source (buffer, table or devres firmware name) is valid
        // for the call (invariant of `Image`), and the core is its only user during the call
        // (`&mut`).
        to_result(unsafe { bindings::fpga_mgr_load(self.mgr.mgr.as_ptr(), image.info.as_ptr()) })
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        // SAFETY: This task holds the lock (type invariant; the guard is not `Send`), and
        // releases it once, here; `mgr` is still held (borrowed).
        unsafe { bindings::fpga_mgr_unlock(self.mgr.mgr.as_ptr()) };
    }
}

/// An FPGA image to load, and how (`struct fpga_image_info`), owned: allocated by
/// `fpga_image_info_alloc()` and freed by `fpga_image_info_free()` on drop.
///
/// Its source is one of a buffer, an sg table (both borrowed for `'a`, so they outlive every
/// load) or a firmware file; setting one replaces the others. Without one, a load fails with
/// `EINVAL`.
///
/// # Invariants
///
/// - `info` comes from `fpga_image_info_alloc()` and is freed only in `drop`;
/// - its `firmware_name` is NULL or a string allocated with devres on `info->dev`, as
///   `fpga_image_info_free()` requires;
/// - its `buf` (with `count` bytes) and `sgt` are NULL or borrowed for `'a`.
pub struct Image<'a> {
    info: NonNull<bindings::fpga_image_info>,
    _source: PhantomData<&'a [u8]>,
}

// SAFETY: The image info may be used and freed from any task (C API), and the buffer and table it
// borrows are `Sync`.
unsafe impl Send for Image<'_> {}

impl<'a> Image<'a> {
    /// An image info without a source, flags or timeouts, for `dev` (usually the manager's
    /// device, [`Manager::device`]): `fpga_image_info_alloc()` takes a reference to `dev` and
    /// allocates the info (and any firmware name) with devres on it, until the drop.
    ///
    /// Fails with `ENOMEM`.
    pub fn new(dev: &Device) -> Result<Self> {
        let dev = super::raw_device(dev);
        // SAFETY: `dev` is a valid device (`Device` is a transparent wrapper).
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        // INVARIANT: Allocated by `fpga_image_info_alloc()`, zeroed: no source.
        NonNull::new(info)
            .map(|info| Self {
                info,
                _source: PhantomData,
            })
            .ok_or(ENOMEM)
    }

    /// The info, for the accessors.
    fn info(&self) -> &bindings::fpga_image_info {
        // SAFETY: `info` is valid (type invariant); only `&mut self` methods change it.
        unsafe { self.info.as_ref() }
    }

    /// The info, for the setters.
    fn info_mut(&mut self) -> &mut bindings::fpga_image_info {
        // SAFETY: `info` is valid (type invariant) and only `self` uses it.
        unsafe { self.info.as_mut() }
    }

    /// The `FPGA_MGR_*` flags ([`super::manager::flags`]).
    pub fn flags(&self) -> u32 {
        self.info().flags
    }

    /// Sets the `FPGA_MGR_*` flags ([`super::manager::flags`]), e.g. `PARTIAL_RECONFIG`.
    pub fn set_flags(&mut self, flags: u32) {
        self.info_mut().flags = flags;
    }

    /// How long the driver's `write_complete` may wait for the FPGA to finish its
    /// configuration, in microseconds.
    pub fn config_complete_timeout_us(&self) -> u32 {
        self.info().config_complete_timeout_us
    }

    /// Sets how long the driver's `write_complete` may wait for the FPGA to finish its
    /// configuration, in microseconds; 0 (the default) leaves it to the driver.
    pub fn set_config_complete_timeout_us(&mut self, timeout_us: u32) {
        self.info_mut().config_complete_timeout_us = timeout_us;
    }

    /// Forgets the source, freeing a firmware name.
    fn clear_source(&mut self) {
        let info = self.info_mut();
        if !info.firmware_name.is_null() {
            // SAFETY: The name was allocated with devres on `info->dev` (type invariant) and is
            // freed once: the pointer is cleared below.
            unsafe { bindings::devm_kfree(info.dev, info.firmware_name.cast()) };
        }
        info.firmware_name = ptr::null_mut();
        info.buf = ptr::null();
        info.count = 0;
        info.sgt = ptr::null_mut();
    }

    /// Loads the image from `buf`, in kernel memory (kmalloc, vmalloc or the kernel image).
    /// The core passes it to the driver's `write` without a copy, or describes it in place with
    /// an sg table for a driver with `write_sg` only.
    pub fn set_buffer(&mut self, buf: &'a [u8]) {
        self.clear_source();
        let info = self.info_mut();
        // INVARIANT: `buf` is borrowed for `'a`.
        info.buf = buf.as_ptr().cast();
        info.count = buf.len();
    }

    /// Loads the image from the scatter-gather table `table`, e.g. an `SGTable<Owned<VVec<u8>>>`.
    /// A `write_sg` driver gets the table itself; for the header, and for a driver with `write`,
    /// the core reads it with the CPU, over its first `nents` entries as upstream does: a
    /// table whose DMA mapping merged entries (`nents < orig_nents`) loses its tail there.
    pub fn set_sg_table(&mut self, table: &'a SGTable) {
        self.clear_source();
        // INVARIANT: `table` is borrowed for `'a`.
        self.info_mut().sgt = SgImage::from_table(table).as_raw();
    }

    /// Loads the image from the firmware file `name` (under `/lib/firmware`), which the core
    /// requests with `request_firmware()` at each load.
    ///
    /// Fails with `ENOMEM` (then the image has no source).
    pub fn set_firmware(&mut self, name: &CStr) -> Result {
        self.clear_source();
        let info = self.info_mut();
        // SAFETY: `info->dev` is the valid device the info was allocated for; `name` is a
        // NUL-terminated string.
        let copy =
            unsafe { bindings::devm_kstrdup(info.dev, name.as_char_ptr(), bindings::GFP_KERNEL) };
        if copy.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: A devres string of `info->dev`.
        info.firmware_name = copy;
        Ok(())
    }
}

impl Drop for Image<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `info` comes from `fpga_image_info_alloc()`, its firmware
        // name is NULL or a devres string of its device, and it is freed once, here.
        unsafe { bindings::fpga_image_info_free(self.info.as_ptr()) };
    }
}
