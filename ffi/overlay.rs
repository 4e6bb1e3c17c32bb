// SPDX-License-Identifier: GPL-2.0

//! Applying a device-tree overlay from a flattened blob, and the applied overlay's handle:
//! what a configfs image's overlay (`fpga_region/overlay.rs`) and the compatibility overlays
//! (`compat/overlays/`) share.
//!
//! C header: [`include/linux/of.h`](srctree/include/linux/of.h) (`of_overlay_fdt_apply()`,
//! `of_overlay_remove()`).

use super::bindings;
use core::ptr;
use kernel::prelude::*;

/// An applied overlay, removed with [`Applied::remove`].
///
/// # Invariants
///
/// `id` is the id of an applied overlay changeset, owned by this value, or 0 once it is removed
/// (`of_overlay_remove()` clears it).
pub struct Applied {
    id: i32,
}

/// Applies the overlay in the flattened device tree `blob` (`of_overlay_fdt_apply()`, which
/// copies it), with absolute targets. The overlay notifiers run inside, from this task.
///
/// On failure, the error comes with what the overlay core left applied, if anything (a
/// changeset whose application failed half-way, which it reports with its id): the caller
/// removes it.
pub fn apply_fdt(blob: &[u8]) -> Result<Applied, (Error, Option<Applied>)> {
    let size = u32::try_from(blob.len()).map_err(|_| (EFBIG, None))?;
    let mut id = 0;
    // SAFETY: `blob` is a buffer of `size` bytes, which the overlay core copies before it
    // returns; `id` is a place for the changeset id; no base node (targets are absolute).
    let ret =
        unsafe { bindings::of_overlay_fdt_apply(blob.as_ptr().cast(), size, &mut id, ptr::null()) };
    // INVARIANT: A non-zero `id` is an applied changeset's, now ours to remove.
    let applied = (id != 0).then_some(Applied { id });
    match (ret, applied) {
        (0, Some(applied)) => Ok(applied),
        (0, None) => Err((EINVAL, None)),
        (err, applied) => Err((Error::from_errno(err), applied)),
    }
}

impl Applied {
    /// Removes the overlay and its devices. The overlay core refuses (`-EBUSY`) while another
    /// overlay applied later changes the same nodes: the overlay stays applied, and is handed
    /// back with the error.
    pub fn remove(mut self) -> Result<(), (Self, Error)> {
        match self.try_remove() {
            Ok(()) => Ok(()),
            Err(e) => Err((self, e)),
        }
    }

    /// Removes the overlay and its devices if the overlay core lets it (see [`Applied::remove`]);
    /// once removed, the value holds nothing, and a second call does nothing.
    pub fn try_remove(&mut self) -> Result {
        if self.id == 0 {
            return Ok(());
        }
        // SAFETY: `id` is an applied changeset's (type invariant); the overlay core sets it to
        // 0 once it is removed.
        let ret = unsafe { bindings::of_overlay_remove(&mut self.id) };
        // A notifier's error after the removal (`OF_OVERLAY_POST_REMOVE`) comes with the id
        // cleared: the overlay is gone.
        if ret == 0 || self.id == 0 {
            return Ok(());
        }
        Err(Error::from_errno(ret))
    }

    /// Gives up an overlay that cannot be removed (its owner goes): it stays applied, its
    /// changeset unreachable, as `of_overlay_remove_all()` would leave it.
    pub fn leak(self) {
        pr_err!(
            "overlay changeset {} stays applied: it could not be removed\n",
            self.id
        );
        core::mem::forget(self);
    }
}

impl Drop for Applied {
    /// Removes the overlay if nobody did ([`Applied::remove`] and [`Applied::leak`] are the
    /// ways to end one); a refusal is logged, and the overlay stays applied.
    fn drop(&mut self) {
        // SAFETY: `id` is an applied changeset's, or 0 once removed (type invariant).
        if self.id != 0 && unsafe { bindings::of_overlay_remove(&mut self.id) } != 0 {
            pr_err!(
                "overlay changeset {} stays applied: it could not be removed\n",
                self.id
            );
        }
    }
}
