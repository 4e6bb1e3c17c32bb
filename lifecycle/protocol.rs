// SPDX-License-Identifier: GPL-2.0

//! The lifecycle protocol of one FPGA manager, bridge or region, in plain safe Rust.
//!
//! This is the logic that decides who may proceed. It holds no kernel object and calls no C
//! function, so it compiles on the host too, where `tools/testing/model/` model-checks it with
//! loom; it uses `core`'s atomics for that reason. `lifecycle/mod.rs` wraps it with what the
//! kernel adds: the owner modules it pins, the registry lock, the wait of unregistration, and
//! the typed handles the cores hand out.
//!
//! # The protocol
//!
//! One atomic word holds the counts and `GONE`, and an atomic flag beside it the exclusive hold,
//! so that the hot paths are one atomic read-modify-write each (a get, a put, the start and the
//! end of an op, `fpga_mgr_lock()`), and `fpga_mgr_unlock()` none:
//!
//! - `GONE` is set once, when unregistration begins. After that no get succeeds and no op
//!   starts: each answers [`Refusal::Gone`] (`ENODEV`), and so does a lock called after it.
//! - `HOLDERS` counts the gets not yet put, in the upper half of the word. A get counts itself
//!   with [`State::hold`], which the caller serialises with [`State::begin_unregister`] and
//!   follows with the pinning of the owner module before that serialisation ends (in the kernel
//!   both run under the class's registry lock, `lifecycle/registry.rs`). So either the get counted
//!   itself and pinned the owner before unregistration began, or it saw `GONE` and was refused:
//!   a get pins the owner's module only while that module's `exit()` (which unregisters) has
//!   not returned. Unregistration does not wait for holders: they pin the owner module, which
//!   keeps it from unregistering through `exit()`.
//! - `ACTIVE` counts the ops in flight (a load, a `status` read, `fpga_remove`). Entering one
//!   and checking `GONE` are one atomic add, so entering and the setting of `GONE` are ordered:
//!   either the op entered first and unregistration waits for it to leave
//!   ([`State::is_idle`]), or `GONE` was set first and the op was refused. No op runs after
//!   unregistration returned.
//! - `locked` is the exclusive hold: `fpga_mgr_lock()`, a bridge's get, a region's programming.
//!   It is a flag, not a mutex: it may be taken and released by different tasks and be held
//!   across a return to user space (upstream's bridge mutex is, hole L7). It is taken with a
//!   compare-and-exchange (acquire) and given back with a store (release), as a spinlock is; an
//!   exclusive get takes it before it counts itself.
//!
//! The word is 64 bits wide on every architecture (32-bit ARM has 64-bit atomics), so neither
//! count can overflow into the other in practice.

// The host model check (`tools/testing/model/`) builds this file with `--cfg loom`, with loom's
// atomics, which explore every interleaving the memory model allows.
#[cfg(not(loom))]
use core::sync::atomic::{
    AtomicBool,
    AtomicU64,
    Ordering, //
};
#[cfg(loom)]
use loom::sync::atomic::{
    AtomicBool,
    AtomicU64,
    Ordering, //
};

/// Why a step of the protocol was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The object is being or has been unregistered (`ENODEV`).
    Gone,
    /// Another user holds the object exclusively (`EBUSY`).
    Busy,
}

/// A refused [`State::enter`]: why, and whether the refused attempt must wake an unregistration
/// that waits for the ops to leave (see [`State::leave`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Why the section was refused.
    pub why: Refusal,
    /// Whether an unregistration must be woken.
    pub wake: bool,
}

/// Unregistration has begun.
const GONE: u64 = 1 << 0;
/// One op in flight in `ACTIVE`, counted in bits 1-31.
const ACTIVE: u64 = 1 << 1;
/// One holder in `HOLDERS`, counted in bits 32-63.
const HOLDER: u64 = 1 << 32;
/// The `ACTIVE` count's bits.
const ACTIVE_MASK: u64 = HOLDER - ACTIVE;

/// Whether a get takes the exclusive hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// A shared get: a manager's.
    Shared,
    /// An exclusive one: a bridge's get, a region's programming.
    Exclusive,
}

