// SPDX-License-Identifier: GPL-2.0

//! A low-level FPGA bridge driver for a simulated freeze bridge (the Altera partial
//! reconfiguration freeze controller of `drivers/fpga/altera-freeze-bridge.c`), written only
//! against the safe API (`fpga/bridge.rs`).
//!
//! Disabling the bridge freezes the region behind it: the driver requests a freeze and waits,
//! up to the holder's `region-freeze-timeout-us`, for the controller to acknowledge it; from
//! then on the region's outputs are held and no transaction crosses. Enabling it resets the
//! region, requests an unfreeze and waits for that acknowledgement
//! (`region-unfreeze-timeout-us`). A request that is not acknowledged in time fails with
//! `ETIMEDOUT` and leaves the bridge as it was. The controller's state and counters are
//! readable in debugfs, `<device name>/freeze`; writing N to `<device name>/traffic` sends N
//! transactions, which fail with `EIO` while the region is frozen (`sim/traffic.rs`).
//!
//! It drives one bridge on the faux device `sim-freeze-bridge` (unless `faux=0`) and one on each
//! platform device of a device-tree node compatible with `fpga-rs,sim-freeze-bridge`.

use kernel::{
    device::{
        Bound,
        Device, //
    },
    fmt,
    prelude::*,
    sync::{
        aref::ARef,
        Arc,
        Mutex, //
    },
    time::{
        Delta,
        Instant,
        Monotonic, //
    }, //
};

mod controller;
#[path = "../../fpga/mod.rs"]
pub mod fpga;
#[path = "../sim/mod.rs"]
pub mod sim;

use fpga::bridge;
use sim::{
    binding,
    poll,
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
use controller::{
    Controller,
    Request, //
};
use state_file::StateFile;
use traffic::{
    Gate,
    Port,
    TrafficFile, //
};

module! {
    type: SimModule<Instance>,
    name: "sim_freeze_bridge",
    authors: ["fpga-rs developers"],
    description: "Simulated FPGA freeze bridge (Altera freeze controller style)",
    license: "GPL",
    params: {
        faux: u32 {
            default: 1,
            description: "Drive one bridge on the faux device sim-freeze-bridge (0: device tree only)",
        },
        ack_delay_us: u32 {
            default: 0,
            description: "Microseconds the controller takes to acknowledge a request",
        },
        timeout_us: u32 {
            default: 1000,
            description: "How long to wait for an acknowledgement when the holder gives no timeout",
        },
        stuck: u32 {
            default: 0,
            description: "Never acknowledge: 1 freeze requests, 2 unfreeze requests (0: none)",
        },
    },
}

/// The name of each bridge in sysfs.
const NAME: &CStr = c"Altera Freeze Bridge (fpga-rs simulation)";

/// The driver data of one bridge.
struct FreezeBridge {
    dev: ARef<Device>,
    ctrl: Arc<Mutex<Controller>>,
}

impl Gate for Mutex<Controller> {
    fn transfer(&self, count: u64) -> bool {
        self.lock().transfer(count)
    }
}

impl FreezeBridge {
    /// Issues `request` and waits up to `timeout_us` for the controller's acknowledgement.
    fn request(&self, request: Request, timeout_us: u32) -> Result {
        let ack_delay_us = match (request, *module_parameters::stuck.value()) {
            (Request::Freeze, 1) | (Request::Unfreeze, 2) => None,
            _ => Some(u64::from(*module_parameters::ack_delay_us.value())),
        };
        let start = Instant::<Monotonic>::now();
        if !self.ctrl.lock().request(request, 0) {
            dev_dbg!(self.dev, "{}: nothing to do\n", request.name());
            return Ok(());
        }
        let acknowledged = poll::poll_timeout(
            || {
                let elapsed = u64::try_from(start.elapsed().as_micros_ceil()).unwrap_or(0);
                Ok(self.ctrl.lock().poll(elapsed, ack_delay_us))
            },
            |&acknowledged| acknowledged,
            Delta::from_micros(ack_delay_us.map_or(100, |d| d.clamp(1, 100)) as i64),
            Delta::from_micros(timeout_us.into()),
            Delta::ZERO,
        );
        if acknowledged.is_err() {
            self.ctrl.lock().timeout();
            dev_err!(
                self.dev,
                "{} request not acknowledged within {timeout_us} us\n",
                request.name()
            );
            return Err(ETIMEDOUT);
        }
        Ok(())
    }
}

#[vtable]
impl Ops for FreezeBridge {
    fn enable_set(&self, enable: bool, timeout_us: Option<u32>) -> Result {
        let timeout_us = timeout_us.unwrap_or(*module_parameters::timeout_us.value());
        let request = if enable {
            Request::Unfreeze
        } else {
            Request::Freeze
        };
        self.request(request, timeout_us)
    }

    fn enable_show(&self) -> Result<bool> {
        Ok(!self.ctrl.lock().frozen())
    }
}

/// The debugfs file `freeze`.
fn show_freeze(ctrl: &Arc<Mutex<Controller>>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let ctrl = ctrl.lock();
    let state = if ctrl.frozen() { "frozen" } else { "running" };
    writeln!(f, "region: {state}")?;
    writeln!(f, "freezes: {}", ctrl.freezes)?;
    writeln!(f, "unfreezes: {}", ctrl.unfreezes)?;
    writeln!(f, "region resets: {}", ctrl.region_resets)?;
    writeln!(f, "timeouts: {}", ctrl.timeouts)?;
    traffic::show_counts(f, ctrl.passed, ctrl.blocked)
}

/// One bridge and its debugfs files (dropped in this order).
struct Instance {
    _bridge: Registration<FreezeBridge>,
    _traffic: TrafficFile<Mutex<Controller>>,
    _freeze: StateFile<Controller>,
}

crate::sim_driver!(
    Instance,
    faux: c"sim-freeze-bridge",
    driver: c"sim_freeze_bridge",
    compatible: c"fpga-rs,sim-freeze-bridge",
);

impl SimDevice for Instance {
    /// A running (enabled) bridge on `dev`, owned by `module`.
    fn bind(dev: &Device<Bound>, module: &'static ThisModule) -> Result<Self> {
        let (ctrl, freeze) = StateFile::new(dev, c"freeze", Controller::new(), &show_freeze)?;
        let traffic = Port::file(freeze.dir(), &ctrl)?;
        let data = FreezeBridge {
            dev: dev.into(),
            ctrl,
        };
        Ok(Self {
            _bridge: Registration::new(dev, NAME, Ok::<_, Error>(data), module)?,
            _traffic: traffic,
            _freeze: freeze,
        })
    }
}
