// SPDX-License-Identifier: GPL-2.0

//! `KOBJ_CHANGE` uevents on a class device, with `KEY=value` variables, so that user space
//! (udev, mdev, a netlink listener) learns of a load or a failure instead of polling sysfs.
//!
//! C header: [`include/linux/kobject.h`](srctree/include/linux/kobject.h)

use super::bindings;
use kernel::{device::Device, prelude::*, str::CString};

/// The most variables one event carries.
const MAX_VARS: usize = 4;

/// Sends a `KOBJ_CHANGE` uevent for `dev` with the variables `vars` (each `KEY=value`).
///
/// A uevent is a notification, not part of the operation it reports: when it cannot be sent (no
/// memory, no listener), the operation's own result stands, so the failure is only logged.
pub fn change(dev: &Device, vars: &[&CString]) {
    let mut envp = [core::ptr::null_mut::<u8>(); MAX_VARS + 1];
    for (slot, var) in envp.iter_mut().zip(vars.iter().take(MAX_VARS)) {
        *slot = var.as_char_ptr().cast_mut();
    }
    let kobj = {
        let raw = super::class::raw_device(dev);
        // SAFETY: `dev` is a valid device (a reference proves it); only the address of its
        // embedded kobject is taken.
        unsafe { &raw mut (*raw).kobj }
    };
    // SAFETY: `kobj` is the kobject of a registered device, which `dev` keeps alive for the call;
    // `envp` is a NULL-terminated array of NUL-terminated strings that outlive the call (the
    // function copies them into the event).
    let ret = unsafe {
        bindings::kobject_uevent_env(kobj, bindings::kobject_action_KOBJ_CHANGE, envp.as_mut_ptr())
    };
    if ret != 0 {
        dev_warn!(dev, "uevent not sent: {:?}\n", Error::from_errno(ret));
    }
}
