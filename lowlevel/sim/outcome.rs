// SPDX-License-Identifier: GPL-2.0

//! What a simulated FPGA keeps of its configurations, the same for `sim_socfpga` and `sim_zynq`:
//! the bytes and CRC-32 of the configuration data the current (or last) one received, how many
//! succeeded, and how the last one failed. Each engine embeds one and updates it as the FPGA
//! receives data, fails or refuses an image, and enters operation; its `fabric` file ends with it
//! (`fabric::show_outcome`).

use super::{
    crc32::Crc32,
    fault::Fault, //
};
use kernel::prelude::*;

/// The outcome of a simulated FPGA's configurations.
#[derive(Clone, Copy)]
pub struct Outcome {
    /// Bytes of configuration data the current (or last) configuration received.
    bytes: usize,
    /// Their CRC-32.
    data_crc: Crc32,
    /// Configurations that succeeded.
    programmings: u32,
    /// The failure of the last configuration.
    fault: Option<Fault>,
}

impl Default for Outcome {
    fn default() -> Self {
        Self::new()
    }
}

impl Outcome {
    /// A powered FPGA's: nothing received, nothing programmed, no failure.
    pub const fn new() -> Self {
        Self {
            bytes: 0,
            data_crc: Crc32::new(),
            programmings: 0,
            fault: None,
        }
    }

    /// The bytes and CRC-32 of the configuration data of the current (or last) configuration.
    pub fn received(&self) -> (usize, u32) {
        (self.bytes, self.data_crc.value())
    }

    /// How many configurations succeeded.
    pub fn programmings(&self) -> u32 {
        self.programmings
    }

    /// The failure of the last configuration.
    pub fn fault(&self) -> Option<Fault> {
        self.fault
    }

    /// The `FPGA_MGR_STATUS_*` bits of the last configuration.
    pub fn status(&self) -> u64 {
        self.fault.map_or(0, |f| f.status)
    }

    /// What data written after a failure gets: the failure again (`EIO` if none was kept).
    pub fn failure(&self) -> Fault {
        self.fault.unwrap_or(Fault::new(EIO, 0, "", 0))
    }

    /// A configuration starts: it has received nothing yet, and the last one's failure is
    /// forgotten.
    pub fn start(&mut self) {
        *self = Self {
            programmings: self.programmings,
            ..Self::new()
        };
    }

    /// A new programming begins before its configuration starts: the last one's failure is
    /// forgotten, what it received is kept.
    pub fn forget_fault(&mut self) {
        self.fault = None;
    }

    /// The configuration received `data`.
    pub fn receive(&mut self, data: &[u8]) {
        self.data_crc.update(data);
        self.bytes += data.len();
    }

    /// The configuration failed, or an image was refused, with `fault`; returns it.
    pub fn fail(&mut self, fault: Fault) -> Fault {
        self.fault = Some(fault);
        fault
    }

    /// The configuration succeeded; returns the bytes and CRC-32 of its data.
    pub fn succeed(&mut self) -> (usize, u32) {
        self.programmings += 1;
        self.received()
    }
}
