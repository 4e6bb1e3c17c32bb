// SPDX-License-Identifier: GPL-2.0

//! The freeze controller of a simulated freeze bridge, without a device or a clock: the driver
//! (`sim_freeze_bridge.rs`) passes the time, the KUnit suite `sim_freeze_bridge_controller`
//! tests it directly.
//!
//! As in `drivers/fpga/altera-freeze-bridge.c`, a freeze request is acknowledged by the
//! controller some time later (FREEZE_REQ_DONE), and an unfreeze is preceded by a reset of the
//! region and acknowledged the same way (UNFREEZE_REQ_DONE). A request that is already
//! satisfied is not issued. While the region is frozen, no transaction crosses.

/// What the driver asks the controller for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Request {
    /// Freeze the region (disable the bridge).
    Freeze,
    /// Reset and unfreeze the region (enable the bridge).
    Unfreeze,
}

impl Request {
    /// The request's name in the kernel log.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Request::Freeze => "freeze",
            Request::Unfreeze => "unfreeze",
        }
    }
}

/// The controller's status and counters.
#[derive(Default)]
pub(crate) struct Controller {
    frozen: bool,
    /// The request in flight and when it was issued, in microseconds.
    pending: Option<(Request, u64)>,
    pub(crate) freezes: u32,
    pub(crate) unfreezes: u32,
    pub(crate) region_resets: u32,
    pub(crate) timeouts: u32,
    pub(crate) passed: u64,
    pub(crate) blocked: u64,
}

impl Controller {
    /// A controller whose region runs.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Whether the region is frozen.
    pub(crate) fn frozen(&self) -> bool {
        self.frozen
    }

    /// Issues `request` at `now_us`; false when the region already is in the requested state
    /// (nothing to wait for). An unfreeze first resets the region.
    pub(crate) fn request(&mut self, request: Request, now_us: u64) -> bool {
        if self.frozen == (request == Request::Freeze) {
            return false;
        }
        if request == Request::Unfreeze {
            self.region_resets += 1;
        }
        self.pending = Some((request, now_us));
        true
    }

    /// Whether the pending request is acknowledged at `now_us`, given the controller's
    /// acknowledgement latency (`None`: it never acknowledges). An acknowledged request takes
    /// effect; true also when nothing is pending.
    pub(crate) fn poll(&mut self, now_us: u64, ack_delay_us: Option<u64>) -> bool {
        let Some((request, issued)) = self.pending else {
            return true;
        };
        match ack_delay_us {
            Some(delay) if now_us.saturating_sub(issued) >= delay => {
                self.pending = None;
                self.frozen = request == Request::Freeze;
                if self.frozen {
                    self.freezes += 1;
                } else {
                    self.unfreezes += 1;
                }
                true
            }
            _ => false,
        }
    }

    /// The driver gave up waiting: the request is withdrawn, the region stays as it was.
    pub(crate) fn timeout(&mut self) {
        self.pending = None;
        self.timeouts += 1;
    }

    /// Sends `count` transactions into the region; whether they crossed.
    pub(crate) fn transfer(&mut self, count: u64) -> bool {
        if self.frozen {
            self.blocked += count;
        } else {
            self.passed += count;
        }
        !self.frozen
    }
}

/// The freeze protocol, its timeouts and the traffic it blocks. Compiled only into the KUnit module
/// `sim_bridges_test`, the one crate for which Kbuild sets this `fpga_rs_kunit` value
/// (`Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "sim_freeze_bridge_controller")]
#[kernel::prelude::kunit_tests(sim_freeze_bridge_controller)]
mod tests {
    use super::{
        Controller,
        Request, //
    };

    #[test]
    fn freeze_takes_effect_when_acknowledged() {
        let mut c = Controller::new();
        assert!(c.request(Request::Freeze, 100));
        assert!(!c.poll(149, Some(50)));
        assert!(!c.frozen());
        assert!(c.poll(150, Some(50)));
        assert!(c.frozen());
        assert_eq!((c.freezes, c.region_resets), (1, 0));
    }

    #[test]
    fn requests_are_named_for_the_log() {
        assert_eq!(Request::Freeze.name(), "freeze");
        assert_eq!(Request::Unfreeze.name(), "unfreeze");
    }

    #[test]
    fn satisfied_requests_are_not_issued() {
        let mut c = Controller::new();
        assert!(!c.request(Request::Unfreeze, 0));
        assert!(c.request(Request::Freeze, 0));
        assert!(c.poll(0, Some(0)));
        assert!(!c.request(Request::Freeze, 0));
        assert_eq!((c.freezes, c.unfreezes), (1, 0));
    }

    #[test]
    fn unfreeze_resets_the_region_first() {
        let mut c = Controller::new();
        c.request(Request::Freeze, 0);
        c.poll(0, Some(0));
        assert!(c.request(Request::Unfreeze, 10));
        assert_eq!(c.region_resets, 1);
        assert!(c.frozen());
        assert!(c.poll(10, Some(0)));
        assert!(!c.frozen());
        assert_eq!(c.unfreezes, 1);
    }

    #[test]
    fn unacknowledged_request_times_out_and_changes_nothing() {
        let mut c = Controller::new();
        c.request(Request::Freeze, 0);
        assert!(!c.poll(1_000_000, None));
        c.timeout();
        assert!(!c.frozen());
        assert_eq!((c.timeouts, c.freezes), (1, 0));
        // Nothing is pending any more.
        assert!(c.poll(0, None));
    }

    #[test]
    fn frozen_region_blocks_traffic() {
        let mut c = Controller::new();
        assert!(c.transfer(5));
        c.request(Request::Freeze, 0);
        // Until the freeze is acknowledged, traffic still crosses.
        assert!(c.transfer(1));
        c.poll(0, Some(0));
        assert!(!c.transfer(3));
        assert_eq!((c.passed, c.blocked), (6, 3));
    }
}
