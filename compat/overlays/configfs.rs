// SPDX-License-Identifier: GPL-2.0

//! The configfs tree `device-tree/overlays/<name>/{path,dtbo,status}`, and its C glue.
//!
//! The subsystem is the kernel crate's [`configfs::Subsystem`]. Its `overlays` group and the
//! items made in it are C `config_group`/`config_item`s with C item types, registered with
//! `configfs_register_group()` as `ffi/configfs.rs` does for the regions' groups: the kernel
//! crate's configfs (7.2) makes groups only, and has no binary attributes (`dtbo`). The layout
//! and the modes are those of the vendor kernels' `drivers/of/configfs.c`: `path` 0644, `dtbo`
//! 0644 (binary, at most [`DTBO_MAX`] bytes), `status` 0444.
//!
//! C header: [`include/linux/configfs.h`](srctree/include/linux/configfs.h)

use crate::{
    bindings,
    overlay::{Overlay, DTBO_MAX},
    THIS_MODULE,
};
use core::{fmt::Write, ptr};
use kernel::{
    configfs::{self, HasGroup},
    configfs_attrs,
    device::Device,
    prelude::*,
    str::CString,
    sync::aref::ARef,
    types::Opaque,
};

/// The subsystem's data: none.
#[pin_data]
pub(crate) struct Root {}

/// The subsystem `device-tree` and its group `overlays`.
///
/// # Invariants
///
/// Once `registered` is set, `overlays` is registered under the subsystem's root group, and
/// configfs holds its initial item reference.
#[pin_data(PinnedDrop)]
pub(crate) struct Cfs {
    #[pin]
    subsys: configfs::Subsystem<Root>,
    #[pin]
    overlays: Opaque<bindings::config_group>,
    /// The device overlay files are requested for.
    dev: ARef<Device>,
    registered: bool,
}

// SAFETY: `overlays` is used only through configfs's calls, which may come from any thread
// (configfs serialises them with its own locks), and `drop`; the rest is `Send` and `Sync`.
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
        #[allow(clippy::disallowed_methods)]
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
        let item_type = configfs_attrs! {
            container: configfs::Subsystem<Root>,
            data: Root,
            attributes: [],
        };
        try_pin_init!(Self {
            subsys <- configfs::Subsystem::new(c"device-tree", item_type, try_pin_init!(Root {})),
            overlays <- Opaque::ffi_init(|group: *mut bindings::config_group| {
                // SAFETY: `group` is this field's memory, zeroed by nothing yet but written
                // whole by the initialiser; the name and the type are static.
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
            registered: false,
        })
        .pin_chain(|this| {
            // SAFETY: The subsystem's root group, which `this` keeps registered until its drop,
            // which unregisters `overlays` first.
            let root = unsafe {
                <configfs::Subsystem<Root> as HasGroup<Root>>::group(&this.subsys).cast_mut()
            };
            // SAFETY: `root` is a registered root group; `overlays` is initialised and was
            // never registered.
            kernel::error::to_result(unsafe {
                bindings::configfs_register_group(root, this.overlays.get())
            })?;
            // INVARIANT: Registered, with configfs holding the initial reference.
            // SAFETY: `registered` is not structurally pinned.
            unsafe { this.get_unchecked_mut() }.registered = true;
            Ok(())
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Cfs {
    fn drop(self: Pin<&mut Self>) {
        if self.registered {
            let group = self.overlays.get();
            // SAFETY: Registered (type invariant), and empty: each item pins this module,
            // which is being unloaded. Removed once; then the initial reference goes.
            unsafe {
                bindings::configfs_unregister_group(group);
                bindings::config_item_put(&raw mut (*group).cg_item);
            }
        }
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
    // SAFETY: `group` is the `overlays` field of a live `Cfs` (this callback's only group).
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
    drop(unsafe { KBox::from_raw(item.cast::<Item>()) });
}

/// A configfs page, written with `core::fmt` and cut at `PAGE_SIZE` - 1 bytes.
struct Page {
    buf: *mut u8,
    len: usize,
}

impl Write for Page {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = kernel::page::PAGE_SIZE - 1 - self.len;
        let n = s.len().min(room);
        // SAFETY: `buf` is the `PAGE_SIZE` page configfs passed to `show` (where every `Page`
        // is made), and `len + n` stays below `PAGE_SIZE`.
        unsafe { ptr::copy_nonoverlapping(s.as_ptr(), self.buf.add(self.len), n) };
        self.len += n;
        Ok(())
    }
}

/// Shows with `show` into a configfs page.
fn shown(buf: *mut u8, show: impl FnOnce(&mut Page) -> core::fmt::Result) -> isize {
    let mut page = Page { buf, len: 0 };
    match show(&mut page) {
        Ok(()) => page.len as isize,
        Err(_) => EINVAL.to_errno() as isize,
    }
}

/// `show` of `path`.
///
/// # Safety
///
/// Called by configfs only, with an overlay item and its `PAGE_SIZE` page.
unsafe extern "C" fn path_show(item: *mut bindings::config_item, buf: *mut u8) -> isize {
    // SAFETY: configfs holds the item during the call.
    let overlay = unsafe { overlay(item) };
    shown(buf, |page| overlay.show_path(page))
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
/// As for [`path_show`].
unsafe extern "C" fn status_show(item: *mut bindings::config_item, buf: *mut u8) -> isize {
    // SAFETY: configfs holds the item during the call.
    let overlay = unsafe { overlay(item) };
    shown(buf, |page| overlay.show_status(page))
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
