// SPDX-License-Identifier: GPL-2.0

//! The region core's trace events, `fpga:fpga_region_program_*`: the Rust side of
//! `ffi/trace/fpga_region_events.h`, which `ffi/trace/fpga_region_events.c` creates in this
//! module.
//!
//! `Documentation/tracing.rst` lists the events and their fields.

use crate::{
    ffi::{
        bindings,
        c_result::to_ret,
        trace::Image, //
    },
    region::Region, //
};
use kernel::{
    ffi::c_char,
    prelude::*, //
};

declare_fpga_trace! {
    /// `fpga_region_program_begin`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid device and `image` a NUL-terminated string.
    unsafe fn fpga_region_program_begin(dev: *const bindings::device, image: *const c_char);
    /// `fpga_region_program_end`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid device and `image` a NUL-terminated string.
    unsafe fn fpga_region_program_end(
        dev: *const bindings::device,
        image: *const c_char,
        errno: i32,
    );
}

/// One programming of a region, traced: `fpga_region_program_begin` when it begins,
/// `fpga_region_program_end` with its result at [`Program::end`].
///
/// # Invariants
///
/// `image` is a static C string or the firmware name of the image info being programmed, which
/// the region's caller keeps valid until the programming ends.
#[must_use = "a programming's end is traced by `Program::end`"]
pub(crate) struct Program<'a> {
    region: &'a Region,
    image: *const c_char,
}

impl<'a> Program<'a> {
    /// Traces the beginning of the programming of `region` with `info`.
    ///
    /// # Safety
    ///
    /// `info` must be a valid image info, which stays valid until [`Program::end`].
    pub(crate) unsafe fn begin(region: &'a Region, info: *const bindings::fpga_image_info) -> Self {
        // SAFETY: `info` is a valid image info (this function's requirement).
        let image = unsafe { Image::of(info) }.name();
        // SAFETY: `region` is a region the caller refers to, so its device is valid; `image` is a
        // static C string or `info`'s NUL-terminated firmware name.
        unsafe { fpga_region_program_begin(region.raw_dev(), image) };
        // INVARIANT: `image` is a static string or `info`'s firmware name, and `info` stays valid
        // until `end` (this function's requirement).
        Self { region, image }
    }

    /// Traces the end of the programming with its result, and returns that.
    pub(crate) fn end(self, ret: Result) -> Result {
        // SAFETY: `self.region` is a region the caller refers to, so its device is valid;
        // `self.image` is still a valid C string (type invariant).
        unsafe { fpga_region_program_end(self.region.raw_dev(), self.image, to_ret(ret)) };
        ret
    }
}
