// SPDX-License-Identifier: GPL-2.0

//! A work queue of a module's own: allocated in its `init`, drained and destroyed at its exit,
//! and reached meanwhile through a static [`QueueSlot`] by code that runs while the module is
//! loaded (a uevent raised by an operation, a retry queued by a notifier, a configfs group
//! registered for a region).
//!
//! The kernel crate has the system work queues and [`kernel::workqueue::Queue::from_raw`], but
//! no owned, module-lifetime queue; this is that, once, for every module of fpga-rs that needs
//! one.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use super::bindings;
use core::ptr;
use kernel::{
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic,
        Release, //
    },
    workqueue, //
};

/// Where a module's [`OwnedQueue`] is published: NULL outside the queue's lifetime.
pub struct QueueSlot(Atomic<*mut bindings::workqueue_struct>);

impl QueueSlot {
    /// An empty slot, for a `static`.
    pub const fn new() -> Self {
        Self(Atomic::new(ptr::null_mut()))
    }

    /// The queue published in the slot, if any.
    ///
    /// # Safety
    ///
    /// The caller must not use the returned queue after the [`OwnedQueue`] published in this
    /// slot is dropped: it runs while its module is loaded and before the module's exit drops
    /// the queue (in an operation on one of the module's objects, or in work on the queue
    /// itself, which the drop waits for).
    pub unsafe fn get(&self) -> Option<&workqueue::Queue> {
        let wq = self.0.load(Acquire);
        // SAFETY: A non-NULL `wq` is the live queue of the slot's `OwnedQueue`, which the caller
        // does not outlive (this function's requirement).
        (!wq.is_null()).then(|| unsafe { workqueue::Queue::from_raw(wq) })
    }
}

impl Default for QueueSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// A work queue owned by a module, published in a [`QueueSlot`] until it is dropped; dropping
/// it empties the slot, then runs the work still queued and destroys the queue.
///
/// # Invariants
///
/// `wq` is a work queue allocated by [`OwnedQueue::new`], published in `slot` until `drop`,
/// and destroyed only there.
pub struct OwnedQueue {
    wq: *mut bindings::workqueue_struct,
    slot: &'static QueueSlot,
}

// SAFETY: The queue pointer is only handed to the workqueue API, which may be called (and the
// queue destroyed) from any thread.
unsafe impl Send for OwnedQueue {}
// SAFETY: A shared `OwnedQueue` gives access to nothing: its methods take it by value or `&mut`.
unsafe impl Sync for OwnedQueue {}

impl OwnedQueue {
    /// Allocates the unbound work queue `name` and publishes it in `slot`: ordered (one work
    /// item at a time, in the order queued: `alloc_ordered_workqueue()`) if `ordered`, otherwise
    /// with the default concurrency (`alloc_workqueue(name, WQ_UNBOUND, 0)`). Fails with `EBUSY`
    /// if the slot holds a queue already (each slot is one module's one queue), `ENOMEM` if the
    /// queue cannot be allocated.
    pub fn new(slot: &'static QueueSlot, name: &'static CStr, ordered: bool) -> Result<Self> {
        let (flags, max_active) = if ordered {
            (
                bindings::wq_flags_WQ_UNBOUND | bindings::wq_flags___WQ_ORDERED,
                1,
            )
        } else {
            (bindings::wq_flags_WQ_UNBOUND, 0)
        };
        if !slot.0.load(Acquire).is_null() {
            return Err(EBUSY);
        }
        // SAFETY: The format is `"%s"`, whose one conversion reads the one variadic argument, a
        // NUL-terminated string.
        let wq = unsafe {
            bindings::alloc_workqueue_noprof(
                c"%s".as_char_ptr(),
                flags,
                max_active,
                name.as_char_ptr(),
            )
        };
        if wq.is_null() {
            return Err(ENOMEM);
        }
        slot.0.store(wq, Release);
        // INVARIANT: Allocated here and published in `slot`.
        Ok(Self { wq, slot })
    }
}

impl Drop for OwnedQueue {
    fn drop(&mut self) {
        self.slot.0.store(ptr::null_mut(), Release);
        // SAFETY: `wq` was allocated by `new` and is destroyed once, here (type invariant);
        // destroying it runs the work still queued first.
        unsafe { bindings::destroy_workqueue(self.wq) };
    }
}
