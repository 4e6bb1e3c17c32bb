// SPDX-License-Identifier: GPL-2.0

//! The configfs tree `device-tree/overlays/<name>/{path,dtbo,status}`, and its C glue.
//!
//! The subsystem, its `overlays` group and the items made in it are C `configfs_subsystem`,
//! `config_group` and `config_item`s with C item types: the kernel crate's configfs (7.2) makes
//! groups only, has no binary attributes (`dtbo`), and its `Subsystem` cannot fail to register
//! safely (its initialiser's drop unregisters a subsystem whose registration failed, which
//! dereferences NULL when another module registered `device-tree`, as dtbocfg does:
//! `Documentation/upstream/0001-rust-configfs-do-not-unregister-a-subsystem-that-failed-to-register.patch`).
//! `overlays` is registered under the subsystem with
//! `configfs_register_group()`, as `ffi/configfs.rs` does for the regions' groups. The layout
//! and the modes are those of the vendor kernels' `drivers/of/configfs.c`: `path` 0644, `dtbo`
//! 0644 (binary, at most [`DTBO_MAX`] bytes), `status` 0444.
//!
//! C header: [`include/linux/configfs.h`](srctree/include/linux/configfs.h)

use crate::{
    bindings,
    overlay::{
        Overlay,
        DTBO_MAX, //
    },
    page::Page,
    THIS_MODULE, //
};
use core::ptr;
use kernel::{
    device::Device,
    prelude::*,
    str::CString,
    sync::aref::ARef,
    types::Opaque, //
};

/// The subsystem `device-tree` and its group `overlays`.
///
/// # Invariants
///
/// Once `subsys_registered` is set, `subsys` is registered; once `overlays_registered` is set,
/// `overlays` is registered under the subsystem's root group, and configfs holds its initial
/// item reference.
#[pin_data(PinnedDrop)]
pub(crate) struct Cfs {
    #[pin]
    subsys: Opaque<bindings::configfs_subsystem>,
    #[pin]
    overlays: Opaque<bindings::config_group>,
    /// The device overlay files are requested for.
    dev: ARef<Device>,
    subsys_registered: bool,
    overlays_registered: bool,
}

// SAFETY: `subsys` and `overlays` are used only through configfs's calls, which may come from
// any thread (configfs serialises them with its own locks), and `drop`; the rest is `Send` and
// `Sync`.
unsafe impl Send for Cfs {}
// SAFETY: A shared `Cfs` gives access to its device only (see `Send`).
unsafe impl Sync for Cfs {}

/// A C item type (`struct config_item_type`), in static storage.
#[repr(transparent)]
struct ItemType(bindings::config_item_type);
// SAFETY: Constant after its initialisation; configfs only reads it.
unsafe impl Sync for ItemType {}

/// A C attribute, in static storage.
#[repr(transparent)]
struct Attr(bindings::configfs_attribute);
// SAFETY: Constant after its initialisation; configfs only reads it.
unsafe impl Sync for Attr {}

/// A C binary attribute, in static storage.
#[repr(transparent)]
struct BinAttr(bindings::configfs_bin_attribute);
// SAFETY: Constant after its initialisation; configfs only reads it.
unsafe impl Sync for BinAttr {}

/// A NULL-terminated list of pointers to static attributes.
#[repr(transparent)]
struct List<T, const N: usize>([*const T; N]);
// SAFETY: Constant, and points to constant statics.
unsafe impl<T, const N: usize> Sync for List<T, N> {}

/// A C attribute called `name`, of mode `mode`.
const fn attr(
    name: &'static CStr,
    mode: u16,
    show: Option<unsafe extern "C" fn(*mut bindings::config_item, *mut u8) -> isize>,
    store: Option<unsafe extern "C" fn(*mut bindings::config_item, *const u8, usize) -> isize>,
) -> bindings::configfs_attribute {
    bindings::configfs_attribute {
        // `CStrExt::as_char_ptr` is not `const`; this is the same cast.
        #[expect(
            clippy::disallowed_methods,
            reason = "`CStrExt::as_char_ptr` is not `const`"
        )]
        ca_name: name.as_ptr().cast(),
        ca_owner: THIS_MODULE.as_ptr(),
        ca_mode: mode,
        show,
        store,
    }
}

