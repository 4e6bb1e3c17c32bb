// SPDX-License-Identifier: GPL-2.0

//! The KUnit module of the simulated Altera SoC FPGA: its configuration logic
//! (`lowlevel/sim_socfpga/engine.rs`, suite `sim_socfpga_engine`) and the CRC-32 the simulated
//! FPGAs share (`lowlevel/sim/crc32.rs`, suite `sim_crc32`).
//!
//! The suites sit at the bottom of the files they test. This crate compiles those files, the
//! sources the driver compiles, with the test images of `common/sim_images.rs`, and is the one
//! crate for which Kbuild sets their `fpga_rs_kunit` values.

use kernel::prelude::*;

#[path = "../../lowlevel/sim_socfpga/engine.rs"]
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
    fault, //
};

module! {
    type: SimSocfpgaTest,
    name: "sim_socfpga_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the simulated Altera SoC FPGA",
    license: "GPL",
}

struct SimSocfpgaTest;

impl kernel::Module for SimSocfpgaTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}
