// SPDX-License-Identifier: GPL-2.0

//! Reading a scatter-gather table from the CPU during a load: the `sg_miter` walks of
//! upstream's `fpga_mgr_parse_header_sg_first()`, `fpga_mgr_parse_header_sg()` and the
//! segment-by-segment `write` of `fpga_mgr_write_sg()` for drivers without `write_sg`.
//!
//! C header: [`include/linux/scatterlist.h`](srctree/include/linux/scatterlist.h)
//! Upstream: [`drivers/fpga/fpga-mgr.c`](srctree/drivers/fpga/fpga-mgr.c)

use crate::ffi::bindings;
use kernel::prelude::*;

use bindings::sg_table as SgTable;

/// A scatter-gather table being read by the CPU (`sg_miter` with `SG_MITER_FROM_SG`).
///
/// # Invariants
///
/// The table is valid, and not changed by anyone else, for as long as the `SgMap` exists.
pub(crate) struct SgMap(*mut SgTable);

impl SgMap {
    /// Reads the table `sgt`.
    ///
    /// # Safety
    ///
    /// `sgt` must be a valid sg table that stays valid and unchanged while the returned value
    /// exists.
    pub(crate) unsafe fn new(sgt: *mut SgTable) -> Self {
        // INVARIANT: The caller's requirement.
        Self(sgt)
    }

    fn start(&self) -> bindings::sg_mapping_iter {
        // SAFETY: All-zero is a valid uninitialised iterator; `sg_miter_start` sets it up.
        let mut miter: bindings::sg_mapping_iter = unsafe { core::mem::zeroed() };
        // SAFETY: The table is valid (type invariant); `miter` is a local it may set up.
        unsafe {
            bindings::sg_miter_start(
                &mut miter,
                (*self.0).sgl,
                (*self.0).nents,
                bindings::SG_MITER_FROM_SG,
            )
        };
        miter
    }

    /// Calls `f` with the address and length of the first segment (at most its first page)
    /// while it is mapped, as upstream's `fpga_mgr_parse_header_sg_first()` and
    /// `fpga_mgr_prepare_sg()` do; `None` if the table is empty.
    ///
    /// The mapping is a `kmap()` of a possibly highmem page (the core's own tables for
    /// `write_sg` drivers are built from vmalloc and firmware pages; `SG_MITER_FROM_SG` without
    /// `SG_MITER_LOCAL`), so `f` may sleep; it ends at `sg_miter_stop()`, after which the slot
    /// may be recycled for another page: the address must not be used after `f` returns.
    pub(crate) fn with_first<T>(&self, f: impl FnOnce(*const u8, usize) -> T) -> Option<T> {
        let mut miter = self.start();
        // SAFETY: `miter` was started on a valid table.
        let ret = unsafe { bindings::sg_miter_next(&mut miter) }
            .then(|| f(miter.addr.cast_const().cast::<u8>(), miter.length));
        // SAFETY: Stops the iteration started above, unmapping the segment after `f`'s last use
        // of it.
        unsafe { bindings::sg_miter_stop(&mut miter) };
        ret
    }

    /// Copies `dst.len()` bytes from offset `skip` of the table; returns how many were copied
    /// (none if `skip` does not fit the C `off_t`, a `long`: 32 bits on 32-bit kernels).
    pub(crate) fn copy_to(&self, dst: &mut [u8], skip: usize) -> usize {
        let Ok(skip) = bindings::off_t::try_from(skip) else {
            return 0;
        };
        // SAFETY: The table is valid (type invariant) and `dst` is writable for its length.
        unsafe {
            bindings::sg_pcopy_to_buffer(
                (*self.0).sgl,
                (*self.0).nents,
                dst.as_mut_ptr().cast(),
                dst.len(),
                skip,
            )
        }
    }

    /// Calls `f` for each mapped segment after the first `skip` bytes, up to `limit` bytes in
    /// all (0: to the end), stopping at the first error.
    pub(crate) fn for_each_segment(
        &self,
        skip: usize,
        limit: usize,
        mut f: impl FnMut(*const u8, usize) -> Result,
    ) -> Result {
        // `off_t` is a `long`: a skip past 2 GiB on a 32-bit kernel is no offset of this table.
        let skip = bindings::off_t::try_from(skip).map_err(|_| EINVAL)?;
        let mut miter = self.start();
        // SAFETY: `miter` was started on a valid table.
        if skip != 0 && !unsafe { bindings::sg_miter_skip(&mut miter, skip) } {
            // SAFETY: Stops the iteration started above.
            unsafe { bindings::sg_miter_stop(&mut miter) };
            return Err(EINVAL);
        }
        let mut done = 0usize;
        let mut ret = Ok(());
        // SAFETY: `miter` is a started iterator.
        while unsafe { bindings::sg_miter_next(&mut miter) } {
            let len = if limit != 0 {
                miter.length.min(limit - done)
            } else {
                miter.length
            };
            ret = f(miter.addr.cast_const().cast(), len);
            if ret.is_err() {
                break;
            }
            done += len;
            if limit != 0 && done >= limit {
                break;
            }
        }
        // SAFETY: Stops the iteration started above.
        unsafe { bindings::sg_miter_stop(&mut miter) };
        ret
    }
}