static PATH: Attr = Attr(attr(c"path", 0o644, Some(path_show), Some(path_store)));
static STATUS: Attr = Attr(attr(c"status", 0o444, Some(status_show), None));
static DTBO: BinAttr = BinAttr(bindings::configfs_bin_attribute {
    cb_attr: attr(c"dtbo", 0o644, None, None),
    cb_private: ptr::null_mut(),
    cb_max_size: DTBO_MAX,
    read: Some(dtbo_read),
    write: Some(dtbo_write),
});
static ATTRS: List<Attr, 3> = List([&PATH, &STATUS, ptr::null()]);
static BIN_ATTRS: List<BinAttr, 2> = List([&DTBO, ptr::null()]);

static ITEM_OPS: bindings::configfs_item_operations = bindings::configfs_item_operations {
    release: Some(release),
    allow_link: None,
    drop_link: None,
};

/// The overlay items.
static ITEM_TYPE: ItemType = ItemType(bindings::config_item_type {
    ct_owner: THIS_MODULE.as_ptr(),
    ct_item_ops: ptr::from_ref(&ITEM_OPS).cast_mut(),
    ct_group_ops: ptr::null_mut(),
    ct_attrs: ptr::from_ref(&ATTRS)
        .cast::<*mut bindings::configfs_attribute>()
        .cast_mut(),
    ct_bin_attrs: ptr::from_ref(&BIN_ATTRS)
        .cast::<*mut bindings::configfs_bin_attribute>()
        .cast_mut(),
});

static GROUP_OPS: bindings::configfs_group_operations = bindings::configfs_group_operations {
    make_item: Some(make_item),
    make_group: None,
    disconnect_notify: None,
    drop_item: None,
    is_visible: None,
    is_bin_visible: None,
};

/// The subsystem's root group: no attributes, no `mkdir`.
static ROOT_TYPE: ItemType = ItemType(bindings::config_item_type {
    ct_owner: THIS_MODULE.as_ptr(),
    ct_item_ops: ptr::null_mut(),
    ct_group_ops: ptr::null_mut(),
    ct_attrs: ptr::null_mut(),
    ct_bin_attrs: ptr::null_mut(),
});

/// The `overlays` group: `mkdir` makes an overlay item.
static OVERLAYS_TYPE: ItemType = ItemType(bindings::config_item_type {
    ct_owner: THIS_MODULE.as_ptr(),
    ct_item_ops: ptr::null_mut(),
    ct_group_ops: ptr::from_ref(&GROUP_OPS).cast_mut(),
    ct_attrs: ptr::null_mut(),
    ct_bin_attrs: ptr::null_mut(),
});

