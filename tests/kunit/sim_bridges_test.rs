// SPDX-License-Identifier: GPL-2.0

//! The KUnit module of the simulated bridges of `lowlevel/`: the freeze controller of
//! `sim_freeze_bridge` (`lowlevel/sim_freeze_bridge/controller.rs`, suite
//! `sim_freeze_bridge_controller`) and the register of `sim_pr_decoupler`
//! (`lowlevel/sim_pr_decoupler/regs.rs`, suite `sim_pr_decoupler_regs`).
//!
//! The suites sit at the bottom of the files they test. This crate compiles those files, the
//! sources the drivers compile, and is the one crate for which Kbuild sets their
//! `fpga_rs_kunit` values.

use kernel::prelude::*;

#[path = "../../lowlevel/sim_freeze_bridge/controller.rs"]
mod controller;
#[path = "../../lowlevel/sim_pr_decoupler/regs.rs"]
mod regs;

module! {
    type: SimBridgesTest,
    name: "sim_bridges_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the simulated FPGA bridges",
    license: "GPL",
}

struct SimBridgesTest;

impl kernel::Module for SimBridgesTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}
