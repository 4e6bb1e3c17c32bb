// SPDX-License-Identifier: GPL-2.0

//! The image info of an overlay, owned: allocated by the notifier, `region->info` while the
//! overlay is applied, freed when it goes or when the region does.

use crate::bindings;
use core::ptr::NonNull;
use kernel::prelude::*;

/// An image info this driver allocated for a region's overlay (`fpga_image_info_alloc()`);
/// dropping it frees it (`fpga_image_info_free()`). While the overlay is applied it is
/// `region->info`, handed over with [`ImageInfo::into_raw`] and taken back with
/// [`ImageInfo::from_raw`] when the overlay goes.
///
/// # Invariants
///
/// The pointer is an info from `fpga_image_info_alloc()` that this value owns, whose
/// `firmware_name` is NULL or devres memory of its device.
pub(crate) struct ImageInfo(NonNull<bindings::fpga_image_info>);

impl ImageInfo {
    /// Allocates an info for `dev`, which it references until it is freed.
    ///
    /// # Safety
    ///
    /// `dev` must be a registered device.
    pub(crate) unsafe fn alloc(dev: *mut bindings::device) -> Result<Self> {
        // SAFETY: `dev` is registered (caller's requirement).
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        // INVARIANT: A fresh info, with no firmware name yet.
        NonNull::new(info).map(Self).ok_or(ENOMEM)
    }

    /// The C pointer, still owned by `self`.
    pub(crate) fn as_ptr(&self) -> *mut bindings::fpga_image_info {
        self.0.as_ptr()
    }

    /// Hands the info to C (`region->info`).
    pub(crate) fn into_raw(self) -> *mut bindings::fpga_image_info {
        core::mem::ManuallyDrop::new(self).as_ptr()
    }

    /// Takes back an info [`Self::into_raw`] handed out.
    ///
    /// # Safety
    ///
    /// `info` must come from `into_raw` and be taken back once.
    pub(crate) unsafe fn from_raw(info: *mut bindings::fpga_image_info) -> Self {
        // SAFETY: `into_raw` gave out a non-NULL pointer (caller's requirement).
        // INVARIANT: The ownership `into_raw` handed out comes back.
        Self(unsafe { NonNull::new_unchecked(info) })
    }
}

impl Drop for ImageInfo {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the info is ours, from `fpga_image_info_alloc()`, with a
        // devres firmware name or none; it is freed once, here.
        unsafe { bindings::fpga_image_info_free(self.as_ptr()) };
    }
}
