// SPDX-License-Identifier: GPL-2.0

//! The overlays that the overlay core could not remove yet, kept until it can.
//!
//! The overlay core removes overlays newest first: it refuses (`EBUSY`) to remove one while a
//! later overlay changes a node it added or changed (a partial reconfiguration's overlay on the
//! region a full design's overlay added, or any two overlays built with `dtc -@`, which both
//! add to `/__symbols__`). An item removed out of that order (`rmdir`, which cannot fail) hands
//! its overlay here. Each overlay removal in the system (`OF_OVERLAY_POST_REMOVE`, from this
//! module's notifier) queues a retry on this module's work queue, which removes every orphan
//! the core lets go, newest first. While any orphan is kept, the module pins itself: `rmmod`
//! is refused, and no overlay is left behind unreachable.

use crate::{
    bindings,
    errno::ErrnoName,
    ffi_overlay::Applied,
    workqueue::{
        OwnedQueue,
        QueueSlot, //
    },
    THIS_MODULE, //
};
use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    }, //
};

/// The orphans, oldest first.
pub(crate) struct Orphans(KVec<(CString, Applied)>);

use kernel::str::CString;

kernel::sync::global_lock! {
    // SAFETY: Initialised in the module's `init`, before any item exists.
    pub(crate) unsafe(uninit) static ORPHANS: Mutex<Orphans> = Orphans(KVec::new());
}

/// How many orphans there are: read by the notifier, which must not take [`ORPHANS`] (held
/// across `of_overlay_remove()`, which notifies).
static COUNT: Atomic<usize> = Atomic::new(0);

/// This module's work queue, while it is loaded.
static QUEUE: QueueSlot = QueueSlot::new();

/// Removes the overlay of the item `name`, or keeps it as an orphan if the overlay core refuses
/// (`EBUSY`); then retries the orphans.
pub(crate) fn remove(name: &str, mut applied: Applied) {
    match applied.try_remove() {
        Ok(()) => ORPHANS.lock().retry(),
        Err(e) if e == EBUSY => {
            pr_warn!(
                "overlay {}: not removed yet (EBUSY): overlays applied after it change its \
                 nodes; it goes when they are removed\n",
                name
            );
            ORPHANS.lock().keep(name, applied);
        }
        Err(e) => {
            pr_err!("overlay {}: not removed: {}\n", name, ErrnoName(e));
            applied.leak();
        }
    }
}

/// Queues a retry of the orphans, if there are any: after an overlay was removed.
pub(crate) fn retry_soon() {
    if COUNT.load(Relaxed) == 0 {
        return;
    }
    // SAFETY: This runs in the module's overlay notifier (`check.rs`), and the module's exit
    // unregisters the notifier, which waits for a notification in flight, before it drops the
    // queue (field order of `CompatOverlays`).
    let Some(queue) = (unsafe { QUEUE.get() }) else {
        return;
    };
    if queue
        .try_spawn(GFP_KERNEL, || ORPHANS.lock().retry())
        .is_err()
    {
        pr_warn!("orphaned overlays: retry not queued (out of memory)\n");
    }
}

impl Orphans {
    /// Keeps `applied`, the overlay of the item `name`, until it can be removed; pins the module.
    pub(crate) fn keep(&mut self, name: &str, applied: Applied) {
        let Ok(name) = CString::try_from_fmt(fmt!("{name}")) else {
            applied.leak();
            return;
        };
        if self.0.push((name, applied), GFP_KERNEL).is_err() {
            // Out of memory: the pushed overlay was dropped, which tried to remove it again and
            // logged that it stays applied.
            return;
        }
        // SAFETY: This module is live (this code runs in it); the reference is put when the
        // orphan goes, in `retry`.
        unsafe { bindings::__module_get(THIS_MODULE.as_ptr()) };
        COUNT.fetch_add(1, Relaxed);
    }

    /// Removes every orphan the overlay core lets go now, newest first, until none is left or
    /// none goes.
    fn retry(&mut self) {
        loop {
            let before = self.0.len();
            let mut i = before;
            while i > 0 {
                i -= 1;
                if self.0[i].1.try_remove().is_ok() {
                    if let Ok((name, _)) = self.0.remove(i) {
                        pr_info!(
                            "overlay {}: removed at last\n",
                            name.to_str().unwrap_or("?")
                        );
                    }
                    COUNT.fetch_sub(1, Relaxed);
                    // SAFETY: Put the reference `keep` took for this orphan. The module may go
                    // once this work returns: its exit destroys the work queue, which waits.
                    unsafe { bindings::module_put(THIS_MODULE.as_ptr()) };
                }
            }
            if self.0.len() == before || self.0.is_empty() {
                return;
            }
        }
    }
}

/// This module's work queue for the retries: ordered, drained and destroyed (after the retries
/// queued ran) when the module goes.
pub(crate) struct RetryQueue {
    _queue: OwnedQueue,
}

impl RetryQueue {
    /// Allocates the work queue.
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            _queue: OwnedQueue::new(&QUEUE, c"fpga_compat_overlays", true)?,
        })
    }
}
