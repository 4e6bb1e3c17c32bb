/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fpga-rs extensions to the FPGA C API.
 *
 * fpga_region.ko refers to its manager with a device reference only, so that
 * the manager's low-level module is pinned only while the region programs.
 * When that module was unloaded and loaded again, the region finds the new
 * manager of the same device with fpga_mgr_get_current(): the one registered
 * for the same firmware node or, for drivers that declare their devices'
 * names stable with fpga_mgr_identify_by_name(), for a parent of the same
 * <bus>/<name>.
 *
 * A region that programmed through bridges keeps a claim on them, not a module
 * reference, until its overlay is removed: another region cannot program
 * through them meanwhile (-EBUSY), as upstream's held bridges ensure, and the
 * bridges' modules stay removable (fpga_bridge_claim() and friends).
 */
#ifndef _FPGA_RS_H
#define _FPGA_RS_H

#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/fpga/fpga-region.h>

struct fpga_manager *fpga_mgr_get_current(struct fpga_manager *mgr);
void fpga_mgr_identify_by_name(struct fpga_manager *mgr);

/*
 * The fpga_manager class, for class interfaces that add to each manager's
 * device (fpga_compat_sysfs.ko: the vendor kernels' firmware, flags and key).
 */
const struct class *fpga_mgr_class(void);

int fpga_bridge_claim(struct fpga_bridge *bridge, const void *claimant);
void fpga_bridge_unclaim(struct fpga_bridge *bridge, const void *claimant);
int fpga_bridge_freeze_claimed(struct fpga_bridge *bridge, const void *claimant,
			       struct fpga_image_info *info);

int fpga_region_freeze_bridges(struct fpga_region *region);

/*
 * One image per region, whether it is loaded by an overlay (of_fpga_region's
 * notifier) or through configfs (fpga_regions/regionN/<image>/config): an
 * overlay about to program a region claims its image, and gives it up when it
 * is removed. fpga_region_overlay_claim() returns 0 (claimed), 1 (the overlay
 * is the one a configfs load of the region applies from this task: leave it
 * to the load), -EBUSY (a configfs image owns the region's image) or -EEXIST
 * (another overlay does).
 */
struct device_node;
int fpga_region_overlay_claim(struct fpga_region *region, struct device_node *overlay);
void fpga_region_overlay_release(struct fpga_region *region, struct device_node *overlay);
bool fpga_region_overlay_owns(struct fpga_region *region, struct device_node *overlay);

/*
 * The lifecycle guarantees of fpga-rs's cores that the safe Rust API (fpga/)
 * builds its soundness on, and that the upstream C core does not give
 * (Documentation/lifecycle.rst):
 *
 * - fpga_mgr_unregister() and fpga_bridge_unregister() return only when no op
 *   of the driver runs any more, and no op starts afterwards, also for users
 *   that still hold the manager or bridge (rules 3 and 4; upstream hole L1);
 * - a bridge's info is written only by its holder, after its get succeeded,
 *   and cleared by the holder's put, which returns only when no op that may
 *   read it runs (hole L4, defect d).
 *
 * What they are for is their symbols, not their calls (they do nothing): every
 * module built on fpga/ references fpga_mgr_lifecycle_guarantees, and every
 * one that registers a bridge through it fpga_bridge_lifecycle_guarantees, so
 * that such a module cannot load on a core without them: on the upstream C
 * core, insmod fails with "Unknown symbol fpga_mgr_lifecycle_guarantees".
 */
void fpga_mgr_lifecycle_guarantees(void);
void fpga_bridge_lifecycle_guarantees(void);

#endif /* _FPGA_RS_H */
