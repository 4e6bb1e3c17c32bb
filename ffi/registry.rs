// SPDX-License-Identifier: GPL-2.0

//! The registered objects of one class, and the lock that orders every get against
//! unregistration.
//!
//! Each core keeps its registered managers, bridges or regions in a [`Registered`] list inside a
//! global spinlock (`kernel::sync::global_lock!`), in registration order. Holding that lock is
//! what makes a get safe: an object is taken off the list, with `GONE` set in its state, under
//! the lock when its unregistration begins, and its owner module's `exit()` unregisters it. So
//! an object found on the list (or not `GONE`) under the lock belongs to an owner whose
//! `struct module` is alive until the lock is released, and its device still holds the
//! registration's reference: the get pins the owner and takes its device reference there, in
//! one critical section (the LKML race between looking a device up and pinning its module).
//!
//! `fpga_mgr_get()`, `of_fpga_mgr_get()`, `fpga_bridge_get()` and `of_fpga_bridge_get()` look
//! objects up on this list instead of with `class_find_device()`: the same objects in the same
//! order (upstream's class list is also in registration order), found and pinned under one
//! spinlock where the class iteration takes and drops the class list's lock twice and a
//! reference on each node it passes (`Documentation/performance.rst`).

use super::{
    bindings,
    lifecycle::{Get, Held, Lifecycle, Object},
    protocol::{Hold, Refusal},
};
use core::{
    marker::PhantomData,
    ptr::{self, NonNull},
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    prelude::*,
    sync::{GlobalGuard, GlobalLockBackend},
};

/// An object's place on its class's [`Registered`] list: the next object, type-erased. Read and
/// written only under the list's lock (relaxed atomics only to make the field `Sync`).
/// The default is the link of an object on no list.
#[derive(Default)]
pub struct Link(AtomicPtr<core::ffi::c_void>);

impl Link {
    fn next<T>(&self) -> Option<NonNull<T>> {
        NonNull::new(self.0.load(Ordering::Relaxed).cast())
    }

    fn set_next<T>(&self, next: Option<NonNull<T>>) {
        self.0.store(
            next.map_or(ptr::null_mut(), |n| n.as_ptr().cast()),
            Ordering::Relaxed,
        );
    }
}

/// The registered objects of one class, in registration order, linked through the [`Link`] of
/// their lifecycles.
///
/// # Invariants
///
/// This is the one list of its class and lives in the class's global lock: a `Registered`
/// is reached only under that lock. Every object on it is registered, not `GONE`, and its device
/// holds the registration's reference (so the object is valid); its lifecycle's link is the
/// list's next object.
pub struct Registered<T: Object> {
    head: Option<NonNull<T>>,
    _objects: PhantomData<*const T>,
}

// SAFETY: The list hands out `&T` (shared between tasks: `T: Sync`) to whichever task holds its
// lock, and is only reached under that lock (type invariant).
unsafe impl<T: Object + Sync> Send for Registered<T> {}

impl<T: Object> Registered<T> {
    /// The empty list of a class.
    ///
    /// # Safety
    ///
    /// This must be the value of the class's one global lock that its gets and unregistrations
    /// take: a get under another list's lock would not be ordered against unregistration.
    pub const unsafe fn new() -> Self {
        // INVARIANT: Empty; the caller puts it into its class's lock.
        Self {
            head: None,
            _objects: PhantomData,
        }
    }

    /// The objects on the list, in registration order.
    fn iter(&self) -> impl Iterator<Item = &T> {
        let mut next = self.head;
        core::iter::from_fn(move || {
            // SAFETY: An object on the list is valid while the lock is held (type invariant),
            // and the list is borrowed from the lock's guard for as long as the iterator.
            let obj = unsafe { next?.as_ref() };
            next = obj.lifecycle().link.next();
            Some(obj)
        })
    }

    /// Puts a newly registered object at the end of the list: gets find it from now on.
    ///
    /// # Safety
    ///
    /// `obj` must be registered (its device added) and on no list, and must be taken off again
    /// with [`Self::unregister`] before the registration's device reference is dropped.
    pub unsafe fn publish(&mut self, obj: &T) {
        obj.lifecycle().link.set_next::<T>(None);
        let new = Some(NonNull::from(obj));
        let last = self.iter().last().map(NonNull::from);
        match last {
            // SAFETY: An object on the list is valid while the lock is held.
            Some(last) => unsafe { last.as_ref() }.lifecycle().link.set_next(new),
            None => self.head = new,
        }
        // INVARIANT: `obj` is registered and stays valid until it is taken off (the caller's
        // requirement); it is the new last object.
    }

