// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the simulated bridges of `lowlevel/`: the freeze controller of
//! `sim_freeze_bridge` (`lowlevel/sim_freeze_bridge/controller.rs`) and the register of
//! `sim_pr_decoupler` (`lowlevel/sim_pr_decoupler/regs.rs`), the sources the drivers compile.

use kernel::prelude::*;

#[path = "../lowlevel/sim_freeze_bridge/controller.rs"]
mod controller;
#[path = "../lowlevel/sim_pr_decoupler/regs.rs"]
mod regs;

module! {
    type: SimBridgesTest,
    name: "sim_bridges_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the simulated FPGA bridges",
    license: "GPL",
}

struct SimBridgesTest;

impl kernel::Module for SimBridgesTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[kunit_tests(sim_freeze_bridge_controller)]
mod freeze_tests {
    use super::controller::{Controller, Request};

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

#[kunit_tests(sim_pr_decoupler_regs)]
mod decoupler_tests {
    use super::regs::{Decoupler, CTRL_DECOUPLE};

    #[test]
    fn disable_sets_the_decouple_bit_and_blocks_traffic() {
        let mut d = Decoupler::new();
        assert!(d.enabled());
        assert!(d.transfer(2));
        d.set_enabled(false);
        assert_eq!(d.ctrl, CTRL_DECOUPLE);
        assert!(!d.enabled());
        assert!(!d.transfer(4));
        d.set_enabled(true);
        assert_eq!(d.ctrl, 0);
        assert!(d.transfer(1));
        assert_eq!((d.passed, d.blocked), (3, 4));
        assert_eq!((d.decouples, d.couples), (1, 1));
    }
}
