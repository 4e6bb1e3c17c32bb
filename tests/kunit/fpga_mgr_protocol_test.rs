// SPDX-License-Identifier: GPL-2.0

//! The KUnit module of the plain-Rust logic the cores share: the lifecycle protocol
//! (`lifecycle/protocol.rs`, suite `fpga_mgr_protocol`) and the decimal formatting of 64-bit values
//! (`lowlevel/sim/dec64.rs`, suite `fpga_rs_dec64`).
//!
//! The suites sit at the bottom of the files they test. This crate compiles those files, the
//! same sources the cores compile, and is the one crate for which Kbuild sets their
//! `fpga_rs_kunit` values, so the suites are registered here and nowhere else.

use kernel::prelude::*;

#[path = "../../lowlevel/sim/dec64.rs"]
pub mod dec64;
#[path = "../../lifecycle/protocol.rs"]
pub mod protocol;

module! {
    type: ProtocolTest,
    name: "fpga_mgr_protocol_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the fpga-rs manager lifecycle protocol",
    license: "GPL",
}

struct ProtocolTest;

impl kernel::Module for ProtocolTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}
