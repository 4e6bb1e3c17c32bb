// SPDX-License-Identifier: GPL-2.0

//! Device classes with static storage (`fpga_manager`, `fpga_bridge`, `fpga_region`).
//!
//! C header: [`include/linux/device/class.h`](srctree/include/linux/device/class.h)

use crate::bindings;
use kernel::prelude::*;

/// The constant description of a device class, as a `static` that C may point at.
///
/// The driver core only reads a `struct class` (`class_register()` takes it `const`), so a plain
/// immutable static holds it for as long as the module is loaded.
#[repr(transparent)]
pub(crate) struct ClassDesc(bindings::class);

// SAFETY: `ClassDesc` is never mutated after its constant initialisation: the raw pointers in it
// refer to `'static` strings, attribute groups and functions, so sharing it between threads is
// sound.
unsafe impl Sync for ClassDesc {}

impl ClassDesc {
    /// Describes the class `name`, whose devices are released by `dev_release` and carry the
    /// attribute groups `dev_groups` (a NULL-terminated array, or NULL).
    pub(crate) const fn new(
        name: &'static CStr,
        dev_groups: *const *const bindings::attribute_group,
        dev_release: Option<unsafe extern "C" fn(*mut bindings::device)>,
    ) -> Self {
        Self(bindings::class {
            // `CStrExt::as_char_ptr` is not `const`; this is the same cast.
            #[allow(clippy::disallowed_methods)]
            name: name.as_ptr().cast(),
            dev_groups,
            dev_release,
            // SAFETY: All-zero is a valid `struct class`: every other member is a nullable
            // pointer or an optional function pointer.
            ..unsafe { core::mem::zeroed() }
        })
    }

    /// The C `struct class` pointer, for `dev->class` and the class iteration functions.
    pub(crate) const fn as_raw(&'static self) -> *const bindings::class {
        &self.0
    }
}

/// A registered device class; dropping it unregisters the class.
///
/// # Invariants
///
/// `self.0` is registered with the driver core.
pub(crate) struct ClassRegistration(&'static ClassDesc);

impl ClassRegistration {
    /// Registers `desc` with the driver core (`/sys/class/<name>`).
    pub(crate) fn new(desc: &'static ClassDesc) -> Result<Self> {
        // SAFETY: `desc` is a valid `struct class` that lives forever and is not registered yet:
        // only this type registers it, once per module lifetime.
        kernel::error::to_result(unsafe { bindings::class_register(desc.as_raw()) })?;
        // INVARIANT: `class_register` succeeded.
        Ok(Self(desc))
    }
}

impl Drop for ClassRegistration {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the class is registered; it is unregistered only here.
        unsafe { bindings::class_unregister(self.0.as_raw()) };
    }
}
