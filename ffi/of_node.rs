// SPDX-License-Identifier: GPL-2.0

//! Device-tree nodes, reference-counted: what the kernel crate's [`FwNode`] does not reach.
//!
//! [`FwNode`] reads a node's properties, finds an available child by name and walks the available
//! children. Walking an overlay and following a region's phandles also needs a node's parent,
//! every child (available or not, as the overlay core counts them), phandle lookups
//! ([`FwNode::property_get_reference_args`] finds the node but does not give it out),
//! `of_device_is_compatible()` (the case-insensitive match the driver core's OF match makes) and
//! the `struct device_node` itself for the FPGA C API (`of_fpga_mgr_get()`,
//! `of_fpga_bridge_get_to_list()`). [`OfNode`] is that node: `&OfNode` where C keeps the node
//! alive (a notification's nodes, a device's node), `ARef<OfNode>` where we hold a reference
//! ourselves; dropping an `ARef<OfNode>` puts its reference. Its properties are read through
//! [`OfNode::fwnode`].
//!
//! C header: [`include/linux/of.h`](srctree/include/linux/of.h)

use super::bindings;
use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    device::property::FwNode,
    prelude::*,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque, //
};

/// A device-tree node (`struct device_node`), of the live tree or of an overlay's tree.
///
/// # Invariants
///
/// An `&OfNode` is a valid `struct device_node` whose reference count stays non-zero while the
/// reference lives, so it is not freed meanwhile. An `ARef<OfNode>` owns one of its references
/// (`of_node_get()`), which its drop puts (`of_node_put()`).
#[repr(transparent)]
pub struct OfNode(Opaque<bindings::device_node>);

impl OfNode {
    /// Borrows the node `np`, without taking a reference; `ARef::from` takes one.
    ///
    /// # Safety
    ///
    /// `np` must be a valid, non-NULL node that stays referenced (by anyone) for `'a`.
    pub unsafe fn from_raw<'a>(np: *mut bindings::device_node) -> &'a Self {
        // SAFETY: `OfNode` is a transparent wrapper of `struct device_node`, and `np` is valid and
        // referenced for `'a` (the caller's requirement).
        // INVARIANT: The reference count of `np` stays non-zero for `'a`.
        unsafe { &*np.cast::<Self>() }
    }

    /// Takes over the reference to `np` that a lookup returned with it (`of_parse_phandle()`,
    /// `of_get_parent()` and the like); `None` for NULL.
    ///
    /// # Safety
    ///
    /// `np` must be NULL or a valid node one of whose references the caller owns and gives up.
    pub unsafe fn adopt(np: *mut bindings::device_node) -> Option<ARef<Self>> {
        let np = NonNull::new(np)?;
        // SAFETY: `np` is valid, and the reference the caller gave up is now the `ARef`'s, put
        // when it is dropped; `OfNode` is a transparent wrapper of `struct device_node`.
        // INVARIANT: The `ARef` owns one reference.
        Some(unsafe { ARef::from_raw(np.cast::<Self>()) })
    }

    /// The node of an OF firmware node; `None` for another kind (ACPI, software node).
    pub fn from_fwnode(node: &FwNode) -> Option<&Self> {
        if !node.is_of_node() {
            return None;
        }
        let fwnode = ptr::from_ref(node)
            .cast::<bindings::fwnode_handle>()
            .cast_mut();
        // SAFETY: The firmware node of an OF node is the `fwnode` field of its `struct
        // device_node` (`is_of_node()`); `FwNode` is a transparent wrapper of it. The node shares
        // the firmware node's reference count (`of_fwnode_get()`), which `node` keeps non-zero
        // while the result is borrowed from it.
        Some(unsafe {
            Self::from_raw(kernel::container_of!(fwnode, bindings::device_node, fwnode))
        })
    }

    /// The C `struct device_node`, still referenced by `self`.
    pub fn as_raw(&self) -> *mut bindings::device_node {
        self.0.get()
    }

    /// The node's firmware node, for the kernel crate's property readers.
    pub fn fwnode(&self) -> &FwNode {
        // SAFETY: The node is valid (type invariant), so is its embedded `fwnode`, whose reference
        // count is the node's; `FwNode` is a transparent wrapper of `struct fwnode_handle`.
        unsafe { &*(&raw mut (*self.as_raw()).fwnode).cast::<FwNode>() }
    }

    /// The node's name (`full_name`: its name and unit address, not its path).
    pub fn full_name(&self) -> &CStr {
        // SAFETY: The node is valid (type invariant), and its `full_name` is a NUL-terminated
        // string set when it was created, freed with the node.
        unsafe { CStr::from_char_ptr((*self.as_raw()).full_name) }
    }

    /// The node's parent (`of_get_parent()`); `None` for the root of its tree.
    pub fn parent(&self) -> Option<ARef<Self>> {
        // SAFETY: The node is valid (type invariant); the parent comes with a reference, or NULL.
        unsafe { Self::adopt(bindings::of_get_parent(self.as_raw())) }
    }

