// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of `fpga_region.ko` through its exported C API (the bridge core's are in
//! `fpga_bridge_test.rs`).
//!
//! Every manager, bridge and region here is owned by this module, so this module's reference
//! count is the sum of every owner pin the cores hold: the tests read it before, during (from
//! inside the manager's `write`) and after programming.

use kernel::prelude::*;

#[path = "../../ffi/bindings.rs"]
mod bindings;

module! {
    type: FpgaRegionTest,
    name: "fpga_region_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests for the fpga-rs FPGA region core",
    license: "GPL",
}

struct FpgaRegionTest;

impl kernel::Module for FpgaRegionTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[path = "fpga_bridge_test/bridge_recorder.rs"]
pub mod bridge_recorder;
#[path = "fpga_mgr_test/recorder.rs"]
pub mod recorder;

#[path = "../common/kunit_util.rs"]
mod kunit_util;

use core::ptr;
use kernel::faux;
use kunit_util::{
    module_refs,
    ptr_err, //
};

/// The name of a device.
fn dev_name(dev: *mut bindings::device) -> &'static [u8] {
    // SAFETY: `dev` is a registered device of the test, named, and outlives the use of the name.
    unsafe { CStr::from_char_ptr((*dev).kobj.name) }.to_bytes()
}

/// A test image: the recorder's header, then data bytes.
fn image() -> Result<KVec<u8>> {
    let mut img = KVec::from_elem(
        recorder::IMAGE_FILL,
        recorder::HEADER_SIZE + 4096,
        GFP_KERNEL,
    )?;
    img[..recorder::HEADER_SIZE].fill(recorder::HEADER_FILL);
    Ok(img)
}

/// The bridges a test region's `get_bridges` takes (`region->priv`).
#[derive(Default)]
struct RegionCtx {
    /// Parent devices of the bridges, got in this order.
    bridge_parents: KVec<*mut bindings::device>,
    /// How often `get_bridges` ran.
    calls: usize,
}

/// Gets every bridge of the region's context onto `region->bridge_list`.
///
/// # Safety
///
/// Called by the region core only, for a region registered by [`TestRegion::new`].
unsafe extern "C" fn get_bridges(region: *mut bindings::fpga_region) -> i32 {
    // SAFETY: `priv` is the region's `RegionCtx`, owned by the test for longer than the region.
    let ctx = unsafe { &mut *(*region).priv_.cast::<RegionCtx>() };
    ctx.calls += 1;
    for &parent in ctx.bridge_parents.iter() {
        // SAFETY: `region` is valid during the callback; `parent` is only compared.
        let ret = unsafe {
            bindings::fpga_bridge_get_to_list(
                parent,
                (*region).info,
                &raw mut (*region).bridge_list,
            )
        };
        if ret != 0 {
            return ret;
        }
    }
    0
}

/// A registered test region on its own faux parent device.
struct TestRegion {
    region: *mut bindings::fpga_region,
    parent: *mut bindings::device,
    ctx: KBox<RegionCtx>,
    reg: Option<faux::Registration>,
}

impl TestRegion {
    /// Registers a region called `name` programmed by `mgr` through the bridges of
    /// `bridge_parents`.
    fn new(
        name: &'static CStr,
        mgr: *mut bindings::fpga_manager,
        bridge_parents: &[*mut bindings::device],
        compat_id: Option<&mut bindings::fpga_compat_id>,
    ) -> Result<Self> {
        let reg = faux::Registration::new(name, None)?;
        let parent = bindings::raw_device(reg.as_ref());
        let mut ctx = KBox::new(RegionCtx::default(), GFP_KERNEL)?;
        ctx.bridge_parents
            .extend_from_slice(bridge_parents, GFP_KERNEL)?;
        let info = bindings::fpga_region_info {
            mgr,
            compat_id: compat_id.map_or(ptr::null_mut(), ptr::from_mut),
            priv_: ptr::from_mut(&mut *ctx).cast(),
            get_bridges: Some(get_bridges),
        };
        // SAFETY: `parent` is registered; `ctx` outlives the region (see `Drop`).
        let region =
            unsafe { bindings::__fpga_region_register_full(parent, &info, THIS_MODULE.as_ptr()) };
        kernel::error::from_err_ptr(region)?;
        Ok(Self {
            region,
            parent,
            ctx,
            reg: Some(reg),
        })
    }

