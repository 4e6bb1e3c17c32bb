// SPDX-License-Identifier: GPL-2.0

//! Calling the cores' C trace events (`fpga:*`) from Rust.
//!
//! C headers: [`include/linux/tracepoint.h`](srctree/include/linux/tracepoint.h),
//! [`include/trace/define_trace.h`](srctree/include/trace/define_trace.h); the events are in
//! `ffi/trace/fpga_{mgr,bridge,region}_events.h`, one header per core, each created by a C file in
//! that core's module (`Documentation/tracing.rst`).

use super::bindings;
use kernel::{
    ffi::c_char,
    prelude::*, //
};

/// Declares Rust entry points for trace events defined in C, as the kernel's
/// [`kernel::tracepoint::declare_trace!`] does, but resolving the C symbols in this crate's own
/// bindings ([`super::bindings`]).
///
/// Why not `declare_trace!`: it names the event's static key `__tracepoint_<name>` and its C
/// entry point `rust_do_trace_<name>` as `$crate::bindings::...`, that is, in `kernel::bindings`,
/// which the kernel generates from `rust/bindings/bindings_helper.h` when it is built (in-tree
/// Rust code with events, such as Binder, adds its trace header there). A module built outside
/// the kernel cannot add to it, and this tree's built-in flavour is the same code, so the
/// symbols come from this layer's bindings instead, which Kbuild generates from `ffi/fpga.h`
/// (the event headers included, `__tracepoint_fpga_*` and `rust_do_trace_fpga_*` allow-listed).
/// Everything else is `declare_trace!`'s: the static key is read with the kernel crate's
/// [`kernel::jump_label::static_branch_unlikely!`] and the C function is called only if the
/// event is enabled; without `CONFIG_TRACEPOINTS` the function does nothing.
///
/// Each event is created by exactly one module: a core declares only the events of its own
/// header, which its own C object creates (`CREATE_TRACE_POINTS` and `CREATE_RUST_TRACE_POINTS`,
/// which define the static key and `rust_do_trace_<name>()`).
///
/// The generated functions are `unsafe`: their safety requirements are those of the C event's
/// arguments, which the invocation documents.
macro_rules! declare_fpga_trace {
    ($($(#[$attr:meta])* $pub:vis unsafe fn $name:ident($($argname:ident : $argtyp:ty),* $(,)?);)*) => {$(
        $( #[$attr] )*
        #[inline(always)]
        $pub unsafe fn $name($($argname : $argtyp),*) {
            #[cfg(CONFIG_TRACEPOINTS)]
            {
                // SAFETY: `__tracepoint_<name>` is the `struct tracepoint` that this module's C
                // object defines for the event (`CREATE_TRACE_POINTS`), so its `key` is a real
                // static key defined by C, which may always be read.
                let should_trace = unsafe {
                    ::kernel::macros::paste! {
                        ::kernel::jump_label::static_branch_unlikely!(
                            $crate::ffi::bindings::[< __tracepoint_ $name >],
                            ::kernel::bindings::tracepoint,
                            key
                        )
                    }
                };

                if should_trace {
                    ::kernel::macros::paste! {
                        // SAFETY: `rust_do_trace_<name>()` is defined by this module's C object
                        // (`CREATE_RUST_TRACE_POINTS`) with the event's prototype; the arguments
                        // meet the event's requirements (this function's caller's).
                        unsafe { $crate::ffi::bindings::[< rust_do_trace_ $name >]($($argname),*) };
                    }
                }
            }

            #[cfg(not(CONFIG_TRACEPOINTS))]
            {
                // No events: use each argument once, against unused-argument warnings.
                $( let _unused = $argname; )*
            }
        }
    )*}
}

/// The image an image info describes, as the events name it, in the order `fpga_mgr_load()`
/// picks it: an sg table, else a buffer of `count` bytes, else a firmware file.
pub struct Image {
    /// `"sg"`, `"buffer"`, `"firmware"`, or `"none"` (no image: the load fails with `EINVAL`).
    pub source: &'static CStr,
    /// The sg table of an sg image, else NULL.
    pub sgt: *const bindings::sg_table,
    /// The bytes of a buffer image, else 0 (a firmware file is not read yet).
    pub size: usize,
    /// The firmware file's name (NUL-terminated) of a firmware image, else NULL.
    pub firmware: *const c_char,
}

impl Image {
    /// Reads the image source of `info`.
    ///
    /// # Safety
    ///
    /// `info` must point to a valid image info.
    pub unsafe fn of(info: *const bindings::fpga_image_info) -> Self {
        // SAFETY: `info` is valid (this function's requirement); the fields are only read.
        let (sgt, buf, count, firmware) = unsafe {
            (
                (*info).sgt,
                (*info).buf,
                (*info).count,
                (*info).firmware_name,
            )
        };
        let (source, sgt, size, firmware) = if !sgt.is_null() {
            (c"sg", sgt.cast_const(), 0, core::ptr::null())
        } else if !buf.is_null() && count != 0 {
            (c"buffer", core::ptr::null(), count, core::ptr::null())
        } else if !firmware.is_null() {
            (c"firmware", core::ptr::null(), 0, firmware.cast_const())
        } else {
            (c"none", core::ptr::null(), 0, core::ptr::null())
        };
        Self {
            source,
            sgt,
            size,
            firmware,
        }
    }

    /// The image as the region events name it: the firmware file's name, else the source.
    pub fn name(&self) -> *const c_char {
        if self.firmware.is_null() {
            self.source.as_char_ptr()
        } else {
            self.firmware
        }
    }
}
