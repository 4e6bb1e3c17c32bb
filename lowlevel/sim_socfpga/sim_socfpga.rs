// SPDX-License-Identifier: GPL-2.0

//! A low-level FPGA manager driver for a simulated Altera/Intel SoC FPGA (Cyclone V / Arria 10
//! style), written only against the safe API (`fpga/manager.rs`).
//!
//! The FPGA is software (`sim_socfpga/engine.rs`): it takes raw binary (.rbf) images through
//! `write_init` (nCONFIG pulse, header check), `write` (frames with CRCs) and `write_complete`
//! (waits for CONF_DONE, then INIT_DONE and user mode), and fails like the hardware on a
//! corrupt, truncated or wrong-family image, with the matching bits in sysfs `status`. What it
//! holds is readable in debugfs, `<device name>/fabric`.
//!
//! It manages one FPGA on the faux device `sim-socfpga` (unless `faux=0`) and one on each
//! platform device of a device-tree node compatible with `fpga-rs,sim-socfpga`.

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
    },
    time::{
        Delta,
        Instant,
        Monotonic, //
    }, //
};

mod engine;
#[path = "../../fpga/mod.rs"]
pub mod fpga;
#[path = "../sim/mod.rs"]
pub mod sim;

use fpga::manager;
use sim::{
    binding,
    crc32,
    fabric,
    fault,
    poll, //
};

use binding::{
    SimDevice,
    SimModule, //
};
use engine::{
    Engine,
    Mode, //
};
use fabric::{
    Fabric,
    FpgaData, //
};
use fault::Fault;
use manager::{
    ImageInfo,
    Ops,
    State, //
};

module! {
    type: SimModule<Instance>,
    name: "sim_socfpga",
    authors: ["fpga-rs developers"],
    description: "Simulated Altera SoC FPGA manager (Cyclone V / Arria 10 style)",
    license: "GPL",
    params: {
        idcode: u32 {
            default: 0x02d0_20dd,
            description: "JTAG IDCODE of the simulated FPGA; images for another one are refused",
        },
        faux: u32 {
            default: 1,
            description: "Manage one FPGA on the faux device sim-socfpga (0: device tree only)",
        },
        pause: u32 {
            default: 0,
            description: "1: pause the first write of each programming until a number is written \
                          to debugfs <device>/release (at most 300 s), for tests",
        },
        conf_done_delay_ms: u32 {
            default: 0,
            description: "CONF_DONE rises this many milliseconds after the last frame",
        },
        conf_done_timeout_ms: u32 {
            default: 100,
            description: "How long write_complete waits for CONF_DONE when the image info has no \
                          config_complete_timeout_us",
        },
        poll_stall_ms: u32 {
            default: 0,
            description: "Stall the CONF_DONE poller this many milliseconds after its first sample \
                          (a preemption past the deadline, for tests)",
        },
        fail_write: u32 {
            default: 0,
            description: "Fail the N-th write() call of each programming with nSTATUS low (0: never)",
        },
    },
}

/// The name of each manager in sysfs.
const NAME: &CStr = c"Altera SOCFPGA FPGA Manager (fpga-rs simulation)";

/// The simulated FPGA and what the driver tracks of the programming in progress.
struct Fpga {
    engine: Engine,
    /// `write()` calls of the current programming.
    writes: u32,
    /// When CONF_DONE was seen.
    conf_done_at: Option<Instant<Monotonic>>,
}

/// The driver data of one manager.
type SimSocfpga = FpgaData<Fpga>;

#[vtable]
impl Ops for SimSocfpga {
    const INITIAL_HEADER_SIZE: usize = engine::HEADER_SIZE;

    fn state(&self) -> State {
        match self.fpga.lock().engine.mode() {
            Mode::PowerUp => State::PowerUp,
            Mode::Reset => State::Reset,
            Mode::User => State::Operating,
            Mode::Config | Mode::Init | Mode::Error => State::Unknown,
        }
    }

    fn status(&self) -> u64 {
        self.fpga.lock().engine.outcome().status()
    }

