// SPDX-License-Identifier: GPL-2.0

//! Helpers the KUnit modules share: C views of Rust objects and what the tests measure.

use crate::bindings;

/// The C errno of an `ERR_PTR()`, or 0 for a real pointer.
pub(crate) fn ptr_err<T>(p: *mut T) -> i32 {
    kernel::error::from_err_ptr(p)
        .err()
        .map_or(0, |e| e.to_errno())
}

/// This module's reference count: the pins on every test object it owns.
pub(crate) fn module_refs() -> i32 {
    // SAFETY: This module is live while its tests run.
    unsafe { bindings::module_refcount(crate::THIS_MODULE.as_ptr()) }
}
