// SPDX-License-Identifier: GPL-2.0

//! The lifecycle of one FPGA manager, bridge or region in the kernel: the protocol of
//! `common/protocol.rs` plus the owner modules it pins, the wait of unregistration and the typed
//! handles the cores hand out.
//!
//! The one rule the whole project exists for, "pin the owner module only while the object is
//! registered, in one critical section with the check", is not a comment here but the only way
//! to pin: the owners are a private field, pinned by [`Lifecycle::pin`] alone, which only the
//! class's registry (`ffi/registry.rs`) calls, under the lock under which unregistration begins;
//! a successful get is a [`Get`] whose drop unpins them. Objects reach C as [`Held`] handles: a
//! get together with a reference to the object's device, converted to the C pointer with
//! [`Held::into_c`] and back, when C puts it, with [`Held::from_c`].

use super::{
    bindings,
    lockdep::OpsDepMap,
    owners::Owners,
    protocol::{Hold, Refusal, State},
};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    new_condvar, new_mutex,
    prelude::*,
    sync::{CondVar, Mutex},
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
    /// The ops in flight, for lockdep (`ffi/lockdep.rs`).
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
    /// ([`Registered`](super::registry::Registered)), under which
    /// the object's unregistration begins.
    #[inline]
    pub(super) unsafe fn pin(&self, hold: Hold) -> Result<Get<'_>, Refusal> {
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
    /// binding (`ffi/owners.rs`).
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
    /// ([`Registered`](super::registry::Registered)), and have taken
    /// the object out of it ([`Lifecycle::pin`] relies on `GONE` being set only so).
    pub(super) unsafe fn begin_unregister(&self) -> bool {
        self.state.begin_unregister()
    }

    /// The rest of unregistration, after
    /// [`Registered::unregister`](super::registry::Registered::unregister) began it: sleeps
    /// (uninterruptibly) until the ops in flight have left, and returns the number of holders
    /// left.
    ///
    /// The wait is visible to lockdep as an acquisition of the ops' map (`ffi/lockdep.rs`): a
    /// lock the caller holds that an op also takes is reported as an inversion.
    pub(super) fn wait_for_ops(&self) -> usize {
        self.ops_dep_map.acquire_unregister();
        let mut waiter = self.waiter.lock();
        while !self.state.is_idle() {
            self.idle.wait(&mut waiter);
        }
        drop(waiter);
        self.ops_dep_map.release();
        // A `usize` (not the word's `u64`): `{}` of a `u64` is a `BUG()` on 32-bit ARM
        // (`common/dec64.rs`).
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

/// A core object with a lifecycle: a manager, bridge or region, allocated by its core with the
/// C struct it hands out as first field and freed by its class's `dev_release`.
///
/// # Safety
///
/// `from_c(as_c(x))` must be `x`; `raw_dev()` must be the object's class device, which keeps the
/// object allocated while a reference to it is held.
pub unsafe trait Object: Sized {
    /// The C struct (`struct fpga_manager`, `struct fpga_bridge`, `struct fpga_region`).
    type C;

    /// Whether a get holds the object exclusively (bridges) or shares it (managers).
    const HOLD: Hold;

    /// The object's lifecycle.
    fn lifecycle(&self) -> &Lifecycle;

    /// The object's class device.
    fn raw_dev(&self) -> *mut bindings::device;

    /// The C pointer handed out.
    fn as_c(&self) -> *mut Self::C;

    /// The object of its class device.
    ///
    /// # Safety
    ///
    /// `dev` must be the class device of a `Self`, and the caller must hold a reference to it.
    unsafe fn from_dev<'a>(dev: *mut bindings::device) -> &'a Self;

    /// The object of a C pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`Self::as_c`] of an object whose device the caller holds a
    /// reference to.
    unsafe fn from_c<'a>(ptr: *mut Self::C) -> &'a Self;

    /// Runs when a get is put, before the pins are dropped (a bridge forgets its image info).
    fn on_put(&self) {}
}

/// A user's handle on a core object: a [`Get`] of it and a reference to its device. Dropping it
/// is the put: the get is dropped first, the device reference last (hole L6).
///
/// The device reference is a plain `struct device *` reference rather than an
/// `ARef<Device>`: this is the path `fpga_mgr_get()`/`fpga_mgr_put()` take, and the kernel
/// crate's `ARef` and `Device` accessors are not inlined across crates (measured with
/// `make bench`): `Device`'s `inc_ref`/`dec_ref`/`as_raw` and `Opaque::get` are not `#[inline]`
/// (`Documentation/upstream/0006-rust-device-inline-the-reference-counting-of-Device-and-FwNode.patch`,
/// `Documentation/upstream/0007-rust-types-inline-Opaque-s-constructors-and-pointer-accessors.patch`).
///
/// # Invariants
///
/// This handle owns a reference to `obj`'s device, which keeps `obj` valid, and a [`Get`] of
/// its lifecycle with `T::HOLD`.
pub struct Held<T: Object> {
    obj: NonNull<T>,
}

impl<T: Object> Held<T> {
    /// The handle of a get of `obj`: takes a reference to its device.
    ///
    /// # Safety
    ///
    /// `get` must be a get of `obj`'s lifecycle with `T::HOLD`.
    #[inline]
    pub(super) unsafe fn new(obj: &T, get: Get<'_>) -> Self {
        // SAFETY: `obj` is valid, so its device, which keeps it allocated, still has a
        // reference (the registration's or the caller's): taking another is valid.
        unsafe { bindings::get_device(obj.raw_dev()) };
        core::mem::forget(get);
        // INVARIANT: The device reference just taken and the get just forgotten are the
        // handle's.
        Self {
            obj: NonNull::from(obj),
        }
    }

    /// The handle's object.
    #[inline]
    pub fn obj(&self) -> &T {
        // SAFETY: By the type invariant `obj` is valid while `self` holds its device.
        unsafe { self.obj.as_ref() }
    }

    /// Hands the get to C: the returned pointer owns it (and the device reference) until
    /// [`Self::from_c`] takes it back.
    #[inline]
    pub fn into_c(self) -> *mut T::C {
        core::mem::ManuallyDrop::new(self).obj().as_c()
    }

    /// Takes back a get that [`Self::into_c`] handed to C.
    ///
    /// # Safety
    ///
    /// `ptr` must come from `into_c` of a `Held<T>`, and be taken back once.
    #[inline]
    pub unsafe fn from_c(ptr: *mut T::C) -> Self {
        // SAFETY: `ptr` carries a device reference and a get (caller's requirement), so the
        // object is valid.
        let obj = unsafe { T::from_c(ptr) };
        // INVARIANT: The get and device reference handed to C are owned again.
        Self {
            obj: NonNull::from(obj),
        }
    }
}

impl<T: Object> core::ops::Deref for Held<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        self.obj()
    }
}

