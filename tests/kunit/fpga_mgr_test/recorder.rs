// SPDX-License-Identifier: GPL-2.0

//! A low-level manager driver for the tests, written against the C ops table exactly as a C
//! driver is: it records what the core calls, with which state and which bytes, and fails the
//! op it is told to.

use super::bindings;
use core::ptr;
use kernel::{
    faux,
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            AtomicFlag,
            Release, //
        },
        Arc,
        Completion, //
    }, //
};

/// Header bytes of the test images, as in upstream's `fpga-mgr-test.c`.
pub const HEADER_FILL: u8 = b'H';
/// Data bytes of the test images.
pub const IMAGE_FILL: u8 = b'P';
/// Size of the test images' header.
pub const HEADER_SIZE: usize = 1024;

/// The ops of the recorder, in the order the core calls them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    /// `parse_header`.
    ParseHeader,
    /// `write_init`.
    WriteInit,
    /// `write`.
    Write,
    /// `write_sg`.
    WriteSg,
    /// `write_complete`.
    WriteComplete,
}

/// Holds a `write` op until the test releases it, and watches for ops after unregistration.
#[pin_data]
pub struct Gate {
    /// Completed when `write` starts.
    #[pin]
    pub entered: Completion,
    /// `write` waits for this.
    #[pin]
    pub release: Completion,
    /// Set by the test when `fpga_mgr_unregister()` has returned.
    pub unregistered: AtomicFlag,
    /// Set by any op that runs after that.
    pub op_after_unregister: AtomicFlag,
}

impl Gate {
    /// A gate that holds `write` until [`Gate::release`] is completed.
    pub fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            try_pin_init!(Gate {
                entered <- Completion::new(),
                release <- Completion::new(),
                unregistered: AtomicFlag::new(false),
                op_after_unregister: AtomicFlag::new(false),
            }),
            GFP_KERNEL,
        )
    }
}

/// What the core did to the recorder.
#[derive(Default)]
pub struct Record {
    /// A gate for `write`, for tests of concurrent unregistration.
    pub gate: Option<Arc<Gate>>,
    /// The op to fail, and with which errno.
    pub fail: Option<(Op, i32)>,
    /// `parse_header` asks for this header size (0: `HEADER_SIZE`), with `-EAGAIN` while the
    /// buffer is shorter.
    pub want_header: usize,
    /// `parse_header` keeps answering `-EAGAIN` without growing the header (a driver bug).
    pub stuck_header: bool,
    /// `write_init` sets `header_size` to this many bytes (0: leaves it), as a C driver that
    /// finds a longer header there may.
    pub header_in_init: usize,
    /// `parse_header` sets `data_size` to this many bytes (0: to the end of the image).
    pub data_size: usize,
    /// The ops called, in order.
    pub calls: KVec<Op>,
    /// The manager's state as each op saw it.
    pub states: KVec<u32>,
    /// Bytes `parse_header` saw last.
    pub header_len: usize,
    /// Whether they were all header bytes.
    pub header_ok: bool,
    /// `parse_header` and `write_init` recycle the kernel's persistent kmap slots before they
    /// read the header (see [`recycle_pkmaps`]).
    pub recycle_kmaps: bool,
    /// Bytes `write_init` got.
    pub init_len: usize,
    /// Whether the header bytes among them were all header bytes (read while the core maps
    /// them).
    pub init_ok: bool,
    /// Image bytes `write` got.
    pub written: usize,
    /// In how many `write` calls.
    pub write_calls: usize,
    /// Whether all were data bytes.
    pub image_ok: bool,
    /// The first buffer's address (to check zero-copy).
    pub first_write: usize,
    /// The table `write_sg` got (its address).
    pub sg_table: usize,
    /// How many image bytes it described.
    pub sg_bytes: usize,
    /// Whether they were the image's (header bytes, then data bytes).
    pub sg_ok: bool,
    /// Value `status` reports.
    pub status: u64,
    /// The test module's reference count during the last `write` (it owns every test object).
    pub refs_in_write: i32,
}

/// The recorder's state: `mgr->priv`.
fn record<'a>(mgr: *mut bindings::fpga_manager) -> &'a mut Record {
    // SAFETY: Every manager of these ops is registered with a `Record` as `priv`, owned by the
    // test for longer than the manager, and the core calls ops one at a time.
    unsafe { &mut *(*mgr).priv_.cast::<Record>() }
}

