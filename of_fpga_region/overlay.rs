// SPDX-License-Identifier: GPL-2.0

//! The device-tree overlay notifier: an overlay applied to a region node programs the region
//! with the image it names; its removal freezes the region's bridges and forgets the image.
//!
//! The overlay core serialises notifications; [`crate::INFO_LOCK`] also serialises them with
//! region removal, the only other writer of `region->info`.
//!
//! Upstream: [`drivers/fpga/of-fpga-region.c`](srctree/drivers/fpga/of-fpga-region.c)

use crate::{
    bindings,
    image::Image,
    of_node::OfNode,
    overlay_notifier::{
        self,
        notifier_from_errno, //
    },
    tree::{
        another_fragment_programs,
        child_region_with_firmware, //
    },
    RegionState,
    INFO_LOCK, //
};
use core::ptr;
use kernel::{
    prelude::*,
    str::CString, //
};

static NOTIFIER: overlay_notifier::Block = overlay_notifier::Block::new(notify, 0);

/// The registered overlay notifier; dropping it unregisters it, waiting for a notification in
/// flight.
pub(crate) struct Notifier {
    _registration: overlay_notifier::Registration,
}

impl Notifier {
    /// Registers the notifier.
    pub(crate) fn register() -> Result<Self> {
        Ok(Self {
            _registration: NOTIFIER.register()?,
        })
    }
}

/// The image info the overlay describes for `region`: `Ok(None)` if it programs nothing.
///
/// # Safety
///
/// `region` must be referenced, and `overlay` must stay valid while the region programs with the
/// info; the caller holds [`INFO_LOCK`].
unsafe fn parse(
    region: *mut bindings::fpga_region,
    overlay: &OfNode,
) -> Result<Option<Image<'static>>> {
    // SAFETY: `region` is referenced.
    let dev = unsafe { &raw mut (*region).dev };
    // SAFETY: `dev` is a registered device.
    let kdev: &kernel::device::Device = unsafe { kernel::device::Device::from_raw(dev) };
    // SAFETY: `region` is referenced and `info` is written under `INFO_LOCK`, which we hold.
    if !unsafe { (*region).info }.is_null() {
        dev_err!(kdev, "Region already has overlay applied.\n");
        return Err(EINVAL);
    }
    if child_region_with_firmware(overlay) {
        return Err(EINVAL);
    }
    let node = overlay.fwnode();
    let mut flags = 0;
    for (prop, flag) in [
        (c"partial-fpga-config", bindings::FPGA_MGR_PARTIAL_RECONFIG),
        (c"external-fpga-config", bindings::FPGA_MGR_EXTERNAL_CONFIG),
        (
            c"encrypted-fpga-config",
            bindings::FPGA_MGR_ENCRYPTED_BITSTREAM,
        ),
    ] {
        if node.property_read_bool(prop) {
            flags |= flag;
        }
    }
    let timeout_us = |prop: &CStr| node.property_read::<u32>(prop).or(0);
    // Absent: the overlay programs nothing (e.g. it only adds devices). Present but unreadable
    // (not a string, or no memory for the copy): the overlay is refused, not applied without its
    // image.
    if !node.property_present(c"firmware-name") {
        return Ok(None);
    }
    let Some(firmware) = node.property_read::<CString>(c"firmware-name").optional() else {
        dev_err!(kdev, "overlay's firmware-name cannot be read as a string\n");
        return Err(EINVAL);
    };
    if flags & bindings::FPGA_MGR_EXTERNAL_CONFIG != 0 {
        dev_err!(kdev, "error: specified firmware and external-fpga-config\n");
        return Err(EINVAL);
    }
    if another_fragment_programs(overlay) {
        dev_err!(
            kdev,
            "overlay programs more than one FPGA region (firmware-name in two fragments)\n"
        );
        return Err(EINVAL);
    }
    // Freed on every failure below by its drop (upstream leaks it on one, hole L11).
    let mut info = Image::new(kdev)?;
    info.set_flags(flags);
    info.set_enable_timeout_us(timeout_us(c"region-unfreeze-timeout-us"));
    info.set_disable_timeout_us(timeout_us(c"region-freeze-timeout-us"));
    info.set_config_complete_timeout_us(timeout_us(c"config-complete-timeout-us"));
    info.set_firmware(&firmware)?;
    // SAFETY: The overlay stays valid while the info is used with it: the region programs with
    // the info inside this notification, and `post_remove` frees the info when the overlay goes.
    unsafe { info.set_overlay(overlay.as_raw()) };
    Ok(Some(info))
}

