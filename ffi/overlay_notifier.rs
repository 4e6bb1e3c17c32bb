// SPDX-License-Identifier: GPL-2.0

//! Device-tree overlay notifiers, and the helpers their callbacks share: of_fpga_region's
//! (programs a region an overlay names an image for) and fpga_region's (programs a configfs
//! image's region inside its overlay's application).
//!
//! C header: [`include/linux/of.h`](srctree/include/linux/of.h)

use super::bindings;
use core::ptr::{self, NonNull};
use kernel::{device::property::FwNode, prelude::*, str::CString, sync::aref::ARef, types::Opaque};

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

/// The firmware node of a device-tree node, for the kernel crate's property readers.
///
/// # Safety
///
/// `np` must be a valid node that stays referenced for `'a`.
pub unsafe fn fwnode<'a>(np: *mut bindings::device_node) -> &'a FwNode {
    // SAFETY: `np` is valid for `'a` (caller's requirement), so its embedded `fwnode` is too;
    // `FwNode` is a transparent wrapper of `struct fwnode_handle`.
    unsafe { &*(&raw mut (*np).fwnode).cast::<FwNode>() }
}

/// Whether `np` is the live tree's `/__symbols__`.
///
/// # Safety
///
/// `np` must be a valid node.
pub unsafe fn is_symbols(np: *mut bindings::device_node) -> bool {
    // SAFETY: `np` is valid, so are its name and its parent (which it references); the root
    // has no parent.
    unsafe {
        let parent = (*np).parent;
        !parent.is_null()
            && (*parent).parent.is_null()
            && CStr::from_char_ptr((*np).full_name).to_bytes() == b"__symbols__"
    }
}

/// Takes over the reference of a node that a lookup returned, as a firmware node that puts it
/// when dropped; `None` for NULL.
///
/// # Safety
///
/// `np` must be NULL or a valid node whose reference the caller owns and gives up.
unsafe fn adopt(np: *mut bindings::device_node) -> Option<ARef<FwNode>> {
    let fwnode = NonNull::new(np)?;
    // SAFETY: `np` is valid; its `fwnode` is embedded in it, and `FwNode` is a transparent
    // wrapper of `struct fwnode_handle`, whose put (`of_node_put()` for an OF node) the `ARef`
    // makes for the reference the caller gave up.
    Some(unsafe {
        ARef::from_raw(NonNull::new_unchecked(
            (&raw mut (*fwnode.as_ptr()).fwnode).cast::<FwNode>(),
        ))
    })
}

/// The root of the overlay tree that `np` (a node of an overlay being applied, such as the
/// `__overlay__` node of a notification) belongs to.
///
/// # Safety
///
/// `np` must be a valid node of an overlay being applied: its ancestors are valid while the
/// notification runs.
pub unsafe fn overlay_root(np: *mut bindings::device_node) -> *mut bindings::device_node {
    let mut root = np;
    // SAFETY: `root` and its ancestors are valid (the caller's requirement); the overlay's
    // root has no parent.
    unsafe {
        while !(*root).parent.is_null() {
            root = (*root).parent;
        }
    }
    root
}

/// The fragments of an overlay: the children of its root that have an `__overlay__` node, each
/// with that node. Every child counts, available (`status`) or not, as the overlay core counts
/// them (`init_overlay_changeset()`), which is why this walks with `of_get_next_child()` and
/// not with [`FwNode::children`] (available children only).
pub struct Fragments {
    root: *mut bindings::device_node,
    /// The last child returned, with the walk's reference (NULL before the first).
    prev: *mut bindings::device_node,
}

impl Fragments {
    /// The fragments of the overlay whose root is `root`.
    ///
    /// # Safety
    ///
    /// `root` must be the root of an overlay being applied, valid while the result is used.
    pub unsafe fn new(root: *mut bindings::device_node) -> Self {
        Self {
            root,
            prev: ptr::null_mut(),
        }
    }
}

impl Iterator for Fragments {
    type Item = (ARef<FwNode>, ARef<FwNode>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            // SAFETY: `root` is valid (the requirement of `new`); `prev` is NULL or a child
            // with the walk's reference, which the call drops; the next child comes with one.
            self.prev = unsafe { bindings::of_get_next_child(self.root, self.prev) };
            if self.prev.is_null() {
                return None;
            }
            // SAFETY: `prev` is a valid child; the lookup returns its `__overlay__` child with
            // a reference, or NULL.
            let overlay = unsafe {
                adopt(bindings::of_get_child_by_name(
                    self.prev,
                    c"__overlay__".as_char_ptr(),
                ))
            };
            if let Some(overlay) = overlay {
                // SAFETY: `prev` is valid; the walk keeps its own reference, and this one
                // goes to the fragment returned.
                let fragment = unsafe { adopt(bindings::of_node_get(self.prev)) }?;
                return Some((fragment, overlay));
            }
        }
    }
}

impl Drop for Fragments {
    fn drop(&mut self) {
        // SAFETY: `prev` is NULL or holds the walk's reference, dropped once, here.
        unsafe { bindings::of_node_put(self.prev) };
    }
}

/// The live node the overlay fragment `fragment` targets (its `target` phandle, resolved when
/// the overlay is applied, or its `target-path`), as the overlay core finds it.
pub fn fragment_target(fragment: &FwNode) -> Option<ARef<FwNode>> {
    if let Some(phandle) = fragment.property_read::<u32>(c"target").optional() {
        // SAFETY: The lookup returns NULL or a node with a reference, which `adopt` takes.
        return unsafe { adopt(bindings::of_find_node_by_phandle(phandle)) };
    }
    let path = fragment
        .property_read::<CString>(c"target-path")
        .optional()?;
    // SAFETY: `path` is a NUL-terminated string; the lookup returns NULL or a node with a
    // reference, which `adopt` takes.
    unsafe {
        adopt(bindings::of_find_node_opts_by_path(
            path.as_char_ptr(),
            ptr::null_mut(),
        ))
    }
}

/// Whether `node` is an FPGA region's (`compatible = "fpga-region"`, compared as
/// `of_device_is_compatible()` does, which of_fpga_region's driver match uses).
pub fn is_region(node: &FwNode) -> bool {
    if !node.is_of_node() {
        return false;
    }
    // SAFETY: `node` is an OF node, so `of_node()` gives its valid `struct device_node`, which
    // `node` keeps for the call.
    unsafe { bindings::of_device_is_compatible(of_node(node), c"fpga-region".as_char_ptr()) > 0 }
}

/// The `struct device_node` of an OF firmware node.
///
/// # Safety
///
/// `node` must be an OF node's (`is_of_node()`): embedded in a `struct device_node`.
pub unsafe fn of_node(node: &FwNode) -> *mut bindings::device_node {
    let fwnode = ptr::from_ref(node)
        .cast::<bindings::fwnode_handle>()
        .cast_mut();
    // SAFETY: `FwNode` is a transparent wrapper of the `fwnode` field of a `struct
    // device_node` (the caller's requirement).
    unsafe { kernel::container_of!(fwnode, bindings::device_node, fwnode) }
}
