// SPDX-License-Identifier: GPL-2.0

//! The device-tree queries of the region driver: the manager and bridges a region's node names
//! (`Documentation/devicetree/bindings/fpga/fpga-region.yaml`), and what an overlay's tree holds
//! besides the image its fragment describes (a child region that names an image, another
//! fragment that programs).
//!
//! Upstream: [`drivers/fpga/of-fpga-region.c`](srctree/drivers/fpga/of-fpga-region.c)

use crate::{
    bindings,
    c_result::is_valid,
    of_node::OfNode,
    overlay_notifier::{
        fragment_target,
        fragments,
        is_region,
        overlay_root, //
    }, //
};
use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    prelude::*,
    sync::aref::ARef, //
};

/// Gets the manager of the region node `np`: that of the first node from `np` up that is an
/// `fpga-region` with an `fpga-mgr` phandle.
pub(crate) fn get_mgr(np: &OfNode) -> Result<*mut bindings::fpga_manager> {
    let mut node = Some(ARef::from(np));
    while let Some(region) = node {
        if region.is_compatible(c"fpga-region") {
            if let Some(mgr_node) = region.parse_phandle(c"fpga-mgr", 0) {
                // SAFETY: `mgr_node` is a valid node, referenced during the call.
                let mgr = unsafe { bindings::of_fpga_mgr_get(mgr_node.as_raw()) };
                return if is_valid(mgr) { Ok(mgr) } else { Err(ENODEV) };
            }
        }
        node = region.parent();
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
    // notifier, which keeps `info` (and its overlay node) alive. The region's device is that of
    // a region this module registered, for a platform device whose node names its manager
    // (`get_mgr` at probe), so `of_node` is that node, referenced by the device.
    let (region_np, info, list, kdev) = unsafe {
        (
            OfNode::from_raw((*region).dev.of_node),
            (*region).info,
            &raw mut (*region).bridge_list,
            kernel::device::Device::from_raw(&raw mut (*region).dev),
        )
    };
    let parent = region_np.parent();
    let parent_raw = parent.as_ref().map_or(ptr::null_mut(), |p| p.as_raw());

    // SAFETY: `parent_raw` is NULL (which finds nothing) or a node `parent` references; `info`
    // and the list are the region's.
    let ret = unsafe { bindings::of_fpga_bridge_get_to_list(parent_raw, info, list) };
    // `-EBUSY`: the parent is a bridge someone else holds. Other errors: it is no bridge.
    if ret == EBUSY.to_errno() {
        return ret;
    }
    let parent_br = if ret == 0 {
        parent_raw
    } else {
        ptr::null_mut()
    };

    // SAFETY: `info` is the notifier's image info; its overlay node, if any, is alive meanwhile.
    let overlay = NonNull::new(unsafe { (*info).overlay })
        // SAFETY: A non-NULL overlay node of the image info is valid while it programs.
        .map(|overlay| unsafe { OfNode::from_raw(overlay.as_ptr()) });
    // The overlay's list if it has the property (even one that names no node: that fails
    // below), else the region node's. Upstream chooses by whether entry 0 resolves.
    let np = match overlay {
        Some(overlay) if overlay.fwnode().property_present(c"fpga-bridges") => overlay,
        _ => region_np,
    };

    // Every entry must name a registered bridge: upstream stops at the first entry that names
    // no node and programs without the bridges after it, unfrozen.
    for i in 0..np.count_phandles(c"fpga-bridges").unwrap_or(0) {
        let br = np.parse_phandle(c"fpga-bridges", i);
        let ret = match &br {
            None => ENODEV.to_errno(),
            Some(br) if br.as_raw() == parent_br => 0,
            // SAFETY: `br` is a valid node, referenced during the call; the list is the
            // region's.
            Some(br) => unsafe { bindings::of_fpga_bridge_get_to_list(br.as_raw(), info, list) },
        };
        if ret != 0 {
            bridge_error(kdev, i, br.as_deref(), ret);
            // SAFETY: The list holds only bridges got above.
            unsafe { bindings::fpga_bridges_put(list) };
            return ret;
        }
    }
    0
}

/// Logs why entry `i` of a region's `fpga-bridges` cannot be used: it names no node (`br` is
/// `None`), or getting the bridge of `br` failed with `ret`.
#[cold]
fn bridge_error(dev: &kernel::device::Device, i: u32, br: Option<&OfNode>, ret: i32) {
    let Some(br) = br else {
        dev_err!(dev, "fpga-bridges entry {} names no device-tree node\n", i);
        return;
    };
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
        br.full_name(),
        why,
        ret
    );
}

/// The nodes below `root`, depth first, available (`status`) or not. Iterative, so an overlay of
/// any depth takes no more stack.
fn descendants(root: &OfNode) -> impl Iterator<Item = ARef<OfNode>> + '_ {
    core::iter::successors(root.next_child(None), move |node| {
        next_below(root, node.clone())
    })
}

/// The node after `node` in a depth-first walk of the subtree below `root`, or `None` at its
/// end.
fn next_below(root: &OfNode, node: ARef<OfNode>) -> Option<ARef<OfNode>> {
    if let Some(child) = node.next_child(None) {
        return Some(child);
    }
    let mut node = node;
    loop {
        // `node` is below `root`, so it has a parent.
        let parent = node.parent()?;
        if let Some(sibling) = parent.next_child(Some(node)) {
            return Some(sibling);
        }
        if ptr::eq(&*parent, root) {
            return None;
        }
        node = parent;
    }
}

/// Whether a descendant of `overlay` is an FPGA region with a `firmware-name`: a region the
/// overlay adds cannot program itself before it exists.
pub(crate) fn child_region_with_firmware(overlay: &OfNode) -> bool {
    // A string, read as upstream reads it (7.2 warns about a boolean read of a property with a
    // value).
    let bad = descendants(overlay).any(|node| {
        node.is_compatible(c"fpga-region") && node.property_is_string(c"firmware-name")
    });
    if bad {
        pr_err!("firmware-name not allowed in child FPGA region\n");
    }
    bad
}

/// Whether another fragment of the overlay that `overlay` (a fragment's `__overlay__` node) is
/// part of names an image (`firmware-name`) for an FPGA region too. Programming cannot be undone:
/// when the second region fails, the first holds the new image behind frozen bridges once the
/// caller removes the failed overlay, so an overlay is not applied whole or not at all. An
/// overlay programs at most one region; the others' devices it may add.
pub(crate) fn another_fragment_programs(overlay: &OfNode) -> bool {
    let root = overlay_root(overlay);
    let mut others = fragments(&root);
    others.any(|(fragment, other)| {
        !ptr::eq(&*other, overlay)
            && other.fwnode().property_present(c"firmware-name")
            && fragment_target(&fragment).is_some_and(|target| is_region(&target))
    })
}
