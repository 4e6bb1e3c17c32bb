// SPDX-License-Identifier: GPL-2.0

//! Who owns the image loaded into a region: nobody, a device-tree overlay that programmed it
//! (of_fpga_region's notifier: applied in the kernel or by dtbocfg), or a configfs image. One
//! image per region: a second load through either interface is refused with `-EBUSY`.
//!
//! The region core keeps this, so that of_fpga_region.ko and the configfs interface of this
//! module exclude each other (`fpga_region_overlay_claim()` in `ffi/fpga-rs.h`).

use kernel::{
    prelude::*,
    task::Task, //
};

/// The owner of a region's image. Identities are addresses, only compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum ImageOwner {
    /// No image is loaded (or the one loaded was loaded through the C API, which has no owner).
    #[default]
    Free,
    /// The overlay (its `__overlay__` node) that programmed the region, until it is removed.
    Overlay(usize),
    /// A configfs image, loaded or loading. While it applies its own overlay, `applying` is the
    /// task doing so: the overlay notifiers that task triggers belong to the load.
    Image { image: usize, applying: usize },
}

/// What an overlay about to program a region may do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OverlayClaim {
    /// The overlay now owns the region's image: program it.
    Claimed,
    /// The overlay is the one a configfs load of this region applies from the current task: the
    /// load programs the region itself.
    OfLoad,
}

impl ImageOwner {
    /// Takes the region for the configfs image `image`: `-EBUSY` if another owns it.
    pub(crate) fn take_for_image(&mut self, image: usize) -> Result {
        match *self {
            ImageOwner::Free => {
                *self = ImageOwner::Image { image, applying: 0 };
                Ok(())
            }
            ImageOwner::Image { image: i, .. } if i == image => Ok(()),
            _ => Err(EBUSY),
        }
    }

    /// Marks (or, with `false`, unmarks) the current task as applying `image`'s overlay.
    pub(crate) fn set_applying(&mut self, image: usize, applying: bool) {
        if let ImageOwner::Image { image: i, .. } = *self {
            if i == image {
                let task = if applying {
                    Task::current_raw() as usize
                } else {
                    0
                };
                *self = ImageOwner::Image {
                    image,
                    applying: task,
                };
            }
        }
    }

    /// Gives the region up if `image` owns it.
    pub(crate) fn release_image(&mut self, image: usize) {
        if matches!(*self, ImageOwner::Image { image: i, .. } if i == image) {
            *self = ImageOwner::Free;
        }
    }

    /// An overlay is about to program the region (see [`OverlayClaim`]); `-EBUSY` if a configfs
    /// image owns it, `-EEXIST` if another overlay does.
    pub(crate) fn claim_for_overlay(&mut self, overlay: usize) -> Result<OverlayClaim> {
        match *self {
            ImageOwner::Free => {
                *self = ImageOwner::Overlay(overlay);
                Ok(OverlayClaim::Claimed)
            }
            ImageOwner::Overlay(o) if o == overlay => Ok(OverlayClaim::Claimed),
            ImageOwner::Image { applying, .. } if applying == Task::current_raw() as usize => {
                Ok(OverlayClaim::OfLoad)
            }
            ImageOwner::Image { .. } => Err(EBUSY),
            ImageOwner::Overlay(_) => Err(EEXIST),
        }
    }

    /// Whether `overlay` owns the region's image.
    pub(crate) fn is_overlay(&self, overlay: usize) -> bool {
        *self == ImageOwner::Overlay(overlay)
    }

    /// Gives the region up if `overlay` owns it.
    pub(crate) fn release_overlay(&mut self, overlay: usize) {
        if *self == ImageOwner::Overlay(overlay) {
            *self = ImageOwner::Free;
        }
    }
}
