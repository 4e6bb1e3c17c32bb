// SPDX-License-Identifier: GPL-2.0

//! The programming state machine of `fpga_mgr_load()`.
//!
//! Mirrors `drivers/fpga/fpga-mgr.c` step by step, with the same states, messages and errnos:
//! an image comes from a scatter-gather table, a buffer or a firmware file; the driver may parse
//! a header (`parse_header`, growing `header_size` with `-EAGAIN` on the sg path), then
//! `write_init`, `write` (or `write_sg`) and `write_complete`. A buffer reaches a `write` driver
//! without a copy.
//!
//! Upstream: [`drivers/fpga/fpga-mgr.c`](srctree/drivers/fpga/fpga-mgr.c)

use crate::{
    ffi::{
        bindings,
        image_flags, //
    },
    manager::Manager,
    sg_map::SgMap,
    trace, //
};
use core::ptr;
use kernel::{
    error::to_result,
    prelude::*, //
};

use bindings::{
    fpga_image_info as Info,
    sg_table as SgTable, //
};

const PARSE_HEADER: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER;
const PARSE_HEADER_ERR: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER_ERR;
const WRITE_INIT: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_INIT;
const WRITE_INIT_ERR: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_INIT_ERR;
const WRITE: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE;
const WRITE_ERR: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_ERR;
const WRITE_COMPLETE: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_COMPLETE;
const WRITE_COMPLETE_ERR: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_COMPLETE_ERR;
const OPERATING: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_OPERATING;
const FIRMWARE_REQ: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_FIRMWARE_REQ;
const FIRMWARE_REQ_ERR: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_FIRMWARE_REQ_ERR;

/// `-EOPNOTSUPP`, which the kernel crate has no constant for
/// (`Documentation/upstream/0002-rust-error-add-EOPNOTSUPP-and-ENAMETOOLONG.patch`).
fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

/// One load: the manager (inside an op, see [`Manager::enter`]) and the caller's image info.
///
/// # Invariants
///
/// - The load runs inside an op of `m` ([`Manager::enter`]): the driver's module, its ops and
///   the manager's device stay alive until the load returns.
/// - `info` is valid for the whole load and is the caller's of `fpga_mgr_load()`, who does not
///   change it meanwhile; the core and the driver's ops are its only users.
/// - Every buffer address the load passes to a driver op points to at least the length passed
///   with it, readable until the op returns (the caller's buffer, the firmware's data or a
///   header copied from the sg table).
struct Load<'a> {
    m: &'a Manager,
    info: *mut Info,
}

