// SPDX-License-Identifier: GPL-2.0

//! Applying an overlay of this module's, and refusing it before anything is applied unless it
//! programs an FPGA region.
//!
//! The overlay core calls the overlay notifiers before it applies each fragment
//! (`OF_OVERLAY_PRE_APPLY`), all of them for one fragment before the next, and before it
//! changes the tree. This module's notifier runs first (priority 2: before fpga_region's, 1,
//! and of_fpga_region's, 0, which programs the region), acts only on the overlays this task
//! applies through [`apply`], and reads the whole overlay at its first notification, before
//! any region is programmed: the fragments that program (whose overlay sets `firmware-name` or
//! `external-fpga-config`, the properties of_fpga_region programs from) must target a node
//! compatible with `fpga-region` (else `EPERM`), a registered region's for `firmware-name`
//! (else `ENODEV`: of_fpga_region would ignore it), and there must be one (else `EPERM`).
//!
//! This keeps the module from being a general device-tree loader by mistake; it is no security
//! boundary (only root writes here, and the fragments that do not program may target any
//! node, as a design's devices do).

use crate::{
    bindings,
    ffi_overlay::{
        self,
        Applied, //
    },
    of_node::OfNode,
    orphans,
    overlay_notifier::{
        self,
        fragment_target,
        fragments,
        is_region,
        notifier_from_errno,
        overlay_root, //
    }, //
};
use core::ptr;
use kernel::{
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic,
        Relaxed,
        Release, //
    },
    task::Task, //
};

/// The overlay the current task applies, and what the notifier found in it.
struct ApplyCtx<'a> {
    /// The overlay's name (its item's), for the log.
    name: &'a CStr,
    /// The whole overlay was checked (at its first notification).
    checked: bool,
    /// Why the notifier refused the overlay.
    refusal: Option<Error>,
}

kernel::sync::global_lock! {
    // SAFETY: Initialised in the module's `init`, before the notifier and any item exist.
    pub(crate) unsafe(uninit) static APPLY: Mutex<()> = ();
}

/// The task applying an overlay of this module's (under [`APPLY`]), and its [`ApplyCtx`].
static APPLYING_TASK: Atomic<*mut bindings::task_struct> = Atomic::new(ptr::null_mut());
static APPLYING_CTX: Atomic<*mut core::ffi::c_void> = Atomic::new(ptr::null_mut());

/// Applies the overlay `blob` (of the item `name`) if it programs an FPGA region: `EPERM` if
/// it does not, else the errno of the application (of_fpga_region's programming among them).
/// Nothing stays applied on failure.
pub(crate) fn apply(name: &CStr, blob: &[u8]) -> Result<Applied> {
    let mut ctx = ApplyCtx {
        name,
        checked: false,
        refusal: None,
    };
    let _apply = APPLY.lock();
    APPLYING_CTX.store(ptr::from_mut(&mut ctx).cast(), Relaxed);
    APPLYING_TASK.store(Task::current_raw(), Release);
    // The notifier reads `ctx` from this task only, while this call runs.
    let result = ffi_overlay::apply_fdt(blob);
    APPLYING_TASK.store(ptr::null_mut(), Release);
    APPLYING_CTX.store(ptr::null_mut(), Relaxed);
    match result {
        Ok(applied) => Ok(applied),
        Err((err, partial)) => {
            // What the failed application left is removed before another can stack on it.
            if let Some(partial) = partial {
                orphans::remove(name.to_str().unwrap_or("?"), partial);
            }
            Err(ctx.refusal.unwrap_or(err))
        }
    }
}

/// Whether an FPGA region is registered for the node `node` (by of_fpga_region, whose
/// notifier programs it): `fpga_region_class_find()`, as `of_fpga_region_find()` does.
fn region_registered(node: &OfNode) -> bool {
    let np = node.as_raw();
    // SAFETY: `np` is only compared with the regions' nodes; a region found comes with a
    // reference to its device, put at once.
    unsafe {
        let region = bindings::fpga_region_class_find(
            ptr::null_mut(),
            np.cast_const().cast(),
            Some(bindings::device_match_of_node),
        );
        if region.is_null() {
            return false;
        }
        bindings::put_device(&raw mut (*region).dev);
    }
    true
}

