// SPDX-License-Identifier: GPL-2.0

//! Device classes with static storage (`fpga_manager`, `fpga_bridge`, `fpga_region`) and the
//! registration of their devices.
//!
//! C header: [`include/linux/device/class.h`](srctree/include/linux/device/class.h)

use super::bindings;
use kernel::{
    device::Device,
    prelude::*, //
};

/// A match function of `class_find_device()`.
pub type MatchFn = unsafe extern "C" fn(*mut bindings::device, *const core::ffi::c_void) -> i32;

/// An all-zero C ops table as a `static`: what an unregistered object's ops pointer points to,
/// so that C code holding the object no longer reaches the driver's code.
#[repr(transparent)]
pub struct NoOps<T>(T);

// SAFETY: The table is constant and all-zero: no function and no pointer to share.
unsafe impl<T> Sync for NoOps<T> {}

impl<T> NoOps<T> {
    /// The all-zero table.
    ///
    /// # Safety
    ///
    /// All-zero must be a valid `T` (an ops struct of optional functions, integers, booleans
    /// and nullable pointers).
    pub const unsafe fn new() -> Self {
        // SAFETY: All-zero is a valid `T` (caller's requirement).
        Self(unsafe { core::mem::zeroed() })
    }

    /// The table, for an ops pointer.
    pub const fn as_ptr(&'static self) -> *const T {
        &self.0
    }
}

/// The constant description of a device class, as a `static` that C may point at.
///
/// The driver core only reads a `struct class` (`class_register()` takes it `const`), so a plain
/// immutable static holds it for as long as the module is loaded.
#[repr(transparent)]
pub struct ClassDesc(bindings::class);

// SAFETY: `ClassDesc` is never mutated after its constant initialisation: the raw pointers in it
// refer to `'static` strings, attribute groups and functions, so sharing it between threads is
// sound.
unsafe impl Sync for ClassDesc {}

