// SPDX-License-Identifier: GPL-2.0

//! A model of the fpga-rs lifecycle for the loom model checker.
//!
//! The protocol (`lifecycle/protocol.rs`) is compiled unchanged, with loom's atomics. Around it, the
//! kernel is reduced to what the protocol relies on, each piece mirroring the code it stands
//! for:
//!
//! - [`Module`]: a low-level driver's `struct module` as `kernel/module/main.c` treats it:
//!   `try_module_get()` fails once the module is going, rmmod is refused while the count is
//!   above its base, and the memory is freed after `exit()`. Touching it after that is the
//!   use-after-free of the LKML race, and panics here.
//! - [`Object`]: a manager, bridge or region as `lifecycle/mod.rs` and `lifecycle/registry.rs` drive
//!   it: the class's registry lock (a get finds, checks and pins under it; unregistration takes
//!   the object off the list and sets `GONE` under it), and the wait of unregistration (a mutex
//!   and a condition variable, woken by the last op to leave).
//!
//! The checks are assertions in this code, so every interleaving loom explores checks them: no
//! get pins a freed module, no op runs after unregistration returned, no count goes below zero
//! (`put_holder` refuses, the module count is checked), and the tests check that every pin is
//! undone at the end.

#[path = "../../../../lifecycle/protocol.rs"]
pub mod protocol;

use loom::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst},
    Arc, Condvar, Mutex,
};
use protocol::{Hold, Refusal, State};

/// `MODULE_REF_BASE`: the count of a live module nobody uses.
const REF_BASE: usize = 1;

/// A low-level driver's module.
#[derive(Default)]
pub struct Module {
    refcnt: AtomicUsize,
    going: AtomicBool,
    freed: AtomicBool,
}

impl Module {
    /// A loaded, live module.
    pub fn new() -> Self {
        Self {
            refcnt: AtomicUsize::new(REF_BASE),
            ..Default::default()
        }
    }

    fn alive(&self, what: &str) {
        assert!(!self.freed.load(SeqCst), "{what} of a freed struct module");
    }

    /// `try_module_get()`.
    pub fn try_get(&self) -> bool {
        self.alive("try_module_get()");
        if self.going.load(SeqCst) {
            return false;
        }
        // `atomic_inc_not_zero()`.
        let mut old = self.refcnt.load(SeqCst);
        loop {
            if old == 0 {
                return false;
            }
            match self.refcnt.compare_exchange(old, old + 1, SeqCst, SeqCst) {
                Ok(_) => return true,
                Err(seen) => old = seen,
            }
        }
    }

    /// `module_put()`.
    pub fn put(&self) {
        self.alive("module_put()");
        let old = self.refcnt.fetch_sub(1, SeqCst);
        assert!(old > REF_BASE, "module_put() below the base count");
    }

    /// `delete_module()`'s `try_stop_module()`: refused (false) while the module is in use, else
    /// the module is going and no `try_get` succeeds any more.
    pub fn try_stop(&self) -> bool {
        if self
            .refcnt
            .compare_exchange(REF_BASE, 0, SeqCst, SeqCst)
            .is_err()
        {
            return false;
        }
        self.going.store(true, SeqCst);
        true
    }

    /// `free_module()`, after `exit()` returned.
    pub fn free(&self) {
        self.freed.store(true, SeqCst);
    }

    /// Whether the module is loaded and nobody uses it.
    pub fn idle(&self) -> bool {
        !self.freed.load(SeqCst) && self.refcnt.load(SeqCst) == REF_BASE
    }

    /// Whether the module was unloaded.
    pub fn unloaded(&self) -> bool {
        self.freed.load(SeqCst)
    }
}

/// A registered manager, bridge or region whose owner is `owner`.
pub struct Object {
    owner: Arc<Module>,
    state: State,
    /// The class's registry lock, and whether the object is on the list.
    listed: Mutex<bool>,
    waiter: Mutex<()>,
    idle: Condvar,
    /// Set when unregistration returned.
    unregistered: AtomicBool,
}

