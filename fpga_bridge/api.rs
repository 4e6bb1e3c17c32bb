// SPDX-License-Identifier: GPL-2.0

//! The exported C API of
//! [`include/linux/fpga/fpga-bridge.h`](srctree/include/linux/fpga/fpga-bridge.h).
//!
//! Each function converts its C arguments, calls the core in `bridge.rs`, and converts the
//! result back (`0`/`-errno`, or a pointer/`ERR_PTR()`), as `drivers/fpga/fpga-bridge.c` does.
//!
//! `c_abi_checked!` after each function checks it against its C declaration, and
//! `ffi/exports/fpga_bridge_exports.c` exports it with `EXPORT_SYMBOL_GPL()`.

use crate::{
    bridge::Bridge,
    ffi::{
        bindings,
        c_result::{
            is_valid,
            to_ptr,
            to_ret, //
        },
        list, //
    },
    lifecycle::Held, //
};
use kernel::prelude::*;

/// The bridge behind a caller's pointer, or `None`, with a warning naming `caller`, for NULL or
/// an `ERR_PTR()` (a caller bug upstream would oops on).
///
/// # Safety
///
/// A real pointer must come from a registration or a get that the caller still owns.
unsafe fn bridge<'a>(br: *mut bindings::fpga_bridge, caller: &str) -> Option<&'a Bridge> {
    if !is_valid(br) {
        pr_warn!("{}: invalid FPGA bridge pointer\n", caller);
        return None;
    }
    // SAFETY: `br` is a real pointer, which comes from a registration or a get the caller still
    // owns (this function's requirement), so the bridge's device is referenced.
    Some(unsafe { Bridge::from_c(br) })
}

/// Enables transactions on the bridge. Return: 0, the driver's error, or `-ENODEV` once the
/// bridge is unregistered.
///
/// # Safety
///
/// `bridge` must come from a registration or a get that the caller still owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_enable(bridge_: *mut bindings::fpga_bridge) -> i32 {
    // SAFETY: `bridge_` comes from a registration or a get the caller owns (C API contract).
    match unsafe { bridge(bridge_, "fpga_bridge_enable") } {
        Some(b) => to_ret(b.enable_set(true)),
        None => EINVAL.to_errno(),
    }
}
c_abi_checked!(fpga_bridge_enable);

/// Disables transactions on the bridge. Return: as [`fpga_bridge_enable`].
///
/// # Safety
///
/// `bridge` must come from a registration or a get that the caller still owns.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_disable(bridge_: *mut bindings::fpga_bridge) -> i32 {
    // SAFETY: `bridge_` comes from a registration or a get the caller owns (C API contract).
    match unsafe { bridge(bridge_, "fpga_bridge_disable") } {
        Some(b) => to_ret(b.enable_set(false)),
        None => EINVAL.to_errno(),
    }
}
c_abi_checked!(fpga_bridge_disable);

/// Records `info` for a bridge just got.
fn with_info(
    got: Result<Held<Bridge>>,
    info: *mut bindings::fpga_image_info,
) -> Result<*mut bindings::fpga_bridge> {
    Ok(Bridge::with_info(got?, info).into_c())
}

/// Takes an exclusive reference to the bridge of the device-tree node `np`: pins its driver's
/// module and records `info` for it, until [`fpga_bridge_put`]. Return: the bridge,
/// `ERR_PTR(-EBUSY)` if someone holds it, `ERR_PTR(-ENODEV)` if there is none or it is being
/// unregistered.
///
/// # Safety
///
/// `np` may be any pointer; it is only compared. `info` must be NULL or valid until the put.
#[no_mangle]
pub(crate) unsafe extern "C" fn of_fpga_bridge_get(
    np: *mut bindings::device_node,
    info: *mut bindings::fpga_image_info,
) -> *mut bindings::fpga_bridge {
    let got = crate::BRIDGES.lock().get_by_of_node(np);
    to_ptr(with_info(got, info))
}
c_abi_checked!(of_fpga_bridge_get);

