// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of `fpga_mgr.ko` through its exported C API.
//!
//! This module links to the manager core by symbol, exactly as a C driver would: every call goes
//! through the declarations bindgen generated from
//! [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h).

use kernel::prelude::*;

#[path = "../../ffi/bindings.rs"]
mod bindings;

module! {
    type: FpgaMgrTest,
    name: "fpga_mgr_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests for the fpga-rs FPGA manager core",
    license: "GPL",
}

struct FpgaMgrTest;

impl kernel::Module for FpgaMgrTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[path = "fpga_mgr_test/recorder.rs"]
pub mod recorder;

#[path = "../common/kunit_util.rs"]
mod kunit_util;
#[path = "../common/observed_device.rs"]
mod observed_device;
#[path = "../common/page_table.rs"]
mod page_table;

use kunit_util::{module_refs, ptr_err, raw};

#[kunit_tests(fpga_mgr_image_info)]
mod image_info_tests {
    use super::{
        bindings,
        observed_device::{is_released, observed_device}, //
    };
    use core::{ptr, sync::atomic::Ordering};
    use kernel::prelude::*;

    #[test]
    fn image_info_alloc_pins_device_until_free() -> Result {
        let (dev, released) = observed_device(c"fpga-mgr-test-info")?;

        // SAFETY: `dev` is an initialized device the test holds a reference to.
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        assert!(!info.is_null());
        // SAFETY: `info` was just allocated and is not shared.
        let (info_dev, flags, buf, count) =
            unsafe { ((*info).dev, (*info).flags, (*info).buf, (*info).count) };
        // SAFETY: Drops the test's reference: the info's is the only one left.
        unsafe { bindings::put_device(dev) };
        let released_while_held = released.load(Ordering::Acquire);
        // A device released under the info took the info's devres memory with it.
        if !released_while_held {
            // SAFETY: `info` is live (its device is) and freed once.
            unsafe { bindings::fpga_image_info_free(info) };
        }
        let released_after_free = is_released(&released);

        assert_eq!(info_dev, dev);
        assert_eq!((flags, buf.is_null(), count), (0, true, 0));
        assert!(!released_while_held);
        assert!(released_after_free);
        Ok(())
    }

    #[test]
    fn image_info_free_releases_devres_firmware_name() -> Result {
        let (dev, released) = observed_device(c"fpga-mgr-test-fw")?;

        // The devres memory allocated from here on is counted by releasing this group. Its
        // canary is devres memory of the device that the info does not own.
        // SAFETY: `dev` is an initialized device the test holds a reference to.
        let group =
            unsafe { bindings::devres_open_group(dev, ptr::null_mut(), bindings::GFP_KERNEL) };
        assert!(!group.is_null());
        // SAFETY: As above.
        let info = unsafe { bindings::fpga_image_info_alloc(dev) };
        assert!(!info.is_null());
        // SAFETY: `info` and `dev` are live; the name is devres memory of `info->dev`, as the API
        // requires, and so is the canary.
        let (name, canary) = unsafe {
            (*info).firmware_name = bindings::devm_kstrdup(
                dev,
                c"fpga-rs/image.rbf".as_char_ptr(),
                bindings::GFP_KERNEL,
            );
            let canary = bindings::devm_kstrdup(dev, c"canary".as_char_ptr(), bindings::GFP_KERNEL);
            bindings::devres_close_group(dev, group);
            ((*info).firmware_name, canary)
        };
        // SAFETY: `info` is freed once.
        unsafe { bindings::fpga_image_info_free(info) };
        // The free drops the info's reference only: the test's keeps the device.
        let released_by_free = released.load(Ordering::Acquire);
        let mut left = None;
        if !released_by_free {
            // What the info had on the device went with it: only the canary is left to release.
            // SAFETY: `group` is a closed group of `dev`, which is live, released once.
            left = Some(unsafe { bindings::devres_release_group(dev, group) });
            // SAFETY: Drops the test's reference, the last one.
            unsafe { bindings::put_device(dev) };
        }

        assert!(!name.is_null() && !canary.is_null());
        assert!(!released_by_free);
        assert_eq!(left, Some(1));
        assert!(is_released(&released));
        Ok(())
    }

