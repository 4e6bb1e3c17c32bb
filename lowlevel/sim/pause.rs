// SPDX-License-Identifier: GPL-2.0

//! A programming held mid-way, for the tests that look at it then (module references, sysfs
//! state, an rmmod that must be refused) without betting on how long it takes: with the
//! driver's `pause=1`, the first `write()` of each programming sleeps until a number is written
//! to the device's debugfs file `release`, which wakes it (a condition variable, no polling).
//! It fails with `ETIMEDOUT` after 300 s instead (longer than a scenario waits for a state,
//! `tools/testing/vm/ktap.sh`), so that a test that never releases it cannot hang the kernel,
//! and with `EINTR` if its task is signalled. A release only counts once the programming
//! started: a test waits for the manager's state to read `write` before it writes `release`.

use super::user_number;
use kernel::{
    debugfs,
    device::Device,
    new_condvar,
    new_mutex,
    prelude::*,
    sync::{
        Arc,
        CondVar,
        CondVarTimeoutResult,
        Mutex, //
    },
    time::msecs_to_jiffies,
    uaccess::UserSliceReader, //
};

/// How long a held `write()` waits for its release, in milliseconds.
const RELEASE_TIMEOUT_MS: u32 = 300_000;

/// What the pause of one simulated FPGA knows, under its lock.
struct PauseState {
    /// Whether the programming in progress has not been held yet.
    armed: bool,
    /// A release was written to `release` and not yet taken by a held `write()`.
    released: bool,
}

/// The pause of one simulated FPGA.
#[pin_data]
pub struct Pause {
    /// Whether programmings are held (the driver's `pause` parameter).
    enabled: bool,
    #[pin]
    state: Mutex<PauseState>,
    /// Wakes the held `write()` when `released` is set.
    #[pin]
    release: CondVar,
}

impl Pause {
    /// A pause, in effect if `enabled`.
    pub fn new(enabled: bool) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                enabled,
                state <- new_mutex!(PauseState {
                    armed: false,
                    released: false,
                }),
                release <- new_condvar!(),
            }),
            GFP_KERNEL,
        )
    }

    /// A programming starts (`write_init`): its first `write()` is held.
    pub fn arm(&self) {
        let mut state = self.state.lock();
        state.armed = self.enabled;
        // A release left over from an earlier programming does not let this one through.
        state.released = false;
    }

    /// Called at the start of `write()`: the first of a programming sleeps until a release
    /// wakes it. A signal ends the wait with `EINTR` (its task is being killed, say): the
    /// programming fails rather than keep the task for up to [`RELEASE_TIMEOUT_MS`].
    pub fn wait(&self, dev: &Device) -> Result {
        let mut state = self.state.lock();
        if !core::mem::take(&mut state.armed) {
            return Ok(());
        }
        let mut left = msecs_to_jiffies(RELEASE_TIMEOUT_MS);
        while !core::mem::take(&mut state.released) {
            match self.release.wait_interruptible_timeout(&mut state, left) {
                // A release is taken (by the loop) whatever else ended the wait.
                _ if state.released => {}
                CondVarTimeoutResult::Woken { jiffies } => left = jiffies,
                CondVarTimeoutResult::Timeout => {
                    dev_err!(
                        dev,
                        "held write() not released within {RELEASE_TIMEOUT_MS} ms\n"
                    );
                    return Err(ETIMEDOUT);
                }
                CondVarTimeoutResult::Signal { .. } => {
                    dev_err!(dev, "held write() interrupted by a signal\n");
                    return Err(EINTR);
                }
            }
        }
        Ok(())
    }
}

/// The debugfs file `release`: writing a number releases the held `write()`.
pub struct ReleaseFile(Arc<Pause>);

/// The `release` file of a device, removed when dropped.
pub type ReleaseEntry = Pin<KBox<debugfs::File<ReleaseFile>>>;

impl ReleaseFile {
    /// Creates `release` in `dir`, for `pause`.
    pub fn create(dir: &debugfs::Dir, pause: &Arc<Pause>) -> Result<ReleaseEntry> {
        KBox::pin_init(
            dir.write_only_file(c"release", Ok::<_, Error>(Self(pause.clone()))),
            GFP_KERNEL,
        )
    }
}

impl debugfs::Reader for ReleaseFile {
    fn read_from_slice(&self, reader: &mut UserSliceReader) -> Result {
        user_number::read(reader)?;
        self.0.state.lock().released = true;
        self.0.release.notify_all();
        Ok(())
    }
}
