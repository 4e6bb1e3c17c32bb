// SPDX-License-Identifier: GPL-2.0

//! The overlay of a configfs image on a device-tree region: its fragments all target the
//! region's node; applied on load (the image's properties and devices), removed on unload.
//!
//! The region is programmed *inside* the overlay's application, from this module's overlay
//! notifier, before the overlay core adds the overlay's devices: program first, then populate,
//! as of_fpga_region does for overlays applied in the kernel. The image's settings come first;
//! the overlay's `firmware-name` (which must then agree with `firmware`), its
//! `*-fpga-config` flags and its timeouts complete them, and its `fpga-bridges` reach the
//! region's `get_bridges` through `info->overlay`. of_fpga_region's notifier, which runs after
//! this one, leaves such an overlay alone (`fpga_region_overlay_claim()` answers it is a load's).
//!
//! C header: [`include/linux/of.h`](srctree/include/linux/of.h) (`of_overlay_fdt_apply()`).

use crate::{
    failure::{
        AtStep,
        Failure,
        Step, //
    },
    ffi::{
        bindings,
        of_node::OfNode,
        overlay as ffi_overlay,
        overlay_notifier::{
            self,
            is_symbols,
            notifier_from_errno, //
        }, //
    },
    image::{
        info_of,
        program_with,
        Settings, //
    },
    region::Region, //
};
use core::ptr;
use kernel::{
    firmware::Firmware,
    prelude::*,
    str::CString,
    sync::atomic::{
        Acquire,
        Atomic,
        Relaxed,
        Release, //
    },
    task::Task, //
};

pub(crate) use crate::ffi::overlay::Applied;

/// Whether `region` takes overlays: a device-tree region (its device has a node), with overlay
/// support in the kernel.
pub(crate) fn supported(region: &Region) -> bool {
    // SAFETY: The region's device is initialised; `of_node` is set at registration.
    cfg!(CONFIG_OF_OVERLAY) && !unsafe { (*region.raw_dev()).of_node }.is_null()
}

/// The load whose overlay the current task applies.
struct LoadCtx<'a> {
    region: &'a Region,
    settings: &'a Settings,
    /// The region was programmed (by the first fragment that targets it).
    programmed: bool,
    /// The step that failed inside the application.
    failure: Option<Failure>,
}

kernel::sync::global_lock! {
    // SAFETY: Initialised in `Notifier::register`, before any load can apply an overlay.
    unsafe(uninit) static APPLY: Mutex<()> = ();
}

/// The task applying a load's overlay (under [`APPLY`]), and its load. Only that task reads
/// `APPLYING_CTX` (the notifier checks `APPLYING_TASK` first), so its own program order orders
/// the accesses: relaxed suffices for it.
static APPLYING_TASK: Atomic<*mut bindings::task_struct> = Atomic::new(ptr::null_mut());
static APPLYING_CTX: Atomic<*mut core::ffi::c_void> = Atomic::new(ptr::null_mut());

/// Loads the overlay file `name` onto `region` for the image `image`, which owns the region's
/// image: programs the region (from [`notify`]) and adds the overlay's devices.
pub(crate) fn load(
    region: &Region,
    image: usize,
    name: &CStr,
    settings: &Settings,
) -> Result<Applied, Failure> {
    let fw = Firmware::request(name, region.dev())
        .inspect_err(|e| {
            dev_err!(
                region.dev(),
                "overlay file {}: {:?}\n",
                name.to_str().unwrap_or("?"),
                e
            )
        })
        .at(Step::Overlay)?;
    let mut ctx = LoadCtx {
        region,
        settings,
        programmed: false,
        failure: None,
    };
    let result = {
        let _apply = APPLY.lock();
        region.owner().set_applying(image, true);
        APPLYING_CTX.store(ptr::from_mut(&mut ctx).cast(), Relaxed);
        APPLYING_TASK.store(Task::current_raw(), Release);
        // The notifier reads `ctx` from this task only, while this call runs.
        let result = ffi_overlay::apply_fdt(fw.data());
        APPLYING_TASK.store(ptr::null_mut(), Release);
        APPLYING_CTX.store(ptr::null_mut(), Relaxed);
        region.owner().set_applying(image, false);
        result
    };
    let (err, applied) = match result {
        Ok(applied) if ctx.programmed => return Ok(applied),
        Ok(applied) => (None, Some(applied)),
        Err((err, applied)) => (Some(err), applied),
    };
    let failure = match (err, ctx.failure) {
        (None, _) => {
            dev_err!(
                region.dev(),
                "overlay {} has no fragment for the region's node\n",
                name.to_str().unwrap_or("?")
            );
            Failure::new(Step::Overlay, EINVAL)
        }
        (Some(_), Some(failure)) => failure,
        (Some(err), None) => {
            dev_err!(
                region.dev(),
                "overlay {} could not be applied: {:?}\n",
                name.to_str().unwrap_or("?"),
                err
            );
            Failure::new(
                if ctx.programmed {
                    Step::Populate
                } else {
                    Step::Overlay
                },
                err,
            )
        }
    };
    // What was applied goes (a partial changeset, or an overlay that programmed nothing); a
    // programmed region's bridges are frozen again.
    if let Some(applied) = applied {
        if let Err((applied, e)) = applied.remove() {
            dev_err!(region.dev(), "failed overlay {:?} not removed\n", e);
            applied.leak();
        }
    }
    if ctx.programmed {
        let mut info = info_of(settings);
        // SAFETY: `info` is valid for the call. The region core logs each bridge it cannot
        // freeze; the load fails either way.
        let _ = unsafe { region.freeze_bridges_with(&mut info) };
    }
    Err(failure)
}

