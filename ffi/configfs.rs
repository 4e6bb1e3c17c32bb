// SPDX-License-Identifier: GPL-2.0

//! configfs groups that the kernel creates at run time under a subsystem
//! (`configfs_register_group()`), which the kernel crate's [`kernel::configfs`] does not have:
//! it creates groups only on `mkdir(2)`.
//!
//! The group is a [`configfs::Group`] of the kernel crate, so its attributes and its children
//! (the directories users create in it) use the kernel crate's vtables unchanged. The pattern is
//! `pci_ep_cfs_add_epc_group()` in
//! [`drivers/pci/endpoint/pci-ep-cfs.c`](srctree/drivers/pci/endpoint/pci-ep-cfs.c).
//!
//! C header: [`include/linux/configfs.h`](srctree/include/linux/configfs.h)

use super::bindings;
use kernel::{
    configfs::{
        self,
        HasGroup, //
    },
    prelude::*,
    sync::Arc, //
};

/// A group registered under a subsystem's root; dropping it unregisters it.
///
/// configfs cannot remove a directory that still holds directories users created: the owner
/// drops a `GroupRegistration` only when its group has no user child (configfs pins the module that
/// owns the children's type while any exists, so this also holds at module exit).
///
/// The kernel crate documents `configfs::Group`'s `release` (`Arc::from_raw` of the group) for
/// groups its `make_group` created, which are handed to configfs with `Arc::into_raw`; this type
/// hands its group over the same way, so that `release` holds for it too (7.2's
/// `rust/kernel/configfs.rs`; to be replaced by a registration in the kernel crate).
///
/// # Invariants
///
/// `group` is registered under a live subsystem, and configfs holds one reference to its item
/// (the initial one of `config_group_init_type_name()`) that stands for one count of the `Arc`,
/// given up by the kernel crate's `release` callback when the item is freed.
pub struct GroupRegistration<Data: 'static> {
    group: Arc<configfs::Group<Data>>,
}

// SAFETY: A `GroupRegistration` uses its group only through `configfs_unregister_group()` and
// `config_item_put()`, which may be called from any thread; the group's data is reached only by
// configfs callbacks, on any thread, so it must be `Send` and `Sync` itself.
unsafe impl<Data: Send + Sync + 'static> Send for GroupRegistration<Data> {}
// SAFETY: A shared `GroupRegistration` gives access to nothing (see `Send`).
unsafe impl<Data: Send + Sync + 'static> Sync for GroupRegistration<Data> {}

impl<Data: 'static> GroupRegistration<Data> {
    /// Registers `group` as a child of the root group of `subsystem`.
    ///
    /// # Safety
    ///
    /// - `subsystem` must be the root group of a registered subsystem that stays registered
    ///   until the returned value is dropped.
    /// - `group` must be fresh: initialised by [`configfs::Group::new`] and never registered.
    pub unsafe fn new(
        subsystem: *mut bindings::config_group,
        group: Arc<configfs::Group<Data>>,
    ) -> Result<Self> {
        let raw = Self::raw(&group);
        // The item's initial reference: one count of the `Arc`, taken back by the kernel crate's
        // `release` (`Arc::from_raw`) when the item is freed.
        let configfs_ref = group.clone().into_raw();
        // SAFETY: `subsystem` is a registered root group and `raw` a fresh, initialised group
        // (the caller's requirements), so it may be linked under it.
        let ret = unsafe { bindings::configfs_register_group(subsystem, raw) };
        if ret != 0 {
            // SAFETY: The group was not linked; its initial reference is the only one, and
            // putting it runs `release`, which takes back `configfs_ref`.
            unsafe { bindings::config_item_put(&raw mut (*raw).cg_item) };
            let _ = configfs_ref;
            return Err(Error::from_errno(ret));
        }
        // INVARIANT: Registered; configfs holds the initial item reference for `configfs_ref`.
        Ok(Self { group })
    }

    /// The C group of `group`.
    fn raw(group: &Arc<configfs::Group<Data>>) -> *mut bindings::config_group {
        // SAFETY: `group` points to a live `Group`, the allocation `HasGroup::group` needs.
        unsafe { <configfs::Group<Data> as HasGroup<Data>>::group(&**group) }.cast_mut()
    }
}

impl<Data: 'static> Drop for GroupRegistration<Data> {
    fn drop(&mut self) {
        let raw = Self::raw(&self.group);
        // SAFETY: The group is registered under a live subsystem (type invariant) and holds no
        // directory users created (the owner's contract); this removes it (waiting for its
        // attributes' callbacks in flight, through configfs's fragment lock) and drops the
        // link's reference. Then the initial reference goes: `release` frees the `Arc` count
        // configfs held.
        unsafe {
            bindings::configfs_unregister_group(raw);
            bindings::config_item_put(&raw mut (*raw).cg_item);
        }
    }
}

/// The root group of a subsystem, to register groups under.
pub fn root<Data>(subsystem: &configfs::Subsystem<Data>) -> *mut bindings::config_group {
    // SAFETY: `subsystem` is a live `Subsystem`, the allocation `HasGroup::group` needs.
    unsafe { <configfs::Subsystem<Data> as HasGroup<Data>>::group(subsystem) }.cast_mut()
}

/// The name of a group (its directory's name).
pub fn name<Data>(group: &configfs::Group<Data>) -> &CStr {
    // SAFETY: `group` is a live `Group`, the allocation `HasGroup::group` needs.
    let raw = unsafe { <configfs::Group<Data> as HasGroup<Data>>::group(group) };
    // SAFETY: An initialised group's item has a NUL-terminated name that lives as long as the
    // item, which `group` keeps.
    unsafe { CStr::from_char_ptr((*raw).cg_item.ci_name) }
}
