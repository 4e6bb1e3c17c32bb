// SPDX-License-Identifier: GPL-2.0

//! Device-tree FPGA regions and overlays.
//!
//! The Rust implementation of `drivers/fpga/of-fpga-region.c`: a platform driver for
//! `compatible = "fpga-region"` nodes, and a device-tree overlay notifier. Applying an overlay
//! with `firmware-name` to a region programs it through the manager and bridges the tree names;
//! removing the overlay freezes the bridges again and forgets the image.
//!
//! Unlike upstream, a region holds its manager by a device reference only (upstream pins the
//! manager's module from probe to remove, so its low-level module can never be unloaded), and
//! removal releases everything the region took (holes L2, L3; see
//! `Documentation/lifecycle.rst`).
//!
//! - `tree.rs`: the device-tree queries: the manager and bridges a region's node names, and the
//!   checks on the rest of an overlay's tree.
//! - `fpga/image.rs` (of the safe API, which `fpga/user.rs` uses too): the owned image info of
//!   an applied overlay.
//! - `overlay.rs`: the overlay notifier and the image info an overlay describes.
//!
//! Upstream: [`drivers/fpga/of-fpga-region.c`](srctree/drivers/fpga/of-fpga-region.c)

use core::ptr;
use kernel::{
    device::Core,
    of,
    platform,
    prelude::*,
    sync::GlobalLockedBy, //
};

// A user of the C API, not a core: of the FFI layer it needs the bindings, the result
// conversions, device-tree nodes and the overlay notifier only.
#[path = "../ffi/bindings.rs"]
pub mod bindings;
#[path = "../ffi/c_result.rs"]
pub mod c_result;
#[path = "../ffi/of_node.rs"]
pub mod of_node;
#[path = "../ffi/overlay_notifier.rs"]
pub mod overlay_notifier;

// The owned image info, the same type as the safe user API's.
#[path = "../fpga/image.rs"]
pub mod image;
mod overlay;
mod tree;

module! {
    type: OfFpgaRegion,
    name: "of_fpga_region",
    authors: ["fpga-rs developers"],
    description: "FPGA Region",
    license: "GPL",
}

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <OfRegionDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"fpga-region"), ())]
);

kernel::sync::global_lock! {
    // SAFETY: Initialised in `init`, before the notifier and the driver are registered.
    unsafe(uninit) static INFO_LOCK: Mutex<()> = ();
}

/// What the overlay notifier may know about a region of this driver (`region->priv`).
///
/// Its lifetime is explicit: the notifier reads it only under [`INFO_LOCK`], through
/// `region->priv`; the region core clears `priv` when the region is unregistered, and
/// `OfRegion::drop` frees the state only after that, under [`INFO_LOCK`]. So a notifier either
/// sees the live state or no state, whatever else serialises notifiers and device removal. Its
/// fields are [`INFO_LOCK`]'s data: read and written only through its guard.
pub(crate) struct RegionState {
    /// The region is being removed: overlays are refused.
    pub(crate) removing: GlobalLockedBy<bool, INFO_LOCK>,
    /// The image info of the overlay applied to the region (`region->info` from its application
    /// to its removal), or NULL. A configfs load sets `region->info` to an info of its own while
    /// it programs: only this one is the driver's to free.
    pub(crate) applied: GlobalLockedBy<*mut bindings::fpga_image_info, INFO_LOCK>,
}

/// The region a bound `fpga-region` platform device registered.
///
/// # Invariants
///
/// `region` is registered (with `tree::get_bridges`, and `state` as `priv`) until `drop`
/// unregisters it; `state` is some until `drop` frees it, after the unregistration, under
/// [`INFO_LOCK`].
struct OfRegion {
    region: *mut bindings::fpga_region,
    state: Option<KBox<RegionState>>,
}

// SAFETY: The region may be used from any thread (C API), and the image info pointer in `state`
// is used only under `INFO_LOCK`, from whichever thread holds it.
unsafe impl Send for OfRegion {}

