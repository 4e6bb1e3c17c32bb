// SPDX-License-Identifier: GPL-2.0

//! Scatter-gather tables over vmalloc images, one entry per page, built as a C user builds them
//! (`sg_alloc_table_from_pages_segment()`), for the KUnit tests of sg loads.

use crate::bindings;
use kernel::{
    alloc::VVec,
    page::PAGE_SIZE,
    prelude::*, //
};

/// An sg table over a vmalloc image, one entry per page. It does not borrow the image: the test
/// keeps the image alive while the table is used.
pub(crate) struct PageTable(bindings::sg_table);

impl PageTable {
    /// A table of the pages of `img`.
    pub(crate) fn new(img: &VVec<u8>) -> Result<KBox<Self>> {
        let mut pages = KVec::new();
        for off in (0..img.len()).step_by(PAGE_SIZE) {
            // SAFETY: The address lies in the vmalloc image.
            let page = unsafe { bindings::vmalloc_to_page(img.as_ptr().add(off).cast()) };
            pages.push(page, GFP_KERNEL)?;
        }
        // SAFETY: All-zero is an empty table.
        let mut t = KBox::new(Self(unsafe { core::mem::zeroed() }), GFP_KERNEL)?;
        // SAFETY: `pages` covers the image; `max_segment` of a page keeps entries apart.
        kernel::error::to_result(unsafe {
            bindings::sg_alloc_table_from_pages_segment(
                &mut t.0,
                pages.as_mut_ptr(),
                pages.len() as u32,
                0,
                img.len(),
                PAGE_SIZE as u32,
                bindings::GFP_KERNEL,
            )
        })?;
        Ok(t)
    }

    /// The C table.
    pub(crate) fn as_raw(&mut self) -> *mut bindings::sg_table {
        &mut self.0
    }
}

impl Drop for PageTable {
    fn drop(&mut self) {
        // SAFETY: Allocated by `sg_alloc_table_from_pages_segment`.
        unsafe { bindings::sg_free_table(&mut self.0) };
    }
}
