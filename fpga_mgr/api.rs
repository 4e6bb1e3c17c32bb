// SPDX-License-Identifier: GPL-2.0

//! The exported C API of [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h)
//! (except `fpga_image_info_*`, in `image_info.rs`).
//!
//! Each function converts its C arguments, calls the core in `manager.rs`/`load.rs`, and converts
//! the result back (`0`/`-errno`, or a pointer/`ERR_PTR()`), as `drivers/fpga/fpga-mgr.c` does.
//!
//! `c_abi_checked!` after each function checks it against its C declaration, and
//! `ffi/exports/fpga_mgr_exports.c` exports it with `EXPORT_SYMBOL_GPL()`.

use crate::{
    ffi::{
        bindings,
        c_result::{
            is_valid,
            to_ptr,
            to_ret, //
        }, //
    },
    lifecycle::Held,
    load,
    manager::Manager, //
};
use core::ptr;
use kernel::prelude::*;

/// The manager behind a caller's pointer, or `None`, with a warning naming `caller`, for NULL or
/// an `ERR_PTR()` (a caller bug upstream would oops on).
///
/// # Safety
///
/// A real pointer must come from a registration or a get that the caller still owns.
#[inline]
unsafe fn manager<'a>(mgr: *mut bindings::fpga_manager, caller: &str) -> Option<&'a Manager> {
    if !is_valid(mgr) {
        invalid_pointer(caller);
        return None;
    }
    // SAFETY: `mgr` is a real pointer, which comes from a registration or a get the caller still
    // owns (this function's requirement), so the manager's device is referenced.
    Some(unsafe { Manager::from_c(mgr) })
}

/// Warns about a caller's NULL or `ERR_PTR()` manager pointer.
#[cold]
fn invalid_pointer(caller: &str) {
    pr_warn!("{}: invalid FPGA manager pointer\n", caller);
}

/// Programs the FPGA with the image `info` describes (sg table, else buffer, else firmware).
///
/// The caller must hold the manager (from a get) and should hold its lock. Return: 0, or a
/// negative errno; `-ENODEV` once the manager is unregistered.
///
/// # Safety
///
/// `mgr` must come from a get that has not been put; `info` must be a valid image info.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_load(
    mgr: *mut bindings::fpga_manager,
    info: *mut bindings::fpga_image_info,
) -> i32 {
    // SAFETY: The caller holds a get of `mgr`.
    let Some(m) = (unsafe { manager(mgr, "fpga_mgr_load") }) else {
        return EINVAL.to_errno();
    };
    if info.is_null() {
        dev_err!(m.dev(), "fpga_mgr_load: no image info\n");
        return EINVAL.to_errno();
    }
    // SAFETY: `info` is valid (caller's requirement).
    to_ret(unsafe { load::load(m, info) })
}
c_abi_checked!(fpga_mgr_load);

/// Takes the manager for exclusive use. Return: 0, `-EBUSY` if another user holds it,
/// `-ENODEV` if it is unregistered.
///
/// # Safety
///
/// `mgr` must come from a get that has not been put.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_lock(mgr: *mut bindings::fpga_manager) -> i32 {
    // SAFETY: The caller holds a get of `mgr`.
    match unsafe { manager(mgr, "fpga_mgr_lock") } {
        Some(m) => to_ret(m.lock()),
        None => EINVAL.to_errno(),
    }
}
c_abi_checked!(fpga_mgr_lock);

/// Ends exclusive use of the manager.
///
/// # Safety
///
/// `mgr` must come from a get that has not been put.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_unlock(mgr: *mut bindings::fpga_manager) {
    // SAFETY: The caller holds a get of `mgr`.
    if let Some(m) = unsafe { manager(mgr, "fpga_mgr_unlock") } {
        m.unlock();
    }
}
c_abi_checked!(fpga_mgr_unlock);

/// Gets the manager registered for the parent device `dev`: pins its driver's module and takes
/// a device reference, until [`fpga_mgr_put`]. Return: the manager, or `ERR_PTR(-ENODEV)` if
/// there is none or it is being unregistered.
///
/// # Safety
///
/// `dev` may be any pointer; it is only compared.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_get(
    dev: *mut bindings::device,
) -> *mut bindings::fpga_manager {
    to_ptr(crate::MANAGERS.lock().get_by_parent(dev).map(Held::into_c))
}
c_abi_checked!(fpga_mgr_get);

/// Gets the manager of the device-tree node `node` (that of its parent device), as
/// [`fpga_mgr_get`] does.
///
/// # Safety
///
/// `node` may be any pointer; it is only compared.
#[no_mangle]
pub(crate) unsafe extern "C" fn of_fpga_mgr_get(
    node: *mut bindings::device_node,
) -> *mut bindings::fpga_manager {
    to_ptr(
        crate::MANAGERS
            .lock()
            .get_by_of_node(node)
            .map(Held::into_c),
    )
}
c_abi_checked!(of_fpga_mgr_get);

