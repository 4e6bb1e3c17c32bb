// SPDX-License-Identifier: GPL-2.0

//! An FPGA image described by a scatter-gather table (`struct sg_table`): what a driver's
//! `write_sg` op receives ([`super::manager::Ops::write_sg`]), with safe CPU access to its bytes.
//!
//! A driver that DMAs the image takes the kernel crate's [`SGTable`] ([`SgImage::sg_table`]); one
//! that feeds the FPGA through registers reads the bytes page by page
//! ([`SgImage::for_each_chunk`]). Each page is mapped with `kmap()` while the callback runs, as
//! `sg_miter` does without `SG_MITER_ATOMIC` or `SG_MITER_LOCAL`: highmem pages (vmalloc and
//! firmware images on 32-bit kernels with `CONFIG_HIGHMEM`) are mapped like lowmem ones, and the
//! callback may sleep.
//!
//! C header: [`include/linux/scatterlist.h`](srctree/include/linux/scatterlist.h)

use super::bindings;
use core::{
    marker::PhantomData,
    ops::{
        Bound,
        RangeBounds, //
    },
    ptr, //
};
use kernel::{
    prelude::*,
    scatterlist::SGTable, //
};

/// An image described by a scatter-gather table, borrowed.
///
/// # Invariants
///
/// `self.0` is a valid `struct sg_table`; its `orig_nents` entries (the CPU view, before any DMA
/// mapping) describe pages that stay allocated, and the table itself unchanged, for as long as
/// `self` is borrowed.
#[repr(transparent)]
pub struct SgImage(SGTable);

impl SgImage {
    /// A borrowed image of the table at `ptr`.
    ///
    /// # Safety
    ///
    /// For the lifetime `'a`:
    ///
    /// - `ptr` points to a valid `struct sg_table`, which nobody changes or frees;
    /// - the pages its entries describe stay allocated.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::sg_table) -> &'a Self {
        // SAFETY: `SgImage` is a transparent wrapper of `SGTable`, itself a transparent wrapper
        // of `struct sg_table`; the caller guarantees validity for `'a`.
        // INVARIANT: Guaranteed by the caller.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// The image of a table of the kernel crate, e.g. an `SGTable<Owned<VVec<u8>>>` of a buffer.
    pub fn from_table(table: &SGTable) -> &Self {
        // SAFETY: `SgImage` is a transparent wrapper of `SGTable`. A borrowed `SGTable` is a valid
        // table, unchanged for the borrow, with the pages it describes: an owned table owns its
        // pages, and a table from `SGTable::from_raw()` is valid by that function's contract.
        // INVARIANT: As above.
        unsafe { &*ptr::from_ref(table).cast::<Self>() }
    }

    /// The table, for DMA: the core does not map it; a driver maps it for its device.
    pub fn sg_table(&self) -> &SGTable {
        &self.0
    }

    /// The C table.
    pub(super) fn as_raw(&self) -> *mut bindings::sg_table {
        // `SGTable` is a transparent wrapper of an `Opaque<bindings::sg_table>`: the C code that
        // receives the pointer may use it as mutable.
        ptr::from_ref(&self.0)
            .cast::<bindings::sg_table>()
            .cast_mut()
    }

    /// The image's size in bytes: the sum of the lengths of the table's entries.
    pub fn len(&self) -> usize {
        let mut len = 0usize;
        self.for_each_entry(|_, length| {
            len = len.saturating_add(length);
            Ok(())
        })
        .map_or(0, |()| len)
    }

    /// Calls `f` with the offset in its first page (bytes) and the length (bytes) of each entry
    /// of the table, in order, as a DMA engine with alignment rules sees them (Zynq's devcfg
    /// reads from 8-byte aligned addresses); stops at the first error of `f` and returns it.
    pub fn for_each_entry(&self, mut f: impl FnMut(usize, usize) -> Result) -> Result {
        let table = self.as_raw();
        // SAFETY: The table is valid (type invariant).
        let (mut sg, nents) = unsafe { ((*table).sgl, (*table).orig_nents) };
        for _ in 0..nents {
            if sg.is_null() {
                break;
            }
            // SAFETY: `sg` is one of the table's first `orig_nents` entries, valid (type
            // invariant).
            let (offset, length) = unsafe { ((*sg).offset as usize, (*sg).length as usize) };
            f(offset, length)?;
            // SAFETY: `sg` is one of the table's first `orig_nents` entries, valid (type
            // invariant); `sg_next()` follows chain links and returns NULL after the last entry.
            sg = unsafe { bindings::sg_next(sg) };
        }
        Ok(())
    }