    /// Programs the region with `img` through `region->info`; returns the C result.
    fn program(&self, img: &[u8]) -> i32 {
        // SAFETY: `parent` is registered; the info is freed before it goes.
        let info = unsafe { bindings::fpga_image_info_alloc(self.parent) };
        if info.is_null() {
            return ENOMEM.to_errno();
        }
        // SAFETY: `info` and the region are valid; `img` outlives the programming.
        unsafe {
            (*info).buf = img.as_ptr().cast();
            (*info).count = img.len();
            (*self.region).info = info;
            let ret = bindings::fpga_region_program_fpga(self.region);
            (*self.region).info = ptr::null_mut();
            bindings::fpga_image_info_free(info);
            ret
        }
    }

    /// Whether the region's bridge list is empty.
    fn bridge_list_empty(&self) -> bool {
        // SAFETY: The region is registered; only the core changes the list, not concurrently.
        unsafe {
            let head = &raw mut (*self.region).bridge_list;
            (*head).next == head
        }
    }

    /// Unregisters the region now (the drop does it otherwise).
    fn unregister(&mut self) {
        if !self.region.is_null() {
            // SAFETY: The region is registered, once.
            unsafe { bindings::fpga_region_unregister(self.region) };
            self.region = ptr::null_mut();
        }
    }
}

impl Drop for TestRegion {
    fn drop(&mut self) {
        self.unregister();
        drop(self.reg.take());
    }
}

#[kunit_tests(fpga_region_core)]
mod region_tests {
    use super::{
        bindings,
        bridge_recorder::TestBridge,
        dev_name,
        image,
        module_refs,
        recorder::*,
        TestRegion, //
    };
    use core::ptr;
    use kernel::prelude::*;

    #[test]
    fn register_names_device_region_n_and_keeps_own_compat_id_copy() -> Result {
        let mut id = bindings::fpga_compat_id {
            id_h: 0x0123_4567_89ab_cdef,
            id_l: 0xfedc_ba98_7654_3210,
        };
        let r = TestRegion::new(c"fpga-rs-rg-name", ptr::null_mut(), &[], Some(&mut id))?;
        id.id_h = 0;
        // SAFETY: The region is registered; a non-NULL `compat_id` points to the core's copy.
        let (named, copy, own) = unsafe {
            let c = (*r.region).compat_id;
            (
                dev_name(&raw mut (*r.region).dev).starts_with(b"region"),
                (!c.is_null()).then(|| ((*c).id_h, (*c).id_l)),
                c != &raw mut id,
            )
        };
        // SAFETY: A missing info is refused before anything is kept.
        let no_info = unsafe {
            bindings::__fpga_region_register_full(r.parent, ptr::null(), ptr::null_mut())
        };
        drop(r);
        assert!(named);
        assert_eq!(copy, Some((0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210)));
        assert!(own);
        assert_eq!(super::ptr_err(no_info), EINVAL.to_errno());
        Ok(())
    }

    /// Matches the region whose parent is `data`.
    ///
    /// # Safety
    ///
    /// Called by `class_find_device()` with a region device.
    unsafe extern "C" fn match_parent(
        dev: *mut bindings::device,
        data: *const core::ffi::c_void,
    ) -> i32 {
        // SAFETY: The class iterator passes a valid device.
        i32::from(unsafe { (*dev).parent }.cast_const().cast() == data)
    }

