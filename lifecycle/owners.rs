// SPDX-License-Identifier: GPL-2.0

//! The modules a manager, bridge or region pins while it is in use.
//!
//! Upstream pins only the `owner` its register macro passed (`THIS_MODULE` of the caller). When
//! a helper library registers on behalf of a bus driver (xilinx-core for xilinx-spi and
//! xilinx-selectmap, lattice-sysconfig, altera-pr-ip-core), that is the library, while the ops
//! call back into the bus driver's module, which can then be unloaded mid-programming (hole L8).
//! The core therefore also pins the module of the parent's driver, if the parent is bound to a
//! driver of another module at registration.
//!
//! The owner is pinned only under the class's registry lock while the object is registered
//! (`lifecycle/registry.rs`), which the owner's `exit()` must take to unregister it, so its
//! `struct module` is alive there. The parent's driver is another
//! matter: a registration need not be tied to that binding (a non-devm registration by another
//! module), so the driver's module may unbind the parent and be freed while the object stays
//! registered. The driver pin is therefore tied to the binding itself: a devres action on the
//! parent, which runs when the parent unbinds (before the driver's module can be freed), marks
//! it unbound under the pin's lock, and no get pins the driver after that.
//!
//! C header: [`include/linux/module.h`](srctree/include/linux/module.h)

use crate::ffi::bindings;
use core::ptr;
use kernel::{
    new_spinlock,
    prelude::*,
    sync::{
        Arc,
        SpinLock, //
    }, //
};

/// What a get knows about the parent's driver module.
struct DriverState {
    /// The module of the driver the parent was bound to at registration.
    module: *mut bindings::module,
    /// Whether the parent is still bound to that driver; cleared by [`unbound`].
    bound: bool,
    /// Pins of `module` taken by gets and not yet dropped. Pins are interchangeable: any put
    /// drops one if there is one.
    pins: usize,
}

/// The pin on the parent's driver module, shared by the object's [`Owners`] and the devres
/// action on the parent.
#[pin_data]
struct DriverPin {
    #[pin]
    state: SpinLock<DriverState>,
}

/// The devres action on the parent: its driver is going, so no get may pin the driver's module
/// any more. Drops the action's reference to the pin.
///
/// # Safety
///
/// Called by devres only, with the pointer [`Owners::of_registration`] registered, once.
unsafe extern "C" fn unbound(data: *mut core::ffi::c_void) {
    // SAFETY: `data` is the reference `Arc::into_raw` gave the action, taken back once.
    let pin = unsafe { Arc::<DriverPin>::from_raw(data.cast()) };
    pin.state.lock().bound = false;
}

/// The owner module and, if different, the pin on the module of the parent's driver.
///
/// # Invariants
///
/// `owner` is the registrant's module. If `driver` is some, `parent` is the device it was
/// registered for, and a devres action [`unbound`] on `parent` holds one more reference to the
/// pin until it runs or [`Owners::release_binding`] removes it.
pub struct Owners {
    owner: *mut bindings::module,
    parent: *mut bindings::device,
    driver: Option<Arc<DriverPin>>,
}

impl Owners {
    /// The modules to pin for an object registered by `owner` for `parent`.
    ///
    /// # Safety
    ///
    /// `parent` must be a valid device, and its binding must not change during the call: the
    /// registration runs in its driver's probe (where the driver core holds the device lock) or
    /// while the caller otherwise keeps it bound or unbound.
    pub unsafe fn of_registration(
        parent: *mut bindings::device,
        owner: *mut bindings::module,
    ) -> Result<Self> {
        // SAFETY: `parent` is valid and its binding stable (caller's requirement); a bound
        // driver is a registered driver.
        let module = unsafe {
            let drv = ptr::read_volatile(&raw const (*parent).driver);
            if drv.is_null() || (*drv).owner == owner {
                ptr::null_mut()
            } else {
                (*drv).owner
            }
        };
        if module.is_null() {
            return Ok(Self {
                owner,
                parent,
                driver: None,
            });
        }
        let pin = Arc::pin_init(
            pin_init!(DriverPin {
                state <- new_spinlock!(DriverState {
                    module,
                    bound: true,
                    pins: 0,
                }),
            }),
            GFP_KERNEL,
        )?;
        let data = Arc::into_raw(pin.clone()).cast_mut().cast();
        // SAFETY: `parent` is a valid, bound device; `unbound` takes the reference `data`
        // carries, once.
        let ret = unsafe {
            bindings::__devm_add_action(
                parent,
                Some(unbound),
                data,
                c"fpga-rs driver pin".as_char_ptr(),
            )
        };
        if let Err(e) = kernel::error::to_result(ret) {
            // SAFETY: The action was not added: the reference is still ours, dropped once.
            drop(unsafe { Arc::<DriverPin>::from_raw(data.cast()) });
            return Err(e);
        }
        // INVARIANT: The action holds the reference `data` carries.
        Ok(Self {
            owner,
            parent,
            driver: Some(pin),
        })
    }

    /// Pins the modules; all or none.
    ///
    /// # Safety
    ///
    /// The owner's `struct module` must be alive: the caller holds the class's registry lock and
    /// the object's unregistration, which the owner's `exit()` calls, has not begun.
    #[inline]
    pub unsafe fn try_pin(&self) -> bool {
        // SAFETY: The owner's module is alive (caller's requirement).
        if !unsafe { bindings::try_module_get(self.owner) } {
            return false;
        }
        if let Some(driver) = &self.driver {
            let mut state = driver.state.lock();
            if state.bound {
                // SAFETY: While `bound` (read under the lock that `unbound` takes), the parent
                // is bound to the driver, so the driver's module has not finished its `exit()`
                // (which unbinds it, running `unbound` first): its `struct module` is alive.
                if !unsafe { bindings::try_module_get(state.module) } {
                    drop(state);
                    // SAFETY: Drops the owner pin taken above.
                    unsafe { bindings::module_put(self.owner) };
                    return false;
                }
                state.pins += 1;
            }
        }
        true
    }

    /// Drops the pins of a successful [`Self::try_pin`].
    ///
    /// # Safety
    ///
    /// Must follow a successful `try_pin`, once.
    #[inline]
    pub unsafe fn unpin(&self) {
        if let Some(driver) = &self.driver {
            let mut state = driver.state.lock();
            if state.pins > 0 {
                state.pins -= 1;
                // SAFETY: A get pinned the driver's module, so it is alive; this drops one pin.
                unsafe { bindings::module_put(state.module) };
            }
        }
        // SAFETY: `try_pin` pinned the owner (caller's requirement).
        unsafe { bindings::module_put(self.owner) };
    }

    /// At unregistration: removes the devres action on the parent, if it has not run, so that
    /// it does not outlive the registration. Later gets are refused anyway.
    ///
    /// # Safety
    ///
    /// `parent` must still be valid: the object's device, which references it, has not been
    /// deleted yet.
    pub unsafe fn release_binding(&self) {
        let Some(driver) = &self.driver else {
            return;
        };
        let data = Arc::as_ptr(driver).cast_mut().cast();
        // SAFETY: `parent` is valid (caller's requirement); the action and data are those
        // `of_registration` added.
        let removed =
            unsafe { bindings::devm_remove_action_nowarn(self.parent, Some(unbound), data) } == 0;
        if removed {
            // SAFETY: The action was removed before it ran: its reference is dropped here, once.
            drop(unsafe { Arc::<DriverPin>::from_raw(data.cast()) });
        }
    }
}
