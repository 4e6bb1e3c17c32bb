// SPDX-License-Identifier: GPL-2.0

//! The KUnit module of the simulated Xilinx Zynq / 7-series FPGA: the .bit header parser
//! (`lowlevel/sim_zynq/bit_header.rs`, suite `sim_zynq_bit_header`) and the configuration logic
//! (`lowlevel/sim_zynq/engine.rs`, suite `sim_zynq_engine`: the sync-word search in both byte
//! orders, the packet checks, DONE, and partial reconfiguration).
//!
//! The suites sit at the bottom of the files they test. This crate compiles those files, the
//! sources the driver compiles, with the test images of `common/sim_images.rs`, and is the one
//! crate for which Kbuild sets their `fpga_rs_kunit` values.

use kernel::prelude::*;

#[path = "../../lowlevel/sim_zynq/bit_header.rs"]
mod bit_header;
#[path = "../../lowlevel/sim_zynq/engine.rs"]
mod engine;
#[path = "../../fpga/mod.rs"]
pub mod fpga;
#[path = "../../lowlevel/sim/mod.rs"]
pub mod sim;
#[path = "../common/sim_images.rs"]
pub mod sim_images;

use fpga::manager;
use sim::{
    crc32,
    fault,
    name, //
};

module! {
    type: SimZynqTest,
    name: "sim_zynq_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the simulated Xilinx Zynq FPGA",
    license: "GPL",
}

struct SimZynqTest;

impl kernel::Module for SimZynqTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}
