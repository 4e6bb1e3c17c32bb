// SPDX-License-Identifier: GPL-2.0

//! Scatter-gather tables that describe a kernel buffer in place, for drivers with only
//! `write_sg` (upstream's `fpga_mgr_buf_load()` slow path). No image byte is copied.
//!
//! As upstream, the table is built from the buffer's pages: vmalloc memory (firmware images,
//! `kvmalloc` buffers) or lowmem. Each page is found the way `fpga_mgr_buf_load()` finds it:
//! `vmalloc_to_page()` or `kmap_to_page()`, never `virt_to_page()` of an address that may not be
//! in the linear map. `kmap_to_page()` also resolves a `kmap()` or `kmap_local_page()` address,
//! but 7.2 warns (`WARN_ON_ONCE` in `__kmap_to_page()`): such buffers are deprecated upstream.
//!
//! C header: [`include/linux/scatterlist.h`](srctree/include/linux/scatterlist.h)
//! Upstream: [`drivers/fpga/fpga-mgr.c`](srctree/drivers/fpga/fpga-mgr.c)

use crate::ffi::bindings;
use kernel::{
    page::PAGE_SIZE,
    prelude::*, //
};

/// An sg table describing `count` bytes at `buf`.
///
/// # Invariants
///
/// `sgt` was allocated by `sg_alloc_table_from_pages_segment()` and describes the buffer; it is
/// freed on drop. It is boxed so that its address stays stable while a driver uses it.
pub(crate) struct BufSgTable {
    sgt: KBox<bindings::sg_table>,
}

/// `kmap_to_page()` ([`include/linux/highmem-internal.h`](srctree/include/linux/highmem-internal.h))
/// of a non-vmalloc kernel address: with `CONFIG_HIGHMEM`, `__kmap_to_page()`, which also resolves
/// (with a warning) `kmap()` and `kmap_local_page()` addresses.
#[cfg(CONFIG_HIGHMEM)]
fn kmap_to_page(addr: *const u8) -> *mut bindings::page {
    // SAFETY: `__kmap_to_page` only translates the address; the caller passes an address of
    // kernel memory that is mapped for the duration of the load.
    unsafe { bindings::__kmap_to_page(addr.cast_mut().cast()) }
}

/// `kmap_to_page()` without `CONFIG_HIGHMEM`: every non-vmalloc kernel address is in the linear
/// map and its page is `virt_to_page()`'s, which (a static inline) is taken from the one entry
/// `sg_init_one()` sets with it. (With `CONFIG_DEBUG_SG`, `sg_set_buf()` also checks that the
/// address is in the linear map.)
#[cfg(not(CONFIG_HIGHMEM))]
fn kmap_to_page(addr: *const u8) -> *mut bindings::page {
    // The low bits of `page_link` are the chain and end marks (`SG_PAGE_LINK_MASK`).
    const SG_PAGE_LINK_MASK: usize = (bindings::SG_CHAIN | bindings::SG_END) as usize;
    // SAFETY: All-zero is a valid unused entry.
    let mut one: bindings::scatterlist = unsafe { core::mem::zeroed() };
    // SAFETY: `one` is a valid entry; `sg_init_one` only computes the page of the linear-map
    // address, it does not access the memory.
    unsafe { bindings::sg_init_one(&mut one, addr.cast(), 1) };
    (one.page_link & !SG_PAGE_LINK_MASK) as *mut bindings::page
}

impl BufSgTable {
    /// Describes `count` bytes at `buf`, kernel memory that stays mapped while the table lives,
    /// as upstream requires.
    ///
    /// Fails with `EFAULT` if a page of the buffer cannot be found, `ENOMEM` if the table
    /// cannot be allocated.
    pub(crate) fn new(buf: *const u8, count: usize) -> Result<Self> {
        let offset = buf as usize % PAGE_SIZE;
        let nr_pages = offset.checked_add(count).ok_or(EINVAL)?.div_ceil(PAGE_SIZE);
        let mut pages = KVec::with_capacity(nr_pages, GFP_KERNEL)?;
        let first = buf.wrapping_sub(offset);
        for i in 0..nr_pages {
            let p = first.wrapping_add(i * PAGE_SIZE);
            // SAFETY: `is_vmalloc_addr` only compares the address.
            let page = if unsafe { bindings::is_vmalloc_addr(p.cast()) } {
                // SAFETY: `p` lies in the vmalloc buffer the caller passed.
                unsafe { bindings::vmalloc_to_page(p.cast()) }
            } else {
                kmap_to_page(p)
            };
            if page.is_null() {
                return Err(EFAULT);
            }
            pages.push(page, GFP_KERNEL)?;
        }
        // SAFETY: All-zero is a valid empty table.
        let empty = unsafe { core::mem::zeroed::<bindings::sg_table>() };
        let mut sgt = KBox::new(empty, GFP_KERNEL)?;
        // SAFETY: `pages` holds `nr_pages` valid pages covering the buffer from `offset` for
        // `count` bytes; the table is empty.
        let ret = unsafe {
            bindings::sg_alloc_table_from_pages_segment(
                &mut *sgt,
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
        Ok(Self { sgt })
    }

    /// The C table, for the driver's `write_sg`.
    pub(crate) fn as_raw(&mut self) -> *mut bindings::sg_table {
        &raw mut *self.sgt
    }
}

impl Drop for BufSgTable {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the table was allocated by
        // `sg_alloc_table_from_pages_segment` and is freed once.
        unsafe { bindings::sg_free_table(&raw mut *self.sgt) };
    }
}