    #[test]
    fn class_find_returns_the_region_with_a_device_reference() -> Result {
        let r = TestRegion::new(c"fpga-rs-rg-find", ptr::null_mut(), &[], None)?;
        // SAFETY: `match_parent` only compares.
        let found = unsafe {
            bindings::fpga_region_class_find(
                ptr::null_mut(),
                r.parent.cast_const().cast(),
                Some(match_parent),
            )
        };
        let same = found == r.region;
        if !found.is_null() {
            // SAFETY: `fpga_region_class_find` took this reference for us.
            unsafe { bindings::put_device(&raw mut (*found).dev) };
        }
        // SAFETY: `match_parent` only compares; nothing has this parent.
        let none = unsafe {
            bindings::fpga_region_class_find(ptr::null_mut(), ptr::null(), Some(match_parent))
        };
        drop(r);
        assert!(same);
        assert!(none.is_null());
        Ok(())
    }

    #[test]
    fn program_pins_every_owner_only_while_programming() -> Result {
        let img = image()?;
        let mut m = TestMgr::new(c"fpga-rs-rg-mgr", write_ops())?;
        let mut b = TestBridge::new(c"fpga-rs-rg-br")?;
        let r = TestRegion::new(c"fpga-rs-rg-prog", m.mgr, &[b.parent], None)?;
        let before = module_refs();
        let ret = r.program(&img);
        let after = module_refs();
        let during = m.record.refs_in_write;
        let (written, state) = (m.record.written, m.state());
        let sets = core::mem::take(&mut b.record.sets);
        let list_empty = r.bridge_list_empty();
        // The bridge is free again: nobody holds it between programmings.
        // SAFETY: `parent` is only compared.
        let br = unsafe { bindings::fpga_bridge_get(b.parent, ptr::null_mut()) };
        let free_again = br == b.br;
        if free_again {
            // SAFETY: `br` is a successful get.
            unsafe { bindings::fpga_bridge_put(br) };
        }
        let ret2 = r.program(&img);
        let calls = r.ctx.calls;
        drop(r);
        b.unregister();
        m.unregister();

        assert_eq!(ret, 0);
        // Region, manager and bridge owner, each pinned once, only while programming.
        assert_eq!(during, before + 3);
        assert_eq!(after, before);
        assert_eq!(written, 4096);
        assert_eq!(state, bindings::fpga_mgr_states_FPGA_MGR_STATE_OPERATING);
        assert_eq!(&sets[..], &[false, true]);
        assert!(list_empty);
        assert!(free_again);
        assert_eq!(ret2, 0);
        assert_eq!(calls, 2);
        Ok(())
    }

    #[test]
    fn bridges_a_region_programmed_stay_its_own_until_it_freezes_them() -> Result {
        // Upstream keeps a region's bridges held until its overlay is removed, so a second
        // region naming the same bridge gets -EBUSY. Here the bridges are put after programming
        // (no module stays pinned), and a claim keeps that exclusivity.
        let img = image()?;
        let mut m = TestMgr::new(c"fpga-rs-rg-claim-mgr", write_ops())?;
        let mut b = TestBridge::new(c"fpga-rs-rg-claim-br")?;
        let a = TestRegion::new(c"fpga-rs-rg-claim-a", m.mgr, &[b.parent], None)?;
        let other = TestRegion::new(c"fpga-rs-rg-claim-b", m.mgr, &[b.parent], None)?;
        let before = module_refs();
        let ret_a = a.program(&img);
        let refs_claimed = module_refs();
        // The other region is refused before it touches the bridge A's logic runs behind.
        let ret_other = other.program(&img);
        let sets_after_other = core::mem::take(&mut b.record.sets);
        let enabled_after_other = b.record.enabled;
        // A's overlay goes: exactly its claimed bridge is frozen, and the claim given up.
        // SAFETY: The region is registered.
        let frozen = unsafe { bindings::fpga_region_freeze_bridges(a.region) };
        let sets_at_freeze = core::mem::take(&mut b.record.sets);
        let ret_other_after = other.program(&img);
        core::mem::take(&mut b.record.sets);
        // A claimed bridge that goes away cannot be frozen; the region says so.
        b.unregister();
        // SAFETY: The region is registered.
        let frozen_gone = unsafe { bindings::fpga_region_freeze_bridges(other.region) };
        let after = module_refs();
        drop(a);
        drop(other);
        m.unregister();

        assert_eq!(ret_a, 0);
        assert_eq!(refs_claimed, before);
        assert_eq!(ret_other, EBUSY.to_errno());
        assert_eq!(&sets_after_other[..], &[false, true]);
        assert!(enabled_after_other);
        assert_eq!(frozen, 0);
        assert_eq!(&sets_at_freeze[..], &[false]);
        assert_eq!(ret_other_after, 0);
        assert_eq!(frozen_gone, ENODEV.to_errno());
        assert_eq!(after, before);
        Ok(())
    }

