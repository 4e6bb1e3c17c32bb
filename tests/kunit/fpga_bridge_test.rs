// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of `fpga_bridge.ko` through its exported C API.
//!
//! Every bridge here is owned by this module, so this module's reference count is the sum of
//! every owner pin the bridge core holds.

use kernel::prelude::*;

#[path = "../../ffi/bindings.rs"]
mod bindings;

module! {
    type: FpgaBridgeTest,
    name: "fpga_bridge_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests for the fpga-rs FPGA bridge core",
    license: "GPL",
}

struct FpgaBridgeTest;

impl kernel::Module for FpgaBridgeTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[path = "fpga_bridge_test/bridge_recorder.rs"]
pub mod bridge_recorder;

#[path = "../common/kunit_util.rs"]
mod kunit_util;

use kunit_util::{
    module_refs,
    ptr_err, //
};

/// The name of a device.
fn dev_name(dev: *mut bindings::device) -> &'static [u8] {
    // SAFETY: `dev` is a registered device of the test, named, and outlives the use of the name.
    unsafe { CStr::from_char_ptr((*dev).kobj.name) }.to_bytes()
}

#[kunit_tests(fpga_bridge_core)]
mod bridge_tests {
    use super::{
        bindings,
        bridge_recorder::*,
        dev_name,
        module_refs,
        ptr_err, //
    };
    use core::ptr;
    use kernel::prelude::*;

    /// An image info pointer that is only compared (never dereferenced) by the bridge core.
    fn fake_info(n: usize) -> *mut bindings::fpga_image_info {
        ptr::without_provenance_mut(0x1000 * n)
    }

    #[test]
    fn register_names_device_br_n_and_rejects_missing_ops_or_name() -> Result {
        let t = TestBridge::new(c"fpga-rs-br-name")?;
        // SAFETY: The bridge is registered.
        let (name_ok, dev_ok) = unsafe {
            (
                CStr::from_char_ptr((*t.br).name).to_bytes() == b"fpga-rs-br-name",
                dev_name(&raw mut (*t.br).dev).starts_with(b"br"),
            )
        };
        let ops = bridge_ops();
        // SAFETY: Invalid registrations, refused before anything is kept.
        let (no_ops, no_name) = unsafe {
            (
                bindings::__fpga_bridge_register(
                    t.parent,
                    c"x".as_char_ptr(),
                    ptr::null(),
                    ptr::null_mut(),
                    ptr::null_mut(),
                ),
                bindings::__fpga_bridge_register(
                    t.parent,
                    c"".as_char_ptr(),
                    &ops,
                    ptr::null_mut(),
                    ptr::null_mut(),
                ),
            )
        };
        drop(t);
        assert!(name_ok);
        assert!(dev_ok);
        assert_eq!(ptr_err(no_ops), EINVAL.to_errno());
        assert_eq!(ptr_err(no_name), EINVAL.to_errno());
        Ok(())
    }

    #[test]
    fn get_is_exclusive_pins_owner_and_keeps_the_holders_info() -> Result {
        let t = TestBridge::new(c"fpga-rs-br-get")?;
        let idle = module_refs();
        // SAFETY: `parent` is only compared; the infos are only stored.
        let first = unsafe { bindings::fpga_bridge_get(t.parent, fake_info(1)) };
        let held = module_refs();
        // SAFETY: `parent` is only compared; the infos are only stored.
        let second = unsafe { bindings::fpga_bridge_get(t.parent, fake_info(2)) };
        // A failed get must not overwrite the holder's info (upstream does, hole L4).
        // SAFETY: The bridge is registered.
        let info_after_busy = unsafe { (*t.br).info };
        let after_busy = module_refs();
        let got = first == t.br;
        if got {
            // SAFETY: `first` is a successful get.
            unsafe { bindings::fpga_bridge_put(first) };
        }
        // SAFETY: The bridge is registered.
        let info_after_put = unsafe { (*t.br).info };
        let put = module_refs();
        drop(t);

        assert!(got);
        assert_eq!(held, idle + 1);
        assert_eq!(ptr_err(second), EBUSY.to_errno());
        assert_eq!(after_busy, held);
        assert_eq!(info_after_busy, fake_info(1));
        assert!(info_after_put.is_null());
        assert_eq!(put, idle);
        Ok(())
    }

