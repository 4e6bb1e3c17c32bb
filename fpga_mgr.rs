// SPDX-License-Identifier: GPL-2.0

//! FPGA manager core.
//!
//! The Rust implementation of `drivers/fpga/fpga-mgr.c`: it registers the `fpga_manager` class
//! and exports the C API of [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h)
//! under the same symbol names, so C low-level drivers and C callers work unchanged.

use kernel::prelude::*;

#[path = "ffi/bindings.rs"]
mod bindings;
#[path = "ffi/class.rs"]
mod class;
#[macro_use]
#[path = "ffi/export.rs"]
mod export;
#[path = "fpga_mgr/image_info.rs"]
mod image_info;

module! {
    type: FpgaMgrCore,
    name: "fpga_mgr",
    authors: ["fpga-rs developers"],
    description: "FPGA manager framework",
    license: "GPL",
}

/// The `fpga_manager` device class (`/sys/class/fpga_manager`).
static FPGA_MGR_CLASS: class::ClassDesc =
    class::ClassDesc::new(c"fpga_manager", core::ptr::null(), None);

/// The loaded manager core: the class stays registered while this lives.
struct FpgaMgrCore {
    _class: class::ClassRegistration,
}

impl kernel::Module for FpgaMgrCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("FPGA manager framework\n");
        Ok(Self {
            _class: class::ClassRegistration::new(&FPGA_MGR_CLASS)?,
        })
    }
}
