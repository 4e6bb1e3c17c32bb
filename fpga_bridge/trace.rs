// SPDX-License-Identifier: GPL-2.0

//! The bridge core's trace event, `fpga:fpga_bridge_enable`: the Rust side of
//! `ffi/trace/fpga_bridge_events.h`, which `ffi/trace/fpga_bridge_events.c` creates in this
//! module.
//!
//! `Documentation/tracing.rst` lists the events and their fields.

use crate::{
    bridge::Bridge,
    ffi::{
        bindings,
        c_result::to_ret, //
    }, //
};
use kernel::prelude::*;

declare_fpga_trace! {
    /// `fpga_bridge_enable`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid device.
    unsafe fn fpga_bridge_enable(dev: *const bindings::device, enable: bool, errno: i32);
}

/// Traces the enable (`enable`) or disable of `b` with its result, and returns that.
pub(crate) fn enable(b: &Bridge, enable: bool, ret: Result) -> Result {
    // SAFETY: `b` is a bridge the caller refers to, so its device is valid.
    unsafe { fpga_bridge_enable(b.raw_dev(), enable, to_ret(ret)) };
    ret
}
