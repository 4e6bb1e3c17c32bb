// SPDX-License-Identifier: GPL-2.0

//! A low-level FPGA bridge driver for the scenario tests, written only against the safe API
//! (`abstractions/bridge.rs`): it contains no `unsafe`.
//!
//! It registers one bridge, "fpga-rs test bridge", on a faux device `fpga-rs-test-bridge`; the
//! bridge starts enabled and reports its state in sysfs.

use kernel::{faux, prelude::*, sync::Mutex};

#[path = "../ffi/bindings.rs"]
mod bindings;
#[path = "../abstractions/bridge.rs"]
mod bridge;

use bridge::{Ops, Registration};

module! {
    type: TestBridgeModule,
    name: "fpga_test_bridge",
    authors: ["fpga-rs developers"],
    description: "Test low-level FPGA bridge for fpga-rs scenario tests",
    license: "GPL",
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
        Ok(*self.enabled.lock())
    }
}

struct TestBridgeModule {
    _bridge: Registration<TestBridge>,
    _dev: faux::Registration,
}

impl kernel::Module for TestBridgeModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let dev = faux::Registration::new(c"fpga-rs-test-bridge", None)?;
        let bridge = Registration::new(
            dev.as_ref(),
            c"fpga-rs test bridge",
            try_pin_init!(TestBridge {
                enabled <- kernel::new_mutex!(true),
            }),
            module,
        )?;
        Ok(Self {
            _bridge: bridge,
            _dev: dev,
        })
    }
}
