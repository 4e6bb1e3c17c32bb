// SPDX-License-Identifier: GPL-2.0

//! The lifecycle layer: when an FPGA manager, bridge or region may be got, used and
//! unregistered, and which modules it pins meanwhile. This directory is the design fpga-rs
//! exists for (`Documentation/lifecycle.rst`); the C boundary is `ffi/`.
//!
//! - `protocol.rs`: the state word of one object: holders, ops in flight, `GONE` (safe Rust,
//!   also compiled on the host for the loom model).
//! - this file: [`Lifecycle`], that protocol plus the owner modules it pins and the wait of
//!   unregistration.
//! - `owners.rs`: the modules a get pins (the owner and the parent's driver, hole L8).
//! - `registry.rs`: a class's registered objects and the lock that orders every get against
//!   unregistration.
//! - `handle.rs`: the typed handles the cores hand out to C ([`Object`], [`Held`]).
//! - `lockdep.rs`: the lockdep map that makes "unregistration waits for ops" visible to lockdep.
//!
//! The one rule the whole project exists for, "pin the owner module only while the object is
//! registered, in one critical section with the check", is not a comment here but the only way
//! to pin: the owners are a private field, pinned by [`Lifecycle::pin`] alone, which only the
//! class's registry (`registry.rs`) calls, under the lock under which unregistration begins;
//! a successful get is a [`Get`] whose drop unpins them. Objects reach C as [`Held`] handles: a
//! get together with a reference to the object's device, converted to the C pointer with
//! [`Held::into_c`] and back, when C puts it, with [`Held::from_c`].

mod handle;
pub mod lockdep;
pub mod owners;
pub mod protocol;
pub mod registry;

pub use handle::{
    Held,
    Object, //
};

use core::marker::PhantomData;
use kernel::{
    new_condvar,
    new_mutex,
    prelude::*,
    sync::{
        CondVar,
        Mutex, //
    }, //
};
use lockdep::OpsDepMap;
use owners::Owners;
use protocol::{
    Hold,
    Refusal,
    State, //
};

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Gone => ENODEV,
            Refusal::Busy => EBUSY,
        }
    }
}

/// The lifecycle of one manager, bridge or region.
///
/// # Invariants
///
/// `owners` are pinned once per live [`Get`] of this lifecycle and at no other time.
#[pin_data]
pub struct Lifecycle {
    state: State,
    owners: Owners,
    /// What unregistration sleeps on until the last op leaves.
    #[pin]
    waiter: Mutex<()>,
    #[pin]
    idle: CondVar,
    /// The ops in flight, for lockdep (`lifecycle/lockdep.rs`).
    #[pin]
    ops_dep_map: OpsDepMap,
}

impl Lifecycle {
    /// The lifecycle of a registered object whose users pin `owners`; `ops_name` names its ops
    /// in flight in lockdep's reports.
    pub fn new(owners: Owners, ops_name: &'static CStr) -> impl PinInit<Self> {
        pin_init!(Self {
            state: State::new(),
            owners,
            waiter <- new_mutex!(()),
            idle <- new_condvar!(),
            ops_dep_map <- OpsDepMap::new(ops_name),
        })
    }

    /// Wakes an unregistration that waits for the op just left.
    #[cold]
    fn wake_unregister(&self) {
        let _waiter = self.waiter.lock();
        self.idle.notify_all();
    }