    /// Whether the image has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with the image's bytes, in order, a mapped chunk (at most a page) at a time;
    /// stops at the first error of `f` and returns it.
    pub fn for_each_chunk(&self, f: impl FnMut(&[u8]) -> Result) -> Result {
        self.for_each_chunk_in(.., f)
    }

    /// As [`SgImage::for_each_chunk`], for the bytes at the offsets `range` of the image, e.g.
    /// `header_size..header_size + data_size` for the data after a header.
    ///
    /// Fails with `EINVAL`, before calling `f`, if `range` is not within the image.
    pub fn for_each_chunk_in(
        &self,
        range: impl RangeBounds<usize>,
        mut f: impl FnMut(&[u8]) -> Result,
    ) -> Result {
        let len = self.len();
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.checked_add(1).ok_or(EINVAL)?,
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e.checked_add(1).ok_or(EINVAL)?,
            Bound::Excluded(&e) => e,
            Bound::Unbounded => len,
        };
        if start > end || end > len {
            return Err(EINVAL);
        }
        let mut left = end - start;
        let mut miter = Miter::start(self);
        miter.skip(start)?;
        while left > 0 {
            // The table holds `len` bytes: it cannot end before `end`.
            let chunk = miter.next().ok_or(EINVAL)?;
            let chunk = &chunk[..chunk.len().min(left)];
            f(chunk)?;
            left -= chunk.len();
        }
        Ok(())
    }
}

/// A walk over the bytes of an [`SgImage`] that maps one page at a time (`struct
/// sg_mapping_iter`, with `kmap()`); dropping it unmaps the last page (`sg_miter_stop()`).
///
/// # Invariants
///
/// `self.0` was started by `sg_miter_start()` on the table of an image borrowed for `'a`.
struct Miter<'a>(bindings::sg_mapping_iter, PhantomData<&'a SgImage>);

impl<'a> Miter<'a> {
    /// Starts a walk from the first byte of `image`.
    fn start(image: &'a SgImage) -> Self {
        let table = image.as_raw();
        // SAFETY: All-zero is a valid iterator to start.
        let mut miter: bindings::sg_mapping_iter = unsafe { core::mem::zeroed() };
        // SAFETY: The table is valid (invariant of `SgImage`); `SG_MITER_FROM_SG` without
        // `SG_MITER_ATOMIC` or `SG_MITER_LOCAL` maps each page with `kmap()`.
        unsafe {
            bindings::sg_miter_start(
                &mut miter,
                (*table).sgl,
                (*table).orig_nents,
                bindings::SG_MITER_FROM_SG,
            )
        };
        // INVARIANT: Started on `image`'s table.
        Self(miter, PhantomData)
    }

    /// Skips the first `offset` bytes. Fails with `EINVAL` past the end of the table or of
    /// `off_t` (a `long`: 2 GiB on 32-bit kernels).
    fn skip(&mut self, offset: usize) -> Result {
        if offset == 0 {
            return Ok(());
        }
        let offset = bindings::off_t::try_from(offset).map_err(|_| EINVAL)?;
        // SAFETY: The walk was started (type invariant).
        if unsafe { bindings::sg_miter_skip(&mut self.0, offset) } {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }

    /// Maps the next chunk, unmapping the previous one; `None` at the end of the table.
    fn next(&mut self) -> Option<&[u8]> {
        // SAFETY: The walk was started (type invariant). Without `SG_MITER_ATOMIC` it may sleep,
        // which the caller (process context, like every FPGA op) allows.
        if !unsafe { bindings::sg_miter_next(&mut self.0) } {
            return None;
        }
        // SAFETY: `sg_miter_next()` mapped `length` bytes at `addr` (a non-NULL `kmap()`
        // address), readable until the next `sg_miter_next()` or `sg_miter_stop()`: both take
        // `&mut self`, which the returned slice borrows.
        Some(unsafe { core::slice::from_raw_parts(self.0.addr.cast::<u8>(), self.0.length) })
    }
}

impl Drop for Miter<'_> {
    fn drop(&mut self) {
        // SAFETY: The walk was started (type invariant); stopping unmaps the last chunk, which no
        // slice borrows any more.
        unsafe { bindings::sg_miter_stop(&mut self.0) };
    }
}
