// SPDX-License-Identifier: GPL-2.0

//! The safe Rust API for low-level FPGA drivers: [`manager`] and [`bridge`], with [`sg_image`]
//! for the images of `write_sg`, on the C API of
//! [`include/linux/fpga/`](srctree/include/linux/fpga/) through [`bindings`].
//!
//! A Rust module cannot link against another module's crate, so each driver compiles this API
//! once, as a public module of its crate (`pub mod fpga`): a driver uses only part of it, and what
//! it does not call is its crate's API rather than dead code.

#[path = "../ffi/bindings.rs"]
pub mod bindings;
pub mod bridge;
pub mod manager;
pub mod sg_image;
