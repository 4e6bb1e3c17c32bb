// SPDX-License-Identifier: GPL-2.0

//! A low-level FPGA manager driver for the scenario tests, written only against the safe API
//! (`abstractions/manager.rs`): it contains no `unsafe`.
//!
//! It registers one manager, "fpga-rs test manager", on a faux device `fpga-rs-test-mgr` (with
//! the compat id `compat_id_h`, `compat_id_l` if one is given), and one "fpga-rs test manager
//! (of)" on each platform device of a device-tree node compatible with `fpga-rs,test-mgr` (the
//! overlay flow). Its images are those of the KUnit tests: a 1 KiB header of `H`, then data bytes
//! `P`. A header of anything else is refused in `parse_header`; a data byte other than `P` is a
//! CRC error.
//!
//! With `hold=1`, each `write()` waits until a number is written to
//! `/sys/kernel/debug/fpga-rs-test-mgr/release` (or fails with `ETIMEDOUT` after 60 s): a
//! scenario can look at a programming in progress for as long as it needs, whatever the speed
//! of the kernel under test.

use kernel::{
    debugfs,
    device::Core,
    faux, of, platform,
    prelude::*,
    sync::{
        atomic::{Atomic, Full, Release},
        Mutex,
    },
    time::{delay::fsleep, Delta, Instant, Monotonic},
    uaccess::UserSliceReader,
};

#[path = "../abstractions/mod.rs"]
pub mod fpga;
#[path = "../lowlevel/sim/user_number.rs"]
pub mod user_number;

use fpga::manager;

use manager::{status, CompatId, ImageInfo, Ops, Registration, State};

module! {
    type: TestMgrModule,
    name: "fpga_test_mgr",
    authors: ["fpga-rs developers"],
    description: "Test low-level FPGA manager for fpga-rs scenario tests",
    license: "GPL",
    params: {
        hold: u32 {
            default: 0,
            description: "Hold each write() until a number is written to debugfs \
                          fpga-rs-test-mgr/release (at most 60 s)",
        },
        compat_id_h: u64 {
            default: 0,
            description: "High 64 bits of the faux manager's compat id (with compat_id_l; \
                          both 0: no compat id)",
        },
        compat_id_l: u64 {
            default: 0,
            description: "Low 64 bits of the faux manager's compat id",
        },
    },
}

const HEADER_SIZE: usize = 1024;

/// Releases held writes: each write a number to `release` lets one `write()` go on.
static RELEASES: Atomic<u32> = Atomic::new(0);

/// The debugfs file `release`.
struct ReleaseFile;

impl debugfs::Reader for ReleaseFile {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        user_number::read(reader)?;
        RELEASES.store(1, Release);
        Ok(())
    }
}

/// With `hold=1`, waits for a release (at most 60 s).
fn wait_for_release() -> Result {
    if *module_parameters::hold.value() == 0 {
        return Ok(());
    }
    let start = Instant::<Monotonic>::now();
    while RELEASES.xchg(0, Full) == 0 {
        if start.elapsed().as_millis() > 60_000 {
            pr_err!("fpga_test_mgr: held write() never released\n");
            return Err(ETIMEDOUT);
        }
        fsleep(Delta::from_millis(10));
    }
    Ok(())
}

/// What the simulated FPGA received.
#[derive(Default)]
struct Fabric {
    written: usize,
    status: u64,
}

#[pin_data]
struct TestMgr {
    #[pin]
    fabric: Mutex<Fabric>,
}

#[vtable]
impl Ops for TestMgr {
    const INITIAL_HEADER_SIZE: usize = HEADER_SIZE;
    const SKIP_HEADER: bool = true;

    fn state(&self) -> State {
        State::PowerUp
    }

    fn status(&self) -> u64 {
        self.fabric.lock().status
    }

    fn parse_header(&self, info: &mut ImageInfo, image: &[u8]) -> Result {
        let header = image.get(..HEADER_SIZE).ok_or(EINVAL)?;
        if header.iter().any(|&b| b != b'H') {
            pr_err!("fpga_test_mgr: image header is not a test header\n");
            self.fabric.lock().status = status::INCOMPATIBLE_IMAGE_ERR;
            return Err(EINVAL);
        }
        info.set_header_size(HEADER_SIZE);
        info.set_data_size(0);
        Ok(())
    }

    fn write_init(&self, _info: &ImageInfo, _header: &[u8]) -> Result {
        *self.fabric.lock() = Fabric::default();
        Ok(())
    }

    fn write(&self, data: &[u8]) -> Result {
        wait_for_release()?;
        let mut fabric = self.fabric.lock();
        if data.iter().any(|&b| b != b'P') {
            pr_err!(
                "fpga_test_mgr: corrupt data after {} bytes\n",
                fabric.written
            );
            fabric.status = status::CRC_ERR;
            return Err(EIO);
        }
        fabric.written += data.len();
        Ok(())
    }

    fn write_complete(&self, _info: &ImageInfo) -> Result {
        if self.fabric.lock().written == 0 {
            return Err(EINVAL);
        }
        Ok(())
    }
}

/// A manager on the module's own faux device.
struct FauxMgr {
    _mgr: Registration<TestMgr>,
    _dev: faux::Registration,
}

/// A fresh manager's data.
fn test_mgr() -> impl PinInit<TestMgr, Error> {
    try_pin_init!(TestMgr {
        fabric <- kernel::new_mutex!(Fabric::default()),
    })
}

impl FauxMgr {
    fn new(module: &'static ThisModule) -> Result<Self> {
        let dev = faux::Registration::new(c"fpga-rs-test-mgr", None)?;
        let name = c"fpga-rs test manager";
        let compat_id = CompatId {
            id_h: *module_parameters::compat_id_h.value(),
            id_l: *module_parameters::compat_id_l.value(),
        };
        let mgr = if compat_id.id_h == 0 && compat_id.id_l == 0 {
            Registration::new(dev.as_ref(), name, test_mgr(), module)?
        } else {
            Registration::new_with_compat_id(dev.as_ref(), name, compat_id, test_mgr(), module)?
        };
        // The faux device's name is this module's own, so it names the device.
        mgr.identify_by_name();
        Ok(Self {
            _mgr: mgr,
            _dev: dev,
        })
    }
}

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <OfTestMgr as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"fpga-rs,test-mgr"), ())]
);

/// The platform driver for device-tree nodes of test managers.
struct OfTestMgr;

impl platform::Driver for OfTestMgr {
    type IdInfo = ();
    type Data<'bound> = Registration<TestMgr>;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        Registration::new(
            pdev.as_ref(),
            c"fpga-rs test manager (of)",
            test_mgr(),
            &THIS_MODULE,
        )
    }
}

#[pin_data]
struct TestMgrModule {
    #[pin]
    _driver: kernel::driver::Registration<platform::Adapter<OfTestMgr>>,
    _faux: FauxMgr,
    _release: Pin<KBox<debugfs::File<ReleaseFile>>>,
    _dir: debugfs::Dir,
}

impl kernel::InPlaceModule for TestMgrModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let dir = debugfs::Dir::new(c"fpga-rs-test-mgr");
        let release = KBox::pin_init(
            dir.write_only_file(c"release", Ok::<_, Error>(ReleaseFile)),
            GFP_KERNEL,
        );
        try_pin_init!(Self {
            _faux: FauxMgr::new(module)?,
            _driver <- kernel::driver::Registration::new(c"fpga_test_mgr", module),
            _release: release?,
            _dir: dir,
        })
    }
}
