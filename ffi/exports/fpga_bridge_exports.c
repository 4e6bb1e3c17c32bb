// SPDX-License-Identifier: GPL-2.0
/*
 * The symbols fpga_bridge.ko exports. The functions are Rust, #[no_mangle]
 * extern "C" in fpga_bridge/api.rs, each checked there against its
 * declaration in the headers below (c_abi_checked!, ffi/c_abi.rs); this file
 * only exports them, as drivers/fpga/fpga-bridge.c does its own.
 */
#include <linux/export.h>
#include <linux/fpga/fpga-bridge.h>

#include "../fpga-rs.h"

/* include/linux/fpga/fpga-bridge.h, in the order of drivers/fpga/fpga-bridge.c. */
EXPORT_SYMBOL_GPL(fpga_bridge_enable);
EXPORT_SYMBOL_GPL(fpga_bridge_disable);
EXPORT_SYMBOL_GPL(of_fpga_bridge_get);
EXPORT_SYMBOL_GPL(fpga_bridge_get);
EXPORT_SYMBOL_GPL(fpga_bridge_put);
EXPORT_SYMBOL_GPL(fpga_bridges_enable);
EXPORT_SYMBOL_GPL(fpga_bridges_disable);
EXPORT_SYMBOL_GPL(fpga_bridges_put);
EXPORT_SYMBOL_GPL(of_fpga_bridge_get_to_list);
EXPORT_SYMBOL_GPL(fpga_bridge_get_to_list);
EXPORT_SYMBOL_GPL(__fpga_bridge_register);
EXPORT_SYMBOL_GPL(fpga_bridge_unregister);

/* The fpga-rs extensions (ffi/fpga-rs.h): the bridge claims. */
EXPORT_SYMBOL_GPL(fpga_bridge_claim);
EXPORT_SYMBOL_GPL(fpga_bridge_unclaim);
EXPORT_SYMBOL_GPL(fpga_bridge_freeze_claimed);

/* What the safe Rust API relies on (driver-api.rst). */
EXPORT_SYMBOL_GPL(fpga_bridge_lifecycle_guarantees);
