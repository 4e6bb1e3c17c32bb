// SPDX-License-Identifier: GPL-2.0

//! Shows lockdep an inverted lock order around an unregistration, for the scenario test
//! `unregister-wait-under-lockdep.sh` (defect g): at load, a manager's `write` takes the mutex
//! `fpga_lock_order_x` inside a programming (an op), then another manager is unregistered with
//! that mutex held. Had the two met, the unregistration would have waited for the op forever
//! while the op waited for the mutex; lockdep must report the cycle between the mutex and the
//! managers' ops in flight ("fpga_manager ops") now, when they did not meet.
//!
//! On a kernel without lockdep nothing is reported; the scenario skips there.

use core::ptr;
use kernel::{faux, prelude::*};

#[path = "../ffi/bindings.rs"]
mod bindings;

module! {
    type: LockOrder,
    name: "fpga_lock_order",
    authors: ["fpga-rs developers"],
    description: "Shows lockdep a lock held across an FPGA manager's unregistration",
    license: "GPL",
}

kernel::sync::global_lock! {
    // SAFETY: Initialised in the module's init, before first use.
    unsafe(uninit) static X: Mutex<()> = ();
}

/// The `write` op: takes the mutex inside the op.
///
/// # Safety
///
/// Called by the manager core only.
unsafe extern "C" fn write(_mgr: *mut bindings::fpga_manager, _buf: *const u8, _n: usize) -> i32 {
    let _x = X.lock();
    0
}

/// A manager on its own faux device, unregistered on drop.
struct Mgr {
    mgr: *mut bindings::fpga_manager,
    _ops: KBox<bindings::fpga_manager_ops>,
    _dev: faux::Registration,
}

impl Mgr {
    fn new(name: &'static CStr) -> Result<Self> {
        let ops = KBox::new(
            bindings::fpga_manager_ops {
                write: Some(write),
                ..Default::default()
            },
            GFP_KERNEL,
        )?;
        let dev = faux::Registration::new(name, None)?;
        let parent = ptr::from_ref(dev.as_ref())
            .cast::<bindings::device>()
            .cast_mut();
        // SAFETY: `parent` is registered; `ops` outlives the registration (dropped after it).
        let mgr = unsafe {
            bindings::__fpga_mgr_register(
                parent,
                name.as_char_ptr(),
                &*ops,
                ptr::null_mut(),
                THIS_MODULE.as_ptr(),
            )
        };
        Ok(Self {
            mgr: kernel::error::from_err_ptr(mgr)?,
            _ops: ops,
            _dev: dev,
        })
    }

    /// Programs 16 bytes from a buffer: one `write`.
    fn program(&self) -> Result {
        let image = [0u8; 16];
        // SAFETY: The manager is registered; the image outlives the load; the info is freed.
        unsafe {
            let parent = (*self.mgr).dev.parent;
            let mgr = bindings::fpga_mgr_get(parent);
            let mgr = kernel::error::from_err_ptr(mgr)?;
            let info = bindings::fpga_image_info_alloc(parent);
            let ret = if info.is_null() {
                ENOMEM.to_errno()
            } else {
                (*info).buf = image.as_ptr().cast();
                (*info).count = image.len();
                let ret = match bindings::fpga_mgr_lock(mgr) {
                    0 => {
                        let ret = bindings::fpga_mgr_load(mgr, info);
                        bindings::fpga_mgr_unlock(mgr);
                        ret
                    }
                    e => e,
                };
                bindings::fpga_image_info_free(info);
                ret
            };
            bindings::fpga_mgr_put(mgr);
            kernel::error::to_result(ret)
        }
    }
}

impl Drop for Mgr {
    fn drop(&mut self) {
        // SAFETY: Registered in `new`, unregistered once, here.
        unsafe { bindings::fpga_mgr_unregister(self.mgr) };
    }
}

struct LockOrder;

impl kernel::Module for LockOrder {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: Called once, before any use of `X`.
        unsafe { X.init() };
        // An op takes X: lockdep learns "ops in flight -> X".
        let a = Mgr::new(c"fpga-rs-lock-order-a")?;
        a.program()?;
        drop(a);
        // An unregistration with X held: "X -> ops in flight", the inversion.
        let b = Mgr::new(c"fpga-rs-lock-order-b")?;
        let x = X.lock();
        drop(b);
        drop(x);
        pr_info!("fpga_lock_order: unregistered a manager with fpga_lock_order_x held\n");
        Ok(Self)
    }
}
