// SPDX-License-Identifier: GPL-2.0

//! The FFI layer: everything that touches C, shared by the core crates.
//!
//! Each core module (`fpga_mgr`, `fpga_bridge`, `fpga_region`, `of_fpga_region`) is its own
//! crate, since a Rust module cannot link against another module's crate, so each compiles this
//! layer once, as `crate::ffi`. It is a public module of each crate: a core uses only part of it,
//! and what one core does not call is that crate's API rather than dead code. The lint still
//! catches dead code in each core's own modules.
//!
//! The lifecycle layer the cores build on (`lifecycle/`) is compiled beside it, as
//! `crate::lifecycle`.

pub mod bindings;
#[macro_use]
pub mod c_abi;
pub mod c_result;
pub mod class;
pub mod configfs;
pub mod errno;
pub mod ida;
pub mod image_flags;
pub mod list;
#[cfg(CONFIG_OF_OVERLAY)]
pub mod of_node;
#[cfg(CONFIG_OF_OVERLAY)]
pub mod overlay;
#[cfg(CONFIG_OF_OVERLAY)]
pub mod overlay_notifier;
pub mod page;
pub mod registration;
pub mod sysfs;
pub mod uevent;
pub mod workqueue;
#[macro_use]
pub mod trace;
