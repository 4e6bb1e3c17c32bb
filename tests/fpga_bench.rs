// SPDX-License-Identifier: GPL-2.0

//! Benchmarks of the FPGA manager core through its C API (called by the safe user API,
//! `abstractions/user.rs`), for `make bench`: run at insmod
//! against the manager of the faux device `sim-socfpga` (`lowlevel/sim_socfpga.rs`), on
//! whichever core is loaded (the upstream C one or the Rust one), and printed to the kernel log
//! as `fpga-rs-bench: NAME ITERATIONS NS_PER_OP`:
//!
//! - `get_put`: `fpga_mgr_get()` and `fpga_mgr_put()` (device lookup, module pin and unpin);
//! - `lock_unlock`: `fpga_mgr_lock()` and `fpga_mgr_unlock()` on a held manager;
//! - `load_buf`: `fpga_mgr_load()` of the 16 KiB `fpga-rs/socfpga-valid.rbf` from memory (the
//!   core's state machine and the simulated FPGA's frame CRCs).

use kernel::{
    faux,
    firmware::Firmware,
    prelude::*,
    time::{Delta, Instant, Monotonic},
};

#[path = "common/faux_lookup.rs"]
mod faux_lookup;
#[path = "../abstractions/mod.rs"]
pub mod fpga;
#[path = "../lowlevel/sim/mod.rs"]
pub mod sim;

use fpga::{bindings, user};
use sim::dec64;

module! {
    type: Bench,
    name: "fpga_bench",
    authors: ["fpga-rs developers"],
    description: "Benchmarks of the FPGA manager core for fpga-rs",
    license: "GPL",
    params: {
        iterations: u32 {
            default: 200000,
            description: "Iterations of get_put; lock_unlock runs 5 times as many, load_buf \
                          1/200 of them (the VM's clock may tick only every few milliseconds)",
        },
    },
}

struct Bench;

/// Runs `op` `n` times and prints its cost per call.
fn measure(name: &str, n: u32, mut op: impl FnMut() -> Result) -> Result {
    let start = Instant::<Monotonic>::now();
    for _ in 0..n {
        op()?;
    }
    // `Delta / Delta` divides with the kernel's div64 helpers on 32-bit kernels, where a plain
    // 64-bit `/` needs `__aeabi_ldivmod`, which the kernel does not export.
    let per_op = start.elapsed() / Delta::from_nanos(i64::from(n.max(1)));
    // `Dec64`: `{}` of a 64-bit value of 1000 or more is a BUG() on 32-bit ARM.
    let per_op = dec64::Dec64(u64::try_from(per_op).unwrap_or(0));
    pr_info!("fpga-rs-bench: {} {} {}\n", name, n, per_op);
    Ok(())
}

impl kernel::Module for Bench {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let n = *module_parameters::iterations.value();
        let dev = faux::Registration::new(c"fpga-rs-bench", None)?;
        let parent = faux_lookup::find_on_bus(&dev, c"sim-socfpga")?;
        let image = Firmware::request(c"fpga-rs/socfpga-valid.rbf", dev.as_ref())?;

        measure("get_put", n, || user::Manager::get(&parent).map(drop))?;

        let mgr = user::Manager::get(&parent)?;
        measure("lock_unlock", n.saturating_mul(5), || mgr.lock().map(drop))?;
        let mut info = user::Image::new(mgr.device())?;
        info.set_buffer(image.data());
        let locked = mgr.lock()?;
        measure("load_buf", (n / 200).max(1), || locked.load(&mut info))?;
        Ok(Self)
    }
}