    #[test]
    fn only_the_claimant_freezes_a_claimed_bridge_held_or_not() -> Result {
        let t = TestBridge::new(c"fpga-rs-br-freeze")?;
        let (a, b) = (
            fake_info(7).cast_const().cast(),
            fake_info(8).cast_const().cast(),
        );
        // SAFETY: `parent` and the claimants are only compared; the infos only stored.
        let (held, claimed) = unsafe {
            let held = bindings::fpga_bridge_get(t.parent, ptr::null_mut());
            (held, bindings::fpga_bridge_claim(held, a))
        };
        let idle_sets = t.record.sets.len();
        // Another claimant's freeze is refused, and does nothing.
        // SAFETY: The bridge is registered.
        let wrong = unsafe { bindings::fpga_bridge_freeze_claimed(t.br, b, fake_info(9)) };
        let sets_after_wrong = t.record.sets.len();
        // The claimant freezes it while another user holds it: under that user's hold and info.
        // SAFETY: The bridge is registered; the claimant is only compared and the info only
        // stored.
        let frozen_held = unsafe { bindings::fpga_bridge_freeze_claimed(t.br, a, fake_info(9)) };
        let (enabled, info_held) = (t.record.enabled, t.record.info_at_set);
        // SAFETY: `held` is the test's get, put once, here; then the claim is taken again.
        let reclaimed = unsafe {
            bindings::fpga_bridge_put(held);
            let again = bindings::fpga_bridge_get(t.parent, ptr::null_mut());
            let ret = bindings::fpga_bridge_claim(again, b);
            bindings::fpga_bridge_put(again);
            ret
        };
        // A bridge nobody holds is frozen with the freezing region's info (its timeouts).
        // SAFETY: The bridge is registered.
        let frozen_free = unsafe { bindings::fpga_bridge_freeze_claimed(t.br, b, fake_info(9)) };
        let info_free = t.record.info_at_set;
        // SAFETY: The bridge is registered.
        let info_after = unsafe { (*t.br).info };
        drop(t);

        assert_eq!(claimed, 0);
        assert_eq!(wrong, EPERM.to_errno());
        assert_eq!(sets_after_wrong, idle_sets);
        assert_eq!(frozen_held, 0);
        assert!(!enabled);
        assert_eq!(info_held, 0);
        assert_eq!(reclaimed, 0);
        assert_eq!(frozen_free, 0);
        assert_eq!(info_free, fake_info(9) as usize);
        assert!(info_after.is_null());
        Ok(())
    }

    /// A bridge pointer handed to a work item.
    struct BridgePtr(*mut bindings::fpga_bridge);

    // SAFETY: The C API allows a bridge to be used from any thread; the test keeps it alive until
    // the work items are done.
    unsafe impl Send for BridgePtr {}

    #[test]
    fn an_op_keeps_the_holders_info_until_it_returns_whoever_calls_it() -> Result {
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
            op: Completion,
            #[pin]
            put: Completion,
            op_released: AtomicFlag,
            put_returned_after_op: AtomicFlag,
        }

        let done = Arc::pin_init(
            try_pin_init!(Done {
                op <- Completion::new(),
                put <- Completion::new(),
                op_released: AtomicFlag::new(false),
                put_returned_after_op: AtomicFlag::new(false),
            }),
            GFP_KERNEL,
        )?;
        let gate = BridgeGate::new()?;
        let mut t = TestBridge::new(c"fpga-rs-br-info")?;
        t.record.gate = Some(gate.clone());
        // SAFETY: `parent` is only compared; the info is only stored and compared.
        let held = unsafe { bindings::fpga_bridge_get(t.parent, fake_info(3)) };
        if held != t.br {
            return Err(EINVAL);
        }

        // The bridge's driver (not the holder) enables it through its registration; the op
        // reads the holder's info and blocks.
        let (d, b) = (done.clone(), BridgePtr(t.br));
        system().try_spawn(GFP_KERNEL, move || {
            let b = b;
            // SAFETY: The bridge stays registered until this work item is done.
            let _ = unsafe { bindings::fpga_bridge_enable(b.0) };
            d.op.complete_all();
        })?;
        gate.entered.wait_for_completion();

