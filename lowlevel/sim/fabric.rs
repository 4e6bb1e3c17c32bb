// SPDX-License-Identifier: GPL-2.0

//! A simulated FPGA under its manager, what `sim_socfpga` and `sim_zynq` share: the driver data
//! the manager's ops run on, the FPGA bound to a device with its manager and its debugfs file
//! `<device name>/fabric` (and `release`, `pause.rs`), and the lines every `fabric` file ends
//! with. A driver brings the FPGA model `F`, its ops (`impl Ops for FpgaData<F>`) and what its
//! `fabric` file shows first.

use super::{
    fault::Fault,
    outcome::Outcome,
    pause::{
        Pause,
        ReleaseEntry,
        ReleaseFile, //
    },
    state_file::StateFile, //
};
use crate::fpga::manager::{
    Ops,
    Registration, //
};
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
    }, //
};

/// The driver data of one simulated FPGA's manager: the FPGA `F`, shared with its `fabric` file,
/// and its device, for the kernel log.
pub struct FpgaData<F> {
    /// The device the manager is registered for.
    pub dev: ARef<Device>,
    /// The FPGA.
    pub fpga: Arc<Mutex<F>>,
    /// Holds the first `write()` of each programming until released, if the driver's `pause`
    /// parameter says so.
    pub pause: Arc<Pause>,
}

impl<F> FpgaData<F> {
    /// Logs what went wrong in `op` and returns the errno of `fault`.
    pub fn report(&self, op: &str, fault: Fault) -> Error {
        dev_err!(self.dev, "{op}: {fault}\n");
        fault.errno
    }
}

/// One simulated FPGA bound to a device: its manager and its `release` and `fabric` files
/// (dropped in this order).
pub struct Fabric<F: Send + 'static>
where
    FpgaData<F>: Ops,
{
    _mgr: Registration<FpgaData<F>>,
    _release: ReleaseEntry,
    _fabric: StateFile<F>,
}

impl<F: Send + 'static> Fabric<F>
where
    FpgaData<F>: Ops,
{
    /// The FPGA `fpga` on `dev`, with its manager called `name`, owned by `module`, its `fabric`
    /// file, which `show` writes, and its `release` file; programmings are held if `pause`.
    pub fn new<S>(
        dev: &Device<Bound>,
        name: &'static CStr,
        fpga: F,
        show: &'static S,
        pause: bool,
        module: &'static ThisModule,
    ) -> Result<Self>
    where
        S: Fn(&Arc<Mutex<F>>, &mut fmt::Formatter<'_>) -> fmt::Result + Send + Sync,
    {
        let (fpga, fabric) = StateFile::new(dev, c"fabric", fpga, show)?;
        let pause = Pause::new(pause)?;
        let release = ReleaseFile::create(fabric.dir(), &pause)?;
        let data = FpgaData {
            dev: dev.into(),
            fpga,
            pause,
        };
        Ok(Self {
            _mgr: Registration::new(dev, name, Ok::<_, Error>(data), module)?,
            _release: release,
            _fabric: fabric,
        })
    }
}

/// Writes the lines that end a `fabric` file, from `outcome`: the bytes and CRC-32 of the
/// configuration data the current (or last) configuration received, how many configurations
/// succeeded, and the failure of the last one.
pub fn show_outcome(f: &mut fmt::Formatter<'_>, outcome: &Outcome) -> fmt::Result {
    let (bytes, crc) = outcome.received();
    writeln!(f, "bytes: {bytes}")?;
    writeln!(f, "crc32: {crc:#010x}")?;
    writeln!(f, "programmings: {}", outcome.programmings())?;
    match outcome.fault() {
        Some(fault) => writeln!(f, "last error: {fault}"),
        None => writeln!(f, "last error: none"),
    }
}
