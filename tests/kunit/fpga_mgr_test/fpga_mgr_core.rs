// SPDX-License-Identifier: GPL-2.0

//! KUnit suite `fpga_mgr_core`: registration, gets and puts, locking, and the owner module pinned only while in use.

use kernel::prelude::*;

#[kunit_tests(fpga_mgr_core)]
mod core_tests {
    use crate::{
        bindings,
        module_refs,
        ptr_err,
        recorder::*, //
    };
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
        let parent = crate::bindings::raw_device(reg.as_ref());
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
        let parent = crate::bindings::raw_device(reg.as_ref());
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
        // SAFETY: `parent` is the manager's parent device, only compared.
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
        let parent = crate::bindings::raw_device(reg.as_ref());
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
            atomic::{
                Acquire,
                AtomicFlag,
                Release, //
            },
            Arc,
            Completion, //
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
