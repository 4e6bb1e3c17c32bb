// SPDX-License-Identifier: GPL-2.0

//! The image-info flags (`FPGA_MGR_*` of
//! [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h)) the cores know.
//!
//! `fpga_mgr_load()` refuses other bits with `-EINVAL` (upstream hands them to the driver, which
//! ignores those it does not know: a caller's typo then programs the wrong way without a word),
//! and a region refuses them before it freezes its bridges.

use super::bindings;
use kernel::{
    device::Device,
    prelude::*, //
};

/// Every flag of the target kernel's header.
pub const KNOWN: u32 = bindings::FPGA_MGR_PARTIAL_RECONFIG
    | bindings::FPGA_MGR_EXTERNAL_CONFIG
    | bindings::FPGA_MGR_ENCRYPTED_BITSTREAM
    | bindings::FPGA_MGR_BITSTREAM_LSB_FIRST
    | bindings::FPGA_MGR_COMPRESSED_BITSTREAM;

/// Checks the image-info `flags` for `dev` (a manager or region): `EINVAL`, with a log line
/// naming the unknown bits, if any bit is no known flag.
pub fn check(dev: &Device, flags: u32) -> Result {
    let unknown = flags & !KNOWN;
    if unknown != 0 {
        dev_err!(
            dev,
            "image info flags {:#x}: unknown flags {:#x}\n",
            flags,
            unknown
        );
        return Err(EINVAL);
    }
    Ok(())
}