/// Takes an exclusive reference to the bridge registered for the parent device `dev`, as
/// [`of_fpga_bridge_get`] does.
///
/// # Safety
///
/// `dev` may be any pointer; it is only compared. `info` must be NULL or valid until the put.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_get(
    dev: *mut bindings::device,
    info: *mut bindings::fpga_image_info,
) -> *mut bindings::fpga_bridge {
    let got = crate::BRIDGES.lock().get_by_parent(dev);
    to_ptr(with_info(got, info))
}
c_abi_checked!(fpga_bridge_get);

/// Releases an exclusive reference: forgets the image info, unpins the driver's module and
/// drops the device reference.
///
/// # Safety
///
/// `bridge` must come from a get that has not been put; it must not be used afterwards.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_put(bridge_: *mut bindings::fpga_bridge) {
    // SAFETY: The caller owns a get of `bridge_`.
    if unsafe { bridge(bridge_, "fpga_bridge_put") }.is_some() {
        // SAFETY: `bridge_` came from `Held::into_c` (every get hands it out so), and the caller
        // gives that get back here, once.
        drop(unsafe { Held::<Bridge>::from_c(bridge_) });
    }
}
c_abi_checked!(fpga_bridge_put);

/// Sets every bridge of `list` in order; stops at the first error, as upstream does.
///
/// # Safety
///
/// `list` must be a valid list of bridges the caller holds.
unsafe fn set_all(list: *mut bindings::list_head, enable: bool) -> Result {
    if list.is_null() {
        pr_warn!("FPGA bridge list is NULL\n");
        return Err(EINVAL);
    }
    // SAFETY: `list` is a valid list the caller does not change meanwhile.
    for node in unsafe { list::entries(list) } {
        // SAFETY: Every entry is the node of a bridge the caller holds.
        let b = unsafe { Bridge::from_node(node) };
        b.enable_set(enable)?;
    }
    Ok(())
}

/// Enables each bridge of the list, in order. Return: 0 (also for an empty list) or the first
/// error.
///
/// # Safety
///
/// `bridge_list` must be a valid list of bridges the caller holds.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridges_enable(bridge_list: *mut bindings::list_head) -> i32 {
    // SAFETY: `bridge_list` is a valid list of bridges the caller holds (C API contract).
    to_ret(unsafe { set_all(bridge_list, true) })
}
c_abi_checked!(fpga_bridges_enable);

/// Disables each bridge of the list, in order. Return: as [`fpga_bridges_enable`].
///
/// # Safety
///
/// `bridge_list` must be a valid list of bridges the caller holds.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridges_disable(bridge_list: *mut bindings::list_head) -> i32 {
    // SAFETY: `bridge_list` is a valid list of bridges the caller holds (C API contract).
    to_ret(unsafe { set_all(bridge_list, false) })
}
c_abi_checked!(fpga_bridges_disable);

/// Puts every bridge of the list and empties it. Each bridge leaves the list before it is put,
/// since the put may free it (upstream does it the other way round, hole L5).
///
/// # Safety
///
/// `bridge_list` must be a valid list of bridges the caller holds.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridges_put(bridge_list: *mut bindings::list_head) {
    if bridge_list.is_null() {
        pr_warn!("fpga_bridges_put: FPGA bridge list is NULL\n");
        return;
    }
    loop {
        let node = {
            let _guard = crate::BRIDGE_LIST_LOCK.lock();
            // SAFETY: `bridge_list` is a valid list; changes are serialised by the lock.
            let Some(node) = (unsafe { list::first(bridge_list) }) else {
                break;
            };
            // SAFETY: `node` is on the valid list `bridge_list`; the lock serialises the change.
            unsafe { list::del_init(node) };
            node
        };
        // SAFETY: `node` is the node of a bridge the caller held through the list (a get handed
        // out by `Held::into_c`); this put consumes that hold, once.
        drop(unsafe { Held::<Bridge>::from_c(Bridge::from_node(node).as_c()) });
    }
}
c_abi_checked!(fpga_bridges_put);

