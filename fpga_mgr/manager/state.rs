// SPDX-License-Identifier: GPL-2.0

//! A manager's `state`: stored for sysfs, traced, and told to user space with a `KOBJ_CHANGE`
//! uevent when a load reaches `operating` or an error state.
//!
//! Upstream: [`drivers/fpga/fpga-mgr.c`](srctree/drivers/fpga/fpga-mgr.c)

use super::Manager;
use crate::ffi::bindings;
use core::{
    ptr,
    sync::atomic::Ordering, //
};
use kernel::prelude::*;

impl Manager {
    /// Sets the state shown in sysfs, during a load: reaching `operating` or an error state is
    /// also told to user space, with a `KOBJ_CHANGE` uevent carrying `FPGA_MGR_STATE=<state>`
    /// (the `state` attribute's string). Traced: `fpga_mgr_state`.
    pub(crate) fn set_state(&self, state: bindings::fpga_mgr_states) {
        let old = self.state();
        self.store_state(state);
        crate::trace::state(self, old, state);
        let final_state = matches!(
            state,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_OPERATING
                | bindings::fpga_mgr_states_FPGA_MGR_STATE_FIRMWARE_REQ_ERR
                | bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER_ERR
                | bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_INIT_ERR
                | bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_ERR
                | bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_COMPLETE_ERR
        );
        if final_state {
            self.raise_state_uevent(state);
        }
    }

    /// Queues the `KOBJ_CHANGE` uevent of the final state `state`, unless the event queued
    /// before is of the same state and not sent yet: that one, sent after this call, tells user
    /// space the same (the manager's state became `state`). So a burst of loads that all end
    /// alike (a benchmark, a driver that reloads its image in a loop) raises one event per run
    /// of the queue's worker rather than one `kobject_uevent_env()` per load, while every change
    /// to another state is still sent, in order.
    fn raise_state_uevent(&self, state: bindings::fpga_mgr_states) {
        // The states are small integers: no state is `u32::MAX`.
        let queued: u32 = state.wrapping_add(1);
        if self.uevent_queued.load(Ordering::Relaxed) == queued {
            return;
        }
        self.uevent_queued.store(queued, Ordering::Relaxed);
        let name = core::str::from_utf8(crate::sysfs::state_str(state)).unwrap_or("unknown");
        let var = kernel::str::CString::try_from_fmt(fmt!("FPGA_MGR_STATE={}", name));
        let vars = var.and_then(|var| {
            let mut vars = KVec::new();
            vars.push(var, GFP_KERNEL)?;
            Ok(vars)
        });
        let sent_later = match vars {
            // The worker clears the mark (if no other state was queued since) before it sends:
            // an identical state reached after that gets an event of its own.
            Ok(vars) => crate::ffi::uevent::change_then(self.dev(), vars, move |dev| {
                // SAFETY: `dev` is this manager's class device, referenced by the event.
                let m = unsafe { Manager::from_dev(crate::ffi::bindings::raw_device(dev)) };
                let _ = m.uevent_queued.compare_exchange(
                    queued,
                    0,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }),
            Err(e) => {
                dev_warn!(self.dev(), "uevent not sent: {:?}\n", e);
                false
            }
        };
        if !sent_later {
            self.uevent_queued.store(0, Ordering::Relaxed);
        }
    }

    /// Stores the state shown in sysfs.
    pub(super) fn store_state(&self, state: bindings::fpga_mgr_states) {
        // SAFETY: `state` is a plain integer field of the C struct; concurrent readers (sysfs)
        // read it with `state()`, as upstream does without a lock.
        unsafe { ptr::write_volatile(&raw mut (*self.c.get()).state, state) };
    }

    /// The state shown in sysfs.
    pub(crate) fn state(&self) -> bindings::fpga_mgr_states {
        // SAFETY: `state` is a plain integer field of the C struct, written whole by
        // `store_state` only; a whole volatile read sees one value or the other.
        unsafe { ptr::read_volatile(&raw const (*self.c.get()).state) }
    }
}
