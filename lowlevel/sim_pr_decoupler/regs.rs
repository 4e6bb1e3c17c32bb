// SPDX-License-Identifier: GPL-2.0

//! The register of a simulated Xilinx PR Decoupler, without a device: the driver
//! (`sim_pr_decoupler.rs`) uses it, the KUnit suite `sim_pr_decoupler_regs` tests it.
//!
//! As in `drivers/fpga/xlnx-pr-decoupler.c`, bit 0 of the control register decouples the
//! reconfigurable partition: no transaction crosses, the partition's outputs are tied off.

/// The control register's decouple bit.
pub(crate) const CTRL_DECOUPLE: u32 = 1 << 0;

/// The decoupler's control register and counters.
#[derive(Default)]
pub(crate) struct Decoupler {
    pub(crate) ctrl: u32,
    pub(crate) decouples: u32,
    pub(crate) couples: u32,
    pub(crate) passed: u64,
    pub(crate) blocked: u64,
}

impl Decoupler {
    /// A coupled decoupler.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Couples (`enable`) or decouples the partition.
    pub(crate) fn set_enabled(&mut self, enable: bool) {
        if enable {
            self.ctrl &= !CTRL_DECOUPLE;
            self.couples += 1;
        } else {
            self.ctrl |= CTRL_DECOUPLE;
            self.decouples += 1;
        }
    }

    /// Whether the partition is coupled.
    pub(crate) fn enabled(&self) -> bool {
        self.ctrl & CTRL_DECOUPLE == 0
    }

    /// Sends `count` transactions into the partition; whether they crossed.
    pub(crate) fn transfer(&mut self, count: u64) -> bool {
        if self.enabled() {
            self.passed += count;
        } else {
            self.blocked += count;
        }
        self.enabled()
    }
}

/// The decouple bit and the traffic it blocks. Compiled only into the KUnit module
/// `sim_bridges_test`, the one crate for which Kbuild sets this `fpga_rs_kunit` value
/// (`Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "sim_pr_decoupler_regs")]
#[kernel::prelude::kunit_tests(sim_pr_decoupler_regs)]
mod tests {
    use super::{
        Decoupler,
        CTRL_DECOUPLE, //
    };

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
