// SPDX-License-Identifier: GPL-2.0

//! The registered objects of one class, and the lock that orders every get against
//! unregistration.
//!
//! Each core keeps its registered managers, bridges or regions in a [`Registry`] registry
//! inside a global spinlock (`kernel::sync::global_lock!`). Holding that lock is what makes a
//! get safe: an object is taken out of the registry, with `GONE` set in its state, under the lock
//! when its unregistration begins, and its owner module's `exit()` unregisters it. So an object
//! found in the registry (or not `GONE`) under the lock belongs to an owner whose `struct module`
//! is alive until the lock is released, and its device still holds the registration's
//! reference: the get pins the owner and takes its device reference there, in one critical
//! section (the LKML race between looking a device up and pinning its module).
//!
//! `fpga_mgr_get()`, `of_fpga_mgr_get()`, `fpga_bridge_get()` and `of_fpga_bridge_get()` look
//! objects up in this registry instead of with `class_find_device()`: the same object (the
//! first registered of those that match, as upstream's class list is in registration order),
//! found in O(log N) and pinned under one spinlock, where the class iteration is O(N), takes and
//! drops the class list's lock twice and a reference on each node it passes
//! (`Documentation/performance.rst`).
//!
//! Replaces: `class_find_device()` of [`drivers/base/class.c`](srctree/drivers/base/class.c) on the get paths

use super::{
    protocol::{
        Hold,
        Refusal, //
    },
    Get,
    Held,
    Object, //
};
use crate::ffi::bindings;
use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    prelude::*,
    rbtree::{
        RBTree,
        RBTreeNodeReservation, //
    },
    sync::{
        GlobalGuard,
        GlobalLockBackend, //
    }, //
};

/// The key of an object in an index of gets: what the gets look up (a parent device's or a
/// device-tree node's address), then the object's registration number, so that the first key
/// at or above `(address, 0)` is the first-registered object with that address.
type Key = (usize, u64);

/// Where one registered object is filed: its registration number and the addresses it is
/// indexed under (its device's parent and device-tree node at registration).
struct Filed<T> {
    obj: NonNull<T>,
    seq: u64,
    parent: usize,
    node: usize,
}

/// The indexes of a class's registered objects.
///
/// # Invariants
///
/// Each registered object is in all three, under its address, its `(parent, seq)` and its
/// `(node, seq)` keys, and no other object is in any.
struct Index<T> {
    /// Every registered object, by its address.
    objects: RBTree<usize, Filed<T>>,
    /// The gets by parent device (`fpga_mgr_get()`, `fpga_bridge_get()`).
    by_parent: RBTree<Key, NonNull<T>>,
    /// The gets by device-tree node (`of_fpga_mgr_get()`, `of_fpga_bridge_get()`).
    by_node: RBTree<Key, NonNull<T>>,
}

/// The memory to file one object in a class's indexes, allocated before the registry's
/// spinlock is taken ([`Registry::publish`]).
pub struct Filing<T> {
    objects: RBTreeNodeReservation<usize, Filed<T>>,
    by_parent: RBTreeNodeReservation<Key, NonNull<T>>,
    by_node: RBTreeNodeReservation<Key, NonNull<T>>,
}

impl<T> Filing<T> {
    /// Allocates the index entries of one registration (three tree nodes).
    pub fn new() -> Result<Self> {
        Ok(Self {
            objects: RBTreeNodeReservation::new(GFP_KERNEL)?,
            by_parent: RBTreeNodeReservation::new(GFP_KERNEL)?,
            by_node: RBTreeNodeReservation::new(GFP_KERNEL)?,
        })
    }
}

/// The registered objects of one class, indexed by what the gets look up.
///
/// Everything the registry knows is here, owned by the class's global lock: the objects carry
/// no link of their own, so no field of theirs is written under a lock that does not own it.
/// A get by parent or device-tree node is a lookup in a red-black tree (`kernel::rbtree`),
/// O(log N) in the number of registered objects, where upstream's `class_find_device()` walks
/// the class's list (`Documentation/performance.rst`); among objects with the same parent (or
/// node), the first registered is found, as upstream finds it.
///
/// The index is filed under the parent and node an object's device has when it is published.
/// Upstream compares the device's parent at each lookup; only `device_move()` (which nothing
/// does to an FPGA class device) could make the two differ.
///
/// # Invariants
///
/// This is the one registry of its class and lives in the class's global lock: a `Registry`
/// is reached only under that lock. Every object in its index is registered, not `GONE`, and
/// its device holds the registration's reference (so the object is valid).
pub struct Registry<T: Object> {
    /// The indexes, created at the first registration (`RBTree::new()` is not `const`).
    index: Option<Index<T>>,
    /// The registration number of the next object.
    next_seq: u64,
}

// SAFETY: The registry hands out `&T` (shared between tasks: `T: Sync`) to whichever task
// holds its lock, and is only reached under that lock (type invariant).
unsafe impl<T: Object + Sync> Send for Registry<T> {}

impl<T: Object> Registry<T> {
    /// The empty registry of a class.
    ///
    /// # Safety
    ///
    /// This must be the value of the class's one global lock that its gets and unregistrations
    /// take: a get under another registry's lock would not be ordered against unregistration.
    pub const unsafe fn new() -> Self {
        // INVARIANT: Empty; the caller puts it into its class's lock.
        Self {
            index: None,
            next_seq: 0,
        }
    }

