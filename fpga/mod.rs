// SPDX-License-Identifier: GPL-2.0

//! The safe Rust API of the FPGA subsystem, on the C API of
//! [`include/linux/fpga/`](srctree/include/linux/fpga/) through [`bindings`]: [`manager`] and
//! [`bridge`] for low-level drivers, with [`sg_image`] for the images of `write_sg`, [`user`]
//! for code that programs an FPGA (a driver that programs its own device), and [`image`], the
//! owned image info both users and regions fill.
//!
//! A Rust module cannot link against another module's crate, so each driver compiles this API
//! once, as a public module of its crate (`pub mod fpga`): a driver uses only part of it, and what
//! it does not call is its crate's API rather than dead code.
//!
//! # fpga-rs's cores only
//!
//! The API is sound on fpga-rs's cores, and only there: its safety arguments rest on guarantees
//! that the upstream C core does not give (`Documentation/lifecycle.rst`). Unregistration waits
//! for the driver's ops in flight and no op starts after it, also for users that still hold the
//! object (so a registration may drop the driver data it owns: [`manager`], [`bridge`], and a
//! [`user::Manager`] cannot reach ops of an unregistered driver); a bridge's `info` is written
//! only by its holder and stays valid while an op may read it ([`bridge`]). The cores state these
//! guarantees as symbols, `fpga_mgr_lifecycle_guarantees` and `fpga_bridge_lifecycle_guarantees`
//! (`ffi/fpga-rs.h`), and this API references them, so that a module built on it is refused at
//! load by any other core: `insmod` fails with "Unknown symbol", before any of its code runs.

#[path = "../ffi/bindings.rs"]
pub mod bindings;
pub mod bridge;
#[path = "../ffi/c_result.rs"]
pub mod c_result;
pub mod image;
pub mod manager;
mod registration;
pub mod sg_image;
pub mod user;

use kernel::{
    device::{
        Bound,
        Device, //
    },
    faux, //
};

/// The link-time dependency on `fpga_mgr.ko`'s guarantees (module doc): every module that
/// compiles this API references `fpga_mgr_lifecycle_guarantees`, whichever part it uses, so it
/// loads on fpga-rs's manager core only. (Every such module depends on the manager core anyway:
/// [`user`] is always linked.) `bridge.rs` adds the bridge core's where a bridge is registered.
#[used]
static FPGA_MGR_LIFECYCLE_GUARANTEES: unsafe extern "C" fn() =
    bindings::fpga_mgr_lifecycle_guarantees;

/// The device of a faux device registration, bound for as long as the registration is borrowed:
/// what a driver that drives a device on a faux device of its own passes to
/// [`manager::Registration::new`] or [`bridge::Registration::new`]. The kernel crate's
/// [`faux::Registration`] gives only a `&Device` (a gap of the kernel crate:
/// `Documentation/upstream/0008-rust-faux-give-a-registration-s-device-as-bound.patch`).
pub fn faux_device(reg: &faux::Registration) -> &Device<Bound> {
    let dev: &Device = reg.as_ref();
    // SAFETY: The device stays bound while `reg` is borrowed, which the returned reference is:
    // - `faux_device_create()` returns a device only once the faux bus's driver bound it
    //   (`drivers/base/faux.c` checks `dev->driver`, destroys the device and returns NULL
    //   otherwise), and `faux::Registration::new` makes a registration only of a device it
    //   returned;
    // - the faux driver is built in and never unregistered, and it has `suppress_bind_attrs`
    //   (no `unbind` in sysfs), so nothing unbinds the device but its destruction or a
    //   device link that makes it a consumer of a supplier that unbinds, and no code of
    //   fpga-rs, nor the driver core for a device without firmware node, links a faux device
    //   so;
    // - the device is destroyed (`faux_device_destroy()`) only by `faux::Registration::drop`,
    //   which cannot run while `reg` is borrowed.
    unsafe { dev.as_bound() }
}
