// SPDX-License-Identifier: GPL-2.0

//! The C conventions of the exported API: `ERR_PTR()` pointers and `0`/`-errno` returns.
//!
//! C header: [`include/linux/err.h`](srctree/include/linux/err.h)

use super::bindings;
use kernel::prelude::*;

/// Whether `p` is a real pointer (neither NULL nor an `ERR_PTR()`).
pub fn is_valid<T>(p: *const T) -> bool {
    !p.is_null() && (p as usize) < (-(bindings::MAX_ERRNO as isize)) as usize
}

/// The error of an `ERR_PTR()` (`PTR_ERR()`), or `None` for a real or NULL pointer.
pub fn ptr_err<T>(p: *const T) -> Option<Error> {
    (!p.is_null() && !is_valid(p)).then(|| Error::from_errno(p as isize as i32))
}

/// Converts a core result to the C convention for pointers.
pub fn to_ptr<T>(res: Result<*mut T>) -> *mut T {
    res.unwrap_or_else(|e| e.to_ptr())
}

/// Converts a core result to the C convention for status codes.
pub fn to_ret(res: Result) -> i32 {
    match res {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
