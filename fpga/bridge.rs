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
//! driver. The parent of a registration is a [`Device<Bound>`], as for managers
//! ([`super::manager`]); [`Registration::new_foreign_owned`] hands the registration to devres.
//!
//! Two guarantees of fpga-rs's bridge core make this sound (`Documentation/lifecycle.rst`):
//! `fpga_bridge_unregister()` returns only when no op is running, and no op starts afterwards,
//! so dropping the data after it is; and a bridge's `info`, which `enable_set` reads, is written
//! only by the bridge's holder and cleared by its put, which waits for the ops in flight. The
//! upstream C core gives neither (holes L1, L4, defect d), so a module that registers a bridge
//! here references `fpga_bridge_lifecycle_guarantees` and does not load on it (the [module doc]
//! of `fpga`).
//!
//! [module doc]: super

use super::{
    bindings,
    c_result::to_ret,
    registration::{
        self,
        op,
        Registered, //
    }, //
};
use core::{
    marker::PhantomData,
    ptr, //
};
use kernel::{
    device::{
        Bound,
        Device, //
    },
    devres,
    error::VTABLE_DEFAULT_ERROR,
    prelude::*, //
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
        enable_show: op(T::HAS_ENABLE_SHOW, Self::enable_show),
        enable_set: op(T::HAS_ENABLE_SET, Self::enable_set),
        fpga_bridge_remove: op(T::HAS_REMOVE, Self::remove),
        groups: ptr::null_mut(),
    };

    /// The driver data of a bridge registered by [`Registration::new`].
    ///
    /// # Safety
    ///
    /// `br` must be a bridge registered with `Self::VTABLE`, passed by the core to an op, and
    /// `'a` must not outlive the op call.
    unsafe fn data<'a>(br: *mut bindings::fpga_bridge) -> &'a T {
        // SAFETY: The core passes an op a valid bridge; its `priv` is the data of the
        // `Registered` of a `Registration<T>` (the only one to register with `Self::VTABLE`),
        // and `'a` ends with the op call (this function's requirements).
        unsafe { registration::data((*br).priv_) }
    }

    /// # Safety
    ///
    /// Called by `fpga_bridge.ko` only, as the op of a bridge registered with `Self::VTABLE`.
    unsafe extern "C" fn enable_set(br: *mut bindings::fpga_bridge, enable: bool) -> i32 {
        // SAFETY: The core calls this op with `br`, registered with `Self::VTABLE`, valid for the
        // call (this function's requirement); the data is used within the call only. The core
        // calls ops under the bridge's ops lock, under which `info` is written.
        let (data, info) = unsafe { (Self::data(br), (*br).info) };
        let timeout_us = if info.is_null() {
            None
        } else {
            // SAFETY: A non-NULL `info` is the image info of the bridge's holder: `fpga_bridge.ko`
            // lets only the holder set it, after its get succeeded, and its put clears it under
            // the ops lock this op runs under, so it stays valid until the op returns
            // (`Documentation/lifecycle.rst`, defect d). This module loads on that core only
            // (its reference to `fpga_bridge_lifecycle_guarantees`).
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
    /// Called by `fpga_bridge.ko` only, as the op of a bridge registered with `Self::VTABLE`.
    unsafe extern "C" fn enable_show(br: *mut bindings::fpga_bridge) -> i32 {
        // SAFETY: The core calls this op with `br`, registered with `Self::VTABLE` (this
        // function's requirement); the data is used within the call only.
        match unsafe { Self::data(br) }.enable_show() {
            Ok(enabled) => i32::from(enabled),
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// Called by `fpga_bridge.ko` only, as the op of a bridge registered with `Self::VTABLE`.
    unsafe extern "C" fn remove(br: *mut bindings::fpga_bridge) {
        // SAFETY: The core calls this op with `br`, registered with `Self::VTABLE` (this
        // function's requirement); the data is used within the call only.
        unsafe { Self::data(br) }.remove();
    }
}

/// A registered FPGA bridge with driver data `T`; dropping it unregisters the bridge.
///
/// # Invariants
///
/// `reg` holds a bridge registered with `Callbacks::<T>::VTABLE` by `fpga_bridge.ko`.
pub struct Registration<T: Ops> {
    reg: Registered<bindings::fpga_bridge, T>,
}

impl<T: Ops> Registration<T> {
    /// Registers a bridge called `name` for `parent`, whose ops run on `data`, owned by `module`
    /// (the driver's `THIS_MODULE`).
    ///
    /// Fails with `ENOMEM`, or the errno of `__fpga_bridge_register()` (`EINVAL` for an empty
    /// `name`).
    pub fn new(
        parent: &Device<Bound>,
        name: &'static CStr,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        // The link-time dependency on `fpga_bridge.ko`'s guarantees (module doc), in the code of
        // every module that registers a bridge.
        // SAFETY: The function takes nothing and does nothing (`ffi/fpga-rs.h`).
        unsafe { bindings::fpga_bridge_lifecycle_guarantees() };
        let parent = bindings::raw_device(parent);
        let register = |priv_| {
            // SAFETY:
            // - `parent` is a valid device, bound during the call (`Device<Bound>`, a transparent
            //   wrapper), as `fpga_bridge.ko` requires of a registration, to read its driver;
            // - `fpga_bridge.ko` copies the name; the ops table is static;
            // - `priv_`, the data, stays at its address until after `fpga_bridge_unregister()`
            //   (`Registered`).
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
        // starts afterwards: the guarantees of `fpga_bridge.ko`, which this module's reference to
        // `fpga_bridge_lifecycle_guarantees` (above) makes the only bridge core it loads on.
        let reg = unsafe { Registered::new(data, register, bindings::fpga_bridge_unregister) }?;
        // INVARIANT: `reg` registered the bridge with `Callbacks::<T>::VTABLE`.
        Ok(Self { reg })
    }

    /// As [`Registration::new`], but the registration is owned by devres on `parent`
    /// ([`devres::register`]) instead of returned: the bridge is unregistered, and `data`
    /// dropped, when `parent` unbinds, after the driver's own data is dropped (its `remove`) and
    /// before what the driver registered with devres before this call is released.
    pub fn new_foreign_owned(
        parent: &Device<Bound>,
        name: &'static CStr,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result
    where
        T: 'static,
    {
        devres::register(parent, Self::new(parent, name, data, module)?, GFP_KERNEL)
    }

    /// The driver data.
    pub fn data(&self) -> &T {
        self.reg.data()
    }
}