impl Object {
    /// A registered object (on its class's list) owned by `owner`.
    pub fn new(owner: Arc<Module>) -> Self {
        Self {
            owner,
            state: State::new(),
            listed: Mutex::new(true),
            waiter: Mutex::new(()),
            idle: Condvar::new(),
            unregistered: AtomicBool::new(false),
        }
    }

    /// `fpga_mgr_get()` / `fpga_bridge_get()` (`Registry::find_get`, `Lifecycle::pin`): find,
    /// count the holder and pin the owner, under the registry lock.
    pub fn get(&self, hold: Hold) -> Result<(), Refusal> {
        let listed = self.listed.lock().unwrap();
        if !*listed {
            return Err(Refusal::Gone);
        }
        self.state.hold(hold)?;
        if !self.owner.try_get() {
            self.state
                .put_holder()
                .expect("the holder was just counted");
            if hold == Hold::Exclusive {
                self.state.unlock();
            }
            return Err(Refusal::Gone);
        }
        drop(listed);
        Ok(())
    }

    /// Upstream's get (`drivers/fpga/fpga-mgr.c`): the class lookup finds the device under the
    /// class list's lock, and `try_module_get()` of the owner runs after that lock is released.
    /// Only for the check that the model sees the LKML race in that order.
    pub fn get_upstream_order(&self) -> Result<(), Refusal> {
        if !*self.listed.lock().unwrap() {
            return Err(Refusal::Gone);
        }
        // Preempted here, the owner's module may finish `exit()` and be freed.
        if !self.owner.try_get() {
            return Err(Refusal::Gone);
        }
        self.state
            .hold(Hold::Shared)
            .inspect_err(|_| self.owner.put())
    }

    /// The put of a successful [`Self::get`].
    pub fn put(&self, hold: Hold) {
        self.state.put_holder().expect("a put without a get");
        if hold == Hold::Exclusive {
            self.state.unlock();
        }
        self.owner.put();
    }

    /// A call into the driver's ops (`Lifecycle::enter_op` and `Op::drop`); `body` runs inside,
    /// where the driver's module must be alive and unregistration must not have returned.
    pub fn op(&self, body: impl FnOnce()) -> Result<(), Refusal> {
        if let Err(refused) = self.state.enter() {
            if refused.wake {
                self.wake();
            }
            return Err(refused.why);
        }
        assert!(
            !self.unregistered.load(SeqCst),
            "an op runs after unregistration returned"
        );
        self.owner.alive("an op");
        body();
        if self.state.leave() {
            self.wake();
        }
        Ok(())
    }

    fn wake(&self) {
        let _waiter = self.waiter.lock().unwrap();
        self.idle.notify_all();
    }

    /// `fpga_mgr_lock()`.
    pub fn lock(&self) -> Result<(), Refusal> {
        self.state.lock()
    }

    /// `fpga_mgr_unlock()`.
    pub fn unlock(&self) -> bool {
        self.state.unlock()
    }

    /// Unregistration (`Lifecycle::unregister`): off the list and `GONE` under the registry
    /// lock, then wait for the ops in flight. Returns the holders left, or `None` for a second
    /// unregistration.
    pub fn unregister(&self) -> Option<u64> {
        let mut listed = self.listed.lock().unwrap();
        *listed = false;
        let first = self.state.begin_unregister();
        drop(listed);
        if !first {
            return None;
        }
        let mut waiter = self.waiter.lock().unwrap();
        while !self.state.is_idle() {
            waiter = self.idle.wait(waiter).unwrap();
        }
        drop(waiter);
        self.unregistered.store(true, SeqCst);
        Some(self.state.holders())
    }

    /// rmmod of the owner, whose `exit()` unregisters this object: refused while the module is
    /// in use (`false`), else the module is unloaded and freed.
    pub fn rmmod_owner(&self) -> bool {
        if !self.owner.try_stop() {
            return false;
        }
        self.unregister();
        self.owner.free();
        true
    }

    /// The number of holders.
    pub fn holders(&self) -> u64 {
        self.state.holders()
    }

    /// Whether someone holds the object exclusively.
    pub fn is_locked(&self) -> bool {
        self.state.is_locked()
    }
}
