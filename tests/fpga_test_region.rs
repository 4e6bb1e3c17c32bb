// SPDX-License-Identifier: GPL-2.0

//! An FPGA region for the scenario tests, built the way fpga-rs builds regions: it refers to the
//! manager of the faux device `fpga-rs-test-mgr` without pinning its module, and its
//! `get_bridges` takes the bridge of `fpga-rs-test-bridge` at each programming.
//!
//! At load it gets the manager (`fpga_mgr_get()`), registers a region with it on the faux device
//! `fpga-rs-test-region` (the region core keeps a device reference), and puts the manager
//! again: between programmings no low-level module is pinned. `fpga_region_programmer.ko`
//! programs the region. As in `dfl-fme-region.c`, the region takes over the manager's compat id
//! (sysfs `compat_id`; none if the manager has none).

use core::ptr;
use kernel::{faux, prelude::*};

#[path = "../ffi/bindings.rs"]
mod bindings;
#[path = "common/faux_lookup.rs"]
mod faux_lookup;

use faux_lookup::find_on_bus;

module! {
    type: TestRegion,
    name: "fpga_test_region",
    authors: ["fpga-rs developers"],
    description: "Test FPGA region for fpga-rs scenario tests",
    license: "GPL",
}

struct TestRegion {
    region: *mut bindings::fpga_region,
    _dev: faux::Registration,
}

// SAFETY: The region pointer may be used from any thread (C API).
unsafe impl Send for TestRegion {}
// SAFETY: As above.
unsafe impl Sync for TestRegion {}

/// Takes the bridge of `fpga-rs-test-bridge` onto the region's bridge list.
///
/// # Safety
///
/// Called by the region core only, for the region this module registered.
unsafe extern "C" fn get_bridges(region: *mut bindings::fpga_region) -> i32 {
    // SAFETY: `region` is valid during the callback; its parent is our faux device.
    let parent = unsafe { (*region).dev.parent };
    // SAFETY: `parent` is our registered faux device; the bridge's is on the same bus.
    let bridge_dev = match unsafe { faux_lookup::find_on_bus_of(parent, c"fpga-rs-test-bridge") } {
        Ok(dev) => dev,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: `bridge_dev` is referenced; the region's info and list are valid.
    let ret = unsafe {
        bindings::fpga_bridge_get_to_list(
            bridge_dev,
            (*region).info,
            &raw mut (*region).bridge_list,
        )
    };
    // SAFETY: Drops the lookup's reference; the get holds the bridge.
    unsafe { bindings::put_device(bridge_dev) };
    ret
}

impl kernel::Module for TestRegion {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let dev = faux::Registration::new(c"fpga-rs-test-region", None)?;
        let mgr_parent = find_on_bus(&dev, c"fpga-rs-test-mgr")?;
        // SAFETY: `fpga_mgr_get()` only compares the pointer with the managers' parents.
        let mgr = unsafe {
            bindings::fpga_mgr_get(
                ptr::from_ref(&*mgr_parent)
                    .cast::<bindings::device>()
                    .cast_mut(),
            )
        };
        // The lookup's reference goes; the get holds the manager.
        drop(mgr_parent);
        let mgr = kernel::error::from_err_ptr(mgr)?;
        let parent = ptr::from_ref(dev.as_ref())
            .cast::<bindings::device>()
            .cast_mut();
        // SAFETY: `parent` is registered; `mgr` is held during the registration, so its
        // `compat_id` (NULL or valid) may be read.
        let region = unsafe {
            let info = bindings::fpga_region_info {
                mgr,
                compat_id: (*mgr).compat_id,
                priv_: ptr::null_mut(),
                get_bridges: Some(get_bridges),
            };
            let region = bindings::__fpga_region_register_full(parent, &info, module.as_ptr());
            // The region keeps a device reference only: unpin the manager's module now.
            bindings::fpga_mgr_put(mgr);
            region
        };
        Ok(Self {
            region: kernel::error::from_err_ptr(region)?,
            _dev: dev,
        })
    }
}

impl Drop for TestRegion {
    fn drop(&mut self) {
        // SAFETY: The region is registered; unregistered once, here.
        unsafe { bindings::fpga_region_unregister(self.region) };
    }
}
