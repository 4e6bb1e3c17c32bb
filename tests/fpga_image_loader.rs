// SPDX-License-Identifier: GPL-2.0

//! Programs a simulated FPGA of `lowlevel/` with `fpga_mgr_load()` at load, for the scenario
//! tests and the benchmarks: the firmware `fpga-rs/load.img` (the scenario copies the image it
//! wants there) into the manager of the faux device `sim-socfpga` (`mgr=1`) or `sim-zynq`
//! (`mgr=2`), with the image-info `flags` (`FPGA_MGR_*`, e.g. 1 for a partial
//! reconfiguration) and `config_complete_timeout_us`. It gets, locks, loads, unlocks and puts
//! the manager with the safe user API (`abstractions/user.rs`), which makes the C calls a C
//! user makes, so it runs on fpga-rs's core and on the upstream C core; loading fails with the
//! load's errno.

use kernel::{device::Device, faux, prelude::*};

#[path = "common/faux_lookup.rs"]
mod faux_lookup;
#[path = "../abstractions/mod.rs"]
pub mod fpga;

use fpga::{bindings, user};

module! {
    type: Loader,
    name: "fpga_image_loader",
    authors: ["fpga-rs developers"],
    description: "Loads fpga-rs/load.img into a simulated FPGA for fpga-rs scenario tests",
    license: "GPL",
    params: {
        mgr: u32 {
            default: 1,
            description: "1: the manager of sim-socfpga, 2: the manager of sim-zynq",
        },
        flags: u32 {
            default: 0,
            description: "fpga_image_info flags (FPGA_MGR_PARTIAL_RECONFIG = 1)",
        },
        timeout_us: u32 {
            default: 0,
            description: "fpga_image_info config_complete_timeout_us (0: the driver's default)",
        },
    },
}

struct Loader;

/// Loads `fpga-rs/load.img` into the manager of `parent`.
fn load(parent: &Device) -> Result {
    let mgr = user::Manager::get(parent)?;
    let mut image = user::Image::new(mgr.device())?;
    image.set_firmware(c"fpga-rs/load.img")?;
    image.set_flags(*module_parameters::flags.value());
    image.set_config_complete_timeout_us(*module_parameters::timeout_us.value());
    mgr.lock()?.load(&mut image)?;
    Ok(())
}

impl kernel::Module for Loader {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let name = match *module_parameters::mgr.value() {
            1 => c"sim-socfpga",
            2 => c"sim-zynq",
            _ => return Err(EINVAL),
        };
        let dev = faux::Registration::new(c"fpga-rs-image-loader", None)?;
        let res = load(&*faux_lookup::find_on_bus(&dev, name)?);
        pr_info!(
            "fpga_image_loader: loading into {} returned {:?}\n",
            name,
            res.err()
        );
        res.map(|()| Self)
    }
}
