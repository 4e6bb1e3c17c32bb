// SPDX-License-Identifier: GPL-2.0

//! A low-level bridge driver for the tests, written against the C ops table exactly as a C driver
//! is: it records each `enable_set` with the image info the bridge held at the time, and fails
//! when told to.

use super::bindings;
use core::ptr;
use kernel::{
    faux,
    prelude::*,
    sync::{
        Arc,
        Completion, //
    }, //
};

/// Holds `enable_set` in a known state: the test learns when it started and decides when it
/// returns.
#[pin_data]
pub struct BridgeGate {
    /// Completed when `enable_set` starts.
    #[pin]
    pub entered: Completion,
    /// `enable_set` waits for this.
    #[pin]
    pub release: Completion,
}

impl BridgeGate {
    /// A gate that holds `enable_set` until [`BridgeGate::release`] is completed.
    pub fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(BridgeGate {
                entered <- Completion::new(),
                release <- Completion::new(),
            }),
            GFP_KERNEL,
        )
    }
}

/// What the core did to the bridge.
#[derive(Default)]
pub(crate) struct BridgeRecord {
    /// The state the driver reports through `enable_show`.
    pub(crate) enabled: bool,
    /// Every `enable_set`, in order.
    pub(crate) sets: KVec<bool>,
    /// The errno `enable_set(true)` / `enable_set(false)` fails with (0: succeed).
    pub(crate) fail_enable: i32,
    pub(crate) fail_disable: i32,
    /// `bridge->info` at the start of the last `enable_set`.
    pub(crate) info_at_set: usize,
    /// `bridge->info` at the end of the last `enable_set`.
    pub(crate) info_at_end: usize,
    /// A gate for `enable_set`, for tests of concurrent calls.
    pub(crate) gate: Option<Arc<BridgeGate>>,
}

/// The recorder's state: `bridge->priv`.
fn record<'a>(br: *mut bindings::fpga_bridge) -> &'a mut BridgeRecord {
    // SAFETY: Every bridge of these ops is registered with a `BridgeRecord` as `priv`, owned by
    // the test for longer than the bridge; the tests call ops from one thread at a time.
    unsafe { &mut *(*br).priv_.cast::<BridgeRecord>() }
}

/// Records the call and sets the state, or fails.
///
/// # Safety
///
/// Called by the bridge core only, for a bridge registered with these ops.
unsafe extern "C" fn enable_set(br: *mut bindings::fpga_bridge, enable: bool) -> i32 {
    let r = record(br);
    let _ = r.sets.push(enable, GFP_KERNEL);
    // SAFETY: `br` is valid during the op.
    r.info_at_set = unsafe { (*br).info } as usize;
    if let Some(gate) = r.gate.clone() {
        gate.entered.complete_all();
        gate.release.wait_for_completion();
    }
    // SAFETY: `br` is valid during the op.
    r.info_at_end = unsafe { (*br).info } as usize;
    let fail = if enable {
        r.fail_enable
    } else {
        r.fail_disable
    };
    if fail == 0 {
        r.enabled = enable;
    }
    fail
}

/// Reports the state.
///
/// # Safety
///
/// Called by the bridge core only, for a bridge registered with these ops.
unsafe extern "C" fn enable_show(br: *mut bindings::fpga_bridge) -> i32 {
    i32::from(record(br).enabled)
}

/// The ops of a freeze-bridge-style driver.
pub(crate) fn bridge_ops() -> bindings::fpga_bridge_ops {
    bindings::fpga_bridge_ops {
        enable_show: Some(enable_show),
        enable_set: Some(enable_set),
        ..Default::default()
    }
}

/// A registered test bridge on its own faux parent device, with its ops and record.
pub(crate) struct TestBridge {
    pub(crate) br: *mut bindings::fpga_bridge,
    pub(crate) parent: *mut bindings::device,
    pub(crate) record: KBox<BridgeRecord>,
    _ops: KBox<bindings::fpga_bridge_ops>,
    reg: Option<faux::Registration>,
}

impl TestBridge {
    /// Registers a bridge called `name`, owned by the test module, enabled.
    pub(crate) fn new(name: &'static CStr) -> Result<Self> {
        let reg = faux::Registration::new(name, None)?;
        let parent = bindings::raw_device(reg.as_ref());
        let mut record = KBox::new(
            BridgeRecord {
                enabled: true,
                ..Default::default()
            },
            GFP_KERNEL,
        )?;
        let ops = KBox::new(bridge_ops(), GFP_KERNEL)?;
        // SAFETY: `parent` is registered; `ops` and `record` outlive the bridge (see `Drop`).
        let br = unsafe {
            bindings::__fpga_bridge_register(
                parent,
                name.as_char_ptr(),
                &*ops,
                ptr::from_mut(&mut *record).cast(),
                crate::THIS_MODULE.as_ptr(),
            )
        };
        kernel::error::from_err_ptr(br)?;
        Ok(Self {
            br,
            parent,
            record,
            _ops: ops,
            reg: Some(reg),
        })
    }

    /// Unregisters the bridge now (the drop does it otherwise).
    pub(crate) fn unregister(&mut self) {
        if !self.br.is_null() {
            // SAFETY: The bridge is registered, once.
            unsafe { bindings::fpga_bridge_unregister(self.br) };
            self.br = ptr::null_mut();
        }
    }
}

impl Drop for TestBridge {
    fn drop(&mut self) {
        self.unregister();
        drop(self.reg.take());
    }
}