    /// The child after `prev` (the first child for `None`), available (`status`) or not
    /// (`of_get_next_child()`); consumes the reference to `prev`.
    pub fn next_child(&self, prev: Option<ARef<Self>>) -> Option<ARef<Self>> {
        let prev = prev.map_or(ptr::null_mut(), |prev| {
            ARef::into_raw(prev)
                .as_ptr()
                .cast::<bindings::device_node>()
        });
        // SAFETY: The node is valid (type invariant); `prev` is NULL or a node whose reference
        // the call puts (given up by `into_raw`); the next child comes with a reference, or NULL.
        unsafe { Self::adopt(bindings::of_get_next_child(self.as_raw(), prev)) }
    }

    /// The node's children, available (`status`) or not, as `for_each_child_of_node()` walks
    /// them ([`FwNode::children`] walks the available ones only).
    pub fn children(&self) -> impl Iterator<Item = ARef<Self>> + '_ {
        let mut prev: Option<ARef<Self>> = None;
        core::iter::from_fn(move || {
            let next = self.next_child(prev.take())?;
            prev = Some(next.clone());
            Some(next)
        })
    }

    /// The first child named `name`, available or not (`of_get_child_by_name()`, which the overlay
    /// core uses; [`FwNode::get_child_by_name`] finds an available child only).
    pub fn child_by_name(&self, name: &CStr) -> Option<ARef<Self>> {
        // SAFETY: The node is valid (type invariant) and `name` NUL-terminated; the child comes
        // with a reference, or NULL.
        unsafe {
            Self::adopt(bindings::of_get_child_by_name(
                self.as_raw(),
                name.as_char_ptr(),
            ))
        }
    }

    /// Whether the node is compatible with `compat` (`of_device_is_compatible()`: compared as the
    /// driver core's OF match compares, case-insensitively).
    pub fn is_compatible(&self, compat: &CStr) -> bool {
        // SAFETY: The node is valid (type invariant) and `compat` NUL-terminated.
        unsafe { bindings::of_device_is_compatible(self.as_raw(), compat.as_char_ptr()) > 0 }
    }

    /// Whether property `name` is a string (`of_property_read_string()` succeeds), read without
    /// a copy.
    pub fn property_is_string(&self, name: &CStr) -> bool {
        let mut value: *const u8 = ptr::null();
        // SAFETY: The node is valid (type invariant), `name` NUL-terminated and `value` a place
        // for the pointer to the string, which is not used.
        unsafe {
            bindings::of_property_read_string(self.as_raw(), name.as_char_ptr(), &mut value) == 0
        }
    }

    /// The node that entry `index` of the phandle list `name` names (`of_parse_phandle()`);
    /// `None` if there is no such entry or it names no node.
    pub fn parse_phandle(&self, name: &CStr, index: u32) -> Option<ARef<Self>> {
        let index = i32::try_from(index).ok()?;
        let mut args = bindings::of_phandle_args::default();
        // SAFETY: The node is valid (type invariant) and `name` NUL-terminated; with no cells
        // property and no cells, the call sets `args.np` only, to a node with a reference, when
        // it returns 0.
        let ret = unsafe {
            bindings::__of_parse_phandle_with_args(
                self.as_raw(),
                name.as_char_ptr(),
                ptr::null(),
                0,
                index,
                &mut args,
            )
        };
        if ret != 0 {
            return None;
        }
        // SAFETY: `args.np` came with a reference, which is ours.
        unsafe { Self::adopt(args.np) }
    }

    /// The number of entries of the phandle list `name` (`of_count_phandle_with_args()` without
    /// cells), whether or not they name nodes; an error if the property is absent or malformed.
    pub fn count_phandles(&self, name: &CStr) -> Result<u32> {
        // SAFETY: The node is valid (type invariant) and `name` NUL-terminated; with no cells
        // property, the entries are only counted.
        let count = unsafe {
            bindings::of_count_phandle_with_args(self.as_raw(), name.as_char_ptr(), ptr::null())
        };
        kernel::error::to_result(count)?;
        u32::try_from(count).map_err(|_| EINVAL)
    }

    /// The live node whose phandle is `phandle` (`of_find_node_by_phandle()`).
    pub fn find_by_phandle(phandle: u32) -> Option<ARef<Self>> {
        // SAFETY: The lookup returns a node with a reference, or NULL.
        unsafe { Self::adopt(bindings::of_find_node_by_phandle(phandle)) }
    }

    /// The live node at `path` (`of_find_node_opts_by_path()`, without options).
    pub fn find_by_path(path: &CStr) -> Option<ARef<Self>> {
        // SAFETY: `path` is NUL-terminated; the lookup returns a node with a reference, or NULL.
        unsafe {
            Self::adopt(bindings::of_find_node_opts_by_path(
                path.as_char_ptr(),
                ptr::null_mut(),
            ))
        }
    }
}

// SAFETY: A node's references are its kobject's (`of_node_get()`, `of_node_put()`): an `&OfNode`
// exists only while the count is non-zero (type invariant), and the node is freed only when it
// drops to zero.
unsafe impl AlwaysRefCounted for OfNode {
    fn inc_ref(&self) {
        // SAFETY: The node is valid and its count non-zero while `self` is borrowed (type
        // invariant).
        unsafe { bindings::of_node_get(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference to the node (`dec_ref`'s requirement), put here.
        unsafe { bindings::of_node_put(obj.cast::<bindings::device_node>().as_ptr()) };
    }
}