/// Records a call; returns the injected error, if this op is the one to fail.
fn enter(mgr: *mut bindings::fpga_manager, op: Op) -> i32 {
    let r = record(mgr);
    // SAFETY: `mgr` is valid during an op.
    let state = unsafe { (*mgr).state };
    if let Some(gate) = &r.gate {
        if gate.unregistered.load(Acquire) {
            gate.op_after_unregister.store(true, Release);
        }
    }
    let _ = r.calls.push(op, GFP_KERNEL);
    let _ = r.states.push(state, GFP_KERNEL);
    match r.fail {
        Some((fail, errno)) if fail == op => errno,
        _ => 0,
    }
}

/// Whether `len` bytes at `buf` all equal `fill`.
fn all(buf: *const u8, len: usize, fill: u8) -> bool {
    // SAFETY: The core passes `len` readable bytes at `buf`.
    unsafe { core::slice::from_raw_parts(buf, len) }
        .iter()
        .all(|&b| b == fill)
}

/// Recycles the persistent kmap slots of `kmap()` ([`mm/highmem.c`](srctree/mm/highmem.c)), as
/// the kmaps of other CPUs do over time: maps and unmaps more distinct highmem pages than there
/// are slots (`LAST_PKMAP`, 512 on ARM), so that the allocator of slots wraps around and
/// `flush_all_zero_pkmaps()` clears every slot that no one holds and flushes the TLB.
///
/// `sg_miter_next()` maps a highmem page with `kmap()`, and `sg_miter_stop()` only drops the
/// slot's count: the address keeps working until the slots are recycled. After this, an address
/// the core unmapped before calling the driver faults or reads another page, while one the core
/// still holds stays valid. Without `CONFIG_HIGHMEM` every page is in the linear map and there
/// is nothing to do.
///
/// Fails with `ENOMEM` if it cannot get enough highmem pages to wrap the slots around: the
/// caller's check would then prove nothing.
#[cfg(CONFIG_HIGHMEM)]
pub fn recycle_pkmaps() -> Result {
    use kernel::page::Page;
    // Twice the slots on ARM, and more than on any other 32-bit architecture.
    const PAGES: usize = 1024;
    const LAST_PKMAP: usize = 512;
    let mut pages = KVec::with_capacity(PAGES, GFP_KERNEL)?;
    // Pages that cannot be used, held until the end so that the allocator does not hand the
    // same page back at once.
    let mut rejected = KVec::new();
    // Allocated all at once, so that every page is distinct and takes a slot of its own. Only
    // highmem pages without a mapping are kept: with `HASHED_PAGE_VIRTUAL` (ARM),
    // `page_address()` is NULL exactly for those. A lowmem page must never reach `kmap_high`.
    while pages.len() < PAGES && rejected.len() < PAGES {
        let page = Page::alloc_page(GFP_KERNEL | kernel::alloc::flags::__GFP_HIGHMEM)?;
        // SAFETY: `page` is a valid page we own; `page_address` only looks its address up.
        if unsafe { bindings::page_address(page.as_ptr()) }.is_null() {
            pages.push(page, GFP_KERNEL)?;
        } else {
            rejected.push(page, GFP_KERNEL)?;
        }
    }
    if pages.len() <= LAST_PKMAP {
        pr_err!(
            "fpga_mgr_test: {} unmapped highmem pages ({} others), need {} to recycle kmaps\n",
            pages.len(),
            rejected.len(),
            LAST_PKMAP + 1
        );
        return Err(ENOMEM);
    }
    for page in &pages {
        // SAFETY: `page` is a highmem page we own with no kmap (checked above): `kmap_high` maps
        // it in a persistent slot and `kunmap_high` drops that mapping's count, which is what
        // `kmap()`/`kunmap()` do for highmem pages.
        unsafe {
            bindings::kmap_high(page.as_ptr());
            bindings::kunmap_high(page.as_ptr());
        }
    }
    Ok(())
}

/// Without `CONFIG_HIGHMEM` there are no persistent kmap slots.
#[cfg(not(CONFIG_HIGHMEM))]
pub fn recycle_pkmaps() -> Result {
    Ok(())
}

