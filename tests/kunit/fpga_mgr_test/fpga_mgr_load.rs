// SPDX-License-Identifier: GPL-2.0

//! KUnit suite `fpga_mgr_load`: `fpga_mgr_load()` from a buffer, an sg table and a firmware file, and its state machine.

use kernel::prelude::*;

#[kunit_tests(fpga_mgr_load)]
mod load_tests {
    use crate::{
        bindings,
        page_table::PageTable,
        recorder::*, //
    };
    use kernel::{
        alloc::VVec,
        page::PAGE_SIZE,
        prelude::*, //
    };

    const OPERATING: u32 = bindings::fpga_mgr_states_FPGA_MGR_STATE_OPERATING;
    const IMAGE_SIZE: usize = HEADER_SIZE + 4 * PAGE_SIZE + 100;

    /// Fills a test image: a header of `HEADER_FILL`, then `IMAGE_FILL`.
    fn fill(img: &mut [u8]) {
        let (header, data) = img.split_at_mut(HEADER_SIZE);
        header.fill(HEADER_FILL);
        data.fill(IMAGE_FILL);
    }

    /// A test image in kmalloc memory.
    fn kimage(len: usize) -> Result<KVec<u8>> {
        let mut img = KVec::from_elem(0u8, len, GFP_KERNEL)?;
        fill(&mut img);
        Ok(img)
    }

    /// A test image in vmalloc memory.
    fn vimage(len: usize) -> Result<VVec<u8>> {
        let mut img = VVec::from_elem(0u8, len, GFP_KERNEL)?;
        fill(&mut img);
        Ok(img)
    }

    /// Loads an image into `t` from a buffer or an sg table; returns the errno.
    fn load(t: &TestMgr, buf: Option<&[u8]>, sgt: Option<&mut PageTable>) -> i32 {
        // SAFETY: The manager is registered and the image outlives the load.
        unsafe {
            let info = bindings::fpga_image_info_alloc(t.parent);
            if info.is_null() {
                return ENOMEM.to_errno();
            }
            if let Some(buf) = buf {
                (*info).buf = buf.as_ptr().cast();
                (*info).count = buf.len();
            }
            if let Some(sgt) = sgt {
                (*info).sgt = sgt.as_raw();
            }
            let ret = bindings::fpga_mgr_load(t.mgr, info);
            bindings::fpga_image_info_free(info);
            ret
        }
    }

    #[test]
    fn buffer_load_reaches_driver_without_copy() -> Result {
        let img = kimage(IMAGE_SIZE)?;
        let mut t = TestMgr::new(c"fpga-rs-test-buf", write_ops())?;
        let ret = load(&t, Some(&img), None);
        let r = &mut t.record;
        let seen = (
            r.header_ok,
            r.header_len,
            r.init_len,
            r.image_ok,
            r.written,
            r.write_calls,
        );
        let calls = core::mem::take(&mut r.calls);
        let states = core::mem::take(&mut r.states);
        let zero_copy = r.first_write == img.as_ptr() as usize + HEADER_SIZE;
        let state = t.state();
        drop(t);

        assert_eq!(ret, 0);
        assert_eq!(state, OPERATING);
        assert_eq!(
            &calls[..],
            &[Op::ParseHeader, Op::WriteInit, Op::Write, Op::WriteComplete]
        );
        assert_eq!(
            &states[..],
            &[
                bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER,
                bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_INIT,
                bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE,
                bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_COMPLETE,
            ]
        );
        assert_eq!(
            seen,
            (
                true,
                IMAGE_SIZE,
                IMAGE_SIZE,
                true,
                IMAGE_SIZE - HEADER_SIZE,
                1
            )
        );
        assert!(zero_copy);
        Ok(())
    }

    #[test]
    fn buffer_load_writes_only_data_size_bytes() -> Result {
        let img = kimage(IMAGE_SIZE)?;
        let mut t = TestMgr::new(c"fpga-rs-test-datasize", write_ops())?;
        t.record.data_size = 2000;
        let ret = load(&t, Some(&img), None);
        let written = t.record.written;
        drop(t);
        assert_eq!(ret, 0);
        assert_eq!(written, 2000);
        Ok(())
    }