/// The lifecycle state of one manager, bridge or region.
#[derive(Debug)]
pub struct State {
    /// `GONE`, `ACTIVE` and `HOLDERS`.
    word: AtomicU64,
    /// The exclusive hold.
    locked: AtomicBool,
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    /// A registered object with no users.
    pub fn new() -> Self {
        Self {
            word: AtomicU64::new(0),
            locked: AtomicBool::new(false),
        }
    }

    /// Applies `step` to the word until it sticks or `step` refuses.
    #[inline]
    fn update<E>(&self, step: impl Fn(u64) -> Result<u64, E>) -> Result<u64, E> {
        let mut old = self.word.load(Ordering::Relaxed);
        loop {
            let new = step(old)?;
            match self
                .word
                .compare_exchange_weak(old, new, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return Ok(old),
                Err(seen) => old = seen,
            }
        }
    }

    /// Enters an op: a section unregistration waits for. End it with [`Self::leave`].
    ///
    /// The op is counted first and checked after, in one atomic add; if unregistration had
    /// begun, the count is taken back at once, and the refusal says whether that must wake the
    /// unregistration (which may have seen the passing count and gone to sleep on it).
    #[inline]
    pub fn enter(&self) -> Result<(), Refused> {
        if self.word.fetch_add(ACTIVE, Ordering::AcqRel) & GONE == 0 {
            return Ok(());
        }
        Err(Refused {
            why: Refusal::Gone,
            wake: self.leave(),
        })
    }

    /// Leaves an op entered with [`Self::enter`]. Returns whether an unregistration waits for
    /// exactly this: it must then be woken.
    #[inline]
    pub fn leave(&self) -> bool {
        Self::woke_unregister(self.word.fetch_sub(ACTIVE, Ordering::AcqRel))
    }

    /// Counts a get as a holder, taking the exclusive hold too if `hold` says so; refused with
    /// [`Refusal::Gone`] once unregistration began and, for [`Hold::Exclusive`], with
    /// [`Refusal::Busy`] while someone holds the object exclusively. Undo it with
    /// [`Self::put_holder`] (and [`Self::unlock`] for an exclusive hold).
    ///
    /// The caller serialises this with [`Self::begin_unregister`] and pins the owner module
    /// before that serialisation ends (see the module's documentation): then `GONE` cannot be
    /// set between the check and the pin.
    #[inline]
    pub fn hold(&self, hold: Hold) -> Result<(), Refusal> {
        // A check, then an atomic add (the hot path of a get): `GONE` cannot be set between them
        // (the caller's serialisation), so a refused get counts nothing.
        if hold == Hold::Exclusive {
            self.lock()?;
        } else if self.is_gone() {
            return Err(Refusal::Gone);
        }
        self.word.fetch_add(HOLDER, Ordering::AcqRel);
        Ok(())
    }

    /// Whether the word before a leave says an unregistration waits for that leave: `GONE`, and
    /// it was the last op in flight.
    #[inline]
    fn woke_unregister(old: u64) -> bool {
        old & GONE != 0 && old & ACTIVE_MASK == ACTIVE
    }

    /// One holder less (a put); a put without a get is reported and changes nothing, so the
    /// count never goes below zero, not even for a moment.
    #[inline]
    pub fn put_holder(&self) -> Result<(), Unbalanced> {
        self.update(|s| s.checked_sub(HOLDER).ok_or(Unbalanced))
            .map(|_| ())
    }

    /// The number of holders.
    pub fn holders(&self) -> u64 {
        self.word.load(Ordering::Relaxed) >> 32
    }

    /// Takes the exclusive hold (`fpga_mgr_lock()`): refused with [`Refusal::Gone`] if
    /// unregistration had begun when it was called, else with [`Refusal::Busy`] while someone
    /// holds it. An unregistration that begins during the call may follow the lock: the holder's
    /// ops are refused then.
    #[inline]
    pub fn lock(&self) -> Result<(), Refusal> {
        if self.is_gone() {
            return Err(Refusal::Gone);
        }
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .map(|_| ())
            .map_err(|_| Refusal::Busy)
    }

