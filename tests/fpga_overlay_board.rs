// SPDX-License-Identifier: GPL-2.0

//! The "board" of the overlay-flow scenario: applies `fpga-rs/board.dtbo`
//! (`tools/testing/overlays/board.dtso`) to the VM's empty device tree and creates platform
//! devices for its nodes (a test manager, a test bridge and an FPGA region), as a board's
//! device tree would at boot. The board node itself, a child of the root, gets its platform
//! device from the OF core when the overlay is applied. Removing the module removes them and
//! the overlay.

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
        let dev = faux::Registration::new(c"fpga-rs-overlay-board", None)?;
        let applied = overlay::AppliedOverlay::apply(dev.as_ref(), c"fpga-rs/board.dtbo")?;
        // SAFETY: Looks the board node up, with a reference.
        let np = unsafe {
            bindings::of_find_node_opts_by_path(c"/fpga-rs-board".as_char_ptr(), ptr::null_mut())
        };
        if np.is_null() {
            pr_err!("fpga_overlay_board: no /fpga-rs-board after the overlay\n");
            return Err(ENODEV);
        }
        // SAFETY: `np` is a referenced node; the device is returned with a reference.
        let board = unsafe { bindings::of_find_device_by_node(np) };
        // SAFETY: Drops the lookup's reference.
        unsafe { bindings::of_node_put(np) };
        if board.is_null() {
            pr_err!("fpga_overlay_board: no platform device for /fpga-rs-board\n");
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
