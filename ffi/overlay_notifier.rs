// SPDX-License-Identifier: GPL-2.0

//! Device-tree overlay notifiers, and the helpers their callbacks share: of_fpga_region's
//! (programs a region an overlay names an image for) and fpga_region's (programs a configfs
//! image's region inside its overlay's application).
//!
//! C header: [`include/linux/of.h`](srctree/include/linux/of.h)

use super::bindings;
use core::ptr;
use kernel::{device::property::FwNode, prelude::*, types::Opaque};

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