/// fpga-rs extension (`ffi/fpga-rs.h`): gets `mgr` if it is still registered, else the manager
/// registered since for the same device (the same firmware node, or, for drivers that declared
/// it with [`fpga_mgr_identify_by_name`], the same bus and parent device name), as
/// [`fpga_mgr_get`] does; a manager being unregistered is never a successor. This lets a region refer to its manager with a device
/// reference only, and program through it again after its driver module was reloaded.
///
/// Return: the manager got, or `ERR_PTR(-ENODEV)`.
///
/// # Safety
///
/// `mgr` must come from a registration, and the caller must hold a reference to its device.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_get_current(
    mgr: *mut bindings::fpga_manager,
) -> *mut bindings::fpga_manager {
    // SAFETY: The caller holds a reference to the manager's device.
    match unsafe { manager(mgr, "fpga_mgr_get_current") } {
        Some(m) => to_ptr(m.get_current().map(Held::into_c)),
        None => EINVAL.to_ptr(),
    }
}
c_abi_checked!(fpga_mgr_get_current);

/// fpga-rs extension (`ffi/fpga-rs.h`): declares that the `<bus>/<name>` of `mgr`'s parent
/// identifies the programmed device stably (a fixed platform-device id, a PCI address), so that
/// [`fpga_mgr_get_current`] may take a manager registered later by a driver that declared the
/// same, for a parent of that name, as `mgr`'s successor. Without it (or with a firmware node)
/// only the parent's firmware node identifies the device: auto-numbered and bus-less devices
/// recycle names.
///
/// # Safety
///
/// `mgr` must come from a registration the caller still owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_identify_by_name(mgr: *mut bindings::fpga_manager) {
    // SAFETY: The caller owns the registration.
    if let Some(m) = unsafe { manager(mgr, "fpga_mgr_identify_by_name") } {
        m.identify_by_name();
    }
}
c_abi_checked!(fpga_mgr_identify_by_name);

/// fpga-rs extension (`ffi/fpga-rs.h`): the `fpga_manager` class, for a class interface
/// (`class_interface_register()`) that adds to every manager's device without a change to this
/// core, as `fpga_compat_sysfs.ko` does. Upstream's class is static to `fpga-mgr.c`. The class
/// is a static of this module: valid while a caller that links against this module is loaded.
#[no_mangle]
pub(crate) extern "C" fn fpga_mgr_class() -> *const bindings::class {
    crate::FPGA_MGR_CLASS.as_raw()
}
c_abi_checked!(fpga_mgr_class);

/// fpga-rs extension (`ffi/fpga-rs.h`): the guarantees of this core that the safe Rust API
/// relies on, as a symbol. [`fpga_mgr_unregister`] returns only when no op runs, and no op
/// starts afterwards, also for users that still hold the manager (`Documentation/lifecycle.rst`,
/// rules 3 and 4). Every module built on `fpga/` references this symbol, so it does not load on
/// the upstream C core, which does not wait for the ops in flight and calls a held manager's ops
/// after its unregistration. Calling it does nothing.
#[no_mangle]
pub(crate) extern "C" fn fpga_mgr_lifecycle_guarantees() {}
c_abi_checked!(fpga_mgr_lifecycle_guarantees);

/// Releases a manager from a get: unpins its driver's module and drops the device reference.
///
/// # Safety
///
/// `mgr` must come from a get that has not been put; it must not be used afterwards.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_put(mgr: *mut bindings::fpga_manager) {
    // SAFETY: The caller owns a get of `mgr`.
    if unsafe { manager(mgr, "fpga_mgr_put") }.is_some() {
        // SAFETY: `mgr` came from `Held::into_c` (every get hands it out so), and the caller
        // gives that get back here, once.
        drop(unsafe { Held::<Manager>::from_c(mgr) });
    }
}
c_abi_checked!(fpga_mgr_put);

/// Creates and registers a manager (`fpga%d`) under `parent` with ops from `owner`.
///
/// The owner module is pinned only between a get and its put, never by the registration. The
/// caller must call [`fpga_mgr_unregister`]. Return: the manager or an `ERR_PTR()`: `-EINVAL`
/// without ops or name.
///
/// # Safety
///
/// `parent` must be a valid device and `info` a valid manager info whose ops outlive the
/// registration.
#[no_mangle]
pub(crate) unsafe extern "C" fn __fpga_mgr_register_full(
    parent: *mut bindings::device,
    info: *const bindings::fpga_manager_info,
    owner: *mut bindings::module,
) -> *mut bindings::fpga_manager {
    if info.is_null() {
        pr_err!("Attempt to register an FPGA manager without info\n");
        return EINVAL.to_ptr();
    }
    // SAFETY: `info` is valid (caller's requirement).
    to_ptr(Manager::register(parent, unsafe { &*info }, owner))
}
c_abi_checked!(__fpga_mgr_register_full);