/// Adds a bridge got by a lookup to `list`.
///
/// # Safety
///
/// `list` must be a valid list.
unsafe fn add_to_list(
    got: Result<*mut bindings::fpga_bridge>,
    list: *mut bindings::list_head,
) -> i32 {
    let br = match got {
        Ok(br) => br,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: `br` is a bridge we just got.
    let b = unsafe { Bridge::from_c(br) };
    let _guard = crate::BRIDGE_LIST_LOCK.lock();
    // SAFETY: `list` is valid (caller's requirement) and the bridge's node is on no list while
    // it is held by us only; changes are serialised by the lock.
    unsafe { list::add(b.node(), list) };
    0
}

/// Takes an exclusive reference to the bridge of `np` and adds it to the head of the list.
/// Return: 0 or the error of [`of_fpga_bridge_get`].
///
/// # Safety
///
/// `np` may be any pointer; it is only compared. `info` must be NULL or valid until the put,
/// and `bridge_list` a valid list.
#[no_mangle]
pub(crate) unsafe extern "C" fn of_fpga_bridge_get_to_list(
    np: *mut bindings::device_node,
    info: *mut bindings::fpga_image_info,
    bridge_list: *mut bindings::list_head,
) -> i32 {
    if bridge_list.is_null() {
        return EINVAL.to_errno();
    }
    let got = crate::BRIDGES.lock().get_by_of_node(np);
    let got = with_info(got, info);
    // SAFETY: `bridge_list` is valid (caller's requirement).
    unsafe { add_to_list(got, bridge_list) }
}
c_abi_checked!(of_fpga_bridge_get_to_list);

/// Takes an exclusive reference to the bridge of the parent device `dev` and adds it to the
/// head of the list. Return: 0 or the error of [`fpga_bridge_get`].
///
/// # Safety
///
/// `dev` may be any pointer; it is only compared. `info` must be NULL or valid until the put,
/// and `bridge_list` a valid list.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_get_to_list(
    dev: *mut bindings::device,
    info: *mut bindings::fpga_image_info,
    bridge_list: *mut bindings::list_head,
) -> i32 {
    if bridge_list.is_null() {
        return EINVAL.to_errno();
    }
    let got = crate::BRIDGES.lock().get_by_parent(dev);
    let got = with_info(got, info);
    // SAFETY: `bridge_list` is valid (caller's requirement).
    unsafe { add_to_list(got, bridge_list) }
}
c_abi_checked!(fpga_bridge_get_to_list);

/// Creates and registers a bridge (`br%d`) under `parent` with ops from `owner`.
///
/// The owner module is pinned only between a get and its put, never by the registration. The
/// caller must call [`fpga_bridge_unregister`]. Return: the bridge or an `ERR_PTR()`: `-EINVAL`
/// without ops or name.
///
/// # Safety
///
/// `parent` must be a valid device; `br_ops` must outlive the registration.
#[no_mangle]
pub(crate) unsafe extern "C" fn __fpga_bridge_register(
    parent: *mut bindings::device,
    name: *const u8,
    br_ops: *const bindings::fpga_bridge_ops,
    priv_: *mut core::ffi::c_void,
    owner: *mut bindings::module,
) -> *mut bindings::fpga_bridge {
    to_ptr(Bridge::register(parent, name, br_ops, priv_, owner))
}
c_abi_checked!(__fpga_bridge_register);

/// Unregisters a bridge: new gets and ops fail with `-ENODEV`, ops in flight are waited for,
/// then the driver's `fpga_bridge_remove` runs and the device goes. A holder keeps a valid
/// pointer until its put.
///
/// # Safety
///
/// `bridge` must come from a registration that has not been unregistered.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_unregister(bridge_: *mut bindings::fpga_bridge) {
    // SAFETY: The caller owns the registration, which `unregister` consumes.
    if let Some(b) = unsafe { bridge(bridge_, "fpga_bridge_unregister") } {
        // SAFETY: The caller owns the registration (C API contract), which `unregister`
        // consumes.
        unsafe { b.unregister() };
    }
}
c_abi_checked!(fpga_bridge_unregister);