/// Whether the first `len` bytes at `buf` (none if NULL) are all header bytes, read after
/// recycling the kmap slots if the test asked for it; `ENOMEM` if they could not be recycled.
fn header_bytes_ok(r: &Record, buf: *const u8, len: usize) -> Result<bool> {
    if r.recycle_kmaps {
        recycle_pkmaps()?;
    }
    Ok(!buf.is_null() && all(buf, len, HEADER_FILL))
}

/// Records the header; asks for `want_header` bytes with `-EAGAIN`.
///
/// # Safety
///
/// Called by the manager core only, for a manager registered with these ops.
unsafe extern "C" fn parse_header(
    mgr: *mut bindings::fpga_manager,
    info: *mut bindings::fpga_image_info,
    buf: *const u8,
    count: usize,
) -> i32 {
    let ret = enter(mgr, Op::ParseHeader);
    if ret != 0 {
        return ret;
    }
    let r = record(mgr);
    let want = if r.want_header != 0 {
        r.want_header
    } else {
        HEADER_SIZE
    };
    // SAFETY: `info` is valid during the op.
    let info = unsafe { &mut *info };
    if r.stuck_header {
        info.header_size = count;
        return EAGAIN.to_errno();
    }
    info.header_size = want;
    if count < want {
        return EAGAIN.to_errno();
    }
    r.header_len = count;
    r.header_ok = match header_bytes_ok(r, buf, HEADER_SIZE.min(want)) {
        Ok(ok) => ok,
        Err(e) => return e.to_errno(),
    };
    info.data_size = r.data_size;
    0
}

/// Records how many bytes `write_init` got, and checks the header bytes among them.
///
/// # Safety
///
/// Called by the manager core only, for a manager registered with these ops.
unsafe extern "C" fn write_init(
    mgr: *mut bindings::fpga_manager,
    info: *mut bindings::fpga_image_info,
    buf: *const u8,
    count: usize,
) -> i32 {
    let ret = enter(mgr, Op::WriteInit);
    let r = record(mgr);
    if r.header_in_init != 0 {
        // SAFETY: The core passes the valid image info of the load in progress.
        unsafe { (*info).header_size = r.header_in_init };
    }
    r.init_len = count;
    r.init_ok = match header_bytes_ok(r, buf, HEADER_SIZE.min(count)) {
        Ok(ok) => ok,
        Err(e) => return e.to_errno(),
    };
    ret
}

/// Records the image bytes written.
///
/// # Safety
///
/// Called by the manager core only, for a manager registered with these ops.
unsafe extern "C" fn write(mgr: *mut bindings::fpga_manager, buf: *const u8, count: usize) -> i32 {
    let ret = enter(mgr, Op::Write);
    if let Some(gate) = record(mgr).gate.clone() {
        gate.entered.complete_all();
        gate.release.wait_for_completion();
    }
    let r = record(mgr);
    if r.write_calls == 0 {
        r.first_write = buf as usize;
        r.image_ok = true;
    }
    r.write_calls += 1;
    r.written += count;
    // SAFETY: The test module is live while its tests run.
    r.refs_in_write = unsafe { bindings::module_refcount(crate::THIS_MODULE.as_ptr()) };
    r.image_ok &= all(buf, count, IMAGE_FILL);
    ret
}

/// Records the table passed.
///
/// # Safety
///
/// Called by the manager core only, for a manager registered with these ops.
unsafe extern "C" fn write_sg(
    mgr: *mut bindings::fpga_manager,
    sgt: *mut bindings::sg_table,
) -> i32 {
    let ret = enter(mgr, Op::WriteSg);
    let r = record(mgr);
    r.sg_table = sgt as usize;
    // Reads the image back through the table, as a DMA engine would fetch it.
    let mut chunk = [0u8; 256];
    let (mut off, mut ok) = (0usize, true);
    loop {
        // SAFETY: `sgt` is a valid table during the op; `chunk` is writable.
        let n = unsafe {
            bindings::sg_pcopy_to_buffer(
                (*sgt).sgl,
                (*sgt).nents,
                chunk.as_mut_ptr().cast(),
                chunk.len(),
                bindings::off_t::try_from(off).unwrap_or(bindings::off_t::MAX),
            )
        };
        if n == 0 {
            break;
        }
        for (i, &b) in chunk[..n].iter().enumerate() {
            let fill = if off + i < HEADER_SIZE {
                HEADER_FILL
            } else {
                IMAGE_FILL
            };
            ok &= b == fill;
        }
        off += n;
    }
    r.sg_bytes = off;
    r.sg_ok = ok;
    ret
}