impl Load<'_> {
    fn mgr(&self) -> *mut bindings::fpga_manager {
        self.m.as_c()
    }

    fn parse_header(&self, buf: *const u8, count: usize) -> Result {
        match self.m.ops().parse_header {
            // SAFETY: The manager is inside an op, so the driver's module and ops are alive;
            // `self.info` is valid for the load and `buf` readable for `count` bytes (type
            // invariants).
            Some(f) => to_result(unsafe { f(self.mgr(), self.info, buf.cast(), count) }),
            None => Ok(()),
        }
    }

    fn write_init(&self, buf: *const u8, count: usize) -> Result {
        match self.m.ops().write_init {
            // SAFETY: The manager is inside an op, so the driver's module and ops are alive;
            // `self.info` is valid for the load and `buf` readable for `count` bytes (type
            // invariants).
            Some(f) => to_result(unsafe { f(self.mgr(), self.info, buf.cast(), count) }),
            None => Ok(()),
        }
    }

    fn write(&self, buf: *const u8, count: usize) -> Result {
        match self.m.ops().write {
            // SAFETY: The manager is inside an op, so the driver's module and ops are alive, and
            // `buf` is readable for `count` bytes (type invariants).
            Some(f) => to_result(unsafe { f(self.mgr(), buf.cast(), count) }),
            None => Err(eopnotsupp()),
        }
    }

    fn write_sg(&self, sgt: *mut SgTable) -> Result {
        match self.m.ops().write_sg {
            // SAFETY: The manager is inside an op, so the driver's module and ops are alive (type
            // invariant); `sgt` is the load's table, valid until the load returns (the caller's
            // from `info`, or one the load built).
            Some(f) => to_result(unsafe { f(self.mgr(), sgt) }),
            None => Err(eopnotsupp()),
        }
    }

    fn header_size(&self) -> usize {
        // SAFETY: `self.info` is valid for the load and nobody else writes it meanwhile (type
        // invariant).
        unsafe { (*self.info).header_size }
    }

    fn data_size(&self) -> usize {
        // SAFETY: `self.info` is valid for the load and nobody else writes it meanwhile (type
        // invariant).
        unsafe { (*self.info).data_size }
    }

    /// After the image is written, the driver's final steps; the FPGA then operates.
    fn write_complete(&self) -> Result {
        self.m.set_state(WRITE_COMPLETE);
        let ret = match self.m.ops().write_complete {
            // SAFETY: The manager is inside an op, so the driver's module and ops are alive, and
            // `self.info` is valid for the load (type invariants).
            Some(f) => to_result(unsafe { f(self.mgr(), self.info) }),
            None => Ok(()),
        };
        if let Err(e) = ret {
            dev_err!(self.m.dev(), "Error after writing image data to FPGA\n");
            self.m.set_state(WRITE_COMPLETE_ERR);
            return Err(e);
        }
        self.m.set_state(OPERATING);
        Ok(())
    }

    /// `parse_header` on the whole mapped image.
    fn parse_header_mapped(&self, buf: *const u8, count: usize) -> Result {
        self.m.set_state(PARSE_HEADER);
        let mut ret = self.parse_header(buf, count);
        if self.header_size().saturating_add(self.data_size()) > count {
            self.outruns(count);
            ret = Err(EINVAL);
        }
        if ret.is_err() {
            dev_err!(self.m.dev(), "Error while parsing FPGA image header\n");
            self.m.set_state(PARSE_HEADER_ERR);
        }
        ret
    }

    /// Logs that the header and data the driver asks for outrun the `count`-byte image.
    #[cold]
    fn outruns(&self, count: usize) {
        let (header, data) = (self.header_size(), self.data_size());
        if data == 0 {
            dev_err!(
                self.m.dev(),
                "Bitstream data outruns FPGA image: the {}-byte image is shorter than its {}-byte header\n",
                count,
                header
            );
        } else {
            dev_err!(
                self.m.dev(),
                "Bitstream data outruns FPGA image: {} bytes of header and {} of data, the image has {}\n",
                header,
                data,
                count
            );
        }
    }

    /// `write_init`, with at least `header_size` bytes of the image (none if it is 0).
    fn write_init_buf(&self, buf: *const u8, count: usize) -> Result {
        self.m.set_state(WRITE_INIT);
        let header_size = self.header_size();
        if header_size > count {
            dev_err!(
                self.m.dev(),
                "Error preparing FPGA for writing: the {}-byte image is shorter than its {}-byte header\n",
                count,
                header_size
            );
            self.m.set_state(WRITE_INIT_ERR);
            return Err(EINVAL);
        }
        let ret = if header_size == 0 {
            self.write_init(ptr::null(), 0)
        } else {
            self.write_init(buf, count)
        };
        if ret.is_err() {
            dev_err!(self.m.dev(), "Error preparing FPGA for writing\n");
            self.m.set_state(WRITE_INIT_ERR);
        }
        ret
    }

    /// Where the data to write starts in an image of `count` bytes and how long it is: after the
    /// header if the driver skips it, `data_size` bytes if it set that, else to the end. A C
    /// driver may change `header_size` and `data_size` in `write_init` (the info is not `const`
    /// there), so they are checked against the image again here: `EINVAL` if they outrun it.
    fn data_range(&self, count: usize) -> Result<(usize, usize)> {
        let skip = if self.m.ops().skip_header {
            self.header_size()
        } else {
            0
        };
        let len = match self.data_size() {
            0 => count.checked_sub(skip),
            n => skip.checked_add(n).filter(|&end| end <= count).map(|_| n),
        };
        len.map(|len| (skip, len)).ok_or_else(|| {
            dev_err!(
                self.m.dev(),
                "header_size {} and data_size {} set by write_init outrun the {}-byte image\n",
                self.header_size(),
                self.data_size(),
                count
            );
            self.m.set_state(WRITE_ERR);
            EINVAL
        })
    }

    fn write_failed(&self, e: Error) -> Result {
        dev_err!(self.m.dev(), "Error while writing image data to FPGA\n");
        self.m.set_state(WRITE_ERR);
        Err(e)
    }

    /// A contiguous, mapped image to a driver with `write`: no copy, one `write` call.
    fn buf_mapped(&self, mut buf: *const u8, mut count: usize) -> Result {
        self.parse_header_mapped(buf, count)?;
        self.write_init_buf(buf, count)?;
        let (skip, len) = self.data_range(count)?;
        buf = buf.wrapping_add(skip);
        count = len;
        self.m.set_state(WRITE);
        if let Err(e) = self.write(buf, count) {
            return self.write_failed(e);
        }
        self.write_complete()
    }

    /// `parse_header` on the first sg segment; `EAGAIN` if the header does not fit in it.
    fn parse_header_sg_first(&self, sgt: &SgMap) -> Result {
        self.m.set_state(PARSE_HEADER);
        let ret = sgt
            .with_first(|addr, len| {
                if len >= self.header_size() {
                    self.parse_header(addr, len)
                } else {
                    Err(EAGAIN)
                }
            })
            .unwrap_or(Err(EAGAIN));
        if let Err(e) = ret {
            if e != EAGAIN {
                dev_err!(self.m.dev(), "Error while parsing FPGA image header\n");
                self.m.set_state(PARSE_HEADER_ERR);
            }
        }
        ret
    }

    /// Copies a growing header out of the sg table until `parse_header` is satisfied.
    fn parse_header_sg(&self, sgt: &SgMap) -> Result<KVec<u8>> {
        let mut header = KVec::new();
        let ret = loop {
            let want = self.header_size();
            if want <= header.len() {
                dev_err!(self.m.dev(), "Requested invalid header size\n");
                break Err(EFAULT);
            }
            let have = header.len();
            if let Err(e) = header.resize(want, 0, GFP_KERNEL) {
                break Err(e.into());
            }
            let copied = sgt.copy_to(&mut header[have..], have);
            if copied != want - have {
                // Upstream: `-EFAULT`, without a word; the image is too short, not the caller's
                // memory bad.
                self.outruns(have + copied);
                break Err(EINVAL);
            }
            match self.parse_header(header.as_ptr(), want) {
                Err(e) if e == EAGAIN => continue,
                other => break other,
            }
        };
        if let Err(e) = ret {
            dev_err!(self.m.dev(), "Error while parsing FPGA image header\n");
            self.m.set_state(PARSE_HEADER_ERR);
            return Err(e);
        }
        Ok(header)
    }

    /// Header parsing and `write_init` for an sg image.
    fn prepare_sg(&self, sgt: &SgMap) -> Result {
        let ops = self.m.ops();
        // Short path: the driver does not care about the header.
        if ops.initial_header_size == 0 && ops.parse_header.is_none() {
            return self.write_init_buf(ptr::null(), 0);
        }
        match self.parse_header_sg_first(sgt) {
            Ok(()) => {
                if let Some(ret) = sgt.with_first(|addr, len| self.write_init_buf(addr, len)) {
                    return ret;
                }
            }
            Err(e) if e != EAGAIN => return Err(e),
            Err(_) => {}
        }
        let header = self.parse_header_sg(sgt)?;
        self.write_init_buf(header.as_ptr(), header.len())
    }

    /// An sg image: `write_sg` with the whole table, or `write` once per mapped segment.
    fn sg(&self, sgt: *mut SgTable) -> Result {
        // SAFETY: `sgt` is the caller's table from `info` or one the load built, valid until the
        // load returns, and `map` is dropped before that.
        let map = unsafe { SgMap::new(sgt) };
        self.prepare_sg(&map)?;
        self.m.set_state(WRITE);
        let ret = if self.m.ops().write_sg.is_some() {
            self.write_sg(sgt)
        } else {
            // Past the table's end, the skip fails with `EINVAL` and the limit stops at the end:
            // unlike a buffer's, an sg image's `data_size` is not checked against its length, as
            // upstream does not (its own KUnit suite's `parse_header` sets `data_size` from the
            // `count` that an sg load leaves 0, so it wraps; `fpga_mgr_test_img_load_sgt`).
            let skip = if self.m.ops().skip_header {
                self.header_size()
            } else {
                0
            };
            map.for_each_segment(skip, self.data_size(), |addr, len| self.write(addr, len))
        };
        if let Err(e) = ret {
            return self.write_failed(e);
        }
        self.write_complete()
    }

    /// A buffer image: mapped for `write` drivers, else described by an sg table (no copy).
    fn buf(&self, buf: *const u8, count: usize) -> Result {
        if self.m.ops().write.is_some() {
            return self.buf_mapped(buf, count);
        }
        let mut sgt = crate::sg::BufSgTable::new(buf, count)?;
        self.sg(sgt.as_raw())
    }

    /// A firmware file, requested through the firmware loader on behalf of the manager.
    fn firmware(&self, name: *const u8) -> Result {
        // SAFETY: `firmware_name` is a NUL-terminated string (C API contract).
        let cname = unsafe { CStr::from_char_ptr(name.cast()) };
        dev_info!(
            self.m.dev(),
            "writing {} to {}\n",
            cname,
            kernel::str::BStr::from_bytes(self.m.name())
        );
        self.m.set_state(FIRMWARE_REQ);
        let fw = kernel::firmware::Firmware::request(cname, self.m.dev()).inspect_err(|_| {
            self.m.set_state(FIRMWARE_REQ_ERR);
            dev_err!(self.m.dev(), "Error requesting firmware {}\n", cname);
        })?;
        let data = fw.data();
        self.buf(data.as_ptr(), data.len())
    }
}

