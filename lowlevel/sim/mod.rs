// SPDX-License-Identifier: GPL-2.0

//! What the simulated FPGAs and bridges of `lowlevel/` share: binding to a faux device or a
//! device-tree node, checksums, failures, programmings held for tests, part names, status
//! polling, the debugfs view of a device's state, an FPGA under its manager with its `fabric`
//! file and what its configurations came to, and the traffic through a bridge.
//!
//! Each driver compiles this once, as a public module of its crate (`pub mod sim`): a driver
//! uses only part of it.

pub mod binding;
pub mod crc32;
pub mod dec64;
pub mod fabric;
pub mod fault;
pub mod name;
pub mod outcome;
pub mod pause;
pub mod poll;
pub mod state_file;
pub mod traffic;
pub mod user_number;