impl Drop for OfRegion {
    fn drop(&mut self) {
        let region = self.region;
        // SAFETY: The region is registered (type invariant).
        let dev = unsafe { &raw mut (*region).dev };
        // Children populated under the region at probe go first (upstream leaves them, L3).
        // SAFETY: `dev` is registered; this removes only devices it populated.
        unsafe { bindings::of_platform_depopulate(dev) };
        {
            // The overlay notifier programs only under the lock: once we hold it, no overlay
            // programming runs (L2), and after `removing` none starts.
            let mut guard = INFO_LOCK.lock();
            if let Some(state) = &self.state {
                *state.removing.as_mut(&mut guard) = true;
            }
            // An applied overlay's image info goes with the region (upstream leaks it, L3). It
            // is devres memory of the region's device, so it must go before the device is
            // deleted.
            if let Some(state) = &self.state {
                let info = core::mem::take(state.applied.as_mut(&mut guard));
                if !info.is_null() {
                    // SAFETY: The region is registered; `info` is written under the lock, and
                    // `applied` is the notifier's info, handed over with `Image::into_raw`,
                    // taken back once, here, after `region->info` no longer points to it. It
                    // pointed to it: no configfs load runs meanwhile (the overlay owns the image).
                    unsafe {
                        (*region).info = ptr::null_mut();
                        drop(image::Image::from_raw(info));
                    }
                }
            }
        }
        // Waits for any other programming in flight, then removes the device. Not under the
        // lock: deleting a device takes `of_mutex`, which overlay application holds around the
        // notifier.
        // SAFETY: The registration is ours and is unregistered once, here.
        unsafe { bindings::fpga_region_unregister(region) };
        // The region core cleared `priv`: a notifier that takes the lock from now on finds no
        // state, and one that holds it now still reads the live one.
        let _guard = INFO_LOCK.lock();
        drop(self.state.take());
    }
}

struct OfRegionDriver;

impl platform::Driver for OfRegionDriver {
    type IdInfo = ();
    type Data<'bound> = OfRegion;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let dev = bindings::raw_device(pdev.as_ref());
        // The manager named by the region or an ancestor region: until it is there, wait. (A
        // device without a node, bound by name, names none either.)
        let Some(np) = pdev
            .as_ref()
            .fwnode()
            .and_then(of_node::OfNode::from_fwnode)
        else {
            return Err(EPROBE_DEFER);
        };
        let Ok(mgr) = tree::get_mgr(np) else {
            return Err(EPROBE_DEFER);
        };
        let state = KBox::new(
            RegionState {
                removing: GlobalLockedBy::new(false),
                applied: GlobalLockedBy::new(ptr::null_mut()),
            },
            GFP_KERNEL,
        );
        let state = match state {
            Ok(state) => state,
            Err(e) => {
                // SAFETY: `mgr` is a get; put once.
                unsafe { bindings::fpga_mgr_put(mgr) };
                return Err(e.into());
            }
        };
        let info = bindings::fpga_region_info {
            mgr,
            compat_id: ptr::null_mut(),
            priv_: ptr::from_ref(&*state).cast_mut().cast(),
            get_bridges: Some(tree::get_bridges),
        };
        // SAFETY: `dev` is bound; `mgr` is held while the region takes its device reference;
        // `state` outlives the region (`OfRegion::drop`).
        let region =
            unsafe { bindings::__fpga_region_register_full(dev, &info, THIS_MODULE.as_ptr()) };
        // The region refers to the manager by a device reference: unpin its module now.
        // SAFETY: `mgr` is a get; put once.
        unsafe { bindings::fpga_mgr_put(mgr) };
        let region = kernel::error::from_err_ptr(region)?;
        // Child regions described under this one.
        // SAFETY: `np` is the bound device's node; the region device is registered.
        let ret = unsafe {
            bindings::of_platform_populate(
                np.as_raw(),
                kernel::device_id::IdTable::as_ptr(&OF_TABLE).cast(),
                ptr::null(),
                &raw mut (*region).dev,
            )
        };
        if ret != 0 {
            dev_warn!(pdev.as_ref(), "failed to populate child regions: {}\n", ret);
        }
        dev_info!(pdev.as_ref(), "FPGA Region probed\n");
        // INVARIANT: The region is registered with `state` as `priv`.
        Ok(OfRegion {
            region,
            state: Some(state),
        })
    }
}

/// The loaded module: the platform driver and the overlay notifier.
///
/// Fields are dropped in order: the driver is unregistered (its regions removed) before the
/// notifier, which is registered first.
#[pin_data]
struct OfFpgaRegion {
    #[pin]
    driver: kernel::driver::Registration<platform::Adapter<OfRegionDriver>>,
    _notifier: overlay::Notifier,
}

impl kernel::InPlaceModule for OfFpgaRegion {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // SAFETY: Called once, before the notifier and the driver (the lock's users) exist.
        unsafe { INFO_LOCK.init() };
        try_pin_init!(Self {
            _notifier: overlay::Notifier::register()?,
            driver <- kernel::driver::Registration::new(c"of-fpga-region", module),
        })
    }
}
