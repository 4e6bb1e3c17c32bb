// SPDX-License-Identifier: GPL-2.0

//! `KOBJ_CHANGE` uevents on a class device, with `KEY=value` variables, so that user space
//! (udev, mdev, a netlink listener) learns of a load or a failure instead of polling sysfs.
//!
//! Events are sent from an ordered work queue of the module's, in the order they were raised,
//! never from the caller: a uevent of a device with a device-tree node reads the tree's aliases
//! under `of_mutex` (`of_device_uevent()`), which an overlay being applied holds around the
//! programming it triggers.
//!
//! C header: [`include/linux/kobject.h`](srctree/include/linux/kobject.h)

use super::{
    bindings,
    workqueue::{
        OwnedQueue,
        QueueSlot, //
    }, //
};
use core::ptr;
use kernel::{
    device::Device,
    prelude::*,
    str::CString,
    sync::aref::ARef, //
};

/// The module's queue of uevents, while it is loaded.
static QUEUE: QueueSlot = QueueSlot::new();

/// The module's ordered uevent queue: created in its init, drained and destroyed when dropped
/// (at module exit, when no device of the module is left to raise events).
pub struct Queue {
    _queue: OwnedQueue,
}

impl Queue {
    /// Creates the module's queue, named `name`.
    pub fn new(name: &'static CStr) -> Result<Self> {
        Ok(Self {
            _queue: OwnedQueue::new(&QUEUE, name, true)?,
        })
    }
}

/// Raises a `KOBJ_CHANGE` uevent for `dev` with the variables `vars` (each `KEY=value`).
///
/// A uevent is a notification, not part of the operation it reports: when it cannot be queued
/// or sent (no memory, the device deleted meanwhile), the operation's own result stands, so the
/// failure is only logged.
pub fn change(dev: &Device, vars: KVec<CString>) {
    change_then(dev, vars, |_| {});
}

/// Raises a `KOBJ_CHANGE` uevent for `dev` with the variables `vars`, as [`change`] does, and
/// calls `sending` with the device in the queue's worker right before the event is sent.
/// Returns whether the event was queued (`sending` is dropped uncalled if it was not).
pub fn change_then(
    dev: &Device,
    vars: KVec<CString>,
    sending: impl FnOnce(&Device) + Send + 'static,
) -> bool {
    // SAFETY: This runs in an operation on one of the module's devices, and the module's queue
    // is dropped only at its exit, after they are gone.
    let Some(queue) = (unsafe { QUEUE.get() }) else {
        return false;
    };
    let dev = ARef::from(dev);
    match queue.try_spawn(GFP_KERNEL, move || {
        sending(&dev);
        send(&dev, &vars)
    }) {
        Ok(()) => true,
        Err(e) => {
            pr_warn!("uevent not queued: {:?}\n", Error::from(e));
            false
        }
    }
}

/// Sends the event, unless the device was deleted meanwhile. The check is unsynchronised with
/// `device_del()` (as the driver core's own readers of `state_in_sysfs` are): an event raised
/// just before its device goes may still be sent while it is being deleted.
fn send(dev: &Device, vars: &[CString]) {
    const MAX_VARS: usize = 4;
    let mut envp = [ptr::null_mut::<u8>(); MAX_VARS + 1];
    for (slot, var) in envp.iter_mut().zip(vars.iter().take(MAX_VARS)) {
        *slot = var.as_char_ptr().cast_mut();
    }
    let raw = bindings::raw_device(dev);
    // SAFETY: `dev` is referenced, so its kobject is valid memory; only the address of the
    // embedded kobject is taken.
    let kobj = unsafe { &raw mut (*raw).kobj };
    // SAFETY: `kobj` is valid (above); `state_in_sysfs` is set when the device is added and
    // cleared when it is deleted.
    if unsafe { (*kobj).state_in_sysfs() } == 0 {
        return;
    }
    // SAFETY: `kobj` is the kobject of a device that `dev` keeps alive; `envp` is a
    // NULL-terminated array of NUL-terminated strings that outlive the call (it copies them).
    let ret = unsafe {
        bindings::kobject_uevent_env(
            kobj,
            bindings::kobject_action_KOBJ_CHANGE,
            envp.as_mut_ptr(),
        )
    };
    if ret != 0 {
        dev_warn!(dev, "uevent not sent: {:?}\n", Error::from_errno(ret));
    }
}
