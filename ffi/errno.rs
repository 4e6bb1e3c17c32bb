// SPDX-License-Identifier: GPL-2.0

//! Errnos by name, as user-visible files show them (`status` of a configfs image or overlay),
//! and errnos the kernel crate has no constant for.
//!
//! C header: [`include/uapi/asm-generic/errno-base.h`](srctree/include/uapi/asm-generic/errno-base.h)

use super::bindings;
use kernel::prelude::*;

/// The error of an errno the kernel crate has no constant for (`bindings::EOPNOTSUPP`,
/// `bindings::ENAMETOOLONG`:
/// `Documentation/upstream/0002-rust-error-add-EOPNOTSUPP-and-ENAMETOOLONG.patch`).
pub fn errno(errno: u32) -> Error {
    Error::from_errno(-(errno as i32))
}

/// The symbolic name of an errno (`ENOENT`), for `status`, or `None` for one the table lacks.
///
/// The kernel's `errname()` (`lib/errname.c`) is compiled only with `CONFIG_SYMBOLIC_ERRNAME`,
/// and `status` is ABI: it must not change with the kernel's configuration. This table holds the
/// errnos that the FPGA core, the firmware loader, the overlay code and low-level drivers return.
pub fn errno_name(err: Error) -> Option<&'static str> {
    const NAMES: &[(u32, &str)] = &[
        (bindings::EPERM, "EPERM"),
        (bindings::ENOENT, "ENOENT"),
        (bindings::EINTR, "EINTR"),
        (bindings::EIO, "EIO"),
        (bindings::ENXIO, "ENXIO"),
        (bindings::E2BIG, "E2BIG"),
        (bindings::EAGAIN, "EAGAIN"),
        (bindings::ENOMEM, "ENOMEM"),
        (bindings::EACCES, "EACCES"),
        (bindings::EFAULT, "EFAULT"),
        (bindings::EBUSY, "EBUSY"),
        (bindings::EEXIST, "EEXIST"),
        (bindings::ENODEV, "ENODEV"),
        (bindings::EINVAL, "EINVAL"),
        (bindings::EFBIG, "EFBIG"),
        (bindings::ENOSPC, "ENOSPC"),
        (bindings::ERANGE, "ERANGE"),
        (bindings::ENAMETOOLONG, "ENAMETOOLONG"),
        (bindings::ENOSYS, "ENOSYS"),
        (bindings::ENODATA, "ENODATA"),
        (bindings::ETIME, "ETIME"),
        (bindings::EPROTO, "EPROTO"),
        (bindings::EBADMSG, "EBADMSG"),
        (bindings::EOVERFLOW, "EOVERFLOW"),
        (bindings::EILSEQ, "EILSEQ"),
        (bindings::EMSGSIZE, "EMSGSIZE"),
        (bindings::EOPNOTSUPP, "EOPNOTSUPP"),
        (bindings::ETIMEDOUT, "ETIMEDOUT"),
        (bindings::EALREADY, "EALREADY"),
        (bindings::EINPROGRESS, "EINPROGRESS"),
        (bindings::ECANCELED, "ECANCELED"),
        (bindings::EKEYREJECTED, "EKEYREJECTED"),
        (bindings::ERESTARTSYS, "ERESTARTSYS"),
        (bindings::EPROBE_DEFER, "EPROBE_DEFER"),
        (bindings::ENOTSUPP, "ENOTSUPP"),
    ];
    let errno = err.to_errno().unsigned_abs();
    NAMES
        .iter()
        .find(|(n, _)| *n == errno)
        .map(|(_, name)| *name)
}

/// Shows an errno by its name (`EIO`), or as `E<number>` for one [`errno_name`] lacks.
pub struct ErrnoName(pub Error);

impl core::fmt::Display for ErrnoName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match errno_name(self.0) {
            Some(name) => f.write_str(name),
            None => write!(f, "E{}", self.0.to_errno().unsigned_abs()),
        }
    }
}

/// For the kernel's print macros (`pr_err!`, `dev_err!`).
impl kernel::fmt::Display for ErrnoName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}