/// fpga-rs extension (`ffi/fpga-rs.h`): the guarantees of this core that the safe Rust API's
/// bridges rely on, as a symbol. [`fpga_bridge_unregister`] returns only when no op runs, and no
/// op starts afterwards; a bridge's `info` is written only by its holder and cleared by its put,
/// which returns only when no op that may read it runs (`Documentation/lifecycle.rst`). A module
/// that registers a bridge through `fpga/bridge.rs` references this symbol, so it does not load
/// on the upstream C core, which gives neither. Calling it does nothing.
#[no_mangle]
pub(crate) extern "C" fn fpga_bridge_lifecycle_guarantees() {}
c_abi_checked!(fpga_bridge_lifecycle_guarantees);

/// fpga-rs extension (`ffi/fpga-rs.h`): claims a bridge the caller holds for `claimant`, the
/// region that programs through it, until [`fpga_bridge_unclaim`] or the bridge's
/// unregistration. A claim does not pin the bridge's module. Return: 0, `-EBUSY` if another
/// claimant has the bridge, `-EINVAL` for an invalid bridge or a NULL claimant.
///
/// # Safety
///
/// `bridge_` must come from a get the caller still owns; `claimant` is only compared.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_claim(
    bridge_: *mut bindings::fpga_bridge,
    claimant: *const core::ffi::c_void,
) -> i32 {
    // SAFETY: The caller holds a get of `bridge_`.
    match unsafe { bridge(bridge_, "fpga_bridge_claim") } {
        Some(b) if !claimant.is_null() => to_ret(b.claim(claimant as usize)),
        _ => EINVAL.to_errno(),
    }
}
c_abi_checked!(fpga_bridge_claim);

/// fpga-rs extension (`ffi/fpga-rs.h`): gives up `claimant`'s claim on a bridge (nothing if it
/// has none).
///
/// # Safety
///
/// The caller must hold a reference to `bridge_`'s device; `claimant` is only compared.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_unclaim(
    bridge_: *mut bindings::fpga_bridge,
    claimant: *const core::ffi::c_void,
) {
    // SAFETY: The caller holds a reference to the bridge's device.
    if let Some(b) = unsafe { bridge(bridge_, "fpga_bridge_unclaim") } {
        b.unclaim(claimant as usize);
    }
}
c_abi_checked!(fpga_bridge_unclaim);

/// fpga-rs extension (`ffi/fpga-rs.h`): freezes (disables) a bridge `claimant` claimed and gives
/// the claim up, as a region does when its overlay is removed. The claim stands for upstream's
/// hold of the bridge by the region: the bridge is got exclusively with `info` (its timeouts
/// apply) for the disable, or, if another user holds it meanwhile, disabled under that user's
/// hold, so a claimed bridge is frozen whoever holds it.
///
/// Return: 0; `-EPERM` if `claimant` has no claim on the bridge (nothing is done); `-ENODEV` if
/// the bridge was unregistered (its claim went with it); or the driver's error. The claim is given
/// up in every case but `-EPERM`.
///
/// # Safety
///
/// The caller must hold a reference to `bridge_`'s device; `claimant` is only compared; `info`
/// must be NULL or valid until this returns.
#[no_mangle]
pub(crate) unsafe extern "C" fn fpga_bridge_freeze_claimed(
    bridge_: *mut bindings::fpga_bridge,
    claimant: *const core::ffi::c_void,
    info: *mut bindings::fpga_image_info,
) -> i32 {
    // SAFETY: The caller holds a reference to the bridge's device.
    let Some(b) = (unsafe { bridge(bridge_, "fpga_bridge_freeze_claimed") }) else {
        return EINVAL.to_errno();
    };
    to_ret(b.freeze_claimed(claimant as usize, info))
}
c_abi_checked!(fpga_bridge_freeze_claimed);
