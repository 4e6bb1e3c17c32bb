// SPDX-License-Identifier: GPL-2.0

//! The manager a region programs through: a reference to its device, never a pin of its module
//! between programmings, followed to its successor after its driver is reloaded
//! (`fpga_mgr_get_current()`, an fpga-rs extension, `ffi/fpga-rs.h`).
//!
//! Upstream: `region->mgr` of [`drivers/fpga/fpga-region.c`](srctree/drivers/fpga/fpga-region.c)

use super::Region;
use crate::ffi::{
    bindings,
    c_result::{
        is_valid,
        ptr_err, //
    }, //
};
use kernel::{
    device::Device,
    prelude::*,
    sync::aref::ARef, //
};

/// The device of a manager.
pub(super) fn mgr_dev(mgr: *mut bindings::fpga_manager) -> *mut bindings::device {
    // SAFETY: Only the address of the field is computed.
    unsafe { &raw mut (*mgr).dev }
}

/// A manager a region programs through: a reference to its device, never a pin of its module.
///
/// # Invariants
///
/// `_dev` is the device of `*mgr` (`&mgr->dev`), so the core's `struct fpga_manager` stays
/// allocated while `self` exists.
pub(super) struct MgrRef {
    mgr: *mut bindings::fpga_manager,
    _dev: ARef<Device>,
}

impl MgrRef {
    /// A new reference to `mgr`'s device.
    ///
    /// # Safety
    ///
    /// `mgr` must be a manager whose device the caller holds a reference to (a get, or the C
    /// API's contract for `fpga_region_register()`'s `info->mgr`).
    pub(super) unsafe fn new(mgr: *mut bindings::fpga_manager) -> Self {
        // SAFETY: The caller holds a reference to the device, so it is valid and another
        // reference may be taken.
        let dev = unsafe { Device::get_device(mgr_dev(mgr)) };
        // INVARIANT: `dev` is `mgr`'s device.
        Self { mgr, _dev: dev }
    }
}

impl Region {
    /// The device name of the manager the region programs through: the one given at
    /// registration, or the one that replaced it after its driver was reloaded. `None` if it has
    /// none, or if it is gone with no successor. Its owner module is pinned for the lookup only.
    pub(crate) fn manager_name(&self) -> Option<kernel::str::CString> {
        // Under the lock: a programming may replace the manager and drop the old reference.
        let current = self.mgr.lock();
        let mgr = current.as_ref()?.mgr;
        // SAFETY: `current` references the manager's device (type invariant of `MgrRef`), and
        // the lock keeps it.
        let got = unsafe { bindings::fpga_mgr_get_current(mgr) };
        drop(current);
        if !is_valid(got) {
            return None;
        }
        // SAFETY: `got` is a get, so its device is valid until the put below.
        let dev: &Device = unsafe { Device::from_raw(mgr_dev(got)) };
        let name = kernel::str::CString::try_from(dev.name()).ok();
        // SAFETY: `got` is a get; put once.
        unsafe { bindings::fpga_mgr_put(got) };
        name
    }

    /// Gets the manager the region programs through if it is still registered, else the one
    /// registered since for the same device (`fpga_mgr_get_current()`), which becomes the
    /// region's manager from now on (its predecessor's device reference is dropped). Returns the
    /// get, for the caller to put, and whether the manager was replaced; `-EINVAL` without a
    /// manager, `-ENODEV` while there is none registered.
    pub(crate) fn get_current_mgr(&self) -> Result<(*mut bindings::fpga_manager, bool)> {
        let mut current = self.mgr.lock();
        let mgr = current.as_ref().ok_or(EINVAL)?.mgr;
        // SAFETY: `current` references the manager's device (type invariant of `MgrRef`), and
        // the lock keeps it.
        let got = unsafe { bindings::fpga_mgr_get_current(mgr) };
        if let Some(e) = ptr_err(got) {
            return Err(e);
        }
        let replaced = got != mgr;
        if replaced {
            // SAFETY: `got` is a get, which the caller puts after this returns.
            let old = current.replace(unsafe { MgrRef::new(got) });
            // The predecessor's reference, maybe its last, is dropped outside the lock.
            drop(current);
            drop(old);
        }
        Ok((got, replaced))
    }
}
