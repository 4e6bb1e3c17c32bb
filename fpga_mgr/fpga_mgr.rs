// SPDX-License-Identifier: GPL-2.0

//! FPGA manager core.
//!
//! The Rust implementation of `drivers/fpga/fpga-mgr.c`: it registers the `fpga_manager` class
//! and exports the C API of [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h)
//! under the same symbol names, so C low-level drivers and C callers work unchanged.
//!
//! - `lifecycle/protocol.rs`: who may get, lock, program and unregister, and when (safe Rust).
//! - `manager.rs`: the manager object, its registration and references.
//! - `load.rs`: the programming state machine; `sg.rs`: sg tables built over a buffer;
//!   `sg_map.rs`: reading an sg table from the CPU.
//! - `sysfs.rs`: `name`, `state`, `status`.
//! - `api.rs`, `image_info.rs`: the exported C functions.
//! - `trace.rs`: the trace events `fpga:fpga_mgr_*`.

use kernel::prelude::*;

#[macro_use]
#[path = "../ffi/mod.rs"]
pub mod ffi;
#[path = "../lifecycle/mod.rs"]
pub mod lifecycle;

mod api;
mod image_info;
mod load;
mod manager;
mod sg;
mod sg_map;
mod sysfs;
mod trace;

use ffi::{
    class,
    ida,
    sysfs as ffi_sysfs, //
};
use lifecycle::registry;

module! {
    type: FpgaMgrCore,
    name: "fpga_mgr",
    authors: ["fpga-rs developers"],
    description: "FPGA manager framework",
    license: "GPL",
}

static NAME_ATTR: ffi_sysfs::DeviceAttrRo = ffi_sysfs::DeviceAttrRo::new(c"name", sysfs::name_show);
static STATE_ATTR: ffi_sysfs::DeviceAttrRo =
    ffi_sysfs::DeviceAttrRo::new(c"state", sysfs::state_show);
static STATUS_ATTR: ffi_sysfs::DeviceAttrRo =
    ffi_sysfs::DeviceAttrRo::new(c"status", sysfs::status_show);
static ATTRS: ffi_sysfs::AttrList<4> = ffi_sysfs::AttrList([
    NAME_ATTR.attr(),
    STATE_ATTR.attr(),
    STATUS_ATTR.attr(),
    core::ptr::null_mut(),
]);
static GROUP: ffi_sysfs::AttrGroups = ffi_sysfs::AttrGroups::new(&ATTRS);
static GROUPS: ffi_sysfs::GroupList<2> = ffi_sysfs::GroupList([GROUP.group(), core::ptr::null()]);

/// The `fpga_manager` device class (`/sys/class/fpga_manager`).
static FPGA_MGR_CLASS: class::ClassDesc =
    class::ClassDesc::new(c"fpga_manager", GROUPS.as_ptr(), Some(manager::release));

kernel::sync::global_lock! {
    // SAFETY: Initialised in `init`, before the class (through which anything registers) is.
    unsafe(uninit) static MANAGERS: SpinLock<registry::Registry<manager::Manager>> =
        // SAFETY: This is the value of the class's one global lock, which its gets and
        // unregistrations take.
        unsafe { registry::Registry::new() };
}

/// The IDA that numbers managers (`fpga%d`); initialised in `init`, destroyed in `drop`.
static IDA: ida::StaticIda = ida::StaticIda::new();

/// The loaded manager core. Fields are dropped in order: the uevent queue (its events may hold
/// the last references to managers, whose release frees their numbers), the class, and last the
/// IDA.
struct FpgaMgrCore {
    _uevents: ffi::uevent::Queue,
    _class: class::ClassRegistration,
    _ida: IdaGuard,
}

/// Destroys the IDA when dropped: after everything that frees manager numbers.
struct IdaGuard;

impl Drop for IdaGuard {
    fn drop(&mut self) {
        // SAFETY: The module is going: no manager exists (each holds a module reference through
        // its driver's dependency on this module), the class is unregistered and the uevent
        // queue, which may hold the last references to managers, is drained.
        unsafe { IDA.destroy() };
    }
}

impl kernel::Module for FpgaMgrCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("FPGA manager framework\n");
        // SAFETY: Called once, before the class (the only user of the IDA) is registered.
        unsafe { IDA.init() };
        // SAFETY: Called once, before the class is registered.
        unsafe { MANAGERS.init() };
        let uevents = ffi::uevent::Queue::new(c"fpga_mgr_uevents")?;
        Ok(Self {
            _uevents: uevents,
            _class: class::ClassRegistration::new(&FPGA_MGR_CLASS)?,
            _ida: IdaGuard,
        })
    }
}
