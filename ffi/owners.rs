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
//! Pinning the driver's module is as race-free as pinning the owner: a manager registered for a
//! bound device is unregistered when the device unbinds at the latest (by devres or the driver's
//! remove), and a driver's module is freed only after its `exit()` unbound its devices; the core
//! pins only under its lifecycle lock while the object is registered.

use super::bindings;
use core::ptr;

/// The owner module and, if different, the module of the parent's driver.
pub struct Owners {
    owner: *mut bindings::module,
    driver: *mut bindings::module,
}

impl Owners {
    /// The modules to pin for an object registered by `owner` for `parent`.
    ///
    /// # Safety
    ///
    /// `parent` must be a valid device; the caller must be its driver's probe or a caller that
    /// otherwise keeps the binding stable during the call (registrations happen in probe).
    pub unsafe fn of_registration(
        parent: *mut bindings::device,
        owner: *mut bindings::module,
    ) -> Self {
        // SAFETY: `parent` is valid; a bound driver is a registered driver (caller's
        // requirement).
        let driver = unsafe {
            let drv = (*parent).driver;
            if drv.is_null() || (*drv).owner == owner {
                ptr::null_mut()
            } else {
                (*drv).owner
            }
        };
        Self { owner, driver }
    }

    /// Pins the modules; all or none.
    ///
    /// # Safety
    ///
    /// Must be called under the object's lifecycle lock while the protocol says it is registered.
    #[inline]
    pub unsafe fn try_pin(&self) -> bool {
        // SAFETY: While the object is registered both modules are alive (module doc).
        unsafe {
            if !bindings::try_module_get(self.owner) {
                return false;
            }
            if !self.driver.is_null() && !bindings::try_module_get(self.driver) {
                bindings::module_put(self.owner);
                return false;
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
        // SAFETY: `try_pin` pinned both (caller's requirement).
        unsafe {
            if !self.driver.is_null() {
                bindings::module_put(self.driver);
            }
            bindings::module_put(self.owner);
        }
    }
}