    #[test]
    fn sg_load_writes_each_page_after_the_header() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut sgt = PageTable::new(&img)?;
        let t = TestMgr::new(c"fpga-rs-test-sgwrite", write_ops())?;
        let ret = load(&t, None, Some(&mut sgt));
        let r = &t.record;
        let seen = (r.header_ok, r.image_ok, r.written, r.write_calls);
        let state = t.state();
        drop(t);
        assert_eq!(ret, 0);
        assert_eq!(state, OPERATING);
        // The header is skipped inside the first page; each page is one `write()`.
        assert_eq!(
            seen,
            (
                true,
                true,
                IMAGE_SIZE - HEADER_SIZE,
                IMAGE_SIZE.div_ceil(PAGE_SIZE)
            )
        );
        Ok(())
    }

    #[test]
    fn sg_load_passes_whole_table_to_write_sg() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut sgt = PageTable::new(&img)?;
        let table = sgt.as_raw() as usize;
        let mut t = TestMgr::new(c"fpga-rs-test-sg", sg_ops())?;
        let ret = load(&t, None, Some(&mut sgt));
        let (got, calls) = (t.record.sg_table, core::mem::take(&mut t.record.calls));
        drop(t);
        assert_eq!(ret, 0);
        assert_eq!(got, table);
        assert_eq!(
            &calls[..],
            &[
                Op::ParseHeader,
                Op::WriteInit,
                Op::WriteSg,
                Op::WriteComplete
            ]
        );
        Ok(())
    }

    #[test]
    fn buffer_load_to_write_sg_driver_describes_buffer_in_place() -> Result {
        let vimg = vimage(IMAGE_SIZE)?;
        let kimg = kimage(IMAGE_SIZE)?;
        let t = TestMgr::new(c"fpga-rs-test-bufsg", sg_ops())?;
        let vret = load(&t, Some(&vimg), None);
        let vstate = t.state();
        let kret = load(&t, Some(&kimg), None);
        let kstate = t.state();
        let (header_ok, sg_calls) = (
            t.record.header_ok,
            t.record.calls.iter().filter(|&&c| c == Op::WriteSg).count(),
        );
        drop(t);
        assert_eq!((vret, kret), (0, 0));
        assert_eq!((vstate, kstate), (OPERATING, OPERATING));
        assert!(header_ok);
        assert_eq!(sg_calls, 2);
        Ok(())
    }

    #[test]
    fn sg_header_longer_than_first_segment_is_reassembled() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut sgt = PageTable::new(&img)?;
        let mut t = TestMgr::new(c"fpga-rs-test-eagain", write_ops())?;
        // The driver asks for 1.5 pages of header: more than the first segment holds.
        t.record.want_header = PAGE_SIZE + PAGE_SIZE / 2;
        let ret = load(&t, None, Some(&mut sgt));
        let r = &t.record;
        let seen = (r.header_len, r.init_len, r.written);
        let parses = r.calls.iter().filter(|&&c| c == Op::ParseHeader).count();
        drop(t);
        assert_eq!(ret, 0);
        // One try on the first page (EAGAIN), one on the reassembled header.
        assert_eq!(parses, 2);
        let want = PAGE_SIZE + PAGE_SIZE / 2;
        assert_eq!(seen, (want, want, IMAGE_SIZE - want));
        Ok(())
    }

    #[test]
    fn header_grown_by_write_init_past_the_image_is_einval() -> Result {
        // A C driver may write `info->header_size` in `write_init`; the core must not compute
        // the data length from it without checking (an overflow, a panic with overflow checks).
        let img = kimage(IMAGE_SIZE)?;
        let mut t = TestMgr::new(c"fpga-rs-test-growinit", write_ops())?;
        t.record.header_in_init = IMAGE_SIZE + 1;
        let ret = load(&t, Some(&img), None);
        let (state, written) = (t.state(), t.record.written);
        drop(t);
        assert_eq!(ret, EINVAL.to_errno());
        assert_eq!(state, bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_ERR);
        assert_eq!(written, 0);
        Ok(())
    }

    #[test]
    fn header_request_that_does_not_grow_is_efault() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut sgt = PageTable::new(&img)?;
        let mut t = TestMgr::new(c"fpga-rs-test-stuck", write_ops())?;
        t.record.stuck_header = true;
        let ret = load(&t, None, Some(&mut sgt));
        let (state, inits) = (t.state(), t.record.init_len);
        drop(t);
        assert_eq!(ret, EFAULT.to_errno());
        assert_eq!(
            state,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER_ERR
        );
        assert_eq!(inits, 0);
        Ok(())
    }

    #[test]
    fn each_failing_op_leaves_its_error_state_and_errno() -> Result {
        let img = kimage(IMAGE_SIZE)?;
        let cases = [
            (
                Op::ParseHeader,
                bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER_ERR,
                EIO,
            ),
            (
                Op::WriteInit,
                bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_INIT_ERR,
                ETIMEDOUT,
            ),
            (
                Op::Write,
                bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_ERR,
                ENOSPC,
            ),
            (
                Op::WriteComplete,
                bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_COMPLETE_ERR,
                EPERM,
            ),
        ];
        let mut results = KVec::new();
        for (op, _, errno) in cases {
            let mut t = TestMgr::new(c"fpga-rs-test-fail", write_ops())?;
            t.record.fail = Some((op, errno.to_errno()));
            let ret = load(&t, Some(&img), None);
            let last = t.record.calls.last().copied();
            results.push((ret, t.state(), last), GFP_KERNEL)?;
        }
        for ((op, state, errno), (ret, got_state, last)) in cases.iter().zip(results.iter()) {
            assert_eq!(*ret, errno.to_errno());
            assert_eq!(*got_state, *state);
            // Nothing runs after the failing op.
            assert_eq!(*last, Some(*op));
        }
        Ok(())
    }

    #[test]
    fn failing_write_sg_is_write_error() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut sgt = PageTable::new(&img)?;
        let mut t = TestMgr::new(c"fpga-rs-test-sgfail", sg_ops())?;
        t.record.fail = Some((Op::WriteSg, EIO.to_errno()));
        let ret = load(&t, None, Some(&mut sgt));
        let state = t.state();
        drop(t);
        assert_eq!(ret, EIO.to_errno());
        assert_eq!(state, bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_ERR);
        Ok(())
    }

    #[test]
    fn data_outrunning_image_is_einval_parse_header_error() -> Result {
        let img = kimage(IMAGE_SIZE)?;
        let mut t = TestMgr::new(c"fpga-rs-test-outrun", write_ops())?;
        t.record.data_size = IMAGE_SIZE; // header + data > image
        let ret = load(&t, Some(&img), None);
        let (state, writes) = (t.state(), t.record.write_calls);
        drop(t);
        assert_eq!(ret, EINVAL.to_errno());
        assert_eq!(
            state,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER_ERR
        );
        assert_eq!(writes, 0);
        Ok(())
    }

    #[test]
    fn image_shorter_than_header_is_einval_parse_header_error() -> Result {
        let img = kimage(HEADER_SIZE)?;
        let ops = bindings::fpga_manager_ops {
            parse_header: None,
            initial_header_size: HEADER_SIZE + 1,
            ..write_ops()
        };
        let t = TestMgr::new(c"fpga-rs-test-short", ops)?;
        let ret = load(&t, Some(&img), None);
        let state = t.state();
        drop(t);
        // As upstream: the mapped path checks the header against the image before `write_init`.
        assert_eq!(ret, EINVAL.to_errno());
        assert_eq!(
            state,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER_ERR
        );
        Ok(())
    }

    #[test]
    fn load_without_image_is_einval_and_keeps_state() -> Result {
        let t = TestMgr::new(c"fpga-rs-test-noimg", write_ops())?;
        let before = t.state();
        let ret = load(&t, None, None);
        let (after, calls) = (t.state(), t.record.calls.len());
        drop(t);
        assert_eq!(ret, EINVAL.to_errno());
        assert_eq!((after, calls), (before, 0));
        Ok(())
    }

    /// Loads the firmware file `name`; returns the errno.
    fn load_firmware(t: &TestMgr, name: &CStr) -> i32 {
        // SAFETY: The manager is registered; the name is devres memory of `info->dev`.
        unsafe {
            let info = bindings::fpga_image_info_alloc(t.parent);
            if info.is_null() {
                return ENOMEM.to_errno();
            }
            (*info).firmware_name =
                bindings::devm_kstrdup(t.parent, name.as_char_ptr(), bindings::GFP_KERNEL);
            let ret = bindings::fpga_mgr_load(t.mgr, info);
            bindings::fpga_image_info_free(info);
            ret
        }
    }

    #[test]
    fn firmware_load_programs_the_file() -> Result {
        let t = TestMgr::new(c"fpga-rs-test-fw", write_ops())?;
        // tools/testing/run-vm.sh puts this image (1 KiB header, 4 KiB data) in the initramfs.
        let ret = load_firmware(&t, c"fpga-rs/test-image.bin");
        let r = &t.record;
        let seen = (r.header_ok, r.image_ok, r.written);
        let state = t.state();
        drop(t);
        assert_eq!(ret, 0);
        assert_eq!(state, OPERATING);
        assert_eq!(seen, (true, true, 4096));
        Ok(())
    }

    /// What a `write_sg`-only driver saw of an image: the header bytes its `parse_header` and
    /// `write_init` read, and the bytes its table described.
    fn sg_driver_view(r: &Record) -> (bool, bool, bool, usize) {
        (r.header_ok, r.init_ok, r.sg_ok, r.sg_bytes)
    }

    /// A vmalloc'd image in an sg table, to a `write_sg` driver: `parse_header` and `write_init`
    /// read the header from the first page while the core has it mapped. On 32-bit kernels
    /// with HIGHMEM, vmalloc pages are highmem pages, mapped by `sg_miter_next()` with `kmap()`
    /// only until `sg_miter_stop()`; the driver recycles the kmap slots before it reads
    /// ([`recycle_pkmaps`]), so a header the core no longer maps faults or reads as another
    /// page.
    #[test]
    fn vmalloc_sg_image_header_is_mapped_for_parse_header_and_write_init() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut sgt = PageTable::new(&img)?;
        let mut t = TestMgr::new(c"fpga-rs-test-sghdr", sg_ops())?;
        t.record.recycle_kmaps = true;
        let ret = load(&t, None, Some(&mut sgt));
        let (seen, state) = (sg_driver_view(&t.record), t.state());
        drop(t);
        assert_eq!(ret, 0);
        assert_eq!(state, OPERATING);
        assert_eq!(seen, (true, true, true, IMAGE_SIZE));
        Ok(())
    }

    /// A firmware file (vmalloc memory, the pages highmem on 32-bit kernels) to a `write_sg`
    /// driver: the core describes it with an sg table of its pages and maps the first for the
    /// header ops.
    #[test]
    fn firmware_image_header_is_mapped_for_write_sg_driver() -> Result {
        let mut t = TestMgr::new(c"fpga-rs-test-fwsg", sg_ops())?;
        t.record.recycle_kmaps = true;
        // tools/testing/run-vm.sh puts this image (1 KiB header, 4 KiB data) in the initramfs.
        let ret = load_firmware(&t, c"fpga-rs/test-image.bin");
        let (seen, state) = (sg_driver_view(&t.record), t.state());
        drop(t);
        assert_eq!(ret, 0);
        assert_eq!(state, OPERATING);
        assert_eq!(seen, (true, true, true, HEADER_SIZE + 4096));
        Ok(())
    }

    /// A kmalloc'd (lowmem) image spanning pages, to a `write_sg` driver: the core's table
    /// describes it in place from its pages (`kmap_to_page()`), header and data intact.
    #[test]
    fn kmalloc_buffer_to_write_sg_driver_is_described_in_place() -> Result {
        let img = kimage(IMAGE_SIZE)?;
        let mut t = TestMgr::new(c"fpga-rs-test-ksg", sg_ops())?;
        t.record.recycle_kmaps = true;
        let ret = load(&t, Some(&img), None);
        let seen = sg_driver_view(&t.record);
        drop(t);
        assert_eq!(ret, 0);
        assert_eq!(seen, (true, true, true, IMAGE_SIZE));
        Ok(())
    }

    #[test]
    fn missing_firmware_is_firmware_request_error() -> Result {
        let t = TestMgr::new(c"fpga-rs-test-nofw", write_ops())?;
        let ret = load_firmware(&t, c"fpga-rs/no-such-image.bin");
        let (state, calls) = (t.state(), t.record.calls.len());
        drop(t);
        assert_eq!(ret, ENOENT.to_errno());
        assert_eq!(
            state,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_FIRMWARE_REQ_ERR
        );
        assert_eq!(calls, 0);
        Ok(())
    }
}
