// SPDX-License-Identifier: GPL-2.0

//! Applies an image overlay to the board's FPGA region at load and removes it at unload, for the
//! overlay-flow scenarios (`tools/testing/overlays`): on the test board `image=1`
//! `fpga-rs/image.dtbo`, `2` `image-corrupt.dtbo`, `3` `image-ambiguous.dtbo`; on the simulated
//! board `4` `sim-socfpga-demo.dtbo`, `5` `sim-socfpga-image.dtbo`, `6` `sim-zynq-image.dtbo`,
//! `7` `sim-zynq-partial.dtbo`; `8` `image-child-region.dtbo` on the test board; on the edge-case
//! board (`sim-edge-board.dtso`) `9` `edge-missing-bridge.dtbo`, `10` `edge-non-bridge.dtbo`,
//! `11` `edge-two-regions.dtbo`, `12` `edge-other-bus.dtbo`, `13` `edge-nested.dtbo`, `14`
//! `edge-external-config.dtbo`, `15` `edge-pr-base.dtbo` and `16`
//! `edge-pr-overlay-bridges.dtbo`, whose placeholder phandle `0xfeedf00d` becomes the live
//! phandle of `/fpga-rs-edge/pr-decoupler` before it is applied, `17`
//! `edge-overlay-missing-bridge.dtbo`; on the board of in-tree C drivers (`c-drivers-board.dtso`)
//! `18` `c-drivers-image.dtbo`. With `then=N`, overlay `N` is applied too while the first
//! is, as a second user of the tree would. Loading fails with the
//! overlay's error, which is the region's programming error.

use core::ptr;
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
                          4-7: the simulated board's overlays, 8: a child region with an image, \
                          9-17: the edge-case board's overlays, 18: the C drivers' board's \
                          overlay, 19: a device-only overlay on a configfs image's device",
        },
        then: u32 {
            default: 0,
            description: "If not 0, then applies this overlay too while the first is applied \
                          (logging its error if it is refused) and removes it at unload first",
        },
    },
}

struct Image {
    _second: Option<overlay::AppliedOverlay>,
    _overlay: overlay::AppliedOverlay,
    _dev: faux::Registration,
}

/// The firmware name of overlay number `n` (the `image` parameter's numbers).
fn overlay_name(n: u32) -> Result<&'static CStr> {
    Ok(match n {
        1 => c"fpga-rs/image.dtbo",
        2 => c"fpga-rs/image-corrupt.dtbo",
        3 => c"fpga-rs/image-ambiguous.dtbo",
        4 => c"fpga-rs/sim-socfpga-demo.dtbo",
        5 => c"fpga-rs/sim-socfpga-image.dtbo",
        6 => c"fpga-rs/sim-zynq-image.dtbo",
        7 => c"fpga-rs/sim-zynq-partial.dtbo",
        8 => c"fpga-rs/image-child-region.dtbo",
        9 => c"fpga-rs/edge-missing-bridge.dtbo",
        10 => c"fpga-rs/edge-non-bridge.dtbo",
        11 => c"fpga-rs/edge-two-regions.dtbo",
        12 => c"fpga-rs/edge-other-bus.dtbo",
        13 => c"fpga-rs/edge-nested.dtbo",
        14 => c"fpga-rs/edge-external-config.dtbo",
        15 => c"fpga-rs/edge-pr-base.dtbo",
        16 => c"fpga-rs/edge-pr-overlay-bridges.dtbo",
        17 => c"fpga-rs/edge-overlay-missing-bridge.dtbo",
        18 => c"fpga-rs/c-drivers-image.dtbo",
        19 => c"fpga-rs/cfs-stacked.dtbo",
        _ => return Err(EINVAL),
    })
}

/// Applies overlay number `n` for `dev`.
fn apply(dev: &faux::Registration, n: u32) -> Result<overlay::AppliedOverlay> {
    overlay::AppliedOverlay::apply(dev.as_ref(), overlay_name(n)?, |blob| {
        if n == 16 {
            patch_phandle(blob, c"/fpga-rs-edge/pr-decoupler")
        } else {
            Ok(())
        }
    })
}

impl kernel::Module for Image {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let dev = faux::Registration::new(c"fpga-rs-overlay-image", None)?;
        let applied = apply(&dev, *module_parameters::image.value())?;
        let second = match *module_parameters::then.value() {
            0 => None,
            n => apply(&dev, n)
                .inspect_err(|e| {
                    pr_info!(
                        "fpga_overlay_image: overlay {} refused: {}\n",
                        n,
                        e.to_errno()
                    )
                })
                .ok(),
        };
        Ok(Self {
            _second: second,
            _overlay: applied,
            _dev: dev,
        })
    }
}

/// The placeholder phandle of `edge-pr-overlay-bridges.dtso`.
const PLACEHOLDER: u32 = 0xfeed_f00d;

/// Replaces the placeholder phandle in the overlay blob with the live phandle of the node at
/// `path`: `ENOENT` if the node or the placeholder is missing.
fn patch_phandle(blob: &mut [u8], path: &CStr) -> Result {
    // SAFETY: Looks the node up by path, with a reference.
    let np = unsafe { bindings::of_find_node_opts_by_path(path.as_char_ptr(), ptr::null_mut()) };
    if np.is_null() {
        pr_err!("fpga_overlay_image: no node {}\n", path);
        return Err(ENOENT);
    }
    // SAFETY: `np` is referenced; its reference is dropped after the read.
    let phandle = unsafe {
        let phandle = (*np).phandle;
        bindings::of_node_put(np);
        phandle
    };
    if phandle == 0 {
        pr_err!("fpga_overlay_image: {} has no phandle\n", path);
        return Err(ENOENT);
    }
    overlay::patch_placeholder(blob, PLACEHOLDER, phandle)
}
