// SPDX-License-Identifier: GPL-2.0

//! `/sys/class/fpga_bridge/brN/{name,state}`, with upstream's strings byte for byte.
//!
//! ABI: `Documentation/ABI/testing/sysfs-class-fpga-bridge`.
//!
//! Upstream: [`drivers/fpga/fpga-bridge.c`](srctree/drivers/fpga/fpga-bridge.c)

use crate::{
    bridge::Bridge,
    ffi::{
        bindings,
        sysfs::emit_lines, //
    }, //
};

/// `name`: the name the driver registered (the core's own copy).
///
/// # Safety
///
/// Called by sysfs only, for the device of a bridge registered by this core; `buf` is the sysfs
/// page.
pub(crate) unsafe extern "C" fn name_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut u8,
) -> isize {
    // SAFETY: sysfs calls this for a registered bridge's device, holding it active.
    let b = unsafe { Bridge::from_dev(dev) };
    // SAFETY: `buf` is the sysfs page.
    unsafe { emit_lines(buf, [b.name()]) }
}

/// `state`: "enabled" or "disabled", from the driver's `enable_show` (always "enabled" without
/// it); its error is the read's error.
///
/// # Safety
///
/// Called by sysfs only, for the device of a bridge registered by this core; `buf` is the sysfs
/// page.
pub(crate) unsafe extern "C" fn state_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut u8,
) -> isize {
    // SAFETY: sysfs calls this for the device of a registered bridge of this core's class,
    // and holds a reference to it during the call (this function's requirement).
    let b = unsafe { Bridge::from_dev(dev) };
    match b.enabled() {
        Ok(enabled) => {
            let state: &[u8] = if enabled { b"enabled" } else { b"disabled" };
            // SAFETY: `buf` is the sysfs page.
            unsafe { emit_lines(buf, [state]) }
        }
        Err(e) => e.to_errno() as isize,
    }
}