/// The manager info of the short registration functions.
fn short_info(
    name: *const u8,
    mops: *const bindings::fpga_manager_ops,
    priv_: *mut core::ffi::c_void,
) -> bindings::fpga_manager_info {
    bindings::fpga_manager_info {
        name: name.cast(),
        compat_id: ptr::null_mut(),
        mops,
        priv_,
    }
}

/// [`__fpga_mgr_register_full`] with a name, ops and private data only.
///
/// # Safety
///
/// `parent` must be a valid device, `name` NULL or a NUL-terminated string, and `mops` NULL or
/// ops that outlive the registration.
#[no_mangle]
pub(crate) unsafe extern "C" fn __fpga_mgr_register(
    parent: *mut bindings::device,
    name: *const u8,
    mops: *const bindings::fpga_manager_ops,
    priv_: *mut core::ffi::c_void,
    owner: *mut bindings::module,
) -> *mut bindings::fpga_manager {
    let info = short_info(name, mops, priv_);
    // SAFETY: `parent`, `name`, `mops` and `owner` are valid as `__fpga_mgr_register_full`
    // requires (this function's requirements are the same); `info` is a valid local.
    unsafe { __fpga_mgr_register_full(parent, &info, owner) }
}
c_abi_checked!(__fpga_mgr_register);

/// Unregisters a manager: new gets and loads fail with `-ENODEV`, loads and `status` reads in
/// flight are waited for, then the driver's `fpga_remove` runs and the device goes. Users that
/// still hold the manager keep a valid pointer until their put.
///
/// # Safety
///
/// `mgr` must come from a registration that has not been unregistered.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_mgr_unregister(mgr: *mut bindings::fpga_manager) {
    // SAFETY: The caller owns the registration, which `unregister` consumes.
    if let Some(m) = unsafe { manager(mgr, "fpga_mgr_unregister") } {
        // SAFETY: The caller owns the registration (C API contract), which `unregister`
        // consumes.
        unsafe { m.unregister() };
    }
}
c_abi_checked!(fpga_mgr_unregister);

/// The devres release of the managed registrations.
///
/// # Safety
///
/// Called by devres only, with the data `__devm_fpga_mgr_register_full` allocated.
unsafe extern "C" fn devm_unregister(_dev: *mut bindings::device, res: *mut core::ffi::c_void) {
    // SAFETY: `res` holds the manager pointer `__devm_fpga_mgr_register_full` stored.
    unsafe { fpga_mgr_unregister(*res.cast::<*mut bindings::fpga_manager>()) };
}

/// [`__fpga_mgr_register_full`], unregistered automatically when `parent`'s driver detaches.
///
/// # Safety
///
/// `parent` must be a valid device bound to a driver, and `info` a valid manager info whose
/// ops outlive the registration.
#[no_mangle]
pub(crate) unsafe extern "C" fn __devm_fpga_mgr_register_full(
    parent: *mut bindings::device,
    info: *const bindings::fpga_manager_info,
    owner: *mut bindings::module,
) -> *mut bindings::fpga_manager {
    // SAFETY: Allocates devres data for one pointer; the release function matches.
    let dr = unsafe {
        bindings::__devres_alloc_node(
            Some(devm_unregister),
            core::mem::size_of::<*mut bindings::fpga_manager>(),
            bindings::GFP_KERNEL,
            bindings::NUMA_NO_NODE,
            c"devm_fpga_mgr_unregister".as_char_ptr(),
        )
    };
    if dr.is_null() {
        return ENOMEM.to_ptr();
    }
    // SAFETY: `parent`, `info` and `owner` are valid as `__fpga_mgr_register_full` requires
    // (this function's requirements are the same).
    let mgr = unsafe { __fpga_mgr_register_full(parent, info, owner) };
    if !is_valid(mgr) {
        // SAFETY: `dr` was allocated above and never added.
        unsafe { bindings::devres_free(dr) };
        return mgr;
    }
    // SAFETY: `dr` has room for one pointer; `parent` is a valid device.
    unsafe {
        *dr.cast::<*mut bindings::fpga_manager>() = mgr;
        bindings::devres_add(parent, dr);
    }
    mgr
}
c_abi_checked!(__devm_fpga_mgr_register_full);

/// [`__fpga_mgr_register`], unregistered automatically when `parent`'s driver detaches.
///
/// # Safety
///
/// `parent` must be a valid device bound to a driver, `name` NULL or a NUL-terminated string,
/// and `mops` NULL or ops that outlive the registration.
#[no_mangle]
pub(crate) unsafe extern "C" fn __devm_fpga_mgr_register(
    parent: *mut bindings::device,
    name: *const u8,
    mops: *const bindings::fpga_manager_ops,
    priv_: *mut core::ffi::c_void,
    owner: *mut bindings::module,
) -> *mut bindings::fpga_manager {
    let info = short_info(name, mops, priv_);
    // SAFETY: `parent`, `name`, `mops` and `owner` are valid as
    // `__devm_fpga_mgr_register_full` requires (this function's requirements are the same).
    unsafe { __devm_fpga_mgr_register_full(parent, &info, owner) }
}
c_abi_checked!(__devm_fpga_mgr_register);