    #[test]
    fn program_without_image_info_or_manager_is_einval() -> Result {
        let img = image()?;
        let m = TestMgr::new(c"fpga-rs-rg-l10m", write_ops())?;
        let with_mgr = TestRegion::new(c"fpga-rs-rg-l10a", m.mgr, &[], None)?;
        let without_mgr = TestRegion::new(c"fpga-rs-rg-l10b", ptr::null_mut(), &[], None)?;
        let before = module_refs();
        // SAFETY: The region is registered and has no info.
        let no_info = unsafe { bindings::fpga_region_program_fpga(with_mgr.region) };
        let no_mgr = without_mgr.program(&img);
        let after = module_refs();
        let calls = m.record.calls.len();
        drop(without_mgr);
        drop(with_mgr);
        drop(m);
        assert_eq!(no_info, EINVAL.to_errno());
        assert_eq!(no_mgr, EINVAL.to_errno());
        assert_eq!(after, before);
        assert_eq!(calls, 0);
        Ok(())
    }

    #[test]
    fn every_failure_step_releases_every_pin_and_lock() -> Result {
        let img = image()?;
        let mut m = TestMgr::new(c"fpga-rs-rg-failm", write_ops())?;
        let mut b = TestBridge::new(c"fpga-rs-rg-failb")?;
        let r = TestRegion::new(c"fpga-rs-rg-fail", m.mgr, &[b.parent], None)?;
        let before = module_refs();
        let mut results = KVec::new();
        let mut leaks = KVec::new();

        // The manager is locked by someone else.
        // SAFETY: The test holds the manager's registration.
        let locked = unsafe { bindings::fpga_mgr_lock(m.mgr) };
        results.push((locked, r.program(&img)), GFP_KERNEL)?;
        // SAFETY: Locked just above.
        unsafe { bindings::fpga_mgr_unlock(m.mgr) };
        leaks.push(module_refs() - before, GFP_KERNEL)?;

        // The bridge is held by someone else: `get_bridges` fails.
        // SAFETY: `parent` is only compared.
        let held = unsafe { bindings::fpga_bridge_get(b.parent, ptr::null_mut()) };
        results.push((0, r.program(&img)), GFP_KERNEL)?;
        if held == b.br {
            // SAFETY: A successful get.
            unsafe { bindings::fpga_bridge_put(held) };
        }
        leaks.push(module_refs() - before, GFP_KERNEL)?;

        // The bridge refuses to disable, then to enable; then the load fails.
        b.record.fail_disable = EIO.to_errno();
        results.push((0, r.program(&img)), GFP_KERNEL)?;
        b.record.fail_disable = 0;
        leaks.push(module_refs() - before, GFP_KERNEL)?;
        b.record.fail_enable = ETIMEDOUT.to_errno();
        results.push((0, r.program(&img)), GFP_KERNEL)?;
        b.record.fail_enable = 0;
        leaks.push(module_refs() - before, GFP_KERNEL)?;
        m.record.fail = Some((Op::WriteInit, EPERM.to_errno()));
        results.push((0, r.program(&img)), GFP_KERNEL)?;
        m.record.fail = None;
        leaks.push(module_refs() - before, GFP_KERNEL)?;

        // After all that, nothing is left held or locked: programming works.
        let list_empty = r.bridge_list_empty();
        let ok = r.program(&img);
        // SAFETY: The test holds the manager's registration.
        let lock_free = unsafe { bindings::fpga_mgr_lock(m.mgr) };
        if lock_free == 0 {
            // SAFETY: Locked just above.
            unsafe { bindings::fpga_mgr_unlock(m.mgr) };
        }
        drop(r);
        b.unregister();
        m.unregister();

        assert_eq!(results[0], (0, EBUSY.to_errno()));
        assert_eq!(results[1], (0, EBUSY.to_errno()));
        assert_eq!(results[2], (0, EIO.to_errno()));
        assert_eq!(results[3], (0, ETIMEDOUT.to_errno()));
        assert_eq!(results[4], (0, EPERM.to_errno()));
        assert_eq!(&leaks[..], &[0, 0, 0, 0, 0]);
        assert!(list_empty);
        assert_eq!(ok, 0);
        assert_eq!(lock_free, 0);
        Ok(())
    }