/// Warns about a put without a matching get of the object whose device is `dev`, naming it.
#[cold]
#[inline(never)]
fn unbalanced_put(dev: *mut bindings::device) {
    // SAFETY: `dev` is the device of the object the caller put, whose lifecycle the put just
    // read: it is alive as long as the object is registered or referenced (a put after its last
    // reference is gone is a use after free in the caller, as with upstream's core).
    let dev: &kernel::device::Device = unsafe { kernel::device::Device::from_raw(dev) };
    kernel::dev_warn!(dev, "put without a matching get (a double put?), ignored\n");
}

impl<T: Object> Drop for Held<T> {
    #[inline]
    fn drop(&mut self) {
        let obj = self.obj();
        let life = obj.lifecycle();
        // An unbalanced put (a C caller's double put) owns nothing and changes nothing, not
        // even what `on_put` forgets.
        if !life.put_holder() {
            unbalanced_put(obj.raw_dev());
            return;
        }
        // Before the exclusive hold is given back: the next holder's state stays its own.
        obj.on_put();
        // SAFETY: By the type invariant this handle owns a get of `obj`'s lifecycle with
        // `T::HOLD`, whose holder was just counted out; it is given up here, once.
        unsafe { life.release(T::HOLD) };
        // SAFETY: Drops the handle's device reference, last: `obj` may be freed after this.
        unsafe { bindings::put_device(obj.raw_dev()) };
    }
}
