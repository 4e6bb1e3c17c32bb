// SPDX-License-Identifier: GPL-2.0

//! The bridges a region claimed: a programming claims the bridges its region's `get_bridges`
//! listed (`fpga_bridge_claim()`, an fpga-rs extension, `ffi/fpga-rs.h`), so that no other
//! region programs through them until the region's overlay is removed, and the removal freezes
//! them (`fpga_region_freeze_bridges()`) and gives the claims up.
//!
//! Upstream: the exclusive bridge gets of [`drivers/fpga/fpga-bridge.c`](srctree/drivers/fpga/fpga-bridge.c)

use super::Region;
use crate::ffi::bindings;
use kernel::{
    device::Device,
    prelude::*,
    sync::{
        aref::ARef,
        MutexGuard, //
    }, //
};

/// A bridge a region claimed when it programmed through it: the bridge stays the region's (no
/// other region programs through it) until the region's overlay is removed, without its module
/// being pinned.
///
/// # Invariants
///
/// `bridge` was claimed (`fpga_bridge_claim()`) with its region's address as claimant, and
/// `_dev` is a reference to its device, which keeps it allocated.
pub(crate) struct Claim {
    bridge: *mut bindings::fpga_bridge,
    /// Keeps `bridge` allocated.
    _dev: ARef<Device>,
}

impl Claim {
    /// The bridge's name, for messages.
    fn name(&self) -> &CStr {
        // SAFETY: `_dev` keeps the bridge allocated, and its `name` is the core's own copy,
        // immutable after registration.
        unsafe { CStr::from_char_ptr((*self.bridge).name) }
    }
}

/// The claims one programming took on bridges the region had not claimed before; dropped
/// without [`NewClaims::keep`] (the programming failed), it gives them up again.
///
/// It keeps the region's claims locked until then, so that a freeze of the region's bridges
/// (`fpga_region_freeze_bridges()`) waits for the programming to end instead of taking claims
/// the programming has not kept yet.
pub(crate) struct NewClaims<'a> {
    region: &'a Region,
    claims: MutexGuard<'a, KVec<Claim>>,
    bridges: KVec<*mut bindings::fpga_bridge>,
}

impl NewClaims<'_> {
    /// The programming succeeded: the region keeps its claims until its overlay is removed.
    pub(crate) fn keep(mut self) {
        self.bridges.clear();
    }
}

impl Drop for NewClaims<'_> {
    fn drop(&mut self) {
        let claimant = self.region.claimant();
        for &bridge in self.bridges.iter() {
            // SAFETY: The failed programming still holds the bridge (its `ListedBridges` is dropped
            // after this guard), so the pointer is valid; the claimant is only compared.
            unsafe { bindings::fpga_bridge_unclaim(bridge, claimant) };
            self.claims.retain(|c| c.bridge != bridge);
        }
    }
}

impl Region {
    /// The bridges the region claimed, with references to their devices.
    pub(crate) fn claimed_bridges(&self) -> Result<KVec<ARef<Device>>> {
        let claims = self.claims.lock();
        let mut devs = KVec::with_capacity(claims.len(), GFP_KERNEL)?;
        for claim in claims.iter() {
            devs.push(claim._dev.clone(), GFP_KERNEL)?;
        }
        Ok(devs)
    }

    /// The region's identity as a bridge claimant.
    pub(crate) fn claimant(&self) -> *const core::ffi::c_void {
        self.as_c().cast_const().cast()
    }