/// Records the final step.
///
/// # Safety
///
/// Called by the manager core only, for a manager registered with these ops.
unsafe extern "C" fn write_complete(
    mgr: *mut bindings::fpga_manager,
    _info: *mut bindings::fpga_image_info,
) -> i32 {
    enter(mgr, Op::WriteComplete)
}

/// The FPGA is powered up at registration.
///
/// # Safety
///
/// Called by the manager core only, for a manager registered with these ops.
unsafe extern "C" fn state(_mgr: *mut bindings::fpga_manager) -> u32 {
    bindings::fpga_mgr_states_FPGA_MGR_STATE_POWER_UP
}

/// Reports `Record::status`.
///
/// # Safety
///
/// Called by the manager core only, for a manager registered with these ops.
unsafe extern "C" fn status(mgr: *mut bindings::fpga_manager) -> u64 {
    record(mgr).status
}

/// An ops table with every op but `write_sg`, a header to parse and skip.
pub fn write_ops() -> bindings::fpga_manager_ops {
    bindings::fpga_manager_ops {
        initial_header_size: HEADER_SIZE,
        skip_header: true,
        state: Some(state),
        status: Some(status),
        parse_header: Some(parse_header),
        write_init: Some(write_init),
        write: Some(write),
        write_complete: Some(write_complete),
        ..Default::default()
    }
}

/// An ops table for a DMA-style driver: `write_sg` and no `write`.
pub fn sg_ops() -> bindings::fpga_manager_ops {
    bindings::fpga_manager_ops {
        write: None,
        write_sg: Some(write_sg),
        ..write_ops()
    }
}

/// A registered test manager on its own faux parent device, with its ops and record.
///
/// The ops and record are boxed so that their addresses stay fixed while the core points at
/// them.
pub struct TestMgr {
    /// The registered manager.
    pub mgr: *mut bindings::fpga_manager,
    /// Its faux parent device.
    pub parent: *mut bindings::device,
    /// What the core did to it (`mgr->priv`).
    pub record: KBox<Record>,
    _ops: KBox<bindings::fpga_manager_ops>,
    reg: Option<faux::Registration>,
}

impl TestMgr {
    /// Registers a manager called `name` with `ops`, owned by the test module.
    pub fn new(name: &'static CStr, ops: bindings::fpga_manager_ops) -> Result<Self> {
        let reg = faux::Registration::new(name, None)?;
        let parent = bindings::raw_device(reg.as_ref());
        let mut record = KBox::new(Record::default(), GFP_KERNEL)?;
        let ops = KBox::new(ops, GFP_KERNEL)?;
        // SAFETY: `parent` is registered; `ops` and `record` outlive the manager (see `Drop`).
        let mgr = unsafe {
            bindings::__fpga_mgr_register(
                parent,
                name.as_char_ptr(),
                &*ops,
                ptr::from_mut(&mut *record).cast(),
                crate::THIS_MODULE.as_ptr(),
            )
        };
        kernel::error::from_err_ptr(mgr)?;
        Ok(Self {
            mgr,
            parent,
            record,
            _ops: ops,
            reg: Some(reg),
        })
    }

    /// The manager's state, as sysfs shows it.
    pub fn state(&self) -> u32 {
        // SAFETY: The manager is registered.
        unsafe { ptr::read_volatile(&raw const (*self.mgr).state) }
    }

    /// Unregisters the manager now (the drop does it otherwise).
    pub fn unregister(&mut self) {
        if !self.mgr.is_null() {
            // SAFETY: The manager is registered, once.
            unsafe { bindings::fpga_mgr_unregister(self.mgr) };
            self.mgr = ptr::null_mut();
        }
    }
}

impl Drop for TestMgr {
    fn drop(&mut self) {
        self.unregister();
        drop(self.reg.take());
    }
}