        // The holder puts the bridge meanwhile; its caller may free the info once that returns.
        let (d, b) = (done.clone(), BridgePtr(held));
        system().try_spawn(GFP_KERNEL, move || {
            let b = b;
            // SAFETY: `b` is the test's get, put once, here.
            unsafe { bindings::fpga_bridge_put(b.0) };
            d.put_returned_after_op
                .store(d.op_released.load(Acquire), Release);
            d.put.complete_all();
        })?;
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(200));
        done.op_released.store(true, Release);
        gate.release.complete_all();
        done.op.wait_for_completion();
        done.put.wait_for_completion();
        let (at_set, at_end) = (t.record.info_at_set, t.record.info_at_end);
        // SAFETY: The bridge is registered and no longer held.
        let info_after = unsafe { (*t.br).info };
        drop(t);

        assert_eq!(at_set, fake_info(3) as usize);
        assert_eq!(at_end, fake_info(3) as usize);
        assert!(done.put_returned_after_op.load(Acquire));
        assert!(info_after.is_null());
        Ok(())
    }

    #[test]
    fn holder_outlives_unregister_and_its_calls_fail_with_enodev() -> Result {
        let mut t = TestBridge::new(c"fpga-rs-br-gone")?;
        let idle = module_refs();
        // SAFETY: `parent` is only compared.
        let br = unsafe { bindings::fpga_bridge_get(t.parent, ptr::null_mut()) };
        let got = br == t.br;
        t.unregister();
        // SAFETY: `br` is still held: the struct lives until the put.
        let (enable, disable) = unsafe {
            (
                bindings::fpga_bridge_enable(br),
                bindings::fpga_bridge_disable(br),
            )
        };
        // The driver's module and data may go now: the held bridge no longer leads there.
        // SAFETY: `br` is valid until the put; `br_ops` points to an ops table.
        let forgotten = unsafe {
            let ops = &*(*br).br_ops;
            ops.enable_set.is_none()
                && ops.enable_show.is_none()
                && ops.fpga_bridge_remove.is_none()
                && (*br).br_ops_owner.is_null()
                && (*br).priv_.is_null()
        };
        // SAFETY: `parent` is only compared.
        let again = unsafe { bindings::fpga_bridge_get(t.parent, ptr::null_mut()) };
        if got {
            // SAFETY: `br` is a successful get.
            unsafe { bindings::fpga_bridge_put(br) };
        }
        let put = module_refs();
        let sets = t.record.sets.len();
        drop(t);

        assert!(got);
        assert_eq!(enable, ENODEV.to_errno());
        assert_eq!(disable, ENODEV.to_errno());
        assert_eq!(sets, 0);
        assert!(forgotten);
        assert_eq!(ptr_err(again), ENODEV.to_errno());
        assert_eq!(put, idle);
        Ok(())
    }

    #[test]
    fn list_get_enable_disable_and_put() -> Result {
        let b0 = TestBridge::new(c"fpga-rs-br-list0")?;
        let mut b1 = TestBridge::new(c"fpga-rs-br-list1")?;
        let idle = module_refs();
        let mut list = bindings::list_head::default();
        // SAFETY: `list` is a local list head that outlives its use here.
        let (r0, r1, first_is_b1, disabled, enabled) = unsafe {
            let head = &raw mut list;
            (*head).next = head;
            (*head).prev = head;
            let r0 = bindings::fpga_bridge_get_to_list(b0.parent, ptr::null_mut(), head);
            let r1 = bindings::fpga_bridge_get_to_list(b1.parent, ptr::null_mut(), head);
            // Head insertion, as upstream: the last bridge got is first.
            let first_is_b1 = (*head).next == &raw mut (*b1.br).node;
            let disabled = bindings::fpga_bridges_disable(head);
            let enabled = bindings::fpga_bridges_enable(head);
            (r0, r1, first_is_b1, disabled, enabled)
        };
        let held = module_refs();
        // Make the second bridge's enable fail: the list stops at the first error.
        b1.record.fail_enable = EIO.to_errno();
        let b0_sets_before = b0.record.sets.len();
        // SAFETY: `list` is the local list head above, holding the two bridges got onto it.
        let failed = unsafe { bindings::fpga_bridges_enable(&raw mut list) };
        let b0_untouched = b0.record.sets.len() == b0_sets_before;
        // SAFETY: `list` is the local list head above, holding the two bridges got onto it;
        // the put empties it.
        let empty = unsafe {
            bindings::fpga_bridges_put(&raw mut list);
            list.next == &raw mut list
        };
        let put = module_refs();
        let (s0, s1) = (b0.record.sets.len(), b1.record.sets.len());
        let order_ok =
            b0.record.sets.first() == Some(&false) && b0.record.sets.get(1) == Some(&true);
        drop(b1);
        drop(b0);

        assert_eq!((r0, r1), (0, 0));
        assert!(first_is_b1);
        assert_eq!((disabled, enabled), (0, 0));
        assert_eq!(held, idle + 2);
        assert_eq!(failed, EIO.to_errno());
        assert!(b0_untouched);
        assert!(empty);
        assert_eq!(put, idle);
        assert_eq!((s0, s1), (2, 3));
        assert!(order_ok);
        Ok(())
    }

    #[test]
    fn bridges_put_unlinks_a_bridge_before_dropping_its_last_reference() -> Result {
        // A held bridge whose driver goes: the list's put drops the last reference, so the
        // bridge must leave the list first (upstream writes freed memory here, hole L5; KASAN
        // on the debug kernel reports it).
        let mut t = TestBridge::new(c"fpga-rs-br-l5")?;
        let idle = module_refs();
        let mut list = bindings::list_head::default();
        // SAFETY: `list` is a local list head that outlives its use here.
        let got = unsafe {
            let head = &raw mut list;
            (*head).next = head;
            (*head).prev = head;
            bindings::fpga_bridge_get_to_list(t.parent, ptr::null_mut(), head)
        };
        t.unregister();
        // SAFETY: `list` is the local list head above, outliving its use; the put drops what
        // it holds.
        let empty = unsafe {
            bindings::fpga_bridges_put(&raw mut list);
            list.next == &raw mut list && list.prev == &raw mut list
        };
        let put = module_refs();
        drop(t);
        assert_eq!(got, 0);
        assert!(empty);
        assert_eq!(put, idle);
        Ok(())
    }
}
