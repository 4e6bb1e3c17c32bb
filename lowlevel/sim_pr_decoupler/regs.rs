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
