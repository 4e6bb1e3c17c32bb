// SPDX-License-Identifier: GPL-2.0
/*
 * The symbols fpga_mgr.ko exports. The functions are Rust, #[no_mangle]
 * extern "C" in fpga_mgr/api.rs and fpga_mgr/image_info.rs, each checked there
 * against its declaration in the headers below (c_abi_checked!, ffi/c_abi.rs);
 * this file only exports them, as drivers/fpga/fpga-mgr.c does its own.
 */
#include <linux/export.h>
#include <linux/fpga/fpga-mgr.h>

#include "../fpga-rs.h"

/* include/linux/fpga/fpga-mgr.h, in the order of drivers/fpga/fpga-mgr.c. */
EXPORT_SYMBOL_GPL(fpga_image_info_alloc);
EXPORT_SYMBOL_GPL(fpga_image_info_free);
EXPORT_SYMBOL_GPL(fpga_mgr_load);
EXPORT_SYMBOL_GPL(fpga_mgr_get);
EXPORT_SYMBOL_GPL(of_fpga_mgr_get);
EXPORT_SYMBOL_GPL(fpga_mgr_put);
EXPORT_SYMBOL_GPL(fpga_mgr_lock);
EXPORT_SYMBOL_GPL(fpga_mgr_unlock);
EXPORT_SYMBOL_GPL(__fpga_mgr_register_full);
EXPORT_SYMBOL_GPL(__fpga_mgr_register);
EXPORT_SYMBOL_GPL(fpga_mgr_unregister);
EXPORT_SYMBOL_GPL(__devm_fpga_mgr_register_full);
EXPORT_SYMBOL_GPL(__devm_fpga_mgr_register);

/* The fpga-rs extensions (ffi/fpga-rs.h). */
EXPORT_SYMBOL_GPL(fpga_mgr_get_current);
EXPORT_SYMBOL_GPL(fpga_mgr_identify_by_name);
EXPORT_SYMBOL_GPL(fpga_mgr_class);
EXPORT_SYMBOL_GPL(fpga_mgr_lifecycle_guarantees);