    #[test]
    fn gone_manager_is_enodev_and_its_reloaded_successor_is_used() -> Result {
        let img = image()?;
        let m = TestMgr::new(c"fpga-rs-rg-reload", write_ops())?;
        // The faux device's name is this test's own: the driver may say it names the device.
        // SAFETY: `m.mgr` is registered.
        unsafe { bindings::fpga_mgr_identify_by_name(m.mgr) };
        let r = TestRegion::new(c"fpga-rs-rg-rl", m.mgr, &[], None)?;
        let first = r.program(&img);
        let before = module_refs();
        // The low-level driver goes (its faux device with it), the region stays.
        drop(m);
        let gone = r.program(&img);
        let after_gone = module_refs();
        // The driver comes back: a new manager for a device of the same bus and name.
        let m2 = TestMgr::new(c"fpga-rs-rg-reload", write_ops())?;
        // SAFETY: `m2.mgr` is registered.
        unsafe { bindings::fpga_mgr_identify_by_name(m2.mgr) };
        let again = r.program(&img);
        let (written, state) = (m2.record.written, m2.state());
        drop(r);
        drop(m2);
        assert_eq!(first, 0);
        assert_eq!(gone, ENODEV.to_errno());
        assert_eq!(after_gone, before);
        assert_eq!(again, 0);
        assert_eq!(written, 4096);
        assert_eq!(state, bindings::fpga_mgr_states_FPGA_MGR_STATE_OPERATING);
        Ok(())
    }

    #[test]
    fn a_recycled_parent_name_is_no_successor_unless_its_driver_says_it_names_the_device() -> Result
    {
        let img = image()?;
        let m = TestMgr::new(c"fpga-rs-rg-recycle", write_ops())?;
        let r = TestRegion::new(c"fpga-rs-rg-rc", m.mgr, &[], None)?;
        drop(m);
        // Another device gets the same bus and name (an auto-numbered or bus-less name, reused):
        // neither driver said the name identifies the device, and there is no firmware node.
        let other = TestMgr::new(c"fpga-rs-rg-recycle", write_ops())?;
        let ret = r.program(&img);
        let (written, state) = (other.record.written, other.state());
        drop(r);
        drop(other);
        assert_eq!(ret, ENODEV.to_errno());
        assert_eq!(written, 0);
        assert_ne!(state, bindings::fpga_mgr_states_FPGA_MGR_STATE_OPERATING);
        Ok(())
    }

    /// A region pointer handed to a work item.
    struct Ptrs(*mut bindings::fpga_region);

