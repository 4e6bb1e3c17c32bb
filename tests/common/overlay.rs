// SPDX-License-Identifier: GPL-2.0

//! Applying a compiled device-tree overlay from `/lib/firmware`, as an in-kernel overlay user
//! (the OF unittest, lan966x_pci) does: mainline has no user-space interface for overlays.

use crate::bindings;
use core::ptr;
use kernel::{
    device::Device,
    firmware::Firmware,
    prelude::*, //
};

/// An applied overlay changeset; dropping it removes the overlay.
pub(crate) struct AppliedOverlay {
    id: i32,
}

impl AppliedOverlay {
    /// Loads the overlay blob `name` with the firmware loader (for `dev`), lets `edit` change a
    /// copy of it, and applies that to the live tree. The overlay notifiers run inside: an FPGA
    /// region it targets is programmed before this returns, and its error is this one's.
    pub(crate) fn apply(
        dev: &Device,
        name: &CStr,
        edit: impl FnOnce(&mut [u8]) -> Result,
    ) -> Result<Self> {
        let fw = Firmware::request(name, dev)?;
        let mut data = KVec::new();
        data.extend_from_slice(fw.data(), GFP_KERNEL)?;
        edit(&mut data)?;
        let len = u32::try_from(data.len()).map_err(|_| EINVAL)?;
        let mut id = 0;
        // SAFETY: `data` is a readable blob of `len` bytes, copied by the overlay core.
        let ret = unsafe {
            bindings::of_overlay_fdt_apply(data.as_ptr().cast(), len, &mut id, ptr::null())
        };
        if ret != 0 {
            if id > 0 {
                // A failed apply may leave a changeset to remove (`of_overlay_fdt_apply()`).
                // SAFETY: `id` is the changeset the failed apply created.
                unsafe { bindings::of_overlay_remove(&mut id) };
            }
            return Err(Error::from_errno(ret));
        }
        Ok(Self { id })
    }
}

/// Writes `value` over the first big-endian 32-bit `placeholder` in the overlay blob `blob` (a
/// phandle or an address known only at run time): `ENOENT` if there is none.
pub(crate) fn patch_placeholder(blob: &mut [u8], placeholder: u32, value: u32) -> Result {
    let placeholder = placeholder.to_be_bytes();
    let at = blob
        .windows(placeholder.len())
        .position(|w| w == placeholder)
        .ok_or(ENOENT)?;
    blob[at..at + placeholder.len()].copy_from_slice(&value.to_be_bytes());
    Ok(())
}

impl Drop for AppliedOverlay {
    fn drop(&mut self) {
        // SAFETY: `id` is the changeset `apply` created, removed once, here.
        let ret = unsafe { bindings::of_overlay_remove(&mut self.id) };
        if ret != 0 {
            pr_err!("removing overlay changeset failed: {}\n", ret);
        }
    }
}