    /// Gives the exclusive hold back; returns whether it was held.
    ///
    /// A store, not a read-modify-write: only the holder gives the hold back (as a spinlock's
    /// unlock). An unlock of an object nobody holds (a caller's double unlock) is seen by the
    /// load and changes nothing; a caller's unlock of an object *another* task holds cannot be
    /// told from that task's own, as with upstream's mutex without `DEBUG_MUTEXES`.
    #[inline]
    pub fn unlock(&self) -> bool {
        if !self.locked.load(Ordering::Relaxed) {
            return false;
        }
        self.locked.store(false, Ordering::Release);
        true
    }

    /// Whether someone holds the object exclusively.
    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::Acquire)
    }

    /// Starts unregistration: from now on every get, op and lock is refused. Returns whether the
    /// object was registered (a second unregistration is a no-op).
    pub fn begin_unregister(&self) -> bool {
        self.word.fetch_or(GONE, Ordering::AcqRel) & GONE == 0
    }

    /// Whether unregistration began.
    pub fn is_gone(&self) -> bool {
        self.word.load(Ordering::Acquire) & GONE != 0
    }

    /// Whether no op is in flight; once `GONE` is set and this is true, none ever will be.
    pub fn is_idle(&self) -> bool {
        self.word.load(Ordering::Acquire) & ACTIVE_MASK == 0
    }
}

/// A put without a get: the count was already zero and stays so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unbalanced;

/// The protocol driven through the interleavings that matter. Compiled only into the KUnit
/// module `fpga_mgr_protocol_test`, the one crate for which Kbuild sets this `fpga_rs_kunit`
/// value: the cores compile this file without the suite (`Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "fpga_mgr_protocol")]
#[kernel::prelude::kunit_tests(fpga_mgr_protocol)]
mod tests {
    use super::{
        Hold,
        Refusal,
        Refused,
        State,
        Unbalanced, //
    };

    #[test]
    fn get_that_found_the_device_before_unregister_is_refused_after_it() {
        // T1 found the device (class lookup, device reference), then T2 began unregistering
        // before T1 counted itself: T1 must not pin the owner (whose module may be freed).
        let state = State::new();
        assert!(state.begin_unregister());
        assert_eq!(state.hold(Hold::Shared), Err(Refusal::Gone));
        assert_eq!(state.hold(Hold::Exclusive), Err(Refusal::Gone));
        assert_eq!(state.holders(), 0);
        assert!(!state.is_locked());
    }

    #[test]
    fn unregister_does_not_wait_for_holders() {
        // A get counted (and pinned) before unregistration began: its holder stays counted, and
        // unregistration waits for no op.
        let state = State::new();
        assert_eq!(state.hold(Hold::Shared), Ok(()));
        assert!(state.begin_unregister());
        assert!(state.is_idle());
        assert_eq!(state.holders(), 1);
        // Its ops are refused now; its put still counts it out.
        assert_eq!(state.enter().map_err(|r| r.why), Err(Refusal::Gone));
        assert_eq!(state.put_holder(), Ok(()));
        assert_eq!(state.holders(), 0);
    }

    #[test]
    fn unregister_waits_until_the_last_op_ends() {
        let state = State::new();
        assert_eq!(state.enter(), Ok(()));
        assert_eq!(state.enter(), Ok(()));
        assert!(state.begin_unregister());
        assert!(!state.is_idle());
        // The first leave does not wake the unregistration, the last does.
        assert!(!state.leave());
        assert!(!state.is_idle());
        assert!(state.leave());
        assert!(state.is_idle());
    }

    #[test]
    fn leave_before_unregister_wakes_nobody() {
        let state = State::new();
        assert_eq!(state.enter(), Ok(()));
        assert!(!state.leave());
        assert!(state.is_idle());
        assert!(state.begin_unregister());
    }

    #[test]
    fn ops_and_locks_are_refused_after_unregister_begins() {
        let state = State::new();
        assert!(state.begin_unregister());
        assert_eq!(state.enter().map_err(|r| r.why), Err(Refusal::Gone));
        assert_eq!(state.lock(), Err(Refusal::Gone));
    }

