// SPDX-License-Identifier: GPL-2.0

//! `/sys/class/fpga_region/regionN/compat_id`, with upstream's format.
//!
//! ABI: `Documentation/ABI/testing/sysfs-class-fpga-region`.
//!
//! Upstream: [`drivers/fpga/fpga-region.c`](srctree/drivers/fpga/fpga-region.c)

use crate::{
    ffi::{
        bindings,
        sysfs::emit_lines, //
    },
    region::Region, //
};
use kernel::{
    prelude::*,
    str::CString, //
};

/// `compat_id`: the region's compatibility id as 32 hex digits (`id_h` then `id_l`), or
/// `-ENOENT` if it has none.
///
/// # Safety
///
/// Called by sysfs only, for the device of a region registered by this core; `buf` is the sysfs
/// page.
pub(crate) unsafe extern "C" fn compat_id_show(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut u8,
) -> isize {
    // SAFETY: sysfs calls this for a registered region's device, holding it active.
    let r = unsafe { Region::from_dev(dev) };
    let Some(id) = r.compat_id() else {
        return ENOENT.to_errno() as isize;
    };
    match CString::try_from_fmt(fmt!("{:016x}{:016x}", id.id_h, id.id_l)) {
        // SAFETY: `buf` is the sysfs page.
        Ok(line) => unsafe { emit_lines(buf, [line.to_bytes()]) },
        Err(e) => e.to_errno() as isize,
    }
}
