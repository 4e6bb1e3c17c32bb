// SPDX-License-Identifier: GPL-2.0

//! How a simulated FPGA fails: the error a driver op returns, the `FPGA_MGR_STATUS_*` bit the
//! hardware would raise (sysfs `status`), and a message for the kernel log that says what was
//! wrong with the image.

use kernel::prelude::*;

/// A configuration failure of a simulated FPGA.
#[derive(Clone, Copy, Debug)]
pub struct Fault {
    /// The errno the op returns.
    pub errno: Error,
    /// The `FPGA_MGR_STATUS_*` bits the failure raises (`crate::fpga::manager::status`).
    pub status: u64,
    /// What went wrong, for the kernel log.
    pub what: &'static str,
    /// A value that locates or explains the failure (a frame number, a word offset, an IDCODE).
    pub detail: u64,
}

impl Fault {
    /// A failure returning `errno`, raising `status`, described by `what` and `detail`.
    pub const fn new(errno: Error, status: u64, what: &'static str, detail: u64) -> Self {
        Self {
            errno,
            status,
            what,
            detail,
        }
    }
}

impl core::fmt::Display for Fault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} ({:#x}), error {:?}",
            self.what, self.detail, self.errno
        )
    }
}

impl kernel::fmt::Display for Fault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}

/// The failure a driver injects at the `fail_at`-th write of data of a programming (its
/// `fail_write` parameter; 0: never), once `writes` reach it: an error the FPGA raises while it
/// receives data (`what`, with the number of the write), which fails the write with `EIO`.
pub fn injected(writes: u32, fail_at: u32, what: &'static str) -> Option<Fault> {
    (writes == fail_at).then(|| {
        Fault::new(
            EIO,
            crate::fpga::manager::status::OPERATION_ERR,
            what,
            writes.into(),
        )
    })
}