    #[test]
    fn lock_is_an_exclusive_flag() {
        let state = State::new();
        assert_eq!(state.lock(), Ok(()));
        assert!(state.is_locked());
        assert_eq!(state.lock(), Err(Refusal::Busy));
        assert!(state.unlock());
        assert!(!state.unlock());
        assert_eq!(state.lock(), Ok(()));
    }

    #[test]
    fn exclusive_get_is_refused_while_held_and_after_unregister() {
        let state = State::new();
        assert_eq!(state.hold(Hold::Exclusive), Ok(()));
        assert!(state.is_locked());
        assert_eq!(state.holders(), 1);
        assert_eq!(state.hold(Hold::Exclusive), Err(Refusal::Busy));
        assert_eq!(state.lock(), Err(Refusal::Busy));
        // Ops (of the holder) still enter.
        assert_eq!(state.enter(), Ok(()));
        assert!(!state.leave());
        // The put: one holder less, the hold given back.
        assert_eq!(state.put_holder(), Ok(()));
        assert!(state.unlock());
        assert_eq!(state.hold(Hold::Exclusive), Ok(()));
        assert_eq!(state.holders(), 1);
        assert!(state.begin_unregister());
        assert_eq!(state.put_holder(), Ok(()));
        assert!(state.unlock());
        assert_eq!(state.hold(Hold::Exclusive), Err(Refusal::Gone));
        assert_eq!(state.holders(), 0);
    }

    #[test]
    fn shared_gets_count_holders_beside_the_exclusive_hold() {
        // `fpga_mgr_lock()` by one holder does not stop other gets of a manager.
        let state = State::new();
        assert_eq!(state.hold(Hold::Shared), Ok(()));
        assert_eq!(state.lock(), Ok(()));
        assert_eq!(state.hold(Hold::Shared), Ok(()));
        assert_eq!(state.holders(), 2);
        assert!(state.is_locked());
    }

    #[test]
    fn second_unregister_is_a_no_op() {
        let state = State::new();
        assert!(state.begin_unregister());
        assert!(!state.begin_unregister());
    }

    #[test]
    fn put_without_get_is_reported_and_not_counted() {
        let state = State::new();
        assert_eq!(state.hold(Hold::Shared), Ok(()));
        assert_eq!(state.holders(), 1);
        assert_eq!(state.enter(), Ok(()));
        assert_eq!(state.lock(), Ok(()));
        assert_eq!(state.put_holder(), Ok(()));
        assert_eq!(state.put_holder(), Err(Unbalanced));
        assert_eq!(state.holders(), 0);
        // The unbalanced put left the other fields as they were.
        assert!(state.is_locked());
        assert!(!state.is_idle());
        assert!(!state.leave());
        assert!(state.begin_unregister());
    }

    #[test]
    fn a_refused_op_is_taken_back_and_wakes_an_unregistration_it_kept_waiting() {
        let state = State::new();
        assert_eq!(state.enter(), Ok(()));
        assert!(state.begin_unregister());
        // Counted, then taken back: another op is still in flight, so nobody is woken.
        assert_eq!(
            state.enter(),
            Err(Refused {
                why: Refusal::Gone,
                wake: false
            })
        );
        assert!(!state.is_idle());
        // The last real op leaves and wakes the unregistration.
        assert!(state.leave());
        assert!(state.is_idle());
        // A refused entry alone may have been seen by the unregistration: it wakes it.
        assert_eq!(
            state.enter(),
            Err(Refused {
                why: Refusal::Gone,
                wake: true
            })
        );
        assert!(state.is_idle());
        assert_eq!(state.holders(), 0);
    }

    #[test]
    fn many_holders_and_ops_do_not_spill_into_each_other() {
        let state = State::new();
        for _ in 0..1000 {
            assert_eq!(state.hold(Hold::Shared), Ok(()));
            assert_eq!(state.enter(), Ok(()));
        }
        assert_eq!(state.holders(), 1000);
        assert!(!state.is_idle());
        for _ in 0..1000 {
            assert!(!state.leave());
        }
        assert!(state.is_idle());
        assert_eq!(state.holders(), 1000);
        assert!(!state.is_locked());
    }
}
