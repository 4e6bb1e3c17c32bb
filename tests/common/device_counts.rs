// SPDX-License-Identifier: GPL-2.0

//! What the KUnit tests count on a device to prove that an image info gives back what it took:
//! the device's references and its devres entries.

use crate::bindings;

/// The reference count of a device (`kref_read(&dev->kobj.kref)`).
pub(crate) fn refcount(dev: *mut bindings::device) -> i32 {
    // SAFETY: `dev` is a live device; the counter is an aligned `int` that is only read here.
    unsafe { core::ptr::read_volatile(&raw const (*dev).kobj.kref.refcount.refs.counter) }
}

/// The number of devres entries of a device (the length of `dev->devres_head`).
pub(crate) fn devres_count(dev: *mut bindings::device) -> usize {
    // SAFETY: `dev` is a live device whose devres list only the test changes.
    let head = unsafe { &raw mut (*dev).devres_head };
    let mut n = 0;
    // SAFETY: The list is a valid, circular `list_head` list.
    let mut node = unsafe { (*head).next };
    while node != head {
        n += 1;
        // SAFETY: As above.
        node = unsafe { (*node).next };
    }
    n
}
