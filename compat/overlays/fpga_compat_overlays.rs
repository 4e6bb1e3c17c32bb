// SPDX-License-Identifier: GPL-2.0

//! The device-tree overlay configfs of the vendor kernels (`OF_CONFIGFS`, linux-xlnx and
//! linux-socfpga), `/sys/kernel/config/device-tree/overlays/<name>/{path,dtbo,status}`, for the
//! tools written against it (Xilinx's `fpgautil`, PYNQ, dfx-mgr, Canonical's `fpgad`), and for
//! FPGA overlays only. Opt-in: nothing loads this module for you.
//!
//! An overlay is applied with `of_overlay_fdt_apply()`, as the vendor kernels and dtbocfg do:
//! of_fpga_region's overlay notifier programs the region, with the same rules as for any
//! overlay applied in the kernel (one image per region, shared with the `fpga_regions` configfs;
//! the low-level modules pinned only while the region programs). What differs from the vendor
//! kernels:
//!
//! - only an overlay that programs an FPGA region is applied: it must have a fragment whose
//!   overlay sets `firmware-name` or `external-fpga-config`, and each such fragment must target
//!   a node compatible with `fpga-region`; its other fragments may target other nodes (the
//!   design's devices on a bus, as Xilinx's `pl.dtbo`). Any other overlay is refused with
//!   `EPERM` before anything is applied (`check.rs`): this is no general device-tree loader;
//! - a write to `path` returns the errno of the application (the vendor kernels return success
//!   on some versions); as configfs ignores what a `dtbo` write returns at `close(2)`, a failed
//!   application through `dtbo` shows in `status` (`error <ERRNO>`) and in the kernel log.
//!
//! dtbocfg and the vendor kernels register the same configfs subsystem (`device-tree`): only
//! one of them can be loaded.
//!
//! - `check.rs`: the overlay notifier that refuses overlays that program no region.
//! - `overlay.rs`: one overlay item: `path`, `dtbo`, `status`.
//! - `orphans.rs`: the overlays of removed items that the overlay core cannot remove yet.
//! - `configfs.rs`: the subsystem, the `overlays` group and the items' C glue (the kernel
//!   crate's configfs has neither items nor binary attributes).
//!
//! ABI: `Documentation/ABI/testing/configfs-device-tree-overlays`.

use kernel::{
    faux,
    prelude::*, //
};

#[path = "../../ffi/bindings.rs"]
pub mod bindings;
#[path = "../../ffi/errno.rs"]
pub mod errno;
#[path = "../../ffi/overlay.rs"]
pub mod ffi_overlay;
#[path = "../../ffi/of_node.rs"]
pub mod of_node;
#[path = "../../ffi/overlay_notifier.rs"]
pub mod overlay_notifier;
#[path = "../../ffi/page.rs"]
pub mod page;
#[path = "../../ffi/workqueue.rs"]
pub mod workqueue;

mod check;
mod configfs;
mod orphans;
mod overlay;

module! {
    type: CompatOverlays,
    name: "fpga_compat_overlays",
    authors: ["fpga-rs developers"],
    description: "Device-tree overlay configfs of the vendor kernels, for FPGA overlays",
    license: "GPL",
}

struct CompatOverlays {
    // Dropped first: the items, which need the notifier and the device, are gone by then
    // (configfs pins this module while any exists).
    _configfs: Pin<KBox<configfs::Cfs>>,
    // Unregistered (waiting for a notification in flight) before the retry queue goes: the
    // notifier queues retries on it.
    _notifier: overlay_notifier::Registration,
    _retries: orphans::RetryQueue,
    _dev: faux::Registration,
}

impl kernel::Module for CompatOverlays {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: Called once, before the notifier and any item exist.
        unsafe { check::APPLY.init() };
        // SAFETY: Called once, before any item exists.
        unsafe { orphans::ORPHANS.init() };
        let dev = faux::Registration::new(c"fpga-compat-overlays", None)?;
        let retries = orphans::RetryQueue::new()?;
        let notifier = check::NOTIFIER.register()?;
        let configfs = KBox::pin_init(configfs::Cfs::new(dev.as_ref().into()), GFP_KERNEL)
            .inspect_err(|e| {
                if *e == EEXIST {
                    pr_err!(
                        "the configfs subsystem device-tree is registered already (dtbocfg, or \
                         the kernel's own OF_CONFIGFS): unload it to use this module\n"
                    );
                }
            })?;
        Ok(Self {
            _configfs: configfs,
            _notifier: notifier,
            _retries: retries,
            _dev: dev,
        })
    }
}