    // SAFETY: The C API allows a region to be used from any thread; the test keeps it alive until
    // the work items are done.
    unsafe impl Send for Ptrs {}

    #[test]
    fn busy_region_is_ebusy_and_unregister_waits_for_the_programming() -> Result {
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
            program: Completion,
            #[pin]
            unregister: Completion,
            unregister_returned: AtomicFlag,
        }

        let img = image()?;
        let gate = Gate::new()?;
        let done = Arc::pin_init(
            try_pin_init!(Done {
                program <- Completion::new(),
                unregister <- Completion::new(),
                unregister_returned: AtomicFlag::new(false),
            }),
            GFP_KERNEL,
        )?;
        let mut m = TestMgr::new(c"fpga-rs-rg-busym", write_ops())?;
        m.record.gate = Some(gate.clone());
        let mut r = TestRegion::new(c"fpga-rs-rg-busy", m.mgr, &[], None)?;

        // A programming blocks in the manager's `write`.
        // SAFETY: `parent` is registered; the info is freed in the work item.
        let info = unsafe { bindings::fpga_image_info_alloc(r.parent) };
        if info.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `info` and the region are valid; `img` outlives the work item.
        unsafe {
            (*info).buf = img.as_ptr().cast();
            (*info).count = img.len();
            (*r.region).info = info;
        }
        let (d, p) = (done.clone(), Ptrs(r.region));
        system().try_spawn(GFP_KERNEL, move || {
            let p = p;
            // SAFETY: The region stays registered until this programming ends (unregister waits).
            let _ = unsafe { bindings::fpga_region_program_fpga(p.0) };
            d.program.complete_all();
        })?;
        gate.entered.wait_for_completion();

        // A second programming is refused while the first runs.
        // SAFETY: The region is registered.
        let busy = unsafe { bindings::fpga_region_program_fpga(r.region) };

        // The region's owner unregisters it while it programs (e.g. its driver unbinds, L2).
        let (d, p) = (done.clone(), Ptrs(r.region));
        system().try_spawn(GFP_KERNEL, move || {
            let p = p;
            // SAFETY: The region is registered; this is its only unregistration.
            unsafe { bindings::fpga_region_unregister(p.0) };
            d.unregister_returned.store(true, Release);
            d.unregister.complete_all();
        })?;
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(200));
        let returned_during_programming = done.unregister_returned.load(Acquire);

        gate.release.complete_all();
        done.program.wait_for_completion();
        done.unregister.wait_for_completion();
        let written = m.record.written;
        r.region = ptr::null_mut();
        // SAFETY: The programming is over and the region gone: nothing uses `info` any more.
        unsafe { bindings::fpga_image_info_free(info) };
        drop(r);
        drop(m);

        assert_eq!(busy, EBUSY.to_errno());
        assert!(!returned_during_programming);
        assert_eq!(written, 4096);
        Ok(())
    }
}

#[kunit_tests(fpga_owner_pins)]
mod owner_tests {
    use super::{
        bindings,
        bridge_recorder::bridge_ops,
        module_refs,
        recorder::write_ops, //
    };
    use core::ptr;
    use kernel::{
        device::Core,
        platform,
        prelude::*, //
    };

    /// A bus driver of this module that binds the test's platform device by name.
    struct BusDriver;

    impl platform::Driver for BusDriver {
        type IdInfo = ();
        type Data<'bound> = ();

