// SPDX-License-Identifier: GPL-2.0

//! The lifecycle protocol of one FPGA manager, bridge or region, in plain safe Rust.
//!
//! This is the logic that decides who may proceed: it holds no kernel object and calls no C
//! function, so it compiles on the host too (and can be model-checked there). The FFI layer keeps
//! one [`Lifecycle`] per manager, bridge and region behind a lock and does what the answers say: it calls
//! `try_module_get()` on the owner only when [`Lifecycle::begin_get`] said yes, inside the same
//! critical section, and it calls the driver's ops only between [`Lifecycle::begin_op`] and
//! [`Lifecycle::end_op`].
//!
//! # The protocol
//!
//! - `registered` becomes false once, when unregistration begins, under the lock. After that no
//!   get succeeds and no op starts: both answer `ENODEV`.
//! - A get checks `registered` and takes the owner's module reference in one critical section.
//!   The owner's `exit()` (which unregisters) must take the same lock to clear `registered`, and
//!   the module's memory is freed only after `exit()` returns, so a get that saw `registered`
//!   touches a live `struct module`, and a get that did not never touches it.
//! - Every call into the driver's ops (a load, a `status` read, `fpga_remove`) is counted in
//!   `ops_in_flight`. Unregistration waits until the count is zero before it calls
//!   `fpga_remove` and removes the device: no op runs after its driver is gone.
//! - The exclusive hold of `fpga_mgr_lock()` is a flag, not a mutex: it may be taken and released
//!   by different tasks and be held across a return to user space (upstream's bridge mutex is,
//!   hole L7).
//! - A bridge's get and a region's programming are *exclusive gets*: the hold flag is taken in the
//!   same critical section as the owner's module reference ([`Lifecycle::begin_exclusive_get`],
//!   [`Lifecycle::got_exclusive`]), and given back by [`Lifecycle::put_exclusive`].

// Each core module uses a different subset of these shared items.
#![allow(dead_code)]

/// Why a step of the protocol was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The manager is being or has been unregistered (`ENODEV`).
    Gone,
    /// Another user holds the manager exclusively (`EBUSY`).
    Busy,
}

/// The lifecycle state of one manager. All methods run under the manager's lifecycle lock.
#[derive(Debug)]
pub(crate) struct Lifecycle {
    registered: bool,
    holders: usize,
    locked: bool,
    ops_in_flight: usize,
}

impl Lifecycle {
    /// A registered manager with no users.
    pub(crate) const fn new() -> Self {
        Self {
            registered: true,
            holders: 0,
            locked: false,
            ops_in_flight: 0,
        }
    }

    /// Number of outstanding gets.
    pub(crate) fn holders(&self) -> usize {
        self.holders
    }

    /// A get may take the owner's module reference only if this returns `Ok`; the caller must
    /// then call [`Self::got`] or nothing, within the same critical section.
    pub(crate) fn begin_get(&self) -> Result<(), Refusal> {
        if self.registered {
            Ok(())
        } else {
            Err(Refusal::Gone)
        }
    }

    /// The owner's module reference was taken: one more holder.
    pub(crate) fn got(&mut self) {
        self.holders += 1;
    }

    /// A holder puts the manager back.
    pub(crate) fn put(&mut self) {
        self.holders = self.holders.saturating_sub(1);
    }

    /// An exclusive get (a bridge's get, a region's programming) may take the owner's module
    /// reference only if this returns `Ok`; the caller must then call [`Self::got_exclusive`]
    /// within the same critical section.
    pub(crate) fn begin_exclusive_get(&self) -> Result<(), Refusal> {
        self.begin_get()?;
        if self.locked {
            Err(Refusal::Busy)
        } else {
            Ok(())
        }
    }

    /// The owner's module reference of an exclusive get was taken: one holder, who holds it.
    pub(crate) fn got_exclusive(&mut self) {
        self.holders += 1;
        self.locked = true;
    }

    /// As [`Self::got_exclusive`], for a hold that is also an op unregistration waits for (a
    /// region's programming); end it with [`Self::end_op`] and [`Self::put_exclusive`].
    pub(crate) fn got_exclusive_op(&mut self) {
        self.got_exclusive();
        self.ops_in_flight += 1;
    }

    /// The exclusive holder puts it back; returns whether it was held.
    pub(crate) fn put_exclusive(&mut self) -> bool {
        self.put();
        self.unlock()
    }

    /// Takes the exclusive hold (`fpga_mgr_lock()`).
    pub(crate) fn lock(&mut self) -> Result<(), Refusal> {
        if !self.registered {
            return Err(Refusal::Gone);
        }
        if self.locked {
            return Err(Refusal::Busy);
        }
        self.locked = true;
        Ok(())
    }

    /// Releases the exclusive hold; returns whether it was held.
    pub(crate) fn unlock(&mut self) -> bool {
        core::mem::replace(&mut self.locked, false)
    }

    /// Whether someone holds the manager exclusively.
    pub(crate) fn is_locked(&self) -> bool {
        self.locked
    }

    /// Starts a call into the driver's ops.
    pub(crate) fn begin_op(&mut self) -> Result<(), Refusal> {
        if !self.registered {
            return Err(Refusal::Gone);
        }
        self.ops_in_flight += 1;
        Ok(())
    }

    /// Ends a call into the driver's ops; returns whether an unregistration waits for it.
    pub(crate) fn end_op(&mut self) -> bool {
        self.ops_in_flight = self.ops_in_flight.saturating_sub(1);
        !self.registered && self.ops_in_flight == 0
    }

    /// Starts unregistration: from now on every get and op is refused. Returns whether the
    /// manager was registered (a second unregistration is a no-op).
    pub(crate) fn begin_unregister(&mut self) -> bool {
        core::mem::replace(&mut self.registered, false)
    }

    /// Whether unregistration must still wait for ops in flight.
    pub(crate) fn must_wait(&self) -> bool {
        !self.registered && self.ops_in_flight > 0
    }
}