impl ClassDesc {
    /// Describes the class `name`, whose devices are released by `dev_release` and carry the
    /// attribute groups `dev_groups` (a NULL-terminated array, or NULL).
    pub const fn new(
        name: &'static CStr,
        dev_groups: *const *const bindings::attribute_group,
        dev_release: Option<unsafe extern "C" fn(*mut bindings::device)>,
    ) -> Self {
        Self(bindings::class {
            // `CStrExt::as_char_ptr` is not `const`; this is the same cast.
            #[expect(
                clippy::disallowed_methods,
                reason = "`CStrExt::as_char_ptr` is not `const`"
            )]
            name: name.as_ptr().cast(),
            dev_groups,
            dev_release,
            // SAFETY: All-zero is a valid `struct class`: every other member is a nullable
            // pointer or an optional function pointer.
            ..unsafe { core::mem::zeroed() }
        })
    }

    /// The C `struct class` pointer, for `dev->class` and the class iteration functions.
    pub const fn as_raw(&'static self) -> *const bindings::class {
        &self.0
    }

    /// Finds a device of this class, after `start` if not NULL, that `match_` accepts for `data`
    /// (`class_find_device()`). The device is returned with a reference the caller owns.
    ///
    /// # Safety
    ///
    /// `start` must be NULL or a device of this class; `match_` must be safe to call with any
    /// device of the class and `data`.
    pub unsafe fn find_device(
        &'static self,
        start: *mut bindings::device,
        data: *const core::ffi::c_void,
        match_: Option<MatchFn>,
    ) -> Option<*mut bindings::device> {
        // SAFETY: The class is a valid static (an unregistered class finds nothing); the rest is
        // the caller's requirement.
        let dev = unsafe { bindings::class_find_device(self.as_raw(), start, data, match_) };
        (!dev.is_null()).then_some(dev)
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
    pub unsafe fn add_device(
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
        if let Err(e) = ret {
            // SAFETY: `parent` is a valid device (caller's requirement).
            let parent: &Device = unsafe { Device::from_raw(parent) };
            // SAFETY: The class name is a `'static` NUL-terminated string (`Self::new`).
            let class = unsafe { CStr::from_char_ptr(self.0.name) };
            dev_err!(
                parent,
                "cannot add the {} device: {}\n",
                class,
                e.to_errno()
            );
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
pub struct ClassRegistration(&'static ClassDesc);

impl ClassRegistration {
    /// Registers `desc` with the driver core (`/sys/class/<name>`).
    pub fn new(desc: &'static ClassDesc) -> Result<Self> {
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

/// The accessors of a core object (`Manager`, `Bridge`, `Region`): a `#[repr(C)]` struct whose
/// first field `c` is the `Opaque` C struct `$c`, which embeds the class device as `dev`.
///
/// Used inside the object's `impl` block; the object's `# Invariants` must state that `c` is the
/// first field and that the allocation is freed only by its class's `dev_release`.
macro_rules! class_object_accessors {
    ($c:ident) => {
        /// The object of a C pointer handed out by this core.
        ///
        /// # Safety
        ///
        /// `ptr` must come from this core's registration and the caller must hold a reference
        /// to its device (the registration, a get, a class lookup, or a sysfs callback).
        pub(crate) unsafe fn from_c<'a>(ptr: *mut $crate::ffi::bindings::$c) -> &'a Self {
            // SAFETY: By the type invariant `c` is the first field of a `repr(C)` struct, and
            // the reference the caller holds keeps the allocation alive.
            unsafe { &*ptr.cast::<Self>() }
        }

        /// The object of a device of this core's class.
        ///
        /// # Safety
        ///
        /// `dev` must be the device of an object registered by this core, and the caller must
        /// hold a reference to it.
        pub(crate) unsafe fn from_dev<'a>(dev: *mut $crate::ffi::bindings::device) -> &'a Self {
            // `container_of!()` by hand: the kernel crate's macro calls an out-of-line type check,
            // and this is on the path of every get.
            let offset = ::core::mem::offset_of!($crate::ffi::bindings::$c, dev);
            // SAFETY: `dev` is the `dev` field of a C object (caller's requirement), so stepping
            // back by the field's offset stays inside that object.
            let ptr = unsafe { dev.byte_sub(offset) }.cast::<$crate::ffi::bindings::$c>();
            // SAFETY: `ptr` is the C object of an object registered by this core, whose device the
            // caller holds a reference to (caller's requirement), as `from_c` requires.
            unsafe { Self::from_c(ptr) }
        }

        /// The C struct that drivers and callers use.
        pub(crate) fn as_c(&self) -> *mut $crate::ffi::bindings::$c {
            self.c.get()
        }

        /// The object's device.
        pub(crate) fn raw_dev(&self) -> *mut $crate::ffi::bindings::device {
            // SAFETY: `c` is valid memory; only the address of the field is taken.
            unsafe { &raw mut (*self.c.get()).dev }
        }

        /// The object's device, for `dev_*!` messages.
        pub(crate) fn dev(&self) -> &::kernel::device::Device {
            // SAFETY: By the type invariant the device is initialised, and `&self` proves a
            // reference to it is held.
            unsafe { ::kernel::device::Device::from_raw(self.raw_dev()) }
        }
    };
}
pub(crate) use class_object_accessors;

/// Implements [`Object`](crate::lifecycle::Object) for a core object with [`class_object_accessors`],
/// whose lifecycle is its field `life` and whose gets hold it as `$hold` says; a fourth argument
/// names the object's method to run on each put.
macro_rules! impl_object {
    (@on_put none) => {};
    (@on_put $on_put:ident) => {
        fn on_put(&self) {
            <Self>::$on_put(self)
        }
    };
    ($t:ty, $c:ident, $hold:expr) => {
        $crate::ffi::class::impl_object!($t, $c, $hold, none);
    };
    ($t:ty, $c:ident, $hold:expr, $on_put:ident) => {
        // SAFETY: By the object's type invariants `c` is its first field and `dev` the class
        // device whose `dev_release` frees it.
        unsafe impl $crate::lifecycle::Object for $t {
            type C = $crate::ffi::bindings::$c;
            const HOLD: $crate::lifecycle::protocol::Hold = $hold;

            fn lifecycle(&self) -> &$crate::lifecycle::Lifecycle {
                &self.life
            }

            fn raw_dev(&self) -> *mut $crate::ffi::bindings::device {
                <$t>::raw_dev(self)
            }

            fn as_c(&self) -> *mut Self::C {
                <$t>::as_c(self)
            }

            unsafe fn from_dev<'a>(dev: *mut $crate::ffi::bindings::device) -> &'a Self {
                // SAFETY: `dev` is the class device of a `$t` that the caller holds a reference
                // to (this function's requirement), as the inherent `from_dev` requires.
                unsafe { <$t>::from_dev(dev) }
            }

            unsafe fn from_c<'a>(ptr: *mut Self::C) -> &'a Self {
                // SAFETY: `ptr` comes from `as_c` of a `$t` whose device the caller holds a
                // reference to (this function's requirement), as the inherent `from_c` requires.
                unsafe { <$t>::from_c(ptr) }
            }

            $crate::ffi::class::impl_object!(@on_put $on_put);
        }
    };
}
pub(crate) use impl_object;
