// SPDX-License-Identifier: GPL-2.0
/*
 * The symbols fpga_region.ko exports. The functions are Rust, #[no_mangle]
 * extern "C" in fpga_region/api.rs, each checked there against its
 * declaration in the headers below (c_abi_checked!, ffi/c_abi.rs); this file
 * only exports them, as drivers/fpga/fpga-region.c does its own.
 */
#include <linux/export.h>
#include <linux/fpga/fpga-region.h>

#include "../fpga-rs.h"

/* include/linux/fpga/fpga-region.h, in the order of drivers/fpga/fpga-region.c. */
EXPORT_SYMBOL_GPL(fpga_region_class_find);
EXPORT_SYMBOL_GPL(fpga_region_program_fpga);
EXPORT_SYMBOL_GPL(__fpga_region_register_full);
EXPORT_SYMBOL_GPL(__fpga_region_register);
EXPORT_SYMBOL_GPL(fpga_region_unregister);

/* The fpga-rs extensions (ffi/fpga-rs.h): the region's bridges and its image's owner. */
EXPORT_SYMBOL_GPL(fpga_region_freeze_bridges);
EXPORT_SYMBOL_GPL(fpga_region_overlay_claim);
EXPORT_SYMBOL_GPL(fpga_region_overlay_release);
EXPORT_SYMBOL_GPL(fpga_region_overlay_owns);
