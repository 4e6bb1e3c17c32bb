// SPDX-License-Identifier: GPL-2.0

//! The safe Rust API of the FPGA subsystem, on the C API of
//! [`include/linux/fpga/`](srctree/include/linux/fpga/) through [`bindings`]: [`manager`] and
//! [`bridge`] for low-level drivers, with [`sg_image`] for the images of `write_sg`, and [`user`]
//! for code that programs an FPGA (a driver that programs its own device).
//!
//! A Rust module cannot link against another module's crate, so each driver compiles this API
//! once, as a public module of its crate (`pub mod fpga`): a driver uses only part of it, and what
//! it does not call is its crate's API rather than dead code.

#[path = "../ffi/bindings.rs"]
pub mod bindings;
pub mod bridge;
pub mod manager;
mod registration;
pub mod sg_image;
pub mod user;

/// The C `struct device` of a Rust [`kernel::device::Device`], a transparent wrapper of it.
fn raw_device(dev: &kernel::device::Device) -> *mut bindings::device {
    core::ptr::from_ref(dev)
        .cast::<bindings::device>()
        .cast_mut()
}
