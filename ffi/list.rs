// SPDX-License-Identifier: GPL-2.0

//! The C doubly linked list (`struct list_head`) that the bridge API puts bridges on.
//!
//! C header: [`include/linux/list.h`](srctree/include/linux/list.h). Its functions are
//! `static inline`, so the three the core needs are written here the same way.

use super::bindings::list_head;

/// Makes `head` an empty list (`INIT_LIST_HEAD()`).
///
/// # Safety
///
/// `head` must be valid for writes.
pub unsafe fn init(head: *mut list_head) {
    // SAFETY: `head` is valid (caller's requirement).
    unsafe {
        (*head).next = head;
        (*head).prev = head;
    }
}

/// Inserts `entry` right after `head` (`list_add()`).
///
/// # Safety
///
/// `head` must be a valid list and `entry` a valid entry that is on no list; the caller must
/// serialise changes to the list.
pub unsafe fn add(entry: *mut list_head, head: *mut list_head) {
    // SAFETY: All three nodes are valid (caller's requirement).
    unsafe {
        let next = (*head).next;
        (*next).prev = entry;
        (*entry).next = next;
        (*entry).prev = head;
        (*head).next = entry;
    }
}

/// Removes `entry` from its list and leaves it an empty list (`list_del_init()`).
///
/// # Safety
///
/// `entry` must be valid and on a valid list (or empty); the caller must serialise changes to the
/// list.
pub unsafe fn del_init(entry: *mut list_head) {
    // SAFETY: `entry` and its neighbours are valid (caller's requirement).
    unsafe {
        let (prev, next) = ((*entry).prev, (*entry).next);
        (*next).prev = prev;
        (*prev).next = next;
        init(entry);
    }
}

/// The first entry of `head`, or `None` if the list is empty.
///
/// # Safety
///
/// `head` must be a valid list.
pub unsafe fn first(head: *mut list_head) -> Option<*mut list_head> {
    // SAFETY: `head` is valid (caller's requirement).
    let next = unsafe { (*head).next };
    (next != head).then_some(next)
}

/// Every entry of `head`, in order; each is read before the caller sees the previous one, so
/// the caller may not remove entries while iterating (see [`first`] for draining a list).
///
/// # Safety
///
/// `head` must be a valid list that does not change while the iterator is used.
pub unsafe fn entries(head: *mut list_head) -> impl Iterator<Item = *mut list_head> {
    // SAFETY: `head` is valid (caller's requirement).
    let mut pos = unsafe { (*head).next };
    core::iter::from_fn(move || {
        if pos == head {
            return None;
        }
        let this = pos;
        // SAFETY: `this` is an entry of the valid list `head`.
        pos = unsafe { (*this).next };
        Some(this)
    })
}