/// Checks the whole overlay that `overlay` (the first notification's overlay node) belongs to.
///
/// # Safety
///
/// `overlay` must be a valid node of an overlay being applied, during its notification.
unsafe fn check(name: &str, overlay: *mut bindings::device_node) -> Result {
    let mut programs = false;
    // SAFETY: `overlay` is a node of an overlay being applied, valid during the notification.
    let root = overlay_root(unsafe { OfNode::from_raw(overlay) });
    for (fragment, ov) in fragments(&root) {
        let ov = ov.fwnode();
        let firmware = ov.property_present(c"firmware-name");
        if !firmware && !ov.property_present(c"external-fpga-config") {
            continue;
        }
        let Some(target) = fragment_target(&fragment) else {
            pr_err!(
                "overlay {}: fragment {} has no target\n",
                name,
                fragment.fwnode().display_name()
            );
            return Err(EINVAL);
        };
        if !is_region(&target) {
            pr_err!(
                "overlay {}: fragment {} programs {}, which is no FPGA region: refused\n",
                name,
                fragment.fwnode().display_name(),
                target.fwnode().display_name()
            );
            return Err(EPERM);
        }
        if firmware && !region_registered(&target) {
            pr_err!(
                "overlay {}: no FPGA region is registered for {} (of_fpga_region not loaded, or \
                 its manager missing): nothing would program it\n",
                name,
                target.fwnode().display_name()
            );
            return Err(ENODEV);
        }
        programs = true;
    }
    if !programs {
        pr_err!(
            "overlay {}: programs no FPGA region (no fragment sets firmware-name or \
             external-fpga-config): refused\n",
            name
        );
        return Err(EPERM);
    }
    Ok(())
}

/// Before fpga_region's (1) and of_fpga_region's (0) notifiers.
pub(crate) static NOTIFIER: overlay_notifier::Block = overlay_notifier::Block::new(notify, 2);

/// The overlay notifier callback: acts only on the overlays this task applies in [`apply`].
///
/// # Safety
///
/// Called by the overlay core only, with a `struct of_overlay_notify_data`.
unsafe extern "C" fn notify(
    _nb: *mut bindings::notifier_block,
    action: kernel::ffi::c_ulong,
    arg: *mut core::ffi::c_void,
) -> i32 {
    let action = action as bindings::of_overlay_notify_action;
    if action == bindings::of_overlay_notify_action_OF_OVERLAY_POST_REMOVE {
        // An overlay went: an orphan may go now (not here: `of_mutex` is held).
        orphans::retry_soon();
        return bindings::NOTIFY_OK as i32;
    }
    if action != bindings::of_overlay_notify_action_OF_OVERLAY_PRE_APPLY
        || APPLYING_TASK.load(Acquire) != Task::current_raw()
    {
        return bindings::NOTIFY_OK as i32;
    }
    // SAFETY: This task is applying an overlay in `apply`, whose `ctx` lives on its stack
    // until the application returns, and only this task uses it meanwhile.
    let ctx = unsafe { &mut *APPLYING_CTX.load(Relaxed).cast::<ApplyCtx<'_>>() };
    // SAFETY: The overlay core passes valid notify data.
    let nd = unsafe { &*arg.cast::<bindings::of_overlay_notify_data>() };
    if ctx.checked {
        return bindings::NOTIFY_OK as i32;
    }
    ctx.checked = true;
    // SAFETY: The notification's overlay node is valid while it runs.
    match unsafe { check(ctx.name.to_str().unwrap_or("?"), nd.overlay) } {
        Ok(()) => bindings::NOTIFY_OK as i32,
        Err(err) => {
            ctx.refusal = Some(err);
            notifier_from_errno(err.to_errno())
        }
    }
}
