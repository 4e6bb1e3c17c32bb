// SPDX-License-Identifier: GPL-2.0

//! A decimal number that user space writes to a debugfs file of a simulated device (`traffic`,
//! `release`), as `echo N > file` writes it: surrounding white space allowed.

use kernel::{
    prelude::*,
    uaccess::UserSliceReader, //
};

/// Reads the whole write as a decimal `u64`: `EINVAL` if it is longer than a `u64` with a sign
/// and a newline can be, or not a number.
pub fn read(reader: &mut UserSliceReader) -> Result<u64> {
    let mut buf = [0u8; 22];
    let n = reader.len();
    if n > buf.len() {
        return Err(EINVAL);
    }
    reader.read_slice(&mut buf[..n])?;
    core::str::from_utf8(&buf[..n])
        .map_err(|_| EINVAL)?
        .trim()
        .parse::<u64>()
        .map_err(|_| EINVAL)
}
