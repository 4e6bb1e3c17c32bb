// SPDX-License-Identifier: GPL-2.0

//! FPGA bridge core.
//!
//! The Rust implementation of `drivers/fpga/fpga-bridge.c`: it registers the `fpga_bridge` class
//! and exports the C API of
//! [`include/linux/fpga/fpga-bridge.h`](srctree/include/linux/fpga/fpga-bridge.h) under the same
//! symbol names, so C low-level drivers and C callers work unchanged.
//!
//! - `lifecycle/protocol.rs`: who may get, use and unregister a bridge, and when (safe Rust).
//! - `bridge.rs`: the bridge object, its registration and exclusive references.
//! - `sysfs.rs`: `name`, `state`.
//! - `api.rs`: the exported C functions, including the bridge lists.
//! - `trace.rs`: the trace event `fpga:fpga_bridge_enable`.

use kernel::prelude::*;

#[macro_use]
#[path = "../ffi/mod.rs"]
pub mod ffi;
#[path = "../lifecycle/mod.rs"]
pub mod lifecycle;

mod api;
mod bridge;
mod sysfs;
mod trace;

use ffi::{
    class,
    ida,
    sysfs as ffi_sysfs, //
};
use lifecycle::registry;

module! {
    type: FpgaBridgeCore,
    name: "fpga_bridge",
    authors: ["fpga-rs developers"],
    description: "FPGA Bridge Driver",
    license: "GPL",
}

static NAME_ATTR: ffi_sysfs::DeviceAttrRo = ffi_sysfs::DeviceAttrRo::new(c"name", sysfs::name_show);
static STATE_ATTR: ffi_sysfs::DeviceAttrRo =
    ffi_sysfs::DeviceAttrRo::new(c"state", sysfs::state_show);
static ATTRS: ffi_sysfs::AttrList<3> =
    ffi_sysfs::AttrList([NAME_ATTR.attr(), STATE_ATTR.attr(), core::ptr::null_mut()]);
static GROUP: ffi_sysfs::AttrGroups = ffi_sysfs::AttrGroups::new(&ATTRS);
static GROUPS: ffi_sysfs::GroupList<2> = ffi_sysfs::GroupList([GROUP.group(), core::ptr::null()]);

/// The `fpga_bridge` device class (`/sys/class/fpga_bridge`).
static FPGA_BRIDGE_CLASS: class::ClassDesc =
    class::ClassDesc::new(c"fpga_bridge", GROUPS.as_ptr(), Some(bridge::release));

kernel::sync::global_lock! {
    // SAFETY: Initialised in `init`, before the class (through which anything registers) is.
    unsafe(uninit) static BRIDGES: SpinLock<registry::Registry<bridge::Bridge>> =
        // SAFETY: This is the value of the class's one global lock, which its gets and
        // unregistrations take.
        unsafe { registry::Registry::new() };
}

/// The IDA that numbers bridges (`br%d`); initialised in `init`, destroyed in `drop`.
static IDA: ida::StaticIda = ida::StaticIda::new();

kernel::sync::global_lock! {
    // SAFETY: Initialised in `init` before the class (and so any bridge) exists.
    unsafe(uninit) static BRIDGE_LIST_LOCK: SpinLock<()> = ();
}

/// The loaded bridge core: the class stays registered while this lives.
struct FpgaBridgeCore {
    _class: class::ClassRegistration,
}

impl kernel::Module for FpgaBridgeCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: Called once, before the class (the only user of the locks and IDA) is registered.
        unsafe {
            BRIDGE_LIST_LOCK.init();
            BRIDGES.init();
            IDA.init();
        }
        Ok(Self {
            _class: class::ClassRegistration::new(&FPGA_BRIDGE_CLASS)?,
        })
    }
}

impl Drop for FpgaBridgeCore {
    fn drop(&mut self) {
        // SAFETY: The module is going: no bridge exists (each driver that registered one depends
        // on this module), and the class is unregistered after this.
        unsafe { IDA.destroy() };
    }
}
