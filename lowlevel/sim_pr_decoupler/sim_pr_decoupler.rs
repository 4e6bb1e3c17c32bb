// SPDX-License-Identifier: GPL-2.0

//! A low-level FPGA bridge driver for a simulated Xilinx partial-reconfiguration decoupler (the
//! PR Decoupler IP of `drivers/fpga/xlnx-pr-decoupler.c`), written only against the safe API
//! (`fpga/bridge.rs`).
//!
//! The decoupler has one control register: bit 0 set decouples the reconfigurable partition
//! (no transaction crosses, its outputs are tied off), clear couples it. Disabling the bridge
//! decouples; enabling it couples. Its register and counters are readable in debugfs,
//! `<device name>/decoupler`; writing N to `<device name>/traffic` sends N transactions, which
//! fail with `EIO` while the partition is decoupled (`sim/traffic.rs`).
//!
//! It drives one bridge on the faux device `sim-pr-decoupler` (unless `faux=0`) and one on each
//! platform device of a device-tree node compatible with `fpga-rs,sim-pr-decoupler`.

use kernel::{
    device::{
        Bound,
        Device, //
    },
    fmt,
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    }, //
};

#[path = "../../fpga/mod.rs"]
pub mod fpga;
mod regs;
#[path = "../sim/mod.rs"]
pub mod sim;

use fpga::bridge;
use sim::{
    binding,
    state_file,
    traffic, //
};

use binding::{
    SimDevice,
    SimModule, //
};
use bridge::{
    Ops,
    Registration, //
};
use regs::Decoupler;
use state_file::StateFile;
use traffic::{
    Gate,
    Port,
    TrafficFile, //
};

module! {
    type: SimModule<Instance>,
    name: "sim_pr_decoupler",
    authors: ["fpga-rs developers"],
    description: "Simulated Xilinx partial-reconfiguration decoupler bridge",
    license: "GPL",
    params: {
        faux: u32 {
            default: 1,
            description: "Drive one bridge on the faux device sim-pr-decoupler (0: device tree only)",
        },
    },
}

/// The name of each bridge in sysfs.
const NAME: &CStr = c"Xilinx PR Decoupler (fpga-rs simulation)";

/// The driver data of one bridge.
struct PrDecoupler {
    regs: Arc<Mutex<Decoupler>>,
}

impl Gate for Mutex<Decoupler> {
    fn transfer(&self, count: u64) -> bool {
        self.lock().transfer(count)
    }
}

#[vtable]
impl Ops for PrDecoupler {
    fn enable_set(&self, enable: bool, _timeout_us: Option<u32>) -> Result {
        self.regs.lock().set_enabled(enable);
        Ok(())
    }

    fn enable_show(&self) -> Result<bool> {
        Ok(self.regs.lock().enabled())
    }
}

/// The debugfs file `decoupler`.
fn show_decoupler(regs: &Arc<Mutex<Decoupler>>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let regs = regs.lock();
    let state = if regs.enabled() {
        "coupled"
    } else {
        "decoupled"
    };
    writeln!(f, "ctrl: {:#x} ({state})", regs.ctrl)?;
    writeln!(f, "decouples: {}", regs.decouples)?;
    writeln!(f, "couples: {}", regs.couples)?;
    traffic::show_counts(f, regs.passed, regs.blocked)
}

/// The debugfs files of one bridge. The bridge itself is the device's: devres unregisters it
/// when the device unbinds, after these files are gone (they share the register with the
/// bridge's data).
struct Instance {
    _traffic: TrafficFile<Mutex<Decoupler>>,
    _decoupler: StateFile<Decoupler>,
}

crate::sim_driver!(
    Instance,
    faux: c"sim-pr-decoupler",
    driver: c"sim_pr_decoupler",
    compatible: c"fpga-rs,sim-pr-decoupler",
);

impl SimDevice for Instance {
    /// A coupled (enabled) bridge on `dev`, owned by `module`.
    fn bind(dev: &Device<Bound>, module: &'static ThisModule) -> Result<Self> {
        let (regs, decoupler) =
            StateFile::new(dev, c"decoupler", Decoupler::new(), &show_decoupler)?;
        let traffic = Port::file(decoupler.dir(), &regs)?;
        Registration::new_foreign_owned(dev, NAME, Ok::<_, Error>(PrDecoupler { regs }), module)?;
        Ok(Self {
            _traffic: traffic,
            _decoupler: decoupler,
        })
    }
}
