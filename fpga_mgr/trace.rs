// SPDX-License-Identifier: GPL-2.0

//! The manager core's trace events, `fpga:fpga_mgr_*`: the Rust side of
//! `ffi/trace/fpga_mgr_events.h`, which `ffi/trace/fpga_mgr_events.c` creates in this module.
//!
//! `Documentation/tracing.rst` lists the events and their fields.

use crate::{
    ffi::{
        bindings,
        c_result::to_ret,
        trace::Image, //
    },
    manager::Manager, //
};
use kernel::{
    ffi::c_char,
    prelude::*, //
};

declare_fpga_trace! {
    /// `fpga_mgr_load_begin`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid device; `sgt` NULL or a valid sg table; `source` a NUL-terminated
    /// string and `firmware` NULL or one.
    unsafe fn fpga_mgr_load_begin(
        dev: *const bindings::device,
        sgt: *const bindings::sg_table,
        size: usize,
        flags: u32,
        source: *const c_char,
        firmware: *const c_char,
    );
    /// `fpga_mgr_load_end`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid device.
    unsafe fn fpga_mgr_load_end(dev: *const bindings::device, errno: i32);
    /// `fpga_mgr_state`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid device.
    unsafe fn fpga_mgr_state(
        dev: *const bindings::device,
        old_state: bindings::fpga_mgr_states,
        new_state: bindings::fpga_mgr_states,
    );
}

/// One `fpga_mgr_load()`, traced: `fpga_mgr_load_begin` when it begins, `fpga_mgr_load_end` with
/// its result at [`Load::end`].
#[must_use = "a load's end is traced by `Load::end`"]
pub(crate) struct Load<'a>(&'a Manager);

impl<'a> Load<'a> {
    /// Traces the beginning of the load of `info` by `m`.
    ///
    /// # Safety
    ///
    /// `info` must be a valid image info whose image source (sg table, buffer or firmware name)
    /// is valid as the C API documents.
    pub(crate) unsafe fn begin(m: &'a Manager, info: *const bindings::fpga_image_info) -> Self {
        // SAFETY: `info` is a valid image info (this function's requirement).
        let (image, flags) = unsafe { (Image::of(info), (*info).flags) };
        // SAFETY: `m` is a manager the caller refers to, so its device is valid; `image.sgt` is
        // NULL or the valid sg table of `info`; `image.source` is a static C string and
        // `image.firmware` NULL or `info`'s NUL-terminated firmware name.
        unsafe {
            fpga_mgr_load_begin(
                m.raw_dev(),
                image.sgt,
                image.size,
                flags,
                image.source.as_char_ptr(),
                image.firmware,
            )
        };
        Self(m)
    }

    /// Traces the end of the load with its result, and returns that.
    pub(crate) fn end(self, ret: Result) -> Result {
        // SAFETY: `self.0` is a manager the caller refers to, so its device is valid.
        unsafe { fpga_mgr_load_end(self.0.raw_dev(), to_ret(ret)) };
        ret
    }
}

/// Traces a change of `m`'s state from `old` to `new`; nothing if it is no change.
pub(crate) fn state(m: &Manager, old: bindings::fpga_mgr_states, new: bindings::fpga_mgr_states) {
    if old != new {
        // SAFETY: `m` is a manager the caller refers to, so its device is valid.
        unsafe { fpga_mgr_state(m.raw_dev(), old, new) };
    }
}
