// SPDX-License-Identifier: GPL-2.0

//! Traffic across a simulated bridge, sent from debugfs: writing a number N to the bridge's
//! `traffic` file sends N transactions from the host side to the region behind the bridge. An
//! enabled bridge lets them cross; a disabled one (frozen, decoupled) refuses them, as a
//! slave error: the write fails with `EIO`. The bridge counts both.

use super::{
    dec64::Dec64,
    user_number, //
};
use kernel::{
    debugfs::{
        self,
        Reader, //
    },
    fmt,
    prelude::*,
    sync::Arc,
    uaccess::UserSliceReader, //
};

/// A bridge that transactions try to cross.
pub trait Gate: Send + Sync {
    /// Sends `count` transactions; whether they crossed. Counts them either way.
    fn transfer(&self, count: u64) -> bool;
}

/// Writes the bridge's counts of the transactions that crossed (`passed`) and of those it
/// refused (`blocked`): the lines its state file ends with.
pub fn show_counts(f: &mut fmt::Formatter<'_>, passed: u64, blocked: u64) -> fmt::Result {
    // 64-bit counters: `Dec64`, not `{}` of a u64, which is a BUG() on 32-bit ARM.
    writeln!(f, "transactions passed: {}", Dec64(passed))?;
    writeln!(f, "transactions blocked: {}", Dec64(blocked))
}

/// A bridge's `traffic` file.
pub type TrafficFile<G> = Pin<KBox<debugfs::File<Port<G>>>>;

/// The data of a bridge's `traffic` file.
pub struct Port<G: Gate>(Arc<G>);

impl<G: Gate + 'static> Port<G> {
    /// Creates the file `traffic` in `dir`, sending transactions across `gate`.
    pub fn file(dir: &debugfs::Dir, gate: &Arc<G>) -> Result<TrafficFile<G>> {
        KBox::pin_init(
            dir.write_only_file(c"traffic", Ok::<_, Error>(Self(gate.clone()))),
            GFP_KERNEL,
        )
    }
}

impl<G: Gate> Reader for Port<G> {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        let count = user_number::read(reader)?;
        if count == 0 || count > 1 << 20 {
            return Err(EINVAL);
        }
        if self.0.transfer(count) {
            Ok(())
        } else {
            Err(EIO)
        }
    }
}