impl Cfs {
    /// Registers the subsystem (`EEXIST` if dtbocfg or the kernel's `OF_CONFIGFS` did) and its
    /// `overlays` group.
    pub(crate) fn new(dev: ARef<Device>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            subsys <- Opaque::ffi_init(|subsys: *mut bindings::configfs_subsystem| {
                // SAFETY: `subsys` is this field's memory, written whole here (zeroed, then
                // initialised as `configfs_register_subsystem()` requires); the name and the
                // type are static, the lock class key too.
                unsafe {
                    ptr::write_bytes(subsys, 0, 1);
                    bindings::config_group_init_type_name(
                        &raw mut (*subsys).su_group,
                        c"device-tree".as_char_ptr(),
                        &ROOT_TYPE.0,
                    );
                    bindings::__mutex_init(
                        &raw mut (*subsys).su_mutex,
                        c"device-tree su_mutex".as_char_ptr(),
                        kernel::static_lock_class!().as_ptr(),
                    );
                }
            }),
            overlays <- Opaque::ffi_init(|group: *mut bindings::config_group| {
                // SAFETY: `group` is this field's memory, written whole here; the name and the
                // type are static.
                unsafe {
                    ptr::write_bytes(group, 0, 1);
                    bindings::config_group_init_type_name(
                        group,
                        c"overlays".as_char_ptr(),
                        &OVERLAYS_TYPE.0,
                    );
                }
            }),
            dev,
            subsys_registered: false,
            overlays_registered: false,
        })
        .pin_chain(|this| {
            // SAFETY: `registered` flags are not structurally pinned.
            let this = unsafe { this.get_unchecked_mut() };
            // SAFETY: `subsys` is initialised and was never registered; it stays in place
            // until `drop`, which unregisters it.
            kernel::error::to_result(unsafe {
                bindings::configfs_register_subsystem(this.subsys.get())
            })?;
            // INVARIANT: Registered.
            this.subsys_registered = true;
            // SAFETY: The subsystem's root group is registered; `overlays` is initialised and
            // was never registered.
            kernel::error::to_result(unsafe {
                bindings::configfs_register_group(
                    &raw mut (*this.subsys.get()).su_group,
                    this.overlays.get(),
                )
            })?;
            // INVARIANT: Registered, with configfs holding the initial reference.
            this.overlays_registered = true;
            Ok(())
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Cfs {
    fn drop(self: Pin<&mut Self>) {
        if self.overlays_registered {
            let group = self.overlays.get();
            // SAFETY: Registered (type invariant), and empty: each item pins this module,
            // which is being unloaded. Removed once; then the initial reference goes.
            unsafe {
                bindings::configfs_unregister_group(group);
                bindings::config_item_put(&raw mut (*group).cg_item);
            }
        }
        if self.subsys_registered {
            // SAFETY: Registered (type invariant), and its only group is gone.
            unsafe { bindings::configfs_unregister_subsystem(self.subsys.get()) };
        }
        // SAFETY: Initialised in `new`; nobody uses the mutex any more.
        unsafe { bindings::mutex_destroy(&raw mut (*self.subsys.get()).su_mutex) };
    }
}

/// An overlay item: the C item, then its overlay.
#[pin_data]
#[repr(C)]
struct Item {
    #[pin]
    item: Opaque<bindings::config_item>,
    #[pin]
    overlay: Overlay,
}

// The C item is first: an item's address is its C item's ([`overlay`], [`release`]).
const _: () = assert!(core::mem::offset_of!(Item, item) == 0);

/// The overlay of an item of [`ITEM_TYPE`].
///
/// # Safety
///
/// `item` must be the C item of a live [`Item`], for `'a`.
unsafe fn overlay<'a>(item: *mut bindings::config_item) -> &'a Overlay {
    // SAFETY: `Item` is `repr(C)` with its C item first, so the addresses are the same; the
    // item lives for `'a` (the caller's requirement).
    unsafe { &(*item.cast::<Item>()).overlay }
}

/// `mkdir` in `overlays`: a new, empty overlay item.
///
/// # Safety
///
/// Called by configfs only, with the `overlays` group of a [`Cfs`] and a NUL-terminated name.
unsafe extern "C" fn make_item(
    group: *mut bindings::config_group,
    name: *const kernel::ffi::c_char,
) -> *mut bindings::config_item {
    // SAFETY: `group` is the `overlays` field of a `Cfs` (this callback's only group), which
    // lives while it is registered: `mkdir` pins this module (the group type's owner), whose
    // exit unregisters it.
    let cfs = unsafe {
        &*kernel::container_of!(
            group.cast::<Opaque<bindings::config_group>>(),
            Cfs,
            overlays
        )
    };
    // SAFETY: configfs passes a NUL-terminated name, valid during the call.
    let name = unsafe { CStr::from_char_ptr(name) };
    let owned = match CString::try_from(name) {
        Ok(owned) => owned,
        Err(_) => return ENOMEM.to_ptr(),
    };
    let init = try_pin_init!(Item {
        item <- Opaque::ffi_init(|item: *mut bindings::config_item| {
            // SAFETY: `item` is this field's memory; the name is copied (or kept in the
            // item's buffer) by `config_item_set_name()`, and the type is static.
            unsafe {
                ptr::write_bytes(item, 0, 1);
                bindings::config_item_init_type_name(item, name.as_char_ptr(), &ITEM_TYPE.0);
            }
        }),
        overlay <- Overlay::new(cfs.dev.clone(), owned),
    });
    match KBox::pin_init(init, GFP_KERNEL) {
        // SAFETY: The item is handed to configfs, which frees it through `release` only:
        // it is not moved.
        Ok(item) => KBox::into_raw(unsafe { Pin::into_inner_unchecked(item) }).cast(),
        Err(e) => e.to_ptr(),
    }
}

/// The last reference to an overlay item went: its overlay is removed, and it is freed.
///
/// # Safety
///
/// Called by configfs only, with the C item of an [`Item`] that [`make_item`] made.
unsafe extern "C" fn release(item: *mut bindings::config_item) {
    // SAFETY: `make_item` made the item with `KBox::into_raw`; nobody refers to it any more.
    let item = unsafe { KBox::from_raw(item.cast::<Item>()) };
    item.overlay.remove();
    drop(item);
}

/// Shows with `show` into a configfs page.
///
/// # Safety
///
/// `buf` must be the `PAGE_SIZE` page configfs passed to `show`.
unsafe fn shown(buf: *mut u8, show: impl FnOnce(&mut Page<'_>) -> core::fmt::Result) -> isize {
    // SAFETY: configfs passes its `PAGE_SIZE` page, ours during the call (the caller's
    // requirement).
    let mut page = unsafe { Page::from_raw(buf) };
    match show(&mut page) {
        Ok(()) => page.len() as isize,
        Err(_) => E2BIG.to_errno() as isize,
    }
}

/// `show` of `path`.
///
/// # Safety
///
/// Called by configfs only, with an overlay item and its `PAGE_SIZE` page.
unsafe extern "C" fn path_show(item: *mut bindings::config_item, buf: *mut u8) -> isize {
    // SAFETY: configfs holds the item during the call, and passes its page.
    unsafe { shown(buf, |page| overlay(item).show_path(page)) }
}

/// `store` of `path`.
///
/// # Safety
///
/// Called by configfs only, with an overlay item and `count` readable bytes at `buf`.
unsafe extern "C" fn path_store(
    item: *mut bindings::config_item,
    buf: *const u8,
    count: usize,
) -> isize {
    // SAFETY: configfs holds the item during the call, and passes `count` bytes at `buf`.
    let (overlay, text) = unsafe { (overlay(item), core::slice::from_raw_parts(buf, count)) };
    match overlay.store_path(text) {
        Ok(()) => count as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// `show` of `status`.
///
/// # Safety
///
/// Called by configfs only, with an overlay item and its `PAGE_SIZE` page.
unsafe extern "C" fn status_show(item: *mut bindings::config_item, buf: *mut u8) -> isize {
    // SAFETY: configfs holds the item during the call, and passes its page.
    unsafe { shown(buf, |page| overlay(item).show_status(page)) }
}

/// `read` of `dtbo`: with a NULL buffer, the blob's size; else the blob, into `buf`.
///
/// # Safety
///
/// Called by configfs only, with an overlay item and NULL or `max` writable bytes at `buf`.
unsafe extern "C" fn dtbo_read(
    item: *mut bindings::config_item,
    buf: *mut core::ffi::c_void,
    max: usize,
) -> isize {
    // SAFETY: configfs holds the item during the call, and passes NULL or `max` bytes at `buf`.
    let (overlay, out) = unsafe {
        (
            overlay(item),
            (!buf.is_null()).then(|| core::slice::from_raw_parts_mut(buf.cast::<u8>(), max)),
        )
    };
    match overlay.read_dtbo(out) {
        Ok(n) => n as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// `write` of `dtbo`, at `close(2)`: applies the blob written.
///
/// # Safety
///
/// Called by configfs only, with an overlay item and `count` readable bytes at `buf`.
unsafe extern "C" fn dtbo_write(
    item: *mut bindings::config_item,
    buf: *const core::ffi::c_void,
    count: usize,
) -> isize {
    // SAFETY: configfs holds the item during the call, and passes `count` bytes at `buf`.
    let (overlay, blob) = unsafe {
        (
            overlay(item),
            core::slice::from_raw_parts(buf.cast::<u8>(), count),
        )
    };
    match overlay.write_dtbo(blob) {
        Ok(()) => count as isize,
        Err(e) => e.to_errno() as isize,
    }
}
