// SPDX-License-Identifier: GPL-2.0

//! `/sys/class/fpga_manager/fpgaN/{name,state,status}`, with upstream's strings byte for byte.
//!
//! ABI: `Documentation/ABI/testing/sysfs-class-fpga-manager`.
//!
//! Upstream: [`drivers/fpga/fpga-mgr.c`](srctree/drivers/fpga/fpga-mgr.c)

use crate::{
    ffi::{
        bindings,
        sysfs::emit_lines, //
    },
    manager::Manager, //
};

/// The `state` strings, indexed by `enum fpga_mgr_states`.
pub(crate) const STATE_STR: [&[u8]; 15] = [
    b"unknown",
    b"power off",
    b"power up",
    b"reset",
    b"firmware request",
    b"firmware request error",
    b"parse header",
    b"parse header error",
    b"write init",
    b"write init error",
    b"write",
    b"write error",
    b"write complete",
    b"write complete error",
    b"operating",
];

/// The `status` lines, in order, for the `FPGA_MGR_STATUS_*` bits.
const STATUS_STR: [(u64, &[u8]); 5] = [
    (
        bindings::FPGA_MGR_STATUS_OPERATION_ERR,
        b"reconfig operation error",
    ),
    (bindings::FPGA_MGR_STATUS_CRC_ERR, b"reconfig CRC error"),
    (
        bindings::FPGA_MGR_STATUS_INCOMPATIBLE_IMAGE_ERR,
        b"reconfig incompatible image",
    ),
    (
        bindings::FPGA_MGR_STATUS_IP_PROTOCOL_ERR,
        b"reconfig IP protocol error",
    ),
    (
        bindings::FPGA_MGR_STATUS_FIFO_OVERFLOW_ERR,
        b"reconfig fifo overflow error",
    ),
];

/// The string for a state; a value outside the enum (which only a misbehaving driver can store)
/// reads as "unknown".
pub(crate) fn state_str(state: bindings::fpga_mgr_states) -> &'static [u8] {
    STATE_STR
        .get(state as usize)
        .copied()
        .unwrap_or(STATE_STR[0])
}

/// `name`: the name the driver registered (the core's own copy).
///
/// # Safety
///
/// Called by sysfs only, for the device of a manager registered by this core; `buf` is the
/// sysfs page.
pub(crate) unsafe extern "C" fn name_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut u8,
) -> isize {
    // SAFETY: sysfs calls this for a registered manager's device, holding it active.
    let m = unsafe { Manager::from_dev(dev) };
    // SAFETY: `buf` is the sysfs page.
    unsafe { emit_lines(buf, [m.name()]) }
}

/// `state`: the last state the manager reached.
///
/// # Safety
///
/// Called by sysfs only, for the device of a manager registered by this core; `buf` is the
/// sysfs page.
pub(crate) unsafe extern "C" fn state_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut u8,
) -> isize {
    // SAFETY: sysfs calls this for the device of a registered manager of this core's class,
    // and holds a reference to it during the call (this function's requirement).
    let m = unsafe { Manager::from_dev(dev) };
    // SAFETY: `buf` is the sysfs page.
    unsafe { emit_lines(buf, [state_str(m.state())]) }
}

/// `status`: one line per error bit the driver's `status` op reports (empty without the op).
///
/// # Safety
///
/// Called by sysfs only, for the device of a manager registered by this core; `buf` is the
/// sysfs page.
pub(crate) unsafe extern "C" fn status_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut u8,
) -> isize {
    // SAFETY: sysfs calls this for the device of a registered manager of this core's class,
    // and holds a reference to it during the call (this function's requirement).
    let m = unsafe { Manager::from_dev(dev) };
    let status = match m.enter() {
        Ok(_op) => match m.ops().status {
            // SAFETY: The driver's op runs inside `enter`, so its module and device are alive.
            Some(status) => unsafe { status(m.as_c()) },
            None => 0,
        },
        Err(_) => 0,
    };
    let lines = STATUS_STR
        .iter()
        .filter(|(bit, _)| status & bit != 0)
        .map(|(_, line)| *line);
    // SAFETY: `buf` is the sysfs page.
    unsafe { emit_lines(buf, lines) }
}
