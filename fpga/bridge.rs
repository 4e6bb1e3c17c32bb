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

use super::{
    bindings,
    registration::{self, op, to_ret, Registered},
};
use core::{marker::PhantomData, ptr};
use kernel::{device::Device, error::VTABLE_DEFAULT_ERROR, prelude::*};

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
        enable_show: op(T::HAS_ENABLE_SHOW, Self::enable_show),
        enable_set: op(T::HAS_ENABLE_SET, Self::enable_set),
        fpga_bridge_remove: op(T::HAS_REMOVE, Self::remove),
        groups: ptr::null_mut(),
    };

    /// The driver data of a bridge registered by [`Registration::new`].
    ///
    /// # Safety
    ///
    /// `br` must be a bridge registered with `Self::VTABLE`, passed by the core to an op.
    unsafe fn data<'a>(br: *mut bindings::fpga_bridge) -> &'a T {
        // SAFETY: `br` is valid for the op, and its `priv` is the data of the `Registered` of a
        // `Registration<T>` (the only one to register with `Self::VTABLE`).
        unsafe { registration::data((*br).priv_) }
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
        to_ret(data.enable_set(enable, timeout_us))
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
/// `reg` holds a bridge registered with `Callbacks::<T>::VTABLE`.
pub struct Registration<T: Ops> {
    reg: Registered<bindings::fpga_bridge, T>,
}

impl<T: Ops> Registration<T> {
    /// Registers a bridge called `name` for `parent`, whose ops run on `data`, owned by `module`
    /// (the driver's `THIS_MODULE`).
    pub fn new(
        parent: &Device,
        name: &'static CStr,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        let parent = super::raw_device(parent);
        let register = |priv_| {
            // SAFETY: `parent` is a valid device (`Device` is a transparent wrapper); the name
            // and the ops table are static; `priv_` is the data, which stays at its address until
            // after `fpga_bridge_unregister()`.
            unsafe {
                bindings::__fpga_bridge_register(
                    parent,
                    name.as_char_ptr(),
                    &Callbacks::<T>::VTABLE,
                    priv_,
                    module.as_ptr(),
                )
            }
        };
        // SAFETY: `__fpga_bridge_register()` returns a bridge registered with `priv_` as `priv`,
        // or an `ERR_PTR()`; `fpga_bridge_unregister()` returns only when no op runs, and no op
        // starts afterwards.
        let reg = unsafe { Registered::new(data, register, bindings::fpga_bridge_unregister) }?;
        // INVARIANT: `reg` registered the bridge with `Callbacks::<T>::VTABLE`.
        Ok(Self { reg })
    }

    /// The driver data.
    pub fn data(&self) -> &T {
        self.reg.data()
    }
}