    /// Gets the object: counts a holder, taking the exclusive hold for [`Hold::Exclusive`], and
    /// pins the owner modules. Refused with [`Refusal::Gone`] once unregistration began or while
    /// an owner module is going away, and with [`Refusal::Busy`] while someone else holds the
    /// object exclusively.
    ///
    /// # Safety
    ///
    /// The caller must hold the lock of the object's class's registry
    /// ([`Registry`](registry::Registry)), under which
    /// the object's unregistration begins.
    #[inline]
    unsafe fn pin(&self, hold: Hold) -> Result<Get<'_>, Refusal> {
        self.state.hold(hold)?;
        // SAFETY: The holder was counted, so unregistration had not begun, and it cannot begin
        // before the caller releases the registry lock (the caller's requirement): the owner's
        // unregistration, which its `exit()` calls (the owner's registration, or its driver's
        // unbind), has not returned, so its `struct module` is alive.
        if !unsafe { self.owners.try_pin() } {
            self.undo_hold(hold);
            return Err(Refusal::Gone);
        }
        // INVARIANT: The owners were pinned for this get.
        Ok(Get {
            life: self,
            hold,
            _not_send: PhantomData,
        })
    }

    /// Takes back the holder of a get that could not pin, and its exclusive hold.
    #[cold]
    fn undo_hold(&self, hold: Hold) {
        // The holder was counted just now, so this cannot be a put without a get.
        let _ = self.state.put_holder();
        if hold == Hold::Exclusive {
            self.state.unlock();
        }
    }

    /// Starts a call into the driver's ops; unregistration waits until the returned guard is
    /// dropped. Refused once unregistration began.
    #[inline]
    pub fn enter_op(&self) -> Result<Op<'_>, Refusal> {
        self.state.enter().map_err(|refused| {
            if refused.wake {
                self.wake_unregister();
            }
            refused.why
        })?;
        self.ops_dep_map.acquire_op();
        Ok(Op(self, PhantomData))
    }

    /// At unregistration, after [`Self::unregister`]: unties the owner pins from the parent's
    /// binding (`lifecycle/owners.rs`).
    ///
    /// # Safety
    ///
    /// The object's device must not have been deleted yet (it references the parent).
    pub unsafe fn release_binding(&self) {
        // SAFETY: The object's device, which references the parent, is not deleted yet
        // (this function's requirement), so the parent is alive.
        unsafe { self.owners.release_binding() };
    }

    /// Takes the exclusive hold (`fpga_mgr_lock()`).
    #[inline]
    pub fn lock(&self) -> Result<(), Refusal> {
        self.state.lock()
    }

    /// Gives the exclusive hold back (`fpga_mgr_unlock()`); returns whether it was held.
    #[inline]
    pub fn unlock(&self) -> bool {
        self.state.unlock()
    }

    /// Whether someone holds the object exclusively.
    pub fn is_locked(&self) -> bool {
        self.state.is_locked()
    }

    /// Begins unregistration: sets `GONE`. Returns whether it had not begun before.
    ///
    /// # Safety
    ///
    /// The caller must hold the lock of the object's class's registry
    /// ([`Registry`](registry::Registry)), and have taken
    /// the object out of it ([`Lifecycle::pin`] relies on `GONE` being set only so).
    unsafe fn begin_unregister(&self) -> bool {
        self.state.begin_unregister()
    }

    /// The rest of unregistration, after
    /// [`Registry::unregister`](registry::Registry::unregister) began it: sleeps
    /// (uninterruptibly) until the ops in flight have left, and returns the number of holders
    /// left.
    ///
    /// The wait is visible to lockdep as an acquisition of the ops' map (`lifecycle/lockdep.rs`): a
    /// lock the caller holds that an op also takes is reported as an inversion.
    fn wait_for_ops(&self) -> usize {
        self.ops_dep_map.acquire_unregister();
        let mut waiter = self.waiter.lock();
        while !self.state.is_idle() {
            self.idle.wait(&mut waiter);
        }
        drop(waiter);
        self.ops_dep_map.release();
        // A `usize` (not the word's `u64`): `{}` of a `u64` is a `BUG()` on 32-bit ARM
        // (`lowlevel/sim/dec64.rs`).
        usize::try_from(self.state.holders()).unwrap_or(usize::MAX)
    }
}

/// A successful get: the owner modules are pinned and a holder counted (and, for an exclusive
/// get, the exclusive hold taken) until it is dropped.
///
/// # Invariants
///
/// `life`'s owners are pinned for this get.
#[must_use]
pub struct Get<'a> {
    life: &'a Lifecycle,
    hold: Hold,
    /// The pins may be dropped from any task, but a `Get` crosses to C only as a [`Held`].
    _not_send: PhantomData<*mut ()>,
}

impl Drop for Get<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.life.put_holder() {
            // SAFETY: By the type invariant the owners are pinned for this get, which is
            // dropped here, once, and its holder was just counted out.
            unsafe { self.life.release(self.hold) };
        }
    }
}

impl Lifecycle {
    /// The first step of a put: one holder less. A put without a matching get (a caller's
    /// double put, seen as a holder count of zero) changes nothing and returns false (the caller
    /// warns): no count goes below zero, and the caller drops no pin or reference for it. A
    /// double put while another user holds the object cannot be told from that user's put: it
    /// drops that user's pins.
    #[inline]
    fn put_holder(&self) -> bool {
        self.state.put_holder().is_ok()
    }

    /// The rest of a put after [`Self::put_holder`]: the exclusive hold given back if `hold`
    /// says so, and the owner pins dropped.
    ///
    /// # Safety
    ///
    /// The caller must own a get of this lifecycle with `hold`, whose holder `put_holder`
    /// counted out; the get is given up by this call.
    #[inline]
    unsafe fn release(&self, hold: Hold) {
        if hold == Hold::Exclusive {
            self.state.unlock();
        }
        // SAFETY: The caller's get pinned the owners (the `Get` invariant); this drops those
        // pins, once.
        unsafe { self.owners.unpin() };
    }
}

/// A call into the driver's ops in flight; unregistration waits until it is dropped. It stays in
/// the task that started it (lockdep's map is released by the task that acquired it).
#[must_use]
pub struct Op<'a>(&'a Lifecycle, PhantomData<*mut ()>);

impl Drop for Op<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.ops_dep_map.release();
        // The wake-up touches the lifecycle after the op ended, when unregistration may already
        // have returned: what keeps the object allocated then is the device reference every
        // caller of an op holds (its get's, or the registration's), not the op.
        if self.0.state.leave() {
            self.0.wake_unregister();
        }
    }
}
