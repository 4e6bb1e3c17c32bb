// SPDX-License-Identifier: GPL-2.0

//! Applying an overlay of this module's, and refusing it before anything is applied unless it
//! programs an FPGA region.
//!
//! The overlay core calls the overlay notifiers before it applies each fragment
//! (`OF_OVERLAY_PRE_APPLY`), with the fragment's target in the live tree, and before it
//! changes the tree. This module's notifier runs first (priority 2: before fpga_region's, 1,
//! and of_fpga_region's, 0, which programs the region), and acts only on the overlays this
//! task applies through [`apply`]. At the first fragment it reads the whole overlay: the
//! fragments that program (whose overlay sets `firmware-name` or `external-fpga-config`, the
//! properties of_fpga_region programs from); none is `EPERM`. At each of those fragments, the
//! target must be an FPGA region (`compatible = "fpga-region"`), or `EPERM`.

use crate::{
    bindings,
    errno::ErrnoName,
    ffi_overlay::{self, Applied},
    overlay_notifier::{self, fwnode, is_symbols, notifier_from_errno},
};
use core::ptr;
use kernel::{
    device::property::FwNode,
    prelude::*,
    sync::atomic::{Acquire, Atomic, Relaxed, Release},
    task::Task,
};

/// The overlay the current task applies, and what the notifier found in it.
struct ApplyCtx<'a> {
    /// The overlay's name (its item's), for the log.
    name: &'a CStr,
    /// The whole overlay was read (at its first fragment).
    checked: bool,
    /// The overlay nodes (`fragment@N/__overlay__`) of the fragments that program.
    programming: KVec<usize>,
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
        programming: KVec::new(),
        refusal: None,
    };
    let result = {
        let _apply = APPLY.lock();
        APPLYING_CTX.store(ptr::from_mut(&mut ctx).cast(), Relaxed);
        APPLYING_TASK.store(Task::current_raw(), Release);
        // The notifier reads `ctx` from this task only, while this call runs.
        let result = ffi_overlay::apply_fdt(blob);
        APPLYING_TASK.store(ptr::null_mut(), Release);
        APPLYING_CTX.store(ptr::null_mut(), Relaxed);
        result
    };
    match result {
        Ok(applied) => Ok(applied),
        Err((err, partial)) => {
            if let Some(partial) = partial {
                if let Err((partial, e)) = partial.remove() {
                    pr_err!(
                        "overlay {}: its failed application not removed: {}\n",
                        name.to_str().unwrap_or("?"),
                        ErrnoName(e)
                    );
                    partial.leak();
                }
            }
            Err(ctx.refusal.unwrap_or(err))
        }
    }
}

/// The address that identifies a node's firmware node in [`ApplyCtx::programming`].
fn id(node: &FwNode) -> usize {
    ptr::from_ref(node) as usize
}

/// Whether the overlay of a fragment programs a region (of_fpga_region's properties).
fn programs(overlay: &FwNode) -> bool {
    overlay.property_present(c"firmware-name") || overlay.property_present(c"external-fpga-config")
}

/// Before the fragment of `overlay` is applied to `target`.
///
/// # Safety
///
/// `target` and `overlay` must be the valid nodes of an `OF_OVERLAY_PRE_APPLY` notification.
unsafe fn pre_apply(
    ctx: &mut ApplyCtx<'_>,
    target: *mut bindings::device_node,
    overlay: *mut bindings::device_node,
) -> Result {
    let name = ctx.name.to_str().unwrap_or("?");
    if !ctx.checked {
        ctx.checked = true;
        // The overlay's root: the parent of `__symbols__` (the core's last fragment), else the
        // parent of the fragment whose `__overlay__` this is.
        // SAFETY: `target` is valid (this function's requirement).
        let symbols = unsafe { is_symbols(target) };
        // SAFETY: The overlay's nodes are valid and keep their parents during the
        // notification; a fragment's overlay has a fragment and a root above it.
        let root = unsafe {
            if symbols {
                (*overlay).parent
            } else {
                (*(*overlay).parent).parent
            }
        };
        if root.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: `root` is a valid node of the overlay during the notification.
        for fragment in unsafe { fwnode(root) }.children() {
            if let Some(ov) = fragment.get_child_by_name(c"__overlay__") {
                if programs(&ov) {
                    ctx.programming.push(id(&ov), GFP_KERNEL)?;
                }
            }
        }
        if ctx.programming.is_empty() {
            pr_err!(
                "overlay {}: programs no FPGA region (no fragment sets firmware-name or \
                 external-fpga-config): refused\n",
                name
            );
            return Err(EPERM);
        }
    }
    // SAFETY: `overlay` is valid during the notification.
    if !ctx.programming.contains(&id(unsafe { fwnode(overlay) })) {
        return Ok(());
    }
    // SAFETY: `target` is a valid node of the live tree during the notification.
    let target_fw = unsafe { fwnode(target) };
    if target_fw
        .property_match_string(c"compatible", c"fpga-region")
        .is_err()
    {
        pr_err!(
            "overlay {}: a fragment that programs targets {}, which is no FPGA region: refused\n",
            name,
            target_fw.display_name()
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
    // SAFETY: The notification's nodes are valid while it runs.
    match unsafe { pre_apply(ctx, nd.target, nd.overlay) } {
        Ok(()) => bindings::NOTIFY_OK as i32,
        Err(err) => {
            ctx.refusal = Some(err);
            notifier_from_errno(err.to_errno())
        }
    }
}
