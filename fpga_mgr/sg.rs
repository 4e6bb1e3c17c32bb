// SPDX-License-Identifier: GPL-2.0

//! Scatter-gather tables that describe a kernel buffer in place, for drivers with only
//! `write_sg` (upstream's `fpga_mgr_buf_load()` slow path). No image byte is copied.
//!
//! C header: [`include/linux/scatterlist.h`](srctree/include/linux/scatterlist.h)

use crate::bindings;
use kernel::{page::PAGE_SIZE, prelude::*};

/// How the table was built, and so how it is freed.
enum Kind {
    /// From the pages of a vmalloc buffer (`sg_alloc_table_from_pages_segment`).
    Pages,
    /// One entry for a physically contiguous (lowmem) buffer (`sg_init_one`).
    Single,
}

/// The table and, for [`Kind::Single`], its one entry, at a stable address.
struct Inner {
    sgt: bindings::sg_table,
    one: bindings::scatterlist,
}

/// An sg table describing `count` bytes at `buf`.
///
/// # Invariants
///
/// `inner.sgt` is a valid table describing the buffer; for [`Kind::Pages`] it was allocated by
/// `sg_alloc_table_from_pages_segment` and is freed on drop, for [`Kind::Single`] its `sgl` is
/// `inner.one`.
pub(crate) struct BufSgTable {
    inner: KBox<Inner>,
    kind: Kind,
}

impl BufSgTable {
    /// Describes `count` bytes at `buf`, which must be vmalloc or lowmem (kmalloc) memory that
    /// outlives the table, as upstream requires.
    pub(crate) fn new(buf: *const u8, count: usize) -> Result<Self> {
        // SAFETY: All-zero is a valid empty table and entry.
        let mut inner = KBox::new(unsafe { core::mem::zeroed::<Inner>() }, GFP_KERNEL)?;
        // SAFETY: `is_vmalloc_addr` only compares the address.
        if unsafe { bindings::is_vmalloc_addr(buf.cast()) } {
            let offset = buf as usize % PAGE_SIZE;
            let nr_pages = (offset + count).div_ceil(PAGE_SIZE);
            let mut pages = KVec::with_capacity(nr_pages, GFP_KERNEL)?;
            let first = buf.wrapping_sub(offset);
            for i in 0..nr_pages {
                // SAFETY: The address lies in the vmalloc buffer the caller passed.
                let page =
                    unsafe { bindings::vmalloc_to_page(first.wrapping_add(i * PAGE_SIZE).cast()) };
                if page.is_null() {
                    return Err(EFAULT);
                }
                pages.push(page, GFP_KERNEL)?;
            }
            // SAFETY: `pages` holds `nr_pages` valid pages covering the buffer; the table is
            // empty.
            let ret = unsafe {
                bindings::sg_alloc_table_from_pages_segment(
                    &mut inner.sgt,
                    pages.as_mut_ptr(),
                    nr_pages.try_into()?,
                    offset as u32,
                    count,
                    u32::MAX,
                    bindings::GFP_KERNEL,
                )
            };
            kernel::error::to_result(ret)?;
            // INVARIANT: The table was allocated from the buffer's pages.
            Ok(Self {
                inner,
                kind: Kind::Pages,
            })
        } else {
            let len: u32 = count.try_into().map_err(|_| EINVAL)?;
            let one = &raw mut inner.one;
            // SAFETY: `one` is a valid entry; `buf` is lowmem of `count` bytes.
            unsafe { bindings::sg_init_one(one, buf.cast(), len) };
            inner.sgt.sgl = one;
            inner.sgt.nents = 1;
            inner.sgt.orig_nents = 1;
            // INVARIANT: The table is the one entry set up above.
            Ok(Self {
                inner,
                kind: Kind::Single,
            })
        }
    }

    /// The C table, for the driver's `write_sg`.
    pub(crate) fn as_raw(&mut self) -> *mut bindings::sg_table {
        &raw mut self.inner.sgt
    }
}

impl Drop for BufSgTable {
    fn drop(&mut self) {
        if let Kind::Pages = self.kind {
            // SAFETY: By the type invariant the table was allocated by
            // `sg_alloc_table_from_pages_segment` and is freed once.
            unsafe { bindings::sg_free_table(&raw mut self.inner.sgt) };
        }
    }
}
