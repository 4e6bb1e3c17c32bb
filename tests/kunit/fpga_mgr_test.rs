// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of `fpga_mgr.ko` through its exported C API.
//!
//! This module links to the manager core by symbol, exactly as a C driver would: every call goes
//! through the declarations bindgen generated from
//! [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h).

use kernel::prelude::*;

#[path = "../../ffi/bindings.rs"]
mod bindings;

module! {
    type: FpgaMgrTest,
    name: "fpga_mgr_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests for the fpga-rs FPGA manager core",
    license: "GPL",
}

struct FpgaMgrTest;

impl kernel::Module for FpgaMgrTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[path = "fpga_mgr_test/recorder.rs"]
pub mod recorder;

#[path = "../common/kunit_util.rs"]
mod kunit_util;
#[path = "../common/observed_device.rs"]
mod observed_device;
#[path = "../common/page_table.rs"]
mod page_table;

use kunit_util::{
    module_refs,
    ptr_err, //
};

// One file per suite.
#[path = "fpga_mgr_test/fpga_mgr_core.rs"]
mod fpga_mgr_core;
#[path = "fpga_mgr_test/fpga_mgr_image_info.rs"]
mod fpga_mgr_image_info;
#[path = "fpga_mgr_test/fpga_mgr_load.rs"]
mod fpga_mgr_load;
