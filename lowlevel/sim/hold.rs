// SPDX-License-Identifier: GPL-2.0

//! A programming held mid-way, for the tests that look at it then (module references, sysfs
//! state, an rmmod that must be refused) without betting on how long it takes: with the
//! driver's `hold=1`, the first `write()` of each programming waits until a number is written
//! to the device's debugfs file `release`. It fails with `ETIMEDOUT` after 300 s instead (longer
//! than a scenario waits for a state, `tools/testing/vm/ktap.sh`), so that a test that never
//! releases it cannot hang the kernel. A release only counts once the programming started: a
//! test waits for the manager's state to read `write` before it writes `release`.

use super::user_number;
use kernel::{
    debugfs,
    device::Device,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
    time::{delay::fsleep, Delta, Instant, Monotonic},
    uaccess::UserSliceReader,
};

/// How long a held `write()` waits for its release, in milliseconds.
const RELEASE_TIMEOUT_MS: i64 = 300_000;

/// The hold of one simulated FPGA.
pub struct Hold {
    /// Whether programmings are held (the driver's `hold` parameter).
    enabled: bool,
    /// Whether the programming in progress has not been held yet.
    armed: Atomic<u32>,
    /// Releases written to `release` and not yet taken by a held `write()`.
    released: Atomic<u32>,
}

impl Hold {
    /// A hold, in effect if `enabled`.
    pub fn new(enabled: bool) -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                enabled,
                armed: Atomic::new(0),
                released: Atomic::new(0),
            },
            GFP_KERNEL,
        )?)
    }

    /// A programming starts (`write_init`): its first `write()` is held.
    pub fn arm(&self) {
        self.armed.store(u32::from(self.enabled), Relaxed);
        // A release left over from an earlier programming does not let this one through.
        self.released.store(0, Relaxed);
    }

    /// Called at the start of `write()`: the first of a programming waits for a release.
    pub fn wait(&self, dev: &Device) -> Result {
        if self.armed.xchg(0, Relaxed) == 0 {
            return Ok(());
        }
        let start = Instant::<Monotonic>::now();
        // The flag publishes no other data: relaxed is enough.
        while self.released.xchg(0, Relaxed) == 0 {
            if start.elapsed().as_millis() > RELEASE_TIMEOUT_MS {
                dev_err!(
                    dev,
                    "held write() not released within {RELEASE_TIMEOUT_MS} ms\n"
                );
                return Err(ETIMEDOUT);
            }
            fsleep(Delta::from_millis(10));
        }
        Ok(())
    }
}

/// The debugfs file `release`: writing a number releases the held `write()`.
pub struct ReleaseFile(Arc<Hold>);

/// The `release` file of a device, removed when dropped.
pub type ReleaseEntry = Pin<KBox<debugfs::File<ReleaseFile>>>;

impl ReleaseFile {
    /// Creates `release` in `dir`, for `hold`.
    pub fn create(dir: &debugfs::Dir, hold: &Arc<Hold>) -> Result<ReleaseEntry> {
        KBox::pin_init(
            dir.write_only_file(c"release", Ok::<_, Error>(Self(hold.clone()))),
            GFP_KERNEL,
        )
    }
}

impl debugfs::Reader for ReleaseFile {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        user_number::read(reader)?;
        self.0.released.store(1, Relaxed);
        Ok(())
    }
}
