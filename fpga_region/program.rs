// SPDX-License-Identifier: GPL-2.0

//! `fpga_region_program_fpga()`: programs a region through its manager and bridges.
//!
//! Every pin and lock is a guard, taken in this order and dropped in reverse on success and on
//! every failure path (no leak, hole L11):
//!
//! 1. the region, exclusively, with its owner module pinned ([`Region::begin_programming`]);
//! 2. the manager, with its owner module pinned ([`ManagerPin`]): a get of the region's manager
//!    if it is still registered, else of the one that replaced it after its driver was reloaded;
//! 3. the bridges, each exclusively with its owner module pinned ([`ListedBridges`], through the
//!    region's `get_bridges`), and each *claimed* for the region (`Region::claim_bridges`):
//!    `-EBUSY`, before any bridge is touched, if another region claimed one;
//! 4. the manager's exclusive lock ([`ManagerLock`]).
//!
//! Then the bridges are disabled, the image loaded and the bridges enabled again. Unlike upstream,
//! the bridges are also put on success (they stay enabled): between programmings a region pins
//! no module, and a caller's `fpga_bridges_put()` finds an empty list. What upstream's held
//! bridges guarantee, that no other region programs through them until this region's overlay is
//! removed, the claims keep: they pin nothing, and `fpga_region_freeze_bridges()` (the overlay's
//! removal) freezes exactly the claimed bridges and gives the claims up.
//!
//! Upstream: [`drivers/fpga/fpga-region.c`](srctree/drivers/fpga/fpga-region.c)

use crate::{
    failure::{
        AtStep,
        Failure,
        Step, //
    },
    ffi::{
        bindings,
        image_flags, //
    },
    region::Region,
    trace, //
};
use kernel::{
    error::to_result,
    prelude::*, //
};

/// A get of the manager a region programs through; dropping it puts the manager.
///
/// # Invariants
///
/// `self.0` is a manager got with `fpga_mgr_get_current()` (so valid, its owner module pinned),
/// owned by this value and put once, by its `drop`.
struct ManagerPin(*mut bindings::fpga_manager);

impl ManagerPin {
    /// Gets the region's manager, or its successor (see `fpga_mgr_get_current()`), and makes a
    /// successor the region's manager from now on.
    fn get(region: &Region) -> Result<Self> {
        let (got, replaced) = region.get_current_mgr().inspect_err(|_| {
            dev_err!(
                region.dev(),
                "FPGA manager is gone (its driver was unloaded or unbound)\n"
            )
        })?;
        // INVARIANT: `got` is a successful get, owned by `pin` from here on.
        let pin = Self(got);
        if replaced {
            dev_info!(
                region.dev(),
                "FPGA manager re-registered; programming through the new one\n"
            );
        }
        Ok(pin)
    }
}

impl Drop for ManagerPin {
    fn drop(&mut self) {
        // SAFETY: `self.0` is a get that this value owns, put only here (type invariant).
        unsafe { bindings::fpga_mgr_put(self.0) };
    }
}

/// The manager's exclusive lock; dropping it unlocks the manager.
///
/// # Invariants
///
/// The manager of `self.0` was locked (`fpga_mgr_lock()`) by this value, and is unlocked once,
/// by its `drop`.
struct ManagerLock<'a>(&'a ManagerPin);

impl<'a> ManagerLock<'a> {
    fn lock(region: &Region, mgr: &'a ManagerPin) -> Result<Self> {
        // SAFETY: `mgr` holds a get of the manager.
        to_result(unsafe { bindings::fpga_mgr_lock(mgr.0) })
            .inspect_err(|_| dev_err!(region.dev(), "FPGA manager is busy\n"))?;
        // INVARIANT: The lock was just taken.
        Ok(Self(mgr))
    }
}

impl Drop for ManagerLock<'_> {
    fn drop(&mut self) {
        // SAFETY: The manager is got (`self.0`, which outlives this value) and was locked by
        // this value (type invariant).
        unsafe { bindings::fpga_mgr_unlock(self.0 .0) };
    }
}

/// The bridges the region's `get_bridges` put on its list; dropping this puts them.
struct ListedBridges<'a>(Option<&'a Region>);

impl<'a> ListedBridges<'a> {
    fn get(region: &'a Region) -> Result<Self> {
        let Some(get_bridges) = region.get_bridges() else {
            // Bridges the caller put on the list are the caller's to put.
            return Ok(Self(None));
        };
        // Put whatever the callback left on the list, also when it fails half-way.
        let hold = Self(Some(region));
        // SAFETY: The region is registered and its owner pinned (`begin_programming`), so the
        // callback's module is alive.
        to_result(unsafe { get_bridges(region.as_c()) })
            .inspect_err(|_| dev_err!(region.dev(), "failed to get fpga region bridges\n"))?;
        Ok(hold)
    }
}

impl Drop for ListedBridges<'_> {
    fn drop(&mut self) {
        if let Some(region) = self.0 {
            // SAFETY: The list holds the bridges `get_bridges` got for this programming.
            unsafe { bindings::fpga_bridges_put(region.bridge_list()) };
        }
    }
}

/// Programs `region` with `region->info`. Return: 0 or a negative errno: `-EINVAL` without image
/// info or manager (L10), `-EBUSY` if the region or its manager is in use, `-ENODEV` if the
/// region is unregistered or its manager gone, or the bridges' or manager's error.
pub(crate) fn program(region: &Region) -> Result {
    // SAFETY: No info of the caller's: the region's own `info` is used.
    unsafe { program_steps(region, None) }.map_err(Error::from)
}

