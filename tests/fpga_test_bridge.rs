// SPDX-License-Identifier: GPL-2.0

//! A low-level FPGA bridge driver for the scenario tests, written only against the safe API
//! (`abstractions/bridge.rs`): it contains no `unsafe`.
//!
//! It registers one bridge, "fpga-rs test bridge", on a faux device `fpga-rs-test-bridge`, and
//! one "fpga-rs test bridge (of)" on each platform device of a device-tree node compatible with
//! `fpga-rs,test-bridge` (the overlay flow); a bridge starts enabled and reports its state in
//! sysfs.

use kernel::{device::Core, faux, of, platform, prelude::*, sync::Mutex};

#[path = "../abstractions/mod.rs"]
pub mod fpga;

use fpga::bridge;

use bridge::{Ops, Registration};

module! {
    type: TestBridgeModule,
    name: "fpga_test_bridge",
    authors: ["fpga-rs developers"],
    description: "Test low-level FPGA bridge for fpga-rs scenario tests",
    license: "GPL",
    params: {
        show_errno: u32 {
            default: 0,
            description: "If not 0, enable_show() fails with -show_errno (a driver that \
                          cannot read its bridge's state)",
        },
    },
}

#[pin_data]
struct TestBridge {
    #[pin]
    enabled: Mutex<bool>,
}

#[vtable]
impl Ops for TestBridge {
    fn enable_set(&self, enable: bool, _timeout_us: Option<u32>) -> Result {
        *self.enabled.lock() = enable;
        Ok(())
    }

    fn enable_show(&self) -> Result<bool> {
        match *module_parameters::show_errno.value() {
            0 => Ok(*self.enabled.lock()),
            errno => Err(Error::from_errno(-i32::try_from(errno).unwrap_or(i32::MAX))),
        }
    }
}

/// A fresh bridge's data: enabled.
fn test_bridge() -> impl PinInit<TestBridge, Error> {
    try_pin_init!(TestBridge {
        enabled <- kernel::new_mutex!(true),
    })
}

/// A bridge on the module's own faux device.
struct FauxBridge {
    _bridge: Registration<TestBridge>,
    _dev: faux::Registration,
}

impl FauxBridge {
    fn new(module: &'static ThisModule) -> Result<Self> {
        let dev = faux::Registration::new(c"fpga-rs-test-bridge", None)?;
        let bridge =
            Registration::new(dev.as_ref(), c"fpga-rs test bridge", test_bridge(), module)?;
        Ok(Self {
            _bridge: bridge,
            _dev: dev,
        })
    }
}

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <OfTestBridge as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"fpga-rs,test-bridge"), ())]
);

/// The platform driver for device-tree nodes of test bridges.
struct OfTestBridge;

impl platform::Driver for OfTestBridge {
    type IdInfo = ();
    type Data<'bound> = Registration<TestBridge>;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        Registration::new(
            pdev.as_ref(),
            c"fpga-rs test bridge (of)",
            test_bridge(),
            &THIS_MODULE,
        )
    }
}

#[pin_data]
struct TestBridgeModule {
    #[pin]
    _driver: kernel::driver::Registration<platform::Adapter<OfTestBridge>>,
    _faux: FauxBridge,
}

impl kernel::InPlaceModule for TestBridgeModule {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            _faux: FauxBridge::new(module)?,
            _driver <- kernel::driver::Registration::new(c"fpga_test_bridge", module),
        })
    }
}