/// `fpga_mgr_load()`: programs the image `info` describes, traced (`fpga_mgr_load_begin`,
/// `fpga_mgr_load_end`).
///
/// The manager must be registered; the call counts as an op in flight, so unregistration waits
/// for it. Returns `ENODEV` once the manager is unregistered.
///
/// # Safety
///
/// `info` must be valid for the whole call, and its image source (sg table, buffer or firmware
/// name) valid as the C API documents.
pub(crate) unsafe fn load(m: &Manager, info: *mut Info) -> Result {
    // SAFETY: `info` and its image source are valid (this function's requirements).
    let trace = unsafe { trace::Load::begin(m, info) };
    // SAFETY: `info` is valid for the whole call and its image source valid as the C API
    // documents (this function's requirements, which are `load_traced`'s).
    trace.end(unsafe { load_traced(m, info) })
}

/// [`load`] between its trace events.
///
/// # Safety
///
/// `info` must be valid for the whole call, and its image source (sg table, buffer or firmware
/// name) valid as the C API documents.
unsafe fn load_traced(m: &Manager, info: *mut Info) -> Result {
    let _op = m.enter()?;
    // INVARIANT: The load runs inside `_op`, dropped after it; `info` and its image source are
    // valid for the call (this function's requirements).
    let load = Load { m, info };
    // SAFETY: `info` is valid (caller's requirement).
    let (sgt, buf, count, firmware_name, flags) = unsafe {
        (*info).header_size = m.ops().initial_header_size;
        (
            (*info).sgt,
            (*info).buf,
            (*info).count,
            (*info).firmware_name,
            (*info).flags,
        )
    };
    // Upstream passes flags it does not know to the driver (`ffi/image_flags.rs`).
    image_flags::check(m.dev(), flags)?;
    if !sgt.is_null() {
        return load.sg(sgt);
    }
    if !buf.is_null() && count != 0 {
        return load.buf(buf.cast(), count);
    }
    if !firmware_name.is_null() {
        return load.firmware(firmware_name.cast_const().cast());
    }
    if buf.is_null() {
        dev_err!(
            m.dev(),
            "image info has no image (no sg table, buffer or firmware name)\n"
        );
    } else {
        dev_err!(m.dev(), "image buffer is empty (count 0)\n");
    }
    Err(EINVAL)
}