    #[test]
    fn image_info_free_of_null_is_a_no_op() {
        // SAFETY: NULL is explicitly allowed.
        unsafe { bindings::fpga_image_info_free(core::ptr::null_mut()) };
    }
}

#[kunit_tests(fpga_mgr_core)]
mod core_tests {
    use super::{bindings, module_refs, ptr_err, recorder::*};
    use core::ptr;
    use kernel::prelude::*;

    #[test]
    fn register_names_device_fpga_n_and_keeps_own_name_copy() -> Result {
        let t = TestMgr::new(c"fpga-rs-test-register", write_ops())?;
        // SAFETY: The manager is registered.
        let (dev_name, name, state) = unsafe {
            (
                CStr::from_char_ptr(bindings::dev_name(&raw mut (*t.mgr).dev)),
                (*t.mgr).name,
                (*t.mgr).state,
            )
        };
        let numbered = dev_name
            .to_bytes()
            .strip_prefix(b"fpga")
            .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit));
        // SAFETY: `name` is the core's NUL-terminated copy.
        let same_text = unsafe { CStr::from_char_ptr(name) } == c"fpga-rs-test-register";
        let own_copy = name != c"fpga-rs-test-register".as_char_ptr();
        drop(t);

        assert!(numbered);
        assert!(same_text);
        assert!(own_copy);
        assert_eq!(state, bindings::fpga_mgr_states_FPGA_MGR_STATE_POWER_UP);
        Ok(())
    }

    #[test]
    fn register_full_keeps_own_compat_id_copy() -> Result {
        let reg = kernel::faux::Registration::new(c"fpga-rs-test-compat", None)?;
        let parent = super::raw(reg.as_ref());
        let ops = write_ops();
        let mut record = Record::default();
        let mut id = bindings::fpga_compat_id {
            id_h: 0x0123_4567_89ab_cdef,
            id_l: 0xfedc_ba98_7654_3210,
        };
        let info = bindings::fpga_manager_info {
            name: c"fpga-rs-test-compat".as_char_ptr(),
            compat_id: &mut id,
            mops: &ops,
            priv_: ptr::from_mut(&mut record).cast(),
        };
        // SAFETY: `parent`, `info` and what it points to are valid for the call.
        let mgr = unsafe {
            bindings::__fpga_mgr_register_full(parent, &info, crate::THIS_MODULE.as_ptr())
        };
        assert_eq!(ptr_err(mgr), 0);
        // The driver's copy may go away: the core must not depend on it (L9).
        id.id_h = 0;
        // SAFETY: `mgr` is registered.
        let (cid, h, l, private) = unsafe {
            let cid = (*mgr).compat_id;
            (cid, (*cid).id_h, (*cid).id_l, (*mgr).priv_)
        };
        // SAFETY: Registered above, unregistered once.
        unsafe { bindings::fpga_mgr_unregister(mgr) };
        drop(reg);
        assert!(!core::ptr::eq(cid, &id));
        assert_eq!((h, l), (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210));
        assert_eq!(private, ptr::from_mut(&mut record).cast());
        Ok(())
    }

    #[test]
    fn register_without_ops_or_name_is_einval() -> Result {
        let reg = kernel::faux::Registration::new(c"fpga-rs-test-einval", None)?;
        let parent = super::raw(reg.as_ref());
        let ops = write_ops();
        let owner = crate::THIS_MODULE.as_ptr();
        // SAFETY: `parent` is registered; invalid arguments are rejected before use.
        let (no_ops, no_name, empty_name) = unsafe {
            (
                bindings::__fpga_mgr_register(
                    parent,
                    c"x".as_char_ptr(),
                    ptr::null(),
                    ptr::null_mut(),
                    owner,
                ),
                bindings::__fpga_mgr_register(parent, ptr::null(), &ops, ptr::null_mut(), owner),
                bindings::__fpga_mgr_register(
                    parent,
                    c"".as_char_ptr(),
                    &ops,
                    ptr::null_mut(),
                    owner,
                ),
            )
        };
        drop(reg);
        assert_eq!(ptr_err(no_ops), EINVAL.to_errno());
        assert_eq!(ptr_err(no_name), EINVAL.to_errno());
        assert_eq!(ptr_err(empty_name), EINVAL.to_errno());
        Ok(())
    }

    #[test]
    fn get_pins_owner_module_until_put() -> Result {
        let t = TestMgr::new(c"fpga-rs-test-get", write_ops())?;
        let registered = module_refs();
        // SAFETY: `parent` is the manager's parent device.
        let mgr = unsafe { bindings::fpga_mgr_get(t.parent) };
        let held = module_refs();
        let found = mgr == t.mgr;
        if found {
            // SAFETY: `mgr` comes from the successful get above.
            unsafe { bindings::fpga_mgr_put(mgr) };
        }
        let put = module_refs();
        drop(t);

        assert!(found);
        assert_eq!(held, registered + 1);
        assert_eq!(put, registered);
        Ok(())
    }

    #[test]
    fn a_double_put_drops_no_pin_and_no_reference_it_does_not_own() -> Result {
        let t = TestMgr::new(c"fpga-rs-test-2put", write_ops())?;
        let registered = module_refs();
        // The test's own device reference, so that a wrongly dropped one frees nothing.
        // SAFETY: The manager is registered.
        unsafe { bindings::get_device(&raw mut (*t.mgr).dev) };
        // SAFETY: `parent` is the manager's parent device.
        let mgr = unsafe { bindings::fpga_mgr_get(t.parent) };
        let found = mgr == t.mgr;
        if found {
            // SAFETY: The first put gives the get back; the second is the caller bug under test
            // (the manager stays valid through the test's device reference).
            unsafe {
                bindings::fpga_mgr_put(mgr);
                bindings::fpga_mgr_put(mgr);
            }
        }
        let after = module_refs();
        // A get still works, and pins once.
        // SAFETY: As above.
        let again = unsafe { bindings::fpga_mgr_get(t.parent) };
        let held_again = module_refs();
        if again == t.mgr {
            // SAFETY: `again` comes from the successful get above.
            unsafe { bindings::fpga_mgr_put(again) };
        }
        // SAFETY: Drops the test's own reference, taken above.
        unsafe { bindings::put_device(&raw mut (*t.mgr).dev) };
        drop(t);

        assert!(found);
        assert_eq!(after, registered);
        assert_eq!(held_again, registered + 1);
        Ok(())
    }

    #[test]
    fn get_finds_the_first_registered_manager_of_a_parent_and_never_an_unregistered_one() -> Result
    {
        // Two managers of one parent, as a driver with two configuration ports registers them:
        // a get finds them in registration order (upstream's class order), and an unregistered
        // one no more.
        let mut first = TestMgr::new(c"fpga-rs-test-order", write_ops())?;
        let ops = KBox::new(write_ops(), GFP_KERNEL)?;
        let mut record = KBox::new(Record::default(), GFP_KERNEL)?;
        // SAFETY: `first.parent` is registered; `ops` and `record` outlive the manager, which is
        // unregistered below.
        let second = unsafe {
            bindings::__fpga_mgr_register(
                first.parent,
                c"fpga-rs-test-order-2".as_char_ptr(),
                &*ops,
                ptr::from_mut(&mut *record).cast(),
                crate::THIS_MODULE.as_ptr(),
            )
        };
        kernel::error::from_err_ptr(second)?;
        let get = |parent| {
            // SAFETY: `parent` is a registered device.
            let got = unsafe { bindings::fpga_mgr_get(parent) };
            if ptr_err(got) == 0 {
                // SAFETY: `got` comes from the successful get just above.
                unsafe { bindings::fpga_mgr_put(got) };
            }
            got
        };
        let both = get(first.parent);
        let first_mgr = first.mgr;
        first.unregister();
        let after_first = get(first.parent);
        // SAFETY: Registered above, unregistered once.
        unsafe { bindings::fpga_mgr_unregister(second) };
        let after_both = get(first.parent);
        let registered = module_refs();
        drop(first);

        assert_eq!(both, first_mgr);
        assert_eq!(after_first, second);
        assert_eq!(ptr_err(after_both), ENODEV.to_errno());
        assert_eq!(module_refs(), registered);
        Ok(())
    }

    #[test]
    fn registration_does_not_pin_owner_module() -> Result {
        let before = module_refs();
        let t = TestMgr::new(c"fpga-rs-test-nopin", write_ops())?;
        let registered = module_refs();
        drop(t);
        assert_eq!(registered, before);
        Ok(())
    }

    #[test]
    fn of_get_finds_manager_by_parent_node() -> Result {
        // SAFETY: Looks up the root node, with a reference.
        let root =
            unsafe { bindings::of_find_node_opts_by_path(c"/".as_char_ptr(), ptr::null_mut()) };
        assert!(!root.is_null());
        let reg = kernel::faux::Registration::new(c"fpga-rs-test-of", None)?;
        let parent = super::raw(reg.as_ref());
        // SAFETY: Gives the parent a node for the registration to copy; we hold `root`.
        unsafe { (*parent).of_node = root };
        let ops = write_ops();
        let mut record = Record::default();
        // SAFETY: `parent`, `ops` and `record` outlive the manager.
        let mgr = unsafe {
            bindings::__fpga_mgr_register(
                parent,
                c"fpga-rs-test-of".as_char_ptr(),
                &ops,
                ptr::from_mut(&mut record).cast(),
                crate::THIS_MODULE.as_ptr(),
            )
        };
        let registered = ptr_err(mgr) == 0;
        // SAFETY: Looks the manager up by node.
        let got = unsafe { bindings::of_fpga_mgr_get(root) };
        let found = registered && got == mgr;
        if ptr_err(got) == 0 {
            // SAFETY: `got` comes from a successful get.
            unsafe { bindings::fpga_mgr_put(got) };
        }
        if registered {
            // SAFETY: Registered above, unregistered once.
            unsafe { bindings::fpga_mgr_unregister(mgr) };
        }
        // SAFETY: Undoes the node assignment and drops our reference.
        unsafe {
            (*parent).of_node = ptr::null_mut();
            bindings::of_node_put(root);
        }
        drop(reg);
        assert!(found);
        Ok(())
    }

    /// Raw pointers handed to a work item.
    struct Ptrs(
        *mut bindings::fpga_manager,
        *mut bindings::device,
        *const u8,
        usize,
    );

    // SAFETY: The C API allows these objects to be used from any thread; the test keeps them
    // alive until the work items are done.
    unsafe impl Send for Ptrs {}

    #[test]
    fn unregister_waits_for_the_load_in_flight() -> Result {
        use kernel::sync::{
            atomic::{Acquire, AtomicFlag, Release},
            Arc, Completion,
        };
        use kernel::workqueue::system;

        #[pin_data]
        struct Done {
            #[pin]
            load: Completion,
            #[pin]
            unregister: Completion,
            unregister_returned: AtomicFlag,
        }

        let img = KVec::from_elem(IMAGE_FILL, HEADER_SIZE + 4096, GFP_KERNEL)?;
        let mut img = img;
        img[..HEADER_SIZE].fill(HEADER_FILL);
        let gate = Gate::new()?;
        let done = Arc::pin_init(
            try_pin_init!(Done {
                load <- Completion::new(),
                unregister <- Completion::new(),
                unregister_returned: AtomicFlag::new(false),
            }),
            GFP_KERNEL,
        )?;
        let mut t = TestMgr::new(c"fpga-rs-test-inflight", write_ops())?;
        t.record.gate = Some(gate.clone());

        // A user programs the FPGA; its `write` blocks in the gate.
        let (d, p) = (done.clone(), Ptrs(t.mgr, t.parent, img.as_ptr(), img.len()));
        system().try_spawn(GFP_KERNEL, move || {
            let p = p;
            // SAFETY: The manager is registered and the image outlives the work (the test
            // waits for `d.load`).
            unsafe {
                let info = bindings::fpga_image_info_alloc(p.1);
                (*info).buf = p.2.cast();
                (*info).count = p.3;
                let _ = bindings::fpga_mgr_load(p.0, info);
                bindings::fpga_image_info_free(info);
            }
            d.load.complete_all();
        })?;
        gate.entered.wait_for_completion();

        // The driver goes away while the write is in flight.
        let (d, g, p) = (
            done.clone(),
            gate.clone(),
            Ptrs(t.mgr, t.parent, ptr::null(), 0),
        );
        system().try_spawn(GFP_KERNEL, move || {
            let p = p;
            // SAFETY: The manager is registered; this is its only unregistration.
            unsafe { bindings::fpga_mgr_unregister(p.0) };
            g.unregistered.store(true, Release);
            d.unregister_returned.store(true, Release);
            d.unregister.complete_all();
        })?;
        t.mgr = ptr::null_mut();
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(200));
        let returned_during_write = done.unregister_returned.load(Acquire);

        gate.release.complete_all();
        done.unregister.wait_for_completion();
        done.load.wait_for_completion();
        let calls = core::mem::take(&mut t.record.calls);
        let op_after = gate.op_after_unregister.load(Acquire);
        drop(t);

        // Unregistration waited for the write and the rest of the load, and no op ran after.
        assert!(!returned_during_write);
        assert_eq!(calls.last().copied(), Some(Op::WriteComplete));
        assert!(!op_after);
        Ok(())
    }

    #[test]
    fn lock_is_exclusive_and_busy_is_ebusy() -> Result {
        let t = TestMgr::new(c"fpga-rs-test-lock", write_ops())?;
        // SAFETY: The manager is registered; the test holds it through its registration.
        let (first, second, after_unlock) = unsafe {
            let first = bindings::fpga_mgr_lock(t.mgr);
            let second = bindings::fpga_mgr_lock(t.mgr);
            bindings::fpga_mgr_unlock(t.mgr);
            let after_unlock = bindings::fpga_mgr_lock(t.mgr);
            bindings::fpga_mgr_unlock(t.mgr);
            (first, second, after_unlock)
        };
        drop(t);
        assert_eq!(first, 0);
        assert_eq!(second, EBUSY.to_errno());
        assert_eq!(after_unlock, 0);
        Ok(())
    }

    #[test]
    fn get_after_unregister_is_enodev_and_holders_fail_cleanly() -> Result {
        let mut t = TestMgr::new(c"fpga-rs-test-unreg", write_ops())?;
        let parent = t.parent;
        let registered = module_refs();
        // SAFETY: `parent` is the manager's parent.
        let held = unsafe { bindings::fpga_mgr_get(parent) };
        assert_eq!(ptr_err(held), 0);
        t.unregister();

        // SAFETY: `parent` is still a registered device; the manager is not.
        let late = unsafe { bindings::fpga_mgr_get(parent) };
        let buf = [IMAGE_FILL; 16];
        // SAFETY: `held` is still a valid pointer: the get holds its device.
        let (lock, load) = unsafe {
            let info = bindings::fpga_image_info_alloc(parent);
            (*info).buf = buf.as_ptr().cast();
            (*info).count = buf.len();
            let lock = bindings::fpga_mgr_lock(held);
            let load = bindings::fpga_mgr_load(held, info);
            bindings::fpga_image_info_free(info);
            (lock, load)
        };
        let calls = t.record.calls.len();
        let pinned = module_refs();
        // The driver's module and data may go now: the held manager no longer leads there.
        // SAFETY: `held` is valid until the put; `mops` points to an ops table.
        let forgotten = unsafe {
            let ops = &*(*held).mops;
            ops.write_init.is_none()
                && ops.write.is_none()
                && ops.write_complete.is_none()
                && ops.state.is_none()
                && ops.status.is_none()
                && ops.fpga_remove.is_none()
                && (*held).mops_owner.is_null()
                && (*held).priv_.is_null()
        };
        // SAFETY: Puts the get taken above.
        unsafe { bindings::fpga_mgr_put(held) };
        let put = module_refs();
        drop(t);

        assert_eq!(ptr_err(late), ENODEV.to_errno());
        assert_eq!(lock, ENODEV.to_errno());
        assert_eq!(load, ENODEV.to_errno());
        assert_eq!(calls, 0);
        assert!(forgotten);
        assert_eq!(pinned, registered + 1);
        assert_eq!(put, registered);
        Ok(())
    }
}

#[kunit_tests(fpga_mgr_load)]
mod load_tests {
    use super::{bindings, page_table::PageTable, recorder::*};
    use kernel::{alloc::VVec, page::PAGE_SIZE, prelude::*};

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
