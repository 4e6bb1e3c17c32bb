// SPDX-License-Identifier: GPL-2.0

//! What the driver APIs [`manager`] and [`bridge`] share: a registration that owns the driver
//! data the core runs the ops on, and the glue between the C ops table and the driver's
//! `#[vtable]` trait.
//!
//! Dropping the data after unregistration is sound because of fpga-rs's lifecycle rules
//! (`Documentation/lifecycle.rst`, rules 3 and 4): `fpga_mgr_unregister()` and
//! `fpga_bridge_unregister()` return only when no op is running, and no op starts afterwards,
//! also for users that still hold the object. The upstream C core gives neither, and a module on
//! this API does not load there: it references the symbols that state the guarantees (the
//! [module doc] of `fpga`).
//!
//! [module doc]: super
//!
//! [`manager`]: super::manager
//! [`bridge`]: super::bridge

use core::{
    ffi::c_void,
    pin::Pin,
    ptr, //
};
use kernel::{
    error::from_err_ptr,
    prelude::*, //
};

/// An object of a C core (`R`: `struct fpga_manager`, `struct fpga_bridge`) registered with
/// driver data `T` as its `priv`; dropping it unregisters the object, then frees the data.
///
/// # Invariants
///
/// `raw` is registered with `data` as `priv` until `drop` unregisters it with `unregister`,
/// which returns only when no op runs on `data`, and after which none starts.
pub(super) struct Registered<R, T> {
    raw: *mut R,
    unregister: unsafe extern "C" fn(*mut R),
    data: Pin<KBox<T>>,
}

// SAFETY: The core allows its object to be used and unregistered from any thread, and
// `T: Send + Sync`.
unsafe impl<R, T: Send + Sync> Send for Registered<R, T> {}
// SAFETY: `&Registered` only reads the object pointer and shares `&T`, and `T: Sync`.
unsafe impl<R, T: Send + Sync> Sync for Registered<R, T> {}

impl<R, T> Registered<R, T> {
    /// Pins `data` and registers it: `register` gets the `priv` pointer of the data and returns
    /// the registered object or an `ERR_PTR()`, whose errno is the error.
    ///
    /// # Safety
    ///
    /// - An object `register` returns (not an `ERR_PTR()`) is registered with the `priv` it was
    ///   given;
    /// - `unregister` unregisters it and returns only when no op runs on `priv`, and after it
    ///   none starts, whoever holds the object: the guarantee of fpga-rs's cores, which the
    ///   module's link-time reference to `fpga_mgr_lifecycle_guarantees` (and, for a bridge,
    ///   `fpga_bridge_lifecycle_guarantees`) ensures are the cores loaded.
    pub(super) unsafe fn new(
        data: impl PinInit<T, Error>,
        register: impl FnOnce(*mut c_void) -> *mut R,
        unregister: unsafe extern "C" fn(*mut R),
    ) -> Result<Self> {
        let data = KBox::pin_init(data, GFP_KERNEL)?;
        let raw = from_err_ptr(register(ptr::from_ref(&*data).cast_mut().cast()))?;
        // INVARIANT: By the safety requirements `raw` is registered with `data` as `priv`, which
        // stays at its address (pinned) until `drop`.
        Ok(Self {
            raw,
            unregister,
            data,
        })
    }

    /// The registered C object.
    pub(super) fn as_raw(&self) -> *mut R {
        self.raw
    }

    /// The driver data.
    pub(super) fn data(&self) -> &T {
        &self.data
    }
}

impl<R, T> Drop for Registered<R, T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `raw` is registered, and it is unregistered once, here;
        // `unregister` returns only when no op runs on `data`, and none starts afterwards (type
        // invariant), so `data` may be dropped after it.
        unsafe { (self.unregister)(self.raw) };
    }
}

/// The driver data of an op's object, from the object's `priv`.
///
/// # Safety
///
/// `priv_` must be the `priv` of an object registered by a [`Registered`] with data `T`, passed
/// by the core to an op, and `'a` must not outlive the op call.
pub(super) unsafe fn data<'a, T>(priv_: *mut c_void) -> &'a T {
    // SAFETY: `priv_` points to the pinned `T` of a `Registered`, which drops it only after its
    // `unregister` returned, and that waits for the op in flight (type invariant of
    // `Registered`): the `T` is valid and pinned for the op call, which `'a` does not outlive.
    unsafe { &*priv_.cast::<T>() }
}

/// The entry of an op in a C ops table: `callback` if the driver implements the op (`has`, the
/// `HAS_*` constant of its `#[vtable]` trait), NULL otherwise, so that the core falls back to
/// its default.
pub(super) const fn op<F: Copy>(has: bool, callback: F) -> Option<F> {
    if has {
        Some(callback)
    } else {
        None
    }
}
