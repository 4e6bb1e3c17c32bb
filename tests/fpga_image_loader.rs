// SPDX-License-Identifier: GPL-2.0

//! Programs a simulated FPGA of `lowlevel/` with `fpga_mgr_load()` at load, for the scenario
//! tests and the benchmarks: the firmware `fpga-rs/load.img` (the scenario copies the image it
//! wants there) into the manager of the faux device `sim-socfpga` (`mgr=1`) or `sim-zynq`
//! (`mgr=2`), with the image-info `flags` (`FPGA_MGR_*`, e.g. 1 for a partial
//! reconfiguration) and `config_complete_timeout_us`. It gets, locks, loads, unlocks and puts
//! the manager, the way a C user does; loading fails with the load's errno.

use kernel::{faux, prelude::*};

#[path = "../ffi/bindings.rs"]
mod bindings;
#[path = "common/faux_lookup.rs"]
mod faux_lookup;

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

/// Loads `fpga-rs/load.img` into the held, locked `mgr`.
///
/// # Safety
///
/// `mgr` must be held and locked by the caller.
unsafe fn load(mgr: *mut bindings::fpga_manager) -> Result {
    // SAFETY: `mgr` is held, so its device is alive; the name is devres memory of
    // `info->dev`, as `fpga_image_info_free()` requires.
    unsafe {
        let dev = &raw mut (*mgr).dev;
        let info = bindings::fpga_image_info_alloc(dev);
        if info.is_null() {
            return Err(ENOMEM);
        }
        (*info).firmware_name =
            bindings::devm_kstrdup(dev, c"fpga-rs/load.img".as_char_ptr(), bindings::GFP_KERNEL);
        (*info).flags = *module_parameters::flags.value();
        (*info).config_complete_timeout_us = *module_parameters::timeout_us.value();
        let ret = bindings::fpga_mgr_load(mgr, info);
        bindings::fpga_image_info_free(info);
        kernel::error::to_result(ret)
    }
}

impl kernel::Module for Loader {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let name = match *module_parameters::mgr.value() {
            1 => c"sim-socfpga",
            2 => c"sim-zynq",
            _ => return Err(EINVAL),
        };
        let dev = faux::Registration::new(c"fpga-rs-image-loader", None)?;
        let parent = faux_lookup::find_on_bus(&dev, name)?;
        // SAFETY: `parent` is a referenced device.
        let mgr = unsafe { bindings::fpga_mgr_get(parent) };
        // SAFETY: Drops the lookup's reference; the get holds the manager.
        unsafe { bindings::put_device(parent) };
        let mgr = kernel::error::from_err_ptr(mgr)?;
        // SAFETY: `mgr` is held; it is unlocked and put once below.
        let res = unsafe {
            match kernel::error::to_result(bindings::fpga_mgr_lock(mgr)) {
                Ok(()) => {
                    let res = load(mgr);
                    bindings::fpga_mgr_unlock(mgr);
                    res
                }
                Err(e) => Err(e),
            }
        };
        // SAFETY: Drops the get's reference.
        unsafe { bindings::fpga_mgr_put(mgr) };
        pr_info!(
            "fpga_image_loader: loading into {} returned {:?}\n",
            name,
            res.err()
        );
        res.map(|()| Self)
    }
}
