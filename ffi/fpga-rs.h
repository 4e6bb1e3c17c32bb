/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fpga-rs extensions to the FPGA C API.
 *
 * fpga_region.ko refers to its manager with a device reference only, so that
 * the manager's low-level module is pinned only while the region programs.
 * When that module was unloaded and loaded again, the region finds the new
 * manager of the same device with fpga_mgr_get_current().
 */
#ifndef _FPGA_RS_H
#define _FPGA_RS_H

#include <linux/fpga/fpga-mgr.h>

struct fpga_manager *fpga_mgr_get_current(struct fpga_manager *mgr);

#endif /* _FPGA_RS_H */
