// SPDX-License-Identifier: GPL-2.0

//! Safe Rust API for low-level FPGA bridge drivers.
//!
//! A driver implements [`Ops`] for its device data and creates a [`Registration`]; the
//! registration's existence is the registered bridge, and dropping it unregisters it. The owner
//! module is the driver's own `THIS_MODULE`, so the core pins exactly the module whose code the
//! ops run (upstream hole L8).
//!
//! This file is compiled into each driver module; it talks to `fpga_bridge.ko` through the C API
//! of [`include/linux/fpga/fpga-bridge.h`](srctree/include/linux/fpga/fpga-bridge.h), like a C
//! driver. Dropping the data after unregistration is sound because `fpga_bridge_unregister()`
//! returns only when no op is running, and no op starts afterwards
//! (`Documentation/lifecycle.rst`).

use super::bindings;
use core::{marker::PhantomData, pin::Pin, ptr};
use kernel::{
    device::Device,
    error::{from_err_ptr, VTABLE_DEFAULT_ERROR},
    prelude::*,
};

/// The operations of a low-level FPGA bridge driver. All are optional.
#[vtable]
pub trait Ops: Send + Sync + Sized {
    /// Lets transactions through (`enable`) or stops them (freezes the region behind the
    /// bridge). `timeout_us` is the holder's `region-unfreeze-timeout-us` or
    /// `region-freeze-timeout-us` for this transition, if its image info gives one.
    fn enable_set(&self, _enable: bool, _timeout_us: Option<u32>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Whether transactions go through (sysfs `state`: "enabled" or "disabled").
    fn enable_show(&self) -> Result<bool> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Puts the bridge into its final state when it is unregistered.
    fn remove(&self) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The C ops table and callbacks for a driver's [`Ops`].
struct Callbacks<T: Ops>(PhantomData<T>);

impl<T: Ops> Callbacks<T> {
    const VTABLE: bindings::fpga_bridge_ops = bindings::fpga_bridge_ops {
        enable_show: if T::HAS_ENABLE_SHOW {
            Some(Self::enable_show)
        } else {
            None
        },
        enable_set: if T::HAS_ENABLE_SET {
            Some(Self::enable_set)
        } else {
            None
        },
        fpga_bridge_remove: if T::HAS_REMOVE {
            Some(Self::remove)
        } else {
            None
        },
        groups: ptr::null_mut(),
    };

    /// The driver data of a bridge registered by [`Registration::new`].
    ///
    /// # Safety
    ///
    /// `br` must be a bridge registered with `Self::VTABLE`, passed by the core to an op.
    unsafe fn data<'a>(br: *mut bindings::fpga_bridge) -> &'a T {
        // SAFETY: `priv` is the pinned `T` of the `Registration`, which outlives every op call.
        unsafe { &*(*br).priv_.cast::<T>() }
    }

    /// # Safety
    ///
    /// Called by the core only, for a bridge registered with `Self::VTABLE`.
    unsafe extern "C" fn enable_set(br: *mut bindings::fpga_bridge, enable: bool) -> i32 {
        // SAFETY: Guaranteed by the caller. `info` is NULL or the holder's image info, which the
        // core lets only the holder set and which lives until the holder's put.
        let (data, info) = unsafe { (Self::data(br), (*br).info) };
        let timeout_us = if info.is_null() {
            None
        } else {
            // SAFETY: As above.
            let info = unsafe { &*info };
            Some(if enable {
                info.enable_timeout_us
            } else {
                info.disable_timeout_us
            })
            .filter(|&t| t != 0)
        };
        match data.enable_set(enable, timeout_us) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// As for [`Self::enable_set`].
    unsafe extern "C" fn enable_show(br: *mut bindings::fpga_bridge) -> i32 {
        // SAFETY: Guaranteed by the caller.
        match unsafe { Self::data(br) }.enable_show() {
            Ok(enabled) => i32::from(enabled),
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// As for [`Self::enable_set`].
    unsafe extern "C" fn remove(br: *mut bindings::fpga_bridge) {
        // SAFETY: Guaranteed by the caller.
        unsafe { Self::data(br) }.remove();
    }
}

/// A registered FPGA bridge with driver data `T`; dropping it unregisters the bridge.
///
/// # Invariants
///
/// `br` is a bridge registered with `Callbacks::<T>::VTABLE` and `data` as `priv`, until `drop`
/// unregisters it.
pub struct Registration<T: Ops> {
    br: *mut bindings::fpga_bridge,
    data: Pin<KBox<T>>,
}

// SAFETY: The registration only holds the bridge pointer, which the core allows to be used from
// any thread, and `T: Send + Sync`.
unsafe impl<T: Ops> Send for Registration<T> {}
// SAFETY: As above.
unsafe impl<T: Ops> Sync for Registration<T> {}

impl<T: Ops> Registration<T> {
    /// Registers a bridge called `name` for `parent`, whose ops run on `data`, owned by `module`
    /// (the driver's `THIS_MODULE`).
    pub fn new(
        parent: &Device,
        name: &'static CStr,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        let data = KBox::pin_init(data, GFP_KERNEL)?;
        let parent = super::raw_device(parent);
        // SAFETY: `parent` is a valid device (`Device` is a transparent wrapper); the ops table
        // is static; `data` stays at its address until after `fpga_bridge_unregister()` (drop).
        let br = unsafe {
            bindings::__fpga_bridge_register(
                parent,
                name.as_char_ptr(),
                &Callbacks::<T>::VTABLE,
                ptr::from_ref(&*data).cast_mut().cast(),
                module.as_ptr(),
            )
        };
        // INVARIANT: The registration succeeded with `data` as `priv`.
        Ok(Self {
            br: from_err_ptr(br)?,
            data,
        })
    }

    /// The driver data.
    pub fn data(&self) -> &T {
        &self.data
    }
}

impl<T: Ops> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `br` is registered; it is unregistered once, here, and
        // no op runs on `data` after this returns.
        unsafe { bindings::fpga_bridge_unregister(self.br) };
    }
}
