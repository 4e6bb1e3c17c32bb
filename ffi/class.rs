// SPDX-License-Identifier: GPL-2.0

//! Device classes with static storage (`fpga_manager`, `fpga_bridge`, `fpga_region`) and the
//! registration of their devices.
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

    /// Initialises the class device `dev` of a core object, names it from `name_fmt` (one `%d`,
    /// given `id`) and adds it to the driver core. `before_add` runs once the device is named,
    /// before it becomes visible (upstream reads the manager's initial state there).
    ///
    /// From the `device_initialize()` on, the device owns the object: on failure the initial
    /// reference is dropped here, so the class's `dev_release` frees the object and its `id`.
    ///
    /// # Safety
    ///
    /// `dev` must be the zeroed `struct device` of an object that this class's `dev_release`
    /// frees, with `id` allocated for it; `parent` must be a valid device; `groups` must be NULL
    /// or a NULL-terminated array that outlives the device.
    pub(crate) unsafe fn add_device(
        &'static self,
        dev: *mut bindings::device,
        parent: *mut bindings::device,
        groups: *mut *const bindings::attribute_group,
        id: u32,
        name_fmt: &CStr,
        before_add: impl FnOnce(),
    ) -> Result {
        // SAFETY: `dev` is a zeroed device and `parent` a valid one (caller's requirements).
        unsafe {
            (*dev).class = self.as_raw();
            (*dev).groups = groups;
            (*dev).parent = parent;
            (*dev).of_node = (*parent).of_node;
            (*dev).id = id;
            bindings::device_initialize(dev);
        }
        // SAFETY: The device is initialised; the format takes one `int`.
        let ret = unsafe { bindings::dev_set_name(dev, name_fmt.as_char_ptr(), id) };
        let ret = kernel::error::to_result(ret).and_then(|()| {
            before_add();
            // SAFETY: The device is initialised and named.
            kernel::error::to_result(unsafe { bindings::device_add(dev) })
        });
        if ret.is_err() {
            // SAFETY: Drops the initial reference: `dev_release` frees the object.
            unsafe { bindings::put_device(dev) };
        }
        ret
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