/// The image info a configfs load owns, as `region->info` for one programming: set once the
/// region is held exclusively, reset when this is dropped, before the hold ends.
struct OwnInfo<'a>(&'a Region);

impl<'a> OwnInfo<'a> {
    /// Sets `region->info` to `info`: `-EBUSY` if a user of the C API set it meanwhile (its
    /// programming is refused while this one holds the region, but its info is its own).
    ///
    /// # Safety
    ///
    /// The caller holds the region exclusively (a [`Region::begin_programming`] that outlives
    /// the returned value), and `info` stays valid until the returned value is dropped.
    unsafe fn set(region: &'a Region, info: *mut bindings::fpga_image_info) -> Result<Self> {
        if !region.info().is_null() {
            dev_err!(
                region.dev(),
                "the region's image info is set by another user of the region\n"
            );
            return Err(EBUSY);
        }
        // SAFETY: The caller holds the region exclusively, so no other programming reads or
        // writes `info` meanwhile; `info` outlives the returned guard (caller's requirement).
        unsafe { region.set_info(info) };
        Ok(Self(region))
    }
}

impl Drop for OwnInfo<'_> {
    fn drop(&mut self) {
        // SAFETY: Still inside the exclusive hold `set` requires; the info goes with the guard.
        unsafe { self.0.set_info(core::ptr::null_mut()) };
    }
}

/// [`program`], telling which step failed: what a configfs load reports to user space. With
/// `own`, the image info of a configfs load, which is `region->info` for this programming only
/// ([`OwnInfo`]); without, the caller's `region->info`.
///
/// # Safety
///
/// `own` must be `None` or a valid image info that stays valid until this returns.
pub(crate) unsafe fn program_steps(
    region: &Region,
    own: Option<*mut bindings::fpga_image_info>,
) -> Result<(), Failure> {
    let info = own.unwrap_or_else(|| region.info());
    if info.is_null() {
        dev_err!(region.dev(), "no FPGA image info to program\n");
        return Err(Failure::new(Step::Image, EINVAL));
    }
    if !region.has_manager() {
        dev_err!(region.dev(), "region has no FPGA manager\n");
        return Err(Failure::new(Step::Manager, EINVAL));
    }
    // Refused before the bridges are frozen, as the manager would refuse them after.
    // SAFETY: `info` is the caller's valid image info (checked non-NULL above).
    image_flags::check(region.dev(), unsafe { (*info).flags }).at(Step::Image)?;
    // SAFETY: `info` is the caller's valid image info (checked non-NULL above), which stays
    // valid until the programming returns (C API contract, or this function's requirement),
    // after `end`.
    let trace = unsafe { trace::Program::begin(region, info) };
    // SAFETY: `info` is the caller's valid image info (checked non-NULL above), which stays
    // valid until the programming returns (C API contract, or this function's requirement).
    let result = unsafe { program_checked(region, info, own.is_some()) };
    let _ = trace.end(result.map_err(|f| f.err));
    result
}

/// [`program_steps`] once `info` is checked, between the trace events; `own`: `info` is a
/// configfs load's, set as `region->info` inside the exclusive hold.
///
/// # Safety
///
/// `info` must be valid until this returns.
unsafe fn program_checked(
    region: &Region,
    info: *mut bindings::fpga_image_info,
    own: bool,
) -> Result<(), Failure> {
    let _programming = region
        .begin_programming()
        .inspect_err(|_| dev_err!(region.dev(), "failed to get FPGA region\n"))
        .at(Step::Region)?;
    // Dropped before `_programming`: `region->info` is reset inside the hold.
    let _own_info = if own {
        // SAFETY: `_programming` holds the region exclusively and outlives the guard; `info` is
        // valid until this function returns (its requirement), after the guard.
        Some(unsafe { OwnInfo::set(region, info) }.at(Step::Region)?)
    } else {
        None
    };
    let mgr = ManagerPin::get(region).at(Step::Manager)?;
    let _bridges = ListedBridges::get(region).at(Step::Bridges)?;
    let claims = region.claim_bridges().at(Step::Bridges)?;
    let _lock = ManagerLock::lock(region, &mgr).at(Step::Manager)?;

    // SAFETY: The bridges on the list are held for this programming.
    to_result(unsafe { bindings::fpga_bridges_disable(region.bridge_list()) })
        .inspect_err(|_| dev_err!(region.dev(), "failed to disable bridges\n"))
        .at(Step::BridgeDisable)?;
    // SAFETY: The manager is held and locked; `info` is the caller's valid image info.
    to_result(unsafe { bindings::fpga_mgr_load(mgr.0, info) }).map_err(|err| {
        dev_err!(region.dev(), "failed to load FPGA image\n");
        // SAFETY: The manager is held; its state is a whole integer that only the lock's
        // holder (this programming) writes.
        let state = unsafe { core::ptr::read_volatile(&raw const (*mgr.0).state) };
        Failure::new(Step::of_manager_state(state), err)
    })?;
    // SAFETY: The list holds the bridges this programming got and claimed, each held (so
    // valid) until the programming puts them; only this programming changes the list.
    to_result(unsafe { bindings::fpga_bridges_enable(region.bridge_list()) })
        .inspect_err(|_| dev_err!(region.dev(), "failed to enable region bridges\n"))
        .at(Step::BridgeEnable)?;
    claims.keep();
    Ok(())
}
