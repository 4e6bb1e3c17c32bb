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
//! - `lifecycle/protocol.rs`: who may program and unregister a region, and when (safe Rust).
//! - `region.rs`: the region object, its registration and manager reference.
//! - `program.rs`: `fpga_region_program_fpga()`, each pin and lock a guard.
//! - `sysfs.rs`: `compat_id`.
//! - `api.rs`: the exported C functions.
//! - `trace.rs`: the trace events `fpga:fpga_region_program_*`.
//! - `image_owner.rs`: who owns the image loaded into a region (a configfs image or an overlay).
//! - `configfs.rs`: the configfs subsystem `fpga_regions` and each region's group.
//! - `image.rs`: a configfs image: its attributes, load and unload.
//! - `overlay.rs`: a configfs image's device-tree overlay, and the region programmed inside it.
//! - `failure.rs`: which step of a load failed, as `status` and uevents name it.

use kernel::prelude::*;

#[macro_use]
#[path = "../ffi/mod.rs"]
pub mod ffi;
#[path = "../lifecycle/mod.rs"]
pub mod lifecycle;

mod api;
mod configfs;
mod failure;
mod image;
mod image_owner;
#[cfg(CONFIG_OF_OVERLAY)]
mod overlay;
#[cfg(not(CONFIG_OF_OVERLAY))]
#[path = "no_overlay.rs"]
mod overlay;
mod program;
mod region;
mod sysfs;
mod trace;

use ffi::{
    class,
    ida,
    sysfs as ffi_sysfs, //
};
use lifecycle::registry;

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
    unsafe(uninit) static REGIONS: SpinLock<registry::Registry<region::Region>> =
        // SAFETY: This is the value of the class's one global lock, which its gets and
        // unregistrations take.
        unsafe { registry::Registry::new() };
}

/// The IDA that numbers regions (`region%d`); initialised in `init`, destroyed in `drop`.
static IDA: ida::StaticIda = ida::StaticIda::new();

/// The loaded region core. Fields are initialised in order and dropped in order: the configfs
/// interface goes first (its queue removes the groups of regions that went, which frees their
/// numbers), then the overlay notifier, the uevent queue (whose events may hold the last
/// references to regions), the class, and last the IDA.
#[pin_data]
struct FpgaRegionCore {
    #[pin]
    _configfs: configfs::Subsystem,
    _notifier: overlay::Notifier,
    _uevents: ffi::uevent::Queue,
    _class: class::ClassRegistration,
    _ida: IdaGuard,
}

/// Destroys the IDA when dropped: after everything that frees region numbers.
struct IdaGuard;

impl Drop for IdaGuard {
    fn drop(&mut self) {
        // SAFETY: The module is going: no region exists (each registrant depends on this
        // module, and the groups of regions that went are gone with the configfs interface),
        // and the class is unregistered.
        unsafe { IDA.destroy() };
    }
}

impl kernel::InPlaceModule for FpgaRegionCore {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // SAFETY: Called once, before the class (the only user of the IDA) is registered.
        unsafe { IDA.init() };
        // SAFETY: Called once, before the class is registered.
        unsafe { REGIONS.init() };
        try_pin_init!(Self {
            _configfs <- configfs::Subsystem::new(),
            _notifier: overlay::Notifier::register()?,
            _uevents: ffi::uevent::Queue::new(c"fpga_region_uevents")?,
            _class: class::ClassRegistration::new(&FPGA_REGION_CLASS)?,
            _ida: IdaGuard,
        })
    }
}
