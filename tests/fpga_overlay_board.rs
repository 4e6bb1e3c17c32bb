// SPDX-License-Identifier: GPL-2.0

//! The "board" of the overlay-flow scenarios: applies, under the root of the VM's device tree
//! (the one QEMU generates for its `virt` machine on arm and arm64, the OF core's empty tree on
//! x86-64), one of
//!
//! - `board=1`: `fpga-rs/board.dtbo` (`tools/testing/overlays/board.dtso`: a test manager, a
//!   test bridge and an FPGA region);
//! - `board=2`: `fpga-rs/sim-board.dtbo` (`sim-board.dtso`: the simulated FPGAs and bridges of
//!   `lowlevel/` with a region each);
//! - `board=3`: `fpga-rs/sim-edge-board.dtbo` (`sim-edge-board.dtso`: the simulated devices with
//!   regions of edge cases);
//! - `board=4`: `fpga-rs/c-drivers-board.dtbo` (`c-drivers-board.dtso`: the devices of in-tree C
//!   drivers, an FPGA on a slave-serial port model and a PR decoupler, with a region), whose
//!   decoupler register is at the physical address `ram`;
//!
//! and creates platform devices for its nodes, as a board's device tree would at boot. The board
//! node itself, a child of the root, gets its platform device from the OF core when the overlay
//! is applied. Removing the module removes them and the overlay.

use core::ptr;
use kernel::{faux, prelude::*};

#[path = "../ffi/bindings.rs"]
mod bindings;
#[path = "common/overlay.rs"]
mod overlay;

module! {
    type: Board,
    name: "fpga_overlay_board",
    authors: ["fpga-rs developers"],
    description: "Device-tree board for the fpga-rs overlay scenario",
    license: "GPL",
    params: {
        board: u32 {
            default: 1,
            description: "1: the test board (board.dtbo), 2: the simulated board (sim-board.dtbo), \
                          3: the simulated board of edge cases (sim-edge-board.dtbo), \
                          4: the in-tree C drivers' board (c-drivers-board.dtbo)",
        },
        ram: u32 {
            default: 0,
            description: "board=4: the physical address of the 4 KiB of RAM the kernel leaves \
                          alone for the PR decoupler's register",
        },
    },
}

struct Board {
    board: *mut bindings::platform_device,
    _overlay: overlay::AppliedOverlay,
    _dev: faux::Registration,
}

// SAFETY: The platform device pointer may be used from any thread.
unsafe impl Send for Board {}
// SAFETY: As above.
unsafe impl Sync for Board {}

impl kernel::Module for Board {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let (dtbo, path) = match *module_parameters::board.value() {
            1 => (c"fpga-rs/board.dtbo", c"/fpga-rs-board"),
            2 => (c"fpga-rs/sim-board.dtbo", c"/fpga-rs-sim"),
            3 => (c"fpga-rs/sim-edge-board.dtbo", c"/fpga-rs-edge"),
            4 => (c"fpga-rs/c-drivers-board.dtbo", c"/fpga-rs-c-drivers"),
            _ => return Err(EINVAL),
        };
        let ram = *module_parameters::ram.value();
        let dev = faux::Registration::new(c"fpga-rs-overlay-board", None)?;
        let applied = overlay::AppliedOverlay::apply(dev.as_ref(), dtbo, |blob| {
            if path == c"/fpga-rs-c-drivers" {
                patch_ram(blob, ram)
            } else {
                Ok(())
            }
        })?;
        // SAFETY: Looks the board node up, with a reference.
        let np =
            unsafe { bindings::of_find_node_opts_by_path(path.as_char_ptr(), ptr::null_mut()) };
        if np.is_null() {
            pr_err!("fpga_overlay_board: no {} after the overlay\n", path);
            return Err(ENODEV);
        }
        // SAFETY: `np` is a referenced node; the device is returned with a reference.
        let board = unsafe { bindings::of_find_device_by_node(np) };
        // SAFETY: Drops the lookup's reference.
        unsafe { bindings::of_node_put(np) };
        if board.is_null() {
            pr_err!("fpga_overlay_board: no platform device for {}\n", path);
            return Err(ENODEV);
        }
        // SAFETY: `board` is a registered platform device of the node; its children get
        // devices under it.
        let ret = unsafe {
            bindings::of_platform_populate(
                (*board).dev.of_node,
                ptr::null(),
                ptr::null(),
                &raw mut (*board).dev,
            )
        };
        let this = Self {
            board,
            _overlay: applied,
            _dev: dev,
        };
        kernel::error::to_result(ret)?;
        Ok(this)
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        // SAFETY: `board` is referenced since `init`; its children go before the overlay (a
        // later field) is removed, which removes the board device itself.
        unsafe {
            bindings::of_platform_depopulate(&raw mut (*self.board).dev);
            bindings::put_device(&raw mut (*self.board).dev);
        }
    }
}

/// The placeholder address of the decoupler's register in `c-drivers-board.dtso`.
const RAM_PLACEHOLDER: u32 = 0xfeed_f000;

/// Writes `ram` over the placeholder address in the overlay blob: `EINVAL` without an address,
/// `ENOENT` without the placeholder.
fn patch_ram(blob: &mut [u8], ram: u32) -> Result {
    if ram == 0 {
        pr_err!("fpga_overlay_board: board=4 needs ram=<address of 4 KiB kept from the kernel>\n");
        return Err(EINVAL);
    }
    overlay::patch_placeholder(blob, RAM_PLACEHOLDER, ram)
}
