// SPDX-License-Identifier: GPL-2.0

//! The page a sysfs or configfs `show` callback fills: text written with `core::fmt`, at most
//! [`MAX`] bytes (sysfs warns at `PAGE_SIZE`, configfs refuses more than 4096).
//!
//! C header: [`include/linux/sysfs.h`](srctree/include/linux/sysfs.h) (`sysfs_emit()`)

use core::fmt::Write;
use kernel::{
    page::PAGE_SIZE,
    prelude::*, //
};

/// The most bytes a page takes: below `PAGE_SIZE` (sysfs) and 4096 (configfs's
/// `SIMPLE_ATTR_SIZE`, less than `PAGE_SIZE` with 16 or 64 KiB pages).
pub const MAX: usize = if PAGE_SIZE < 4096 {
    PAGE_SIZE - 1
} else {
    4095
};

/// A line (or a line built in parts) written into a configfs page.
pub struct Page<'a> {
    page: &'a mut [u8; PAGE_SIZE],
    len: usize,
}

impl<'a> Page<'a> {
    /// An empty page over `page`.
    pub fn new(page: &'a mut [u8; PAGE_SIZE]) -> Self {
        Self { page, len: 0 }
    }

    /// The page of a C `show` callback.
    ///
    /// # Safety
    ///
    /// `buf` must point to a writable `PAGE_SIZE` buffer that nothing else uses for `'a` (the
    /// page sysfs or configfs passes to `show`, for the callback's duration).
    pub unsafe fn from_raw(buf: *mut u8) -> Self {
        // SAFETY: The caller's requirement.
        Self::new(unsafe { &mut *buf.cast::<[u8; PAGE_SIZE]>() })
    }

    /// The bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends text: `-E2BIG` if it does not fit with the line's end.
    pub fn write(&mut self, args: core::fmt::Arguments<'_>) -> Result {
        self.write_fmt(args).map_err(|_| E2BIG)
    }

    /// Ends the line: the page's length.
    pub fn end_line(mut self) -> Result<usize> {
        self.write(format_args!("\n"))?;
        Ok(self.len)
    }
}

impl Write for Page<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        if end > MAX {
            return Err(core::fmt::Error);
        }
        self.page[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