        fn probe<'bound>(
            _pdev: &'bound platform::Device<Core<'_>>,
            _info: Option<&'bound Self::IdInfo>,
        ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
            Ok(())
        }
    }

    #[test]
    fn library_registrations_pin_the_bus_drivers_module() -> Result {
        // A helper library (here: built-in code, owner NULL) registers a manager and a bridge
        // for a device bound to a bus driver of this module, as xilinx-core does for
        // xilinx-spi. The ops call into the bus driver, so a get must pin its module (L8).
        let driver = KBox::pin_init(
            kernel::driver::Registration::<platform::Adapter<BusDriver>>::new(
                c"fpga-rs-l8",
                &crate::THIS_MODULE,
            ),
            GFP_KERNEL,
        )?;
        let info = bindings::platform_device_info {
            name: c"fpga-rs-l8".as_char_ptr(),
            id: -1,
            ..Default::default()
        };
        // SAFETY: `info` describes a plain platform device; it binds to `driver` by name.
        let pdev = unsafe { bindings::platform_device_register_full(&info) };
        kernel::error::from_err_ptr(pdev)?;
        // SAFETY: `pdev` is registered.
        let parent = unsafe { &raw mut (*pdev).dev };
        // SAFETY: `parent` is the device of the registered `pdev`.
        let bound = !unsafe { (*parent).driver }.is_null();
        let (mops, br_ops) = (write_ops(), bridge_ops());
        // SAFETY: `parent` is bound; the ops outlive the registrations (unregistered below).
        let (mgr, br) = unsafe {
            (
                bindings::__fpga_mgr_register(
                    parent,
                    c"l8".as_char_ptr(),
                    &mops,
                    ptr::null_mut(),
                    ptr::null_mut(),
                ),
                bindings::__fpga_bridge_register(
                    parent,
                    c"l8".as_char_ptr(),
                    &br_ops,
                    ptr::null_mut(),
                    ptr::null_mut(),
                ),
            )
        };
        // Gets the manager, then the bridge, of `parent`, reading this module's reference count
        // after each get, and puts them again.
        let get_both = || {
            // SAFETY: `parent` is only compared.
            let got_mgr = unsafe { bindings::fpga_mgr_get(parent) };
            let with_mgr = module_refs();
            // SAFETY: `parent` is only compared.
            let got_br = unsafe { bindings::fpga_bridge_get(parent, ptr::null_mut()) };
            let with_both = module_refs();
            // SAFETY: Each successful get is put once.
            unsafe {
                if got_br == br {
                    bindings::fpga_bridge_put(got_br);
                }
                if got_mgr == mgr {
                    bindings::fpga_mgr_put(got_mgr);
                }
            }
            (got_mgr, with_mgr, got_br, with_both)
        };
        let idle = module_refs();
        let (got_mgr, with_mgr, got_br, with_both) = get_both();
        let after = module_refs();
        // The registrations are not tied to the binding (not devm): the bus driver unbinds
        // while they stay registered. Its module may be freed from then on, so no later get
        // may pin it (upstream-style pinning of a recorded driver module would touch a freed
        // `struct module` once the module is gone).
        // SAFETY: `parent` is a registered, bound platform device.
        unsafe { bindings::device_release_driver(parent) };
        // SAFETY: `parent` is the device of the registered `pdev`.
        let unbound = unsafe { (*parent).driver }.is_null();
        let (got_after_unbind, with_mgr_after_unbind, got_br_after_unbind, with_both_after_unbind) =
            get_both();
        // SAFETY: `br` and `mgr` are this test's registrations or errors, unregistered once
        // here; `pdev` is registered and unregistered last.
        unsafe {
            if kernel::error::from_err_ptr(br).is_ok() {
                bindings::fpga_bridge_unregister(br);
            }
            if kernel::error::from_err_ptr(mgr).is_ok() {
                bindings::fpga_mgr_unregister(mgr);
            }
            bindings::platform_device_unregister(pdev);
        }
        drop(driver);

        assert!(bound);
        assert_eq!(got_mgr, mgr);
        assert_eq!(got_br, br);
        assert_eq!(with_mgr, idle + 1);
        assert_eq!(with_both, idle + 2);
        assert_eq!(after, idle);
        assert!(unbound);
        assert_eq!(got_after_unbind, mgr);
        assert_eq!(got_br_after_unbind, br);
        assert_eq!(with_mgr_after_unbind, idle);
        assert_eq!(with_both_after_unbind, idle);
        Ok(())
    }
}