    fn write_init(&self, info: &ImageInfo, header: &[u8]) -> Result {
        self.pause.arm();
        let mut fpga = self.fpga.lock();
        if info.partial() {
            let fault = fpga.engine.reject(Fault::new(
                EINVAL,
                0,
                "partial reconfiguration is not supported by this FPGA; flags",
                info.flags().into(),
            ));
            return Err(self.report("write_init", fault));
        }
        fpga.writes = 0;
        fpga.conf_done_at = None;
        fpga.engine
            .write_init(header)
            .map_err(|f| self.report("write_init", f))
    }

    fn write(&self, data: &[u8]) -> Result {
        self.pause.wait(&self.dev)?;
        let mut fpga = self.fpga.lock();
        fpga.writes += 1;
        if let Some(fault) = fault::injected(
            fpga.writes,
            *module_parameters::fail_write.value(),
            "injected failure (fail_write): nSTATUS low at write call",
        ) {
            let fault = fpga.engine.fail(fault);
            return Err(self.report("write", fault));
        }
        fpga.engine
            .write(data)
            .map_err(|f| self.report("write", f))?;
        if fpga.engine.conf_done() && fpga.conf_done_at.is_none() {
            fpga.conf_done_at = Some(Instant::now());
        }
        Ok(())
    }

    fn write_complete(&self, info: &ImageInfo) -> Result {
        let timeout_us = match info.config_complete_timeout_us() {
            0 => i64::from(*module_parameters::conf_done_timeout_ms.value()) * 1000,
            us => i64::from(us),
        };
        let rise_us = i64::from(*module_parameters::conf_done_delay_ms.value()) * 1000;
        let conf_done = poll::poll_timeout(
            || {
                Ok(self
                    .fpga
                    .lock()
                    .conf_done_at
                    .is_some_and(|at| at.elapsed().as_micros_ceil() >= rise_us))
            },
            |&conf_done| conf_done,
            Delta::from_micros(200),
            Delta::from_micros(timeout_us),
            Delta::from_millis((*module_parameters::poll_stall_ms.value()).into()),
        );
        let mut fpga = self.fpga.lock();
        if conf_done.is_err() {
            let fault = fpga.engine.conf_done_timeout();
            return Err(self.report("write_complete", fault));
        }
        let loaded = fpga
            .engine
            .enter_user_mode()
            .map_err(|f| self.report("write_complete", f))?;
        dev_info!(
            self.dev,
            "user mode: design {:#010x}, {} bytes of configuration data, crc32 {:#010x}\n",
            loaded.header.design_id,
            loaded.bytes,
            loaded.crc32
        );
        Ok(())
    }
}

/// The debugfs file `fabric`: what the FPGA holds.
fn show_fabric(fpga: &Arc<Mutex<Fpga>>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let fpga = fpga.lock();
    let engine = &fpga.engine;
    let (nstatus, conf_done, init_done) = engine.pins();
    writeln!(f, "mode: {}", engine.mode().name())?;
    writeln!(
        f,
        "pins: nSTATUS={} CONF_DONE={} INIT_DONE={}",
        u8::from(nstatus),
        u8::from(conf_done),
        u8::from(init_done)
    )?;
    match engine.loaded() {
        Some(loaded) => writeln!(
            f,
            "image: idcode {:#010x} design {:#010x}",
            loaded.header.idcode, loaded.header.design_id
        )?,
        None => writeln!(f, "image: none")?,
    }
    let (frames, header) = engine.progress();
    writeln!(
        f,
        "frames: {} of {}",
        frames,
        header.map_or(0, |h| h.frame_count)
    )?;
    fabric::show_outcome(f, engine.outcome())
}

/// One simulated FPGA: its manager and its debugfs file.
type Instance = Fabric<Fpga>;

crate::sim_driver!(
    Instance,
    faux: c"sim-socfpga",
    driver: c"sim_socfpga",
    compatible: c"fpga-rs,sim-socfpga",
);

impl SimDevice for Instance {
    /// A fresh FPGA with its manager on `dev`, owned by `module`.
    fn bind(dev: &Device<Bound>, module: &'static ThisModule) -> Result<Self> {
        let fpga = Fpga {
            engine: Engine::new(*module_parameters::idcode.value()),
            writes: 0,
            conf_done_at: None,
        };
        Fabric::new(
            dev,
            NAME,
            fpga,
            &show_fabric,
            *module_parameters::pause.value() != 0,
            module,
        )
    }
}
