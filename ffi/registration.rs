// SPDX-License-Identifier: GPL-2.0

//! The argument checks and copies every registration makes (`__fpga_mgr_register_full()`,
//! `__fpga_bridge_register()`, `__fpga_region_register_full()`), with upstream's messages.
//!
//! Upstream: [`drivers/fpga/fpga-mgr.c`](srctree/drivers/fpga/fpga-mgr.c),
//! [`drivers/fpga/fpga-bridge.c`](srctree/drivers/fpga/fpga-bridge.c),
//! [`drivers/fpga/fpga-region.c`](srctree/drivers/fpga/fpga-region.c)

use super::bindings;
use core::ptr;
use kernel::{
    device::Device,
    prelude::*, //
};

/// The parent device of a registration of an FPGA `what` ("manager", "bridge", "region"):
/// `EINVAL` for NULL.
///
/// # Safety
///
/// A non-NULL `parent` must be a valid device for `'a`.
pub unsafe fn parent<'a>(parent: *mut bindings::device, what: &str) -> Result<&'a Device> {
    if parent.is_null() {
        pr_err!(
            "Attempt to register an FPGA {} without a parent device\n",
            what
        );
        return Err(EINVAL);
    }
    // SAFETY: `parent` is a valid device for `'a` (caller's requirement).
    Ok(unsafe { Device::from_raw(parent) })
}

/// The core's own copy of the registration's name, with its NUL (upstream borrows the
/// driver's, hole L9): `EINVAL` for NULL or empty.
///
/// # Safety
///
/// A non-NULL `name` must be a NUL-terminated string.
pub unsafe fn name_copy(parent: &Device, name: *const u8) -> Result<KVec<u8>> {
    // SAFETY: A non-NULL `name` is a NUL-terminated string (caller's requirement).
    let name = (!name.is_null()).then(|| unsafe { CStr::from_char_ptr(name) });
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        dev_err!(parent, "Attempt to register with no name!\n");
        return Err(EINVAL);
    };
    let mut copy = KVec::with_capacity(name.to_bytes_with_nul().len(), GFP_KERNEL)?;
    copy.extend_from_slice(name.to_bytes_with_nul(), GFP_KERNEL)?;
    Ok(copy)
}

/// A copy of the registration's compat id, if it gives one.
///
/// # Safety
///
/// A non-NULL `id` must point to a valid `struct fpga_compat_id`.
pub unsafe fn compat_id_copy(
    id: *const bindings::fpga_compat_id,
) -> Option<bindings::fpga_compat_id> {
    // SAFETY: A non-NULL `id` is valid (caller's requirement).
    (!id.is_null()).then(|| unsafe { ptr::read(id) })
}

/// Initialises the C struct's own mutex (`ref_mutex`, `mutex`), which the core does not use
/// but C code may (upstream initialises it at registration).
///
/// # Safety
///
/// `mutex` must point to writable memory for a `struct mutex` that is not in use.
pub unsafe fn init_c_mutex(mutex: *mut bindings::mutex, name: &'static CStr) {
    // SAFETY: `mutex` is writable and unused (caller's requirement); the name and the class
    // key are static.
    unsafe {
        bindings::__mutex_init(
            mutex,
            name.as_char_ptr(),
            kernel::static_lock_class!().as_ptr(),
        )
    };
}
