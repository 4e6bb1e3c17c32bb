// SPDX-License-Identifier: GPL-2.0

//! Which manager succeeds an unregistered one for the same device (`fpga_mgr_get_current()`):
//! the same firmware node, or the same `<bus>/<name>` when the driver declared names stable
//! (`fpga_mgr_identify_by_name()`).

use super::Manager;
use crate::{
    ffi::bindings,
    lifecycle::Held, //
};
use core::{
    ptr,
    sync::atomic::Ordering, //
};
use kernel::{
    device::Device,
    prelude::*, //
};

impl Manager {
    /// Whether `self` programs the same device as `other`: the same firmware node (by its full
    /// path: a node an overlay re-adds is the same device's), or, if both
    /// drivers declared their devices' names stable and neither has a firmware node, the same bus
    /// and parent device name. A name alone is not enough otherwise: auto-numbered and bus-less
    /// devices recycle names, and the successor would program another device.
    fn same_device_as(&self, other: &Manager) -> bool {
        match (&self.fwnode_path, &other.fwnode_path) {
            (Some(a), Some(b)) => a.to_bytes() == b.to_bytes(),
            (None, None) => {
                self.by_name.load(Ordering::Relaxed)
                    && other.by_name.load(Ordering::Relaxed)
                    && self.parent_key == other.parent_key
            }
            _ => false,
        }
    }

    /// Declares that the parent's `<bus>/<name>` identifies the device stably (a fixed
    /// platform-device id, a PCI address), so that a manager registered later for a device of
    /// that name may succeed this one (`fpga_mgr_identify_by_name()`).
    pub(crate) fn identify_by_name(&self) {
        self.by_name.store(true, Ordering::Relaxed);
    }

    /// Gets this manager if it is still registered, else the one registered since for the same
    /// device (`fpga_mgr_get_current()`, see `api.rs`).
    ///
    /// The caller must hold a reference to this manager's device.
    pub(crate) fn get_current(&self) -> Result<Held<Manager>> {
        let mut managers = crate::MANAGERS.lock();
        managers.get(self).or_else(|_| {
            // Only registered managers are listed: neither the predecessor nor one being
            // unregistered is a successor.
            managers.find_get(|m| !ptr::eq(m, self) && m.same_device_as(self))
        })
    }
}

/// `<bus>/<name>` of `dev`: what identifies a device across driver reloads when it has no
/// device-tree node.
///
/// # Safety
///
/// `dev` must be the device `raw` points to.
pub(super) unsafe fn parent_key(raw: *mut bindings::device, dev: &Device) -> Result<KVec<u8>> {
    // SAFETY: `raw` is a valid device; a non-NULL bus is a registered bus type with a name.
    let bus = unsafe { (*raw).bus };
    let bus_name = if bus.is_null() {
        &[][..]
    } else {
        // SAFETY: A non-NULL bus of a valid device is a registered bus type, whose name is a
        // static NUL-terminated string.
        unsafe { CStr::from_char_ptr((*bus).name) }.to_bytes()
    };
    let name = dev.name().to_bytes();
    let mut key = KVec::with_capacity(bus_name.len() + 1 + name.len(), GFP_KERNEL)?;
    key.extend_from_slice(bus_name, GFP_KERNEL)?;
    key.push(b'/', GFP_KERNEL)?;
    key.extend_from_slice(name, GFP_KERNEL)?;
    Ok(key)
}
