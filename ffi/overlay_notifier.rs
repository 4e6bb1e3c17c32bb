// SPDX-License-Identifier: GPL-2.0

//! Device-tree overlay notifiers, and the helpers their callbacks share: of_fpga_region's
//! (programs a region an overlay names an image for) and fpga_region's (programs a configfs
//! image's region inside its overlay's application).
//!
//! C header: [`include/linux/of.h`](srctree/include/linux/of.h)

use super::{
    bindings,
    of_node::OfNode, //
};
use core::ptr;
use kernel::{
    prelude::*,
    str::CString,
    sync::aref::ARef,
    types::Opaque, //
};

/// The callback of a notifier block.
pub type NotifierFn = unsafe extern "C" fn(
    *mut bindings::notifier_block,
    kernel::ffi::c_ulong,
    *mut core::ffi::c_void,
) -> i32;

/// A notifier block, in static storage as the notifier chain requires.
pub struct Block(Opaque<bindings::notifier_block>);

// SAFETY: The block is only handed to the notifier chain, which serialises its use.
unsafe impl Sync for Block {}

impl Block {
    /// A block calling `call`; of two notifiers, the one of higher `priority` runs first.
    pub const fn new(call: NotifierFn, priority: i32) -> Self {
        Self(Opaque::new(bindings::notifier_block {
            notifier_call: Some(call),
            next: ptr::null_mut(),
            priority,
        }))
    }

    /// Registers the block with the overlay core; dropping the result unregisters it, waiting
    /// for a notification in flight.
    pub fn register(&'static self) -> Result<Registration> {
        // SAFETY: The block is static; it is registered until `Registration` unregisters it.
        kernel::error::to_result(unsafe { bindings::of_overlay_notifier_register(self.0.get()) })?;
        // INVARIANT: Registered above.
        Ok(Registration(self))
    }
}

/// A registered overlay notifier.
///
/// # Invariants
///
/// `self.0` is registered with the overlay core until `drop`.
pub struct Registration(&'static Block);

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: Registered (type invariant), unregistered once, here.
        unsafe { bindings::of_overlay_notifier_unregister(self.0 .0.get()) };
    }
}

/// `notifier_from_errno()`.
pub fn notifier_from_errno(err: i32) -> i32 {
    if err == 0 {
        bindings::NOTIFY_OK as i32
    } else {
        (bindings::NOTIFY_STOP_MASK as i32) | (bindings::NOTIFY_OK as i32 - err)
    }
}

/// Whether `node` is the live tree's `/__symbols__`.
pub fn is_symbols(node: &OfNode) -> bool {
    node.full_name().to_bytes() == b"__symbols__"
        && node
            .parent()
            .is_some_and(|parent| parent.parent().is_none())
}

/// The root of the overlay tree that `node` (a node of an overlay being applied, such as the
/// `__overlay__` node of a notification) belongs to.
pub fn overlay_root(node: &OfNode) -> ARef<OfNode> {
    let mut root = ARef::from(node);
    while let Some(parent) = root.parent() {
        root = parent;
    }
    root
}

/// The fragments of the overlay whose root is `root`: its children that have an `__overlay__`
/// node, each with that node. Every child counts, available (`status`) or not, as the overlay core
/// counts them (`init_overlay_changeset()`), which is why this walks with [`OfNode::children`] and
/// not with `FwNode::children` (available children only).
pub fn fragments(root: &OfNode) -> impl Iterator<Item = (ARef<OfNode>, ARef<OfNode>)> + '_ {
    root.children().filter_map(|fragment| {
        let overlay = fragment.child_by_name(c"__overlay__")?;
        Some((fragment, overlay))
    })
}

/// The live node the overlay fragment `fragment` targets (its `target` phandle, resolved when
/// the overlay is applied, or its `target-path`), as the overlay core finds it.
pub fn fragment_target(fragment: &OfNode) -> Option<ARef<OfNode>> {
    let props = fragment.fwnode();
    if let Some(phandle) = props.property_read::<u32>(c"target").optional() {
        return OfNode::find_by_phandle(phandle);
    }
    let path = props.property_read::<CString>(c"target-path").optional()?;
    OfNode::find_by_path(&path)
}

/// Whether `node` is an FPGA region's (`compatible = "fpga-region"`, compared as
/// `of_device_is_compatible()` does, which of_fpga_region's driver match uses).
pub fn is_region(node: &OfNode) -> bool {
    node.is_compatible(c"fpga-region")
}