/// The region's node (its device's).
fn node(region: &Region) -> *mut bindings::device_node {
    // SAFETY: The region's device is initialised; `of_node` is set at registration.
    unsafe { (*region.raw_dev()).of_node }
}

/// Before a fragment of a load's overlay is applied to `target`: refuses a fragment for another
/// node, and programs the region with the first fragment for it.
fn pre_apply(ctx: &mut LoadCtx<'_>, target: &OfNode, overlay: &OfNode) -> Result<(), Failure> {
    let region = ctx.region;
    if is_symbols(target) {
        // The overlay's own labels (a .dtbo built with `dtc -@`): the overlay core adds them to
        // the live tree's `/__symbols__` as a last fragment of its own. No device, no image.
        return Ok(());
    }
    if target.as_raw() != node(region) {
        let target_name = target.full_name();
        dev_err!(
            region.dev(),
            "overlay fragment targets node '{}', not the region's node\n",
            target_name.to_str().unwrap_or("?")
        );
        return Err(Failure::new(Step::Overlay, EINVAL));
    }
    if ctx.programmed {
        return Ok(());
    }
    let ov = overlay.fwnode();
    let settings = ctx.settings;
    let mut info = info_of(settings);
    let overlay_firmware = if ov.property_present(c"firmware-name") {
        let Some(name) = ov.property_read::<CString>(c"firmware-name").optional() else {
            dev_err!(
                region.dev(),
                "overlay's firmware-name cannot be read as a string\n"
            );
            return Err(Failure::new(Step::Overlay, EINVAL));
        };
        Some(name)
    } else {
        None
    };
    let firmware = match (&settings.firmware, &overlay_firmware) {
        (Some(ours), Some(theirs)) if ours.to_bytes() != theirs.to_bytes() => {
            dev_err!(
                region.dev(),
                "overlay's firmware-name {} is not the image's firmware {}\n",
                theirs.to_str().unwrap_or("?"),
                ours.to_str().unwrap_or("?")
            );
            return Err(Failure::new(Step::Overlay, EINVAL));
        }
        (Some(ours), _) => Some(ours),
        (None, theirs) => theirs.as_ref(),
    };
    for (prop, flag) in [
        (c"partial-fpga-config", bindings::FPGA_MGR_PARTIAL_RECONFIG),
        (c"external-fpga-config", bindings::FPGA_MGR_EXTERNAL_CONFIG),
        (
            c"encrypted-fpga-config",
            bindings::FPGA_MGR_ENCRYPTED_BITSTREAM,
        ),
    ] {
        if ov.property_read_bool(prop) {
            info.flags |= flag;
        }
    }
    let or_overlay = |ours: u32, prop: &CStr| {
        if ours != 0 {
            ours
        } else {
            ov.property_read::<u32>(prop).or(0)
        }
    };
    info.enable_timeout_us = or_overlay(settings.enable_timeout_us, c"region-unfreeze-timeout-us");
    info.disable_timeout_us = or_overlay(settings.disable_timeout_us, c"region-freeze-timeout-us");
    info.config_complete_timeout_us = or_overlay(
        settings.config_complete_timeout_us,
        c"config-complete-timeout-us",
    );
    match firmware {
        Some(name) => info.firmware_name = name.as_char_ptr().cast_mut(),
        None => {
            dev_err!(
                region.dev(),
                "no image: neither firmware nor the overlay's firmware-name is set\n"
            );
            return Err(Failure::new(Step::Image, EINVAL));
        }
    }
    info.overlay = overlay.as_raw();
    ctx.programmed = true;
    let result = program_with(region, &mut info);
    if result.is_err() {
        // Nothing to freeze: a failed programming gave its claims up.
        ctx.programmed = false;
    }
    result
}

/// Before of_fpga_region's notifier (priority 0), which must find the load's overlay claimed.
static NOTIFIER: overlay_notifier::Block = overlay_notifier::Block::new(notify, 1);

/// The registered overlay notifier; dropping it unregisters it.
pub(crate) struct Notifier {
    _registration: overlay_notifier::Registration,
}

impl Notifier {
    /// Registers the notifier.
    pub(crate) fn register() -> Result<Self> {
        // SAFETY: Called once, before any load can apply an overlay.
        unsafe { APPLY.init() };
        Ok(Self {
            _registration: NOTIFIER.register()?,
        })
    }
}

/// The overlay notifier callback: acts only on the overlays of this task's load.
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
    // SAFETY: This task is applying a load's overlay (`load`), whose `ctx` lives on its stack
    // until the application returns, and only this task uses it meanwhile.
    let ctx = unsafe { &mut *APPLYING_CTX.load(Relaxed).cast::<LoadCtx<'_>>() };
    // SAFETY: The overlay core passes valid notify data.
    let nd = unsafe { &*arg.cast::<bindings::of_overlay_notify_data>() };
    // SAFETY: The notification's nodes are valid while it runs.
    let (target, overlay) = unsafe { (OfNode::from_raw(nd.target), OfNode::from_raw(nd.overlay)) };
    match pre_apply(ctx, target, overlay) {
        Ok(()) => bindings::NOTIFY_OK as i32,
        Err(failure) => {
            ctx.failure = Some(failure);
            notifier_from_errno(failure.err.to_errno())
        }
    }
}
