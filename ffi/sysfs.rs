// SPDX-License-Identifier: GPL-2.0

//! sysfs attributes of class devices, as statics (`DEVICE_ATTR_RO`, `DEVICE_ATTR_RW`,
//! `DEVICE_ATTR_WO`, `ATTRIBUTE_GROUPS`).
//!
//! C header: [`include/linux/device.h`](srctree/include/linux/device.h),
//! [`include/linux/sysfs.h`](srctree/include/linux/sysfs.h)

use super::bindings;
use core::ptr;
use kernel::prelude::*;

/// The `show` callback of a device attribute.
pub type ShowFn =
    unsafe extern "C" fn(*mut bindings::device, *mut bindings::device_attribute, *mut u8) -> isize;

/// The `store` callback of a device attribute.
pub type StoreFn = unsafe extern "C" fn(
    *mut bindings::device,
    *mut bindings::device_attribute,
    *const u8,
    usize,
) -> isize;

/// A device attribute with the file mode `mode`, read by `show` and written by `store`, as
/// `DEVICE_ATTR_RW(name)` (`mode` 0644) or `DEVICE_ATTR_WO(name)` (0200) declare it.
#[repr(transparent)]
pub struct DeviceAttr(bindings::device_attribute);

// SAFETY: The attribute is constant after its initialisation; sysfs only reads it.
unsafe impl Sync for DeviceAttr {}

impl DeviceAttr {
    /// An attribute called `name`, of mode `mode`, with the callbacks given.
    pub const fn new(
        name: &'static CStr,
        mode: u16,
        show: Option<ShowFn>,
        store: Option<StoreFn>,
    ) -> Self {
        // SAFETY: All-zero is a valid `struct device_attribute` (NULL name and callbacks).
        let mut attr: bindings::device_attribute = unsafe { core::mem::zeroed() };
        // `CStrExt::as_char_ptr` is not `const`; this is the same cast.
        #[expect(
            clippy::disallowed_methods,
            reason = "`CStrExt::as_char_ptr` is not `const`"
        )]
        {
            attr.attr.name = name.as_ptr().cast();
        }
        attr.attr.mode = mode;
        attr.__bindgen_anon_1.show = show;
        attr.__bindgen_anon_2.store = store;
        Self(attr)
    }

    /// The generic `struct attribute` of this attribute, for an attribute list.
    pub const fn attr(&'static self) -> *mut bindings::attribute {
        ptr::from_ref(&self.0.attr).cast_mut()
    }
}

/// A read-only (0444) device attribute, as `DEVICE_ATTR_RO(name)` declares it.
#[repr(transparent)]
pub struct DeviceAttrRo(bindings::device_attribute);

// SAFETY: The attribute is constant after its initialisation; sysfs only reads it.
unsafe impl Sync for DeviceAttrRo {}

impl DeviceAttrRo {
    /// An attribute called `name` whose contents `show` writes.
    pub const fn new(name: &'static CStr, show: ShowFn) -> Self {
        Self(DeviceAttr::new(name, 0o444, Some(show), None).0)
    }

    /// The generic `struct attribute` of this attribute, for an attribute list.
    pub const fn attr(&'static self) -> *mut bindings::attribute {
        ptr::from_ref(&self.0.attr).cast_mut()
    }
}

/// A NULL-terminated list of `N - 1` attributes.
#[repr(transparent)]
pub struct AttrList<const N: usize>(pub [*mut bindings::attribute; N]);

// SAFETY: The list is constant and points to `'static` attributes.
unsafe impl<const N: usize> Sync for AttrList<N> {}

/// An attribute group and the NULL-terminated one-group array a class's `dev_groups` takes.
pub struct AttrGroups {
    group: bindings::attribute_group,
}

// SAFETY: The group is constant and points to `'static` data.
unsafe impl Sync for AttrGroups {}

impl AttrGroups {
    /// The unnamed group of the attributes in `list`.
    pub const fn new<const N: usize>(list: &'static AttrList<N>) -> Self {
        // SAFETY: All-zero is a valid `struct attribute_group`.
        let mut group: bindings::attribute_group = unsafe { core::mem::zeroed() };
        group.__bindgen_anon_2.attrs = ptr::from_ref(&list.0)
            .cast::<*mut bindings::attribute>()
            .cast_mut();
        Self { group }
    }

    /// The group, for a `NULL`-terminated groups array.
    pub const fn group(&'static self) -> *const bindings::attribute_group {
        &self.group
    }
}

/// A NULL-terminated array of attribute groups (`dev_groups`).
#[repr(transparent)]
pub struct GroupList<const N: usize>(pub [*const bindings::attribute_group; N]);

// SAFETY: The list is constant and points to `'static` groups.
unsafe impl<const N: usize> Sync for GroupList<N> {}

impl<const N: usize> GroupList<N> {
    /// The array, as `struct class::dev_groups` takes it.
    pub const fn as_ptr(&'static self) -> *const *const bindings::attribute_group {
        self.0.as_ptr()
    }
}

/// Writes `lines` into a sysfs `show` buffer, each followed by a newline, with
/// `sysfs_emit_at()` as upstream's `sysfs_emit(buf, "%s\n", ...)` does: what does not fit in the
/// page is cut, and the length returned is below `PAGE_SIZE`.
///
/// # Safety
///
/// `buf` must be the `PAGE_SIZE` buffer sysfs passes to a `show` callback.
pub unsafe fn emit_lines<'a>(buf: *mut u8, lines: impl IntoIterator<Item = &'a [u8]>) -> isize {
    let mut len = 0i32;
    for line in lines {
        // `%.*s` takes an `int` precision; a line is at most a page anyway.
        let n = i32::try_from(line.len()).unwrap_or(i32::MAX);
        // SAFETY: `buf` is a sysfs page (caller's requirement) and `len` is what was written to
        // it so far; the format takes an `int` and a pointer to `n` readable bytes.
        len += unsafe {
            bindings::sysfs_emit_at(buf.cast(), len, c"%.*s\n".as_char_ptr(), n, line.as_ptr())
        };
    }
    len as isize
}
