// SPDX-License-Identifier: GPL-2.0

//! Applies an image overlay to the board's FPGA region at load and removes it at unload, for the
//! overlay-flow scenarios (`tools/testing/overlays`): on the test board `image=1`
//! `fpga-rs/image.dtbo`, `2` `image-corrupt.dtbo`, `3` `image-ambiguous.dtbo`; on the simulated
//! board `4` `sim-socfpga-demo.dtbo`, `5` `sim-socfpga-image.dtbo`, `6` `sim-zynq-image.dtbo`,
//! `7` `sim-zynq-partial.dtbo`; `8` `image-child-region.dtbo` on the test board. Loading fails with the overlay's error,
//! which is the region's programming error.

use kernel::{faux, prelude::*};

#[path = "../ffi/bindings.rs"]
mod bindings;
#[path = "common/overlay.rs"]
mod overlay;

module! {
    type: Image,
    name: "fpga_overlay_image",
    authors: ["fpga-rs developers"],
    description: "Applies an FPGA image overlay for the fpga-rs overlay scenario",
    license: "GPL",
    params: {
        image: u32 {
            default: 1,
            description: "1: valid image, 2: corrupt image, 3: firmware with external-fpga-config, \
                          4-7: the simulated board's overlays, 8: a child region with an image",
        },
    },
}

struct Image {
    _overlay: overlay::AppliedOverlay,
    _dev: faux::Registration,
}

impl kernel::Module for Image {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let name = match *module_parameters::image.value() {
            1 => c"fpga-rs/image.dtbo",
            2 => c"fpga-rs/image-corrupt.dtbo",
            3 => c"fpga-rs/image-ambiguous.dtbo",
            4 => c"fpga-rs/sim-socfpga-demo.dtbo",
            5 => c"fpga-rs/sim-socfpga-image.dtbo",
            6 => c"fpga-rs/sim-zynq-image.dtbo",
            7 => c"fpga-rs/sim-zynq-partial.dtbo",
            8 => c"fpga-rs/image-child-region.dtbo",
            _ => return Err(EINVAL),
        };
        let dev = faux::Registration::new(c"fpga-rs-overlay-image", None)?;
        let applied = overlay::AppliedOverlay::apply(dev.as_ref(), name)?;
        Ok(Self {
            _overlay: applied,
            _dev: dev,
        })
    }
}
