// SPDX-License-Identifier: GPL-2.0

//! FPGA region core.
//!
//! The Rust implementation of `drivers/fpga/fpga-region.c`: it registers the `fpga_region` class
//! and exports the C API of
//! [`include/linux/fpga/fpga-region.h`](srctree/include/linux/fpga/fpga-region.h) under the same
//! symbol names, so C callers work unchanged.
//!
//! A region refers to its manager with a device reference only: the manager's low-level module
//! is pinned while the region programs, never in between (see `Documentation/lifecycle.rst`).
//!
//! - `common/protocol.rs`: who may program and unregister a region, and when (safe Rust).
//! - `region.rs`: the region object, its registration and manager reference.
//! - `program.rs`: `fpga_region_program_fpga()`, each pin and lock a guard.
//! - `sysfs.rs`: `compat_id`.
//! - `api.rs`: the exported C functions.
//! - `trace.rs`: the trace events `fpga:fpga_region_program_*`.

use kernel::prelude::*;

#[macro_use]
#[path = "../ffi/mod.rs"]
pub mod ffi;

mod api;
mod program;
mod region;
mod sysfs;
mod trace;

use ffi::{
    bindings, c_result, class, ida, lifecycle, list, owners, protocol, registration, registry,
    sysfs as ffi_sysfs,
};

module! {
    type: FpgaRegionCore,
    name: "fpga_region",
    authors: ["fpga-rs developers"],
    description: "FPGA Region",
    license: "GPL",
}

static COMPAT_ID_ATTR: ffi_sysfs::DeviceAttrRo =
    ffi_sysfs::DeviceAttrRo::new(c"compat_id", sysfs::compat_id_show);
static ATTRS: ffi_sysfs::AttrList<2> =
    ffi_sysfs::AttrList([COMPAT_ID_ATTR.attr(), core::ptr::null_mut()]);
static GROUP: ffi_sysfs::AttrGroups = ffi_sysfs::AttrGroups::new(&ATTRS);
static GROUPS: ffi_sysfs::GroupList<2> = ffi_sysfs::GroupList([GROUP.group(), core::ptr::null()]);

/// The `fpga_region` device class (`/sys/class/fpga_region`).
static FPGA_REGION_CLASS: class::ClassDesc =
    class::ClassDesc::new(c"fpga_region", GROUPS.as_ptr(), Some(region::release));

kernel::sync::global_lock! {
    // SAFETY: Initialised in `init`, before the class (through which anything registers) is.
    unsafe(uninit) static REGIONS: SpinLock<registry::Registered<region::Region>> =
        // SAFETY: The class's one list, in its one lock.
        unsafe { registry::Registered::new() };
}

/// The IDA that numbers regions (`region%d`); initialised in `init`, destroyed in `drop`.
static IDA: ida::StaticIda = ida::StaticIda::new();

/// The loaded region core: the class stays registered while this lives.
struct FpgaRegionCore {
    _class: class::ClassRegistration,
}

impl kernel::Module for FpgaRegionCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: Called once, before the class (the only user of the IDA) is registered.
        unsafe { IDA.init() };
        // SAFETY: Called once, before the class is registered.
        unsafe { REGIONS.init() };
        Ok(Self {
            _class: class::ClassRegistration::new(&FPGA_REGION_CLASS)?,
        })
    }
}

impl Drop for FpgaRegionCore {
    fn drop(&mut self) {
        // SAFETY: The module is going: no region exists (each registrant depends on this
        // module), and the class is unregistered after this.
        unsafe { IDA.destroy() };
    }
}
