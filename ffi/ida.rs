// SPDX-License-Identifier: GPL-2.0

//! A static ID allocator (`DEFINE_IDA()`), numbering the devices of one class.
//!
//! C header: [`include/linux/idr.h`](srctree/include/linux/idr.h)

use super::bindings;
use core::pin::Pin;
use kernel::{
    prelude::*,
    types::Opaque, //
};

/// An IDA in static storage, initialised when its module loads.
///
/// # Invariants
///
/// Between [`StaticIda::init`] and [`StaticIda::destroy`], both called once by the module that
/// owns the static (their safety requirements), `self.0` is an initialised IDA; the other
/// methods are called only in that time.
pub struct StaticIda(Opaque<bindings::ida>);

// SAFETY: The IDA has its own internal lock; all methods may be called from any thread.
unsafe impl Sync for StaticIda {}

impl Default for StaticIda {
    fn default() -> Self {
        Self::new()
    }
}

impl StaticIda {
    /// An IDA that must be initialised with [`Self::init`] before use.
    pub const fn new() -> Self {
        Self(Opaque::zeroed())
    }

    /// Initialises the IDA as `DEFINE_IDA()` does.
    ///
    /// # Safety
    ///
    /// Must be called once, in the module's `init`, before any other method.
    pub unsafe fn init(&self) {
        // SAFETY: The IDA is not in use yet (caller's requirement).
        unsafe {
            bindings::xa_init_flags(&raw mut (*self.0.get()).xa, bindings::FPGA_IDA_INIT_FLAGS)
        };
    }

    /// Allocates the lowest free ID.
    pub fn alloc(&self) -> Result<u32> {
        // SAFETY: The IDA is initialised (`init`'s requirement).
        let id =
            unsafe { bindings::ida_alloc_range(self.0.get(), 0, u32::MAX, bindings::GFP_KERNEL) };
        u32::try_from(id).map_err(|_| Error::from_errno(id))
    }

    /// Allocates an ID and a pinned object for it, which is never moved: the caller hands both
    /// to a device whose class's `dev_release` frees them in place.
    pub fn alloc_with<T>(&self, init: impl PinInit<T, Error>) -> Result<(u32, *mut T)> {
        let id = self.alloc()?;
        match KBox::pin_init(init, GFP_KERNEL) {
            // SAFETY: The object is not moved out of its allocation: `dev_release` frees it in
            // place (caller's contract).
            Ok(obj) => Ok((
                id,
                KBox::into_raw(unsafe { Pin::into_inner_unchecked(obj) }),
            )),
            Err(e) => {
                self.free(id);
                Err(e)
            }
        }
    }

    /// Frees an ID returned by [`Self::alloc`].
    pub fn free(&self, id: u32) {
        // SAFETY: The IDA is initialised; freeing an ID that is not allocated only warns.
        unsafe { bindings::ida_free(self.0.get(), id) };
    }

    /// Frees the IDA's memory.
    ///
    /// # Safety
    ///
    /// Must be called once, when the module goes, after the last use.
    pub unsafe fn destroy(&self) {
        // SAFETY: Nothing uses the IDA any more (caller's requirement).
        unsafe { bindings::ida_destroy(self.0.get()) };
    }
}
