// SPDX-License-Identifier: GPL-2.0

//! Waiting for a status bit of the simulated hardware (CONF_DONE, DONE, a freeze
//! acknowledgement), as the drivers of the real parts do with `read_poll_timeout()`.
//!
//! The kernel crate's [`read_poll_timeout`] gives up as soon as the deadline has passed, with the
//! last sample taken before it. C's `read_poll_timeout()`
//! ([`include/linux/iopoll.h`](srctree/include/linux/iopoll.h)) samples once more after the
//! deadline, so that a task preempted (or stalled) past the deadline while the bit rose does not
//! report a timeout. [`poll_timeout`] adds that last sample
//! (`Documentation/upstream/0003-rust-io-poll-sample-once-more-after-the-timeout-as-C-does.patch`).

use kernel::{
    io::poll::read_poll_timeout,
    prelude::*,
    time::{
        delay::fsleep,
        Delta, //
    }, //
};

/// Samples `op` every `sleep` until `cond` holds, and once more after `timeout` (in µs through
/// [`Delta`]) before it returns `ETIMEDOUT`. `stall`, when not zero, stalls the poller that long
/// after its first sample: a test's stand-in for a preemption.
pub fn poll_timeout<T>(
    mut op: impl FnMut() -> Result<T>,
    mut cond: impl FnMut(&T) -> bool,
    sleep: Delta,
    timeout: Delta,
    stall: Delta,
) -> Result<T> {
    let mut stalled = stall.is_zero();
    let polled = read_poll_timeout(
        || {
            let sample = op();
            if !stalled {
                stalled = true;
                fsleep(stall);
            }
            sample
        },
        &mut cond,
        sleep,
        timeout,
    );
    match polled {
        Err(e) if e == ETIMEDOUT => {
            let last = op()?;
            if cond(&last) {
                Ok(last)
            } else {
                Err(ETIMEDOUT)
            }
        }
        polled => polled,
    }
}
