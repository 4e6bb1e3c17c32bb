// SPDX-License-Identifier: GPL-2.0

//! The ops in flight of one manager, bridge or region, as a lock lockdep can see (defect g).
//!
//! Unregistration waits, uninterruptibly, until the ops in flight have left (`lifecycle/mod.rs`).
//! If an op takes a lock that the unregistering task holds, that wait never ends, and nothing
//! tells why. kernfs has the same wait for its active references and gives it a lockdep map
//! ([`fs/kernfs/dir.c`](srctree/fs/kernfs/dir.c), `kernfs_drain()`); so does this: an op
//! read-acquires the map (as a trylock: starting an op never blocks), and unregistration
//! acquires it before it waits. An op that takes lock X records "ops -> X"; an unregistration
//! with X held records "X -> ops": lockdep reports the inversion the first time both orders
//! have been seen, instead of the machine hanging the one time they meet.
//!
//! Without `CONFIG_LOCKDEP` the map is empty and its calls compile to nothing.

#[cfg(CONFIG_LOCKDEP)]
use crate::ffi::bindings;
use kernel::prelude::*;

/// The lockdep map of one object's ops in flight. All objects of one core share its class.
#[cfg(CONFIG_LOCKDEP)]
#[pin_data]
pub struct OpsDepMap {
    #[pin]
    map: kernel::types::Opaque<bindings::lockdep_map>,
}

/// The lockdep map of one object's ops in flight: nothing without `CONFIG_LOCKDEP`.
#[cfg(not(CONFIG_LOCKDEP))]
pub struct OpsDepMap;

/// Where lockdep says the map was taken: its reports name this function.
#[cfg(CONFIG_LOCKDEP)]
fn ip() -> kernel::ffi::c_ulong {
    let f: fn() -> kernel::ffi::c_ulong = ip;
    f as kernel::ffi::c_ulong
}

#[cfg(CONFIG_LOCKDEP)]
impl OpsDepMap {
    /// A map named `name` (in lockdep's reports), of the class of this core's objects.
    pub fn new(name: &'static CStr) -> impl PinInit<Self> {
        let key = kernel::static_lock_class!();
        pin_init!(Self {
            // SAFETY: `map` is the pinned, uninitialised map being initialised; `name` and `key`
            // are static, as lockdep keeps pointers to them.
            map <- kernel::types::Opaque::ffi_init(move |map| unsafe {
                bindings::lockdep_init_map_type(
                    map,
                    name.as_char_ptr(),
                    key.as_ptr(),
                    0,
                    bindings::lockdep_wait_type_LD_WAIT_INV as u8,
                    bindings::lockdep_wait_type_LD_WAIT_INV as u8,
                    bindings::lockdep_lock_type_LD_LOCK_NORMAL as u8,
                )
            }),
        })
    }

    /// An op starts: a shared trylock of the map (`rwsem_acquire_read(map, 0, 1, ip)`).
    #[inline]
    pub fn acquire_op(&self) {
        // SAFETY: The map was initialised by `new` and is pinned.
        unsafe { bindings::lock_acquire(self.map.get(), 0, 1, 1, 1, core::ptr::null_mut(), ip()) };
    }

    /// Unregistration is about to wait for the ops: an exclusive acquisition
    /// (`rwsem_acquire(map, 0, 0, ip)`), which checks the locks the caller holds.
    pub fn acquire_unregister(&self) {
        // SAFETY: The map was initialised by `new` and is pinned.
        unsafe { bindings::lock_acquire(self.map.get(), 0, 0, 0, 1, core::ptr::null_mut(), ip()) };
    }

    /// Ends `acquire_op` or `acquire_unregister`, in the same task.
    #[inline]
    pub fn release(&self) {
        // SAFETY: The map is initialised and held by this task (caller's pairing).
        unsafe { bindings::lock_release(self.map.get(), ip()) };
    }
}

#[cfg(not(CONFIG_LOCKDEP))]
impl OpsDepMap {
    /// Nothing to initialise without lockdep.
    pub fn new(_name: &'static CStr) -> impl PinInit<Self> {
        Self
    }

    /// Nothing to record without lockdep.
    #[inline]
    pub fn acquire_op(&self) {}

    /// Nothing to record without lockdep.
    pub fn acquire_unregister(&self) {}

    /// Nothing to record without lockdep.
    #[inline]
    pub fn release(&self) {}
}

// SAFETY: lockdep synchronises its maps itself; the map is only handed to it.
#[cfg(CONFIG_LOCKDEP)]
unsafe impl Send for OpsDepMap {}
// SAFETY: Shared references only hand the map's address to lockdep, which synchronises its
// maps itself.
#[cfg(CONFIG_LOCKDEP)]
unsafe impl Sync for OpsDepMap {}