/// Before an overlay is applied to `region`: programs the image it names, or rejects it.
///
/// The overlay first claims the region's image from the region core: `-EBUSY` while a configfs
/// image or another overlay owns it. An overlay that a configfs load of the region applies is
/// the load's to program (fpga_region.ko's own notifier did, before this one).
///
/// # Safety
///
/// `region` must be referenced, and `overlay` must be the node of the notification, valid while
/// it runs.
unsafe fn pre_apply(region: *mut bindings::fpga_region, overlay: &OfNode) -> i32 {
    let mut guard = INFO_LOCK.lock();
    // SAFETY: `region` is referenced and we hold `INFO_LOCK`.
    let state = unsafe { state(region) };
    if let Some(state) = state {
        if *state.removing.as_ref(&guard) {
            return ENODEV.to_errno();
        }
    }
    // SAFETY: `region` is referenced, so its device is valid for messages.
    let kdev: &kernel::device::Device =
        unsafe { kernel::device::Device::from_raw(&raw mut (*region).dev) };
    let overlay_np = overlay.as_raw();
    // SAFETY: `region` is referenced; `overlay_np` is only compared.
    match unsafe { bindings::fpga_region_overlay_claim(region, overlay_np) } {
        0 => {}
        1 => return 0,
        err if err == EEXIST.to_errno() => {
            // Upstream's message and errno for an overlay on a programmed region.
            dev_err!(kdev, "Region already has overlay applied.\n");
            return EINVAL.to_errno();
        }
        err => {
            dev_err!(
                kdev,
                "Region's image is loaded through configfs (fpga_regions): {:?}\n",
                kernel::error::Error::from_errno(err)
            );
            return err;
        }
    }
    // SAFETY: `region` is referenced; the overlay claimed it above and gives it up here.
    let release = move || unsafe { bindings::fpga_region_overlay_release(region, overlay_np) };
    // SAFETY: `region` is referenced and `overlay` valid (this function's requirements), and we
    // hold `INFO_LOCK`.
    let info = match unsafe { parse(region, overlay) } {
        Ok(Some(info)) => info,
        Ok(None) => {
            release();
            return 0;
        }
        Err(e) => {
            release();
            return e.to_errno();
        }
    };
    // SAFETY: `region` is referenced and `info` is written under `INFO_LOCK`, which we hold, by
    // the owner of the region's image (the claim above); `info` stays valid while the region
    // programs with it.
    unsafe {
        (*region).info = info.as_raw();
        let ret = bindings::fpga_region_program_fpga(region);
        if ret != 0 {
            (*region).info = ptr::null_mut();
            drop(info);
            release();
        } else {
            // The overlay is applied: the info is the region's until the overlay goes.
            if let Some(state) = state {
                *state.applied.as_mut(&mut guard) = info.as_raw();
            }
            info.into_raw();
        }
        ret
    }
}

/// After the overlay `overlay` was removed from `region`: if it is the one that programmed the
/// region, freezes exactly the bridges the region claimed when it programmed it (through the
/// region core, with the region's claims locked), forgets the image and gives the region's
/// image up.
///
/// # Safety
///
/// `region` must be referenced.
unsafe fn post_remove(region: *mut bindings::fpga_region, overlay: *mut bindings::device_node) {
    let mut guard = INFO_LOCK.lock();
    // Only the overlay that programmed the region takes its image away: one that was refused
    // (because another is applied, say) is removed too, and its removal notifies every
    // fragment's target. While the overlay owns the region's image, no configfs load touches
    // it or its `info`.
    // SAFETY: `region` is referenced; `overlay` is only compared.
    if !unsafe { bindings::fpga_region_overlay_owns(region, overlay) } {
        return;
    }
    // SAFETY: `region` is referenced; the claim keeps other writers of `info` away.
    let info = unsafe { (*region).info };
    // SAFETY: A non-NULL `info` of a region whose image this overlay owns is the one `pre_apply`
    // handed over, alive until taken back.
    if !info.is_null() && unsafe { (*info).overlay } == overlay {
        // SAFETY: `region` is referenced. The region core logs each bridge it cannot freeze;
        // the overlay is gone either way, so the image is forgotten.
        unsafe { bindings::fpga_region_freeze_bridges(region) };
        // SAFETY: `region` is referenced and `info` is written under the lock we hold; `info` is
        // the one `pre_apply` handed to the region with `into_raw`, taken back once, here, after
        // `region->info` no longer points to it.
        unsafe {
            (*region).info = ptr::null_mut();
            if let Some(state) = state(region) {
                *state.applied.as_mut(&mut guard) = ptr::null_mut();
            }
            drop(Image::from_raw(info));
        }
    }
    // SAFETY: `region` is referenced; the overlay gives up what it claimed.
    unsafe { bindings::fpga_region_overlay_release(region, overlay) };
}

/// The state of a region this driver registered, or `None` for another region (or one being
/// removed).
///
/// # Safety
///
/// `region` must be referenced and the caller must hold [`INFO_LOCK`].
unsafe fn state<'a>(region: *mut bindings::fpga_region) -> Option<&'a RegionState> {
    // SAFETY: `region` is referenced. `ops_owner` and `priv` are set at registration and cleared
    // by the region core when the region is unregistered (volatile reads: that may happen
    // meanwhile); a region this module registered has a `RegionState` as `priv`, freed only
    // after the clearing and under `INFO_LOCK`, which the caller holds.
    unsafe {
        let owner = ptr::read_volatile(&raw const (*region).ops_owner);
        let state = ptr::read_volatile(&raw const (*region).priv_).cast::<RegionState>();
        (owner == crate::THIS_MODULE.as_ptr() && !state.is_null()).then(|| &*state)
    }
}

/// The overlay notifier callback.
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
        && action != bindings::of_overlay_notify_action_OF_OVERLAY_POST_REMOVE
    {
        return bindings::NOTIFY_OK as i32;
    }
    // SAFETY: The overlay core passes valid notify data.
    let nd = unsafe { &*arg.cast::<bindings::of_overlay_notify_data>() };
    // SAFETY: `device_match_of_node` only compares.
    let region = unsafe {
        bindings::fpga_region_class_find(
            ptr::null_mut(),
            nd.target.cast_const().cast(),
            Some(bindings::device_match_of_node),
        )
    };
    if region.is_null() {
        return bindings::NOTIFY_OK as i32;
    }
    let ret = if action == bindings::of_overlay_notify_action_OF_OVERLAY_PRE_APPLY {
        // SAFETY: `class_find` referenced the region; the overlay node is the notification's,
        // valid while it runs.
        unsafe { pre_apply(region, OfNode::from_raw(nd.overlay)) }
    } else {
        // SAFETY: `class_find` referenced the region.
        unsafe { post_remove(region, nd.overlay) };
        0
    };
    // SAFETY: Drops `class_find`'s reference.
    unsafe { bindings::put_device(&raw mut (*region).dev) };
    notifier_from_errno(ret)
}