    /// Claims every bridge on the region's list for it (they are held for the programming in
    /// progress), before anything is done to them. On failure, and when the returned guard is
    /// dropped without [`NewClaims::keep`], the claims taken here are given up again.
    pub(crate) fn claim_bridges(&self) -> Result<NewClaims<'_>> {
        let mut taken = NewClaims {
            region: self,
            claims: self.claims.lock(),
            bridges: KVec::new(),
        };
        // SAFETY: The list holds the bridges got for the programming in progress, which only
        // this programming changes.
        for node in unsafe { crate::ffi::list::entries(self.bridge_list()) } {
            // SAFETY: Every entry is the `node` of a held `struct fpga_bridge`.
            let bridge = unsafe { kernel::container_of!(node, bindings::fpga_bridge, node) };
            if taken.claims.iter().any(|c| c.bridge == bridge) {
                continue;
            }
            // SAFETY: The bridge is held, so its device is valid and a reference may be taken.
            let dev: &Device = unsafe { Device::from_raw(&raw mut (*bridge).dev) };
            let claim = Claim {
                bridge,
                _dev: ARef::from(dev),
            };
            // SAFETY: `bridge` is held; the claimant is only compared.
            let ret = unsafe { bindings::fpga_bridge_claim(bridge, self.claimant()) };
            if let Err(e) = kernel::error::to_result(ret) {
                dev_err!(
                    self.dev(),
                    "FPGA bridge {} is claimed by another region (its overlay is applied)\n",
                    claim.name()
                );
                return Err(e);
            }
            if let Err(e) = taken.bridges.push(bridge, GFP_KERNEL) {
                // SAFETY: `bridge` is held; the claim just taken is given up.
                unsafe { bindings::fpga_bridge_unclaim(bridge, self.claimant()) };
                return Err(e.into());
            }
            // On failure `taken` gives the claim up again.
            // INVARIANT: `bridge` was claimed for this region above, and `claim._dev` references
            // its device.
            taken.claims.push(claim, GFP_KERNEL)?;
        }
        Ok(taken)
    }

    /// Freezes (disables) the bridges the region claimed and gives the claims up, as the removal
    /// of its overlay does (`fpga_region_freeze_bridges()`), with the region's image info (its
    /// `region-freeze-timeout-us`). A bridge that cannot be frozen is named in the kernel log,
    /// and the first error is returned.
    ///
    /// The region's claims stay locked throughout, as they do from a programming's claims to its
    /// end ([`NewClaims`]): a freeze and a programming of this region wait for each other, so
    /// the programming neither loses a claim it takes nor is refused. `-ENODEV` once the region
    /// is unregistered (its claims went with it).
    pub(crate) fn freeze_bridges(&self) -> Result {
        // SAFETY: The region's info is NULL or valid while its user removes the overlay (C API
        // contract of `fpga_region_freeze_bridges()`).
        unsafe { self.freeze_bridges_with(self.info()) }
    }

    /// [`Region::freeze_bridges`] with `info` (NULL: none) for the bridges' disable timeout,
    /// instead of `region->info`: a configfs image's own info.
    ///
    /// # Safety
    ///
    /// `info` must be NULL or a valid image info until this returns.
    pub(crate) unsafe fn freeze_bridges_with(
        &self,
        info: *mut bindings::fpga_image_info,
    ) -> Result {
        let _op = self.life.enter_op()?;
        let mut claims = self.claims.lock();
        let mut ret = Ok(());
        for claim in core::mem::take(&mut *claims) {
            // SAFETY: `claim` keeps the bridge allocated; the claimant is only compared; `info`
            // is NULL or valid (this function's requirement).
            let frozen = kernel::error::to_result(unsafe {
                bindings::fpga_bridge_freeze_claimed(claim.bridge, self.claimant(), info)
            });
            if let Err(e) = frozen {
                dev_err!(
                    self.dev(),
                    "FPGA bridge {} could not be frozen: {:?}\n",
                    claim.name(),
                    e
                );
                ret = ret.and(Err(e));
            }
        }
        ret
    }

    /// Gives every claim up without touching the bridges (the region goes away).
    pub(super) fn release_claims(&self) {
        for claim in core::mem::take(&mut *self.claims.lock()) {
            // SAFETY: `claim` keeps the bridge allocated; the claimant is only compared.
            unsafe { bindings::fpga_bridge_unclaim(claim.bridge, self.claimant()) };
        }
    }
}
