// SPDX-License-Identifier: GPL-2.0

//! The manager and bridges a region's device-tree node names
//! (`Documentation/devicetree/bindings/fpga/fpga-region.yaml`).

use crate::{bindings, c_result::is_valid};
use core::ptr;
use kernel::prelude::*;

/// The node of phandle number `index` of property `name` of `np`, with a reference, or NULL.
///
/// # Safety
///
/// `np` must be a valid node.
unsafe fn parse_phandle(
    np: *const bindings::device_node,
    name: &CStr,
    index: i32,
) -> *mut bindings::device_node {
    let mut args = bindings::of_phandle_args::default();
    // SAFETY: `np` is valid; no cells are read, so `args.np` is all that is set.
    let ret = unsafe {
        bindings::__of_parse_phandle_with_args(
            np,
            name.as_char_ptr(),
            ptr::null(),
            0,
            index,
            &mut args,
        )
    };
    if ret == 0 {
        args.np
    } else {
        ptr::null_mut()
    }
}

/// Gets the manager of the region node `np`: that of the first node from `np` up that is an
/// `fpga-region` with an `fpga-mgr` phandle.
pub(crate) fn get_mgr(np: *mut bindings::device_node) -> Result<*mut bindings::fpga_manager> {
    // SAFETY: `np` is a valid node; `of_get_next_parent` drops each reference it moves past.
    let mut node = unsafe { bindings::of_node_get(np) };
    while !node.is_null() {
        // SAFETY: `node` is a referenced node.
        if unsafe { bindings::of_device_is_compatible(node, c"fpga-region".as_char_ptr()) } != 0 {
            // SAFETY: `node` is a referenced node.
            let mgr_node = unsafe { parse_phandle(node, c"fpga-mgr", 0) };
            if !mgr_node.is_null() {
                // SAFETY: `mgr_node` and `node` are referenced; both references are dropped.
                let mgr = unsafe {
                    let mgr = bindings::of_fpga_mgr_get(mgr_node);
                    bindings::of_node_put(mgr_node);
                    bindings::of_node_put(node);
                    mgr
                };
                return if is_valid(mgr) { Ok(mgr) } else { Err(ENODEV) };
            }
        }
        // SAFETY: `node` is referenced; the reference moves to its parent.
        node = unsafe { bindings::of_get_next_parent(node) };
    }
    Err(EINVAL)
}

/// The region's `get_bridges`: the region node's parent if it is a bridge, then the bridges of
/// the overlay's `fpga-bridges` (or else the region node's). Fails, holding none, if any named
/// bridge is missing or in use.
///
/// # Safety
///
/// Called by the region core only, for a region this module registered, with `region->info` set
/// by the overlay notifier.
pub(crate) unsafe extern "C" fn get_bridges(region: *mut bindings::fpga_region) -> i32 {
    // SAFETY: `region` is valid during the callback; the region is being programmed by the
    // notifier, which keeps `info` (and its overlay node) alive.
    let (region_np, info, list) = unsafe {
        (
            (*region).dev.of_node,
            (*region).info,
            &raw mut (*region).bridge_list,
        )
    };
    // SAFETY: `region_np` is the node of a bound region device.
    let parent = unsafe { (*region_np).parent };

    // SAFETY: `parent` is a valid node (or NULL, which finds nothing).
    let ret = unsafe { bindings::of_fpga_bridge_get_to_list(parent, info, list) };
    // `-EBUSY`: the parent is a bridge someone else holds. Other errors: it is no bridge.
    if ret == EBUSY.to_errno() {
        return ret;
    }
    let parent_br = if ret == 0 { parent } else { ptr::null_mut() };

    // SAFETY: `info` is the notifier's image info; its overlay node is alive meanwhile.
    let overlay = unsafe { (*info).overlay };
    // The overlay's list if it has the property (even one that names no node: that fails
    // below), else the region node's. Upstream chooses by whether entry 0 resolves.
    // SAFETY: `overlay` is checked for NULL first; a non-NULL one is a valid node.
    let overlay_lists = !overlay.is_null()
        && !unsafe {
            bindings::of_find_property(overlay, c"fpga-bridges".as_char_ptr(), ptr::null_mut())
        }
        .is_null();
    let np = if overlay_lists { overlay } else { region_np };

    // Every entry must name a registered bridge: upstream stops at the first entry that names
    // no node and programs without the bridges after it, unfrozen.
    // SAFETY: `np` is a valid node; with no cells name, the entries are only counted.
    let count = unsafe {
        bindings::of_count_phandle_with_args(np, c"fpga-bridges".as_char_ptr(), ptr::null())
    };
    for i in 0..count.max(0) {
        // SAFETY: `np` is a valid node.
        let br = unsafe { parse_phandle(np, c"fpga-bridges", i) };
        let ret = if br.is_null() {
            ENODEV.to_errno()
        } else if br == parent_br {
            0
        } else {
            // SAFETY: `br` is referenced; the list is the region's.
            unsafe { bindings::of_fpga_bridge_get_to_list(br, info, list) }
        };
        if ret != 0 {
            // SAFETY: `region` is valid during the callback; `br` is NULL or referenced.
            unsafe { bridge_error(&raw mut (*region).dev, i, br, ret) };
            // SAFETY: The list holds only bridges got above.
            unsafe { bindings::fpga_bridges_put(list) };
        }
        // SAFETY: Drops `parse_phandle`'s reference (NULL: nothing).
        unsafe { bindings::of_node_put(br) };
        if ret != 0 {
            return ret;
        }
    }
    0
}

/// Logs why entry `i` of a region's `fpga-bridges` cannot be used: it names no node (`br` is
/// NULL), or getting the bridge of `br` failed with `ret`.
///
/// # Safety
///
/// `dev` must be a registered device; `br` NULL or a referenced node.
#[cold]
unsafe fn bridge_error(
    dev: *mut bindings::device,
    i: i32,
    br: *mut bindings::device_node,
    ret: i32,
) {
    // SAFETY: `dev` is registered (this function's requirement).
    let dev: &kernel::device::Device = unsafe { kernel::device::Device::from_raw(dev) };
    if br.is_null() {
        dev_err!(dev, "fpga-bridges entry {} names no device-tree node\n", i);
        return;
    }
    // SAFETY: `br` is referenced, and a node's name is a NUL-terminated string.
    let name = unsafe { CStr::from_char_ptr((*br).full_name) };
    let why = if ret == EBUSY.to_errno() {
        "the bridge is in use"
    } else if ret == ENODEV.to_errno() {
        "no FPGA bridge is registered for it"
    } else {
        "getting the bridge failed"
    };
    dev_err!(
        dev,
        "fpga-bridges entry {} ({}): {} ({})\n",
        i,
        name,
        why,
        ret
    );
}