    /// Files a newly registered object, with the memory `filing` holds: gets find it from now
    /// on.
    ///
    /// # Safety
    ///
    /// `obj` must be registered (its device added) and not filed yet, and must be taken off
    /// again with [`Self::unregister`] before the registration's device reference is dropped.
    pub unsafe fn publish(&mut self, obj: &T, filing: Filing<T>) {
        let seq = self.next_seq;
        // A registration a nanosecond for 584 years would wrap it.
        self.next_seq = seq.wrapping_add(1);
        let dev = obj.raw_dev();
        // SAFETY: `obj` is registered, so its device is valid; its parent and node are only
        // taken as keys.
        let (parent, node) = unsafe { ((*dev).parent as usize, (*dev).of_node as usize) };
        let at = NonNull::from(obj);
        let index = self.index.get_or_insert_with(|| Index {
            objects: RBTree::new(),
            by_parent: RBTree::new(),
            by_node: RBTree::new(),
        });
        // No key is in use: `obj` is not filed, and `seq` is new. A replaced node would be
        // dropped here (freed), never leaked.
        let filed = Filed {
            obj: at,
            seq,
            parent,
            node,
        };
        let (objects, by_parent, by_node) = (
            filing.objects.into_node(at.as_ptr() as usize, filed),
            filing.by_parent.into_node((parent, seq), at),
            filing.by_node.into_node((node, seq), at),
        );
        drop(index.objects.insert(objects));
        drop(index.by_parent.insert(by_parent));
        drop(index.by_node.insert(by_node));
        // INVARIANT: `obj` is registered and stays valid until it is taken off (the caller's
        // requirement); it is in the three indexes.
    }

    /// Unregisters `obj`, an object of this class: under the lock `registered` holds, takes it
    /// out of the indexes and sets `GONE`, so that no get finds or pins it any more and its ops are
    /// refused; then releases the lock and sleeps (uninterruptibly) until its ops in flight have
    /// left. Returns the number of holders left (their calls now fail with `ENODEV`), or `None`
    /// if its unregistration had begun before.
    ///
    /// The guard is taken by value: the lock is released before the wait, which sleeps.
    pub fn unregister<B: GlobalLockBackend<Item = Self>>(
        mut registered: GlobalGuard<B>,
        obj: &T,
    ) -> Option<usize> {
        let first = registered.unpublish(obj);
        drop(registered);
        first.then(|| obj.lifecycle().wait_for_ops())
    }

    /// Takes `obj` out of the indexes, if it is in them, and begins its unregistration
    /// (`GONE`). Returns whether its unregistration had not begun before.
    fn unpublish(&mut self, obj: &T) -> bool {
        if let Some(index) = self.index.as_mut() {
            if let Some(filed) = index.objects.remove(&(ptr::from_ref(obj) as usize)) {
                let _ = index.by_parent.remove(&(filed.parent, filed.seq));
                let _ = index.by_node.remove(&(filed.node, filed.seq));
            }
        }
        // INVARIANT: The object is out of the indexes before its `GONE` is set, both under the
        // lock.
        // SAFETY: `&mut self` holds the registry's lock, and the object is out of it.
        unsafe { obj.lifecycle().begin_unregister() }
    }

    /// Gets the first-registered object that `found` accepts: pins its owner modules, counts a
    /// holder (taking the exclusive hold for [`Hold::Exclusive`] objects) and takes a reference
    /// to its device. Fails with `ENODEV` if there is none or its owner module is going away,
    /// and with `EBUSY` if someone holds it exclusively. O(N): for the rare lookups that are by
    /// neither parent nor node (`fpga_mgr_get_current()` after a driver's reload).
    pub fn find_get(&mut self, found: impl Fn(&T) -> bool) -> Result<Held<T>> {
        let index = self.index.as_ref().ok_or(ENODEV)?;
        let first = index
            .objects
            .values()
            // SAFETY: An object in the index is valid while the lock is held (type invariant).
            .filter(|filed| found(unsafe { filed.obj.as_ref() }))
            .min_by_key(|filed| filed.seq)
            .ok_or(ENODEV)?;
        // SAFETY: `first` is in the index, and an object in the index is valid while the lock is
        // held (type invariant).
        self.get(unsafe { first.obj.as_ref() })
    }

    /// The first-registered object filed under `address` in `tree`.
    #[inline]
    fn first_at(tree: &RBTree<Key, NonNull<T>>, address: usize) -> Option<NonNull<T>> {
        let cursor = tree.cursor_lower_bound(&(address, 0))?;
        let (&(at, _), &obj) = cursor.current();
        (at == address).then_some(obj)
    }

    /// Gets the first object registered for the parent device `parent` (`fpga_mgr_get()`,
    /// `fpga_bridge_get()`), as [`Self::find_get`] does; `parent` is only compared. O(log N).
    #[inline]
    pub fn get_by_parent(&mut self, parent: *const bindings::device) -> Result<Held<T>> {
        let index = self.index.as_ref().ok_or(ENODEV)?;
        let obj = Self::first_at(&index.by_parent, parent as usize).ok_or(ENODEV)?;
        // SAFETY: An object in the index is valid while the lock is held (type invariant).
        self.get(unsafe { obj.as_ref() })
    }

    /// Gets the first object whose device has the device-tree node `node` (`of_fpga_mgr_get()`,
    /// `of_fpga_bridge_get()`), as [`Self::find_get`] does; `node` is only compared. O(log N).
    #[inline]
    pub fn get_by_of_node(&mut self, node: *const bindings::device_node) -> Result<Held<T>> {
        let index = self.index.as_ref().ok_or(ENODEV)?;
        let obj = Self::first_at(&index.by_node, node as usize).ok_or(ENODEV)?;
        // SAFETY: An object in the index is valid while the lock is held (type invariant).
        self.get(unsafe { obj.as_ref() })
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
        // SAFETY: `self` is reached only under the lock of `obj`'s class's registry (type
        // invariant), under which its unregistration begins (`unpublish`); `obj` is valid for
        // `'a`.
        unsafe { obj.lifecycle().pin(hold) }
    }
}