    /// Unregisters `obj`, an object of this class: under the lock `registered` holds, takes it
    /// off the list and sets `GONE`, so that no get finds or pins it any more and its ops are
    /// refused; then releases the lock and sleeps (uninterruptibly) until its ops in flight have
    /// left. Returns the number of holders left (their calls now fail with `ENODEV`), or `None`
    /// if its unregistration had begun before.
    ///
    /// The guard is taken by value: the lock is released before the wait, which sleeps.
    pub fn unregister<B: GlobalLockBackend<Item = Self>>(
        mut registered: GlobalGuard<B>,
        obj: &T,
    ) -> Option<usize> {
        let first = registered.unpublish(obj.lifecycle());
        drop(registered);
        first.then(|| obj.lifecycle().wait_for_ops())
    }

    /// Takes the object of `life` off the list, if it is on it, and begins its unregistration
    /// (`GONE`). Returns whether its unregistration had not begun before.
    fn unpublish(&mut self, life: &Lifecycle) -> bool {
        let (mut prev, mut cur) = (None::<NonNull<T>>, self.head);
        while let Some(at) = cur {
            // SAFETY: An object on the list is valid while the lock is held.
            let obj = unsafe { at.as_ref() };
            let link = &obj.lifecycle().link;
            let next = link.next::<T>();
            if ptr::eq(obj.lifecycle(), life) {
                match prev {
                    // SAFETY: As above.
                    Some(prev) => unsafe { prev.as_ref() }.lifecycle().link.set_next(next),
                    None => self.head = next,
                }
                link.set_next::<T>(None);
                break;
            }
            (prev, cur) = (cur, next);
        }
        // INVARIANT: The object is off the list before its `GONE` is set, both under the lock.
        // SAFETY: `&mut self` holds the list's lock, and the object is off the list.
        unsafe { life.begin_unregister() }
    }

    /// Gets the first registered object that `found` accepts: pins its owner modules, counts a
    /// holder (taking the exclusive hold for [`Hold::Exclusive`] objects) and takes a reference
    /// to its device. Fails with `ENODEV` if there is none or its owner module is going away,
    /// and with `EBUSY` if someone holds it exclusively.
    #[inline]
    pub fn find_get(&mut self, found: impl Fn(&T) -> bool) -> Result<Held<T>> {
        let obj = self.iter().find(|obj| found(obj)).ok_or(ENODEV)?;
        self.get(obj)
    }

    /// Gets the first object registered for the parent device `parent` (`fpga_mgr_get()`,
    /// `fpga_bridge_get()`), as [`Self::find_get`] does; `parent` is only compared.
    #[inline]
    pub fn get_by_parent(&mut self, parent: *const bindings::device) -> Result<Held<T>> {
        // SAFETY: An object on the list is valid, and so is its device. `device_move()` may
        // change `parent` meanwhile (under the device lock): the pointer is only compared, as
        // upstream's match function does.
        self.find_get(|obj| ptr::eq(unsafe { (*obj.raw_dev()).parent }, parent))
    }

    /// Gets the first object whose device has the device-tree node `node` (`of_fpga_mgr_get()`,
    /// `of_fpga_bridge_get()`), as [`Self::find_get`] does; `node` is only compared.
    #[inline]
    pub fn get_by_of_node(&mut self, node: *const bindings::device_node) -> Result<Held<T>> {
        // SAFETY: An object on the list is valid, and so is its device.
        self.find_get(|obj| ptr::eq(unsafe { (*obj.raw_dev()).of_node }, node))
    }

    /// Gets `obj`, a registered object of this class whose device the caller holds a reference
    /// to, as [`Self::find_get`] does; fails with `ENODEV` once its unregistration began.
    #[inline]
    pub fn get(&self, obj: &T) -> Result<Held<T>> {
        let get = self.pin(obj, T::HOLD)?;
        // SAFETY: `get` is a get of `obj`'s lifecycle with `T::HOLD`.
        Ok(unsafe { Held::new(obj, get) })
    }

    /// Pins `obj`'s owner modules and counts a holder with `hold`, without a device reference:
    /// the caller holds one for as long as the returned [`Get`] (a region's programming).
    #[inline]
    pub fn pin<'a>(&self, obj: &'a T, hold: Hold) -> Result<Get<'a>, Refusal> {
        // SAFETY: `self` is reached only under the lock of `obj`'s class's list (type
        // invariant), under which its unregistration begins (`unpublish`); `obj` is valid for
        // `'a`.
        unsafe { obj.lifecycle().pin(hold) }
    }
}
