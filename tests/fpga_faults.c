// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation faults, injected into every allocation of each FPGA core
 * operation in turn, through the C API (issue "Prove the lifecycle", item 4).
 *
 * For each operation, for n = 1, 2, ...: the kernel's per-task fault
 * injection (current->fail_nth, what /proc/self/fail-nth sets) fails the
 * n-th allocation the operation makes (slab, and page allocations when
 * fail_page_alloc is enabled), until an n is larger than the number of
 * allocations it makes. After each failure the operation must have returned
 * 0 or a negative errno, left the manager unlocked and the fixture's module
 * (the owner of every object here) at its baseline reference count, and the
 * same operation without a fault must succeed. Leaks are what the test
 * plan's kmemleak scan reports afterwards.
 *
 * Operations: register and unregister a manager; get and put it; load it
 * from a buffer, from a scatter-gather table and from a firmware file (each
 * between fpga_mgr_lock() and fpga_mgr_unlock()); program a region through
 * it; register and unregister a bridge; get and put it.
 *
 * Everything runs at insmod, which fails with -EIO if a check failed (and
 * leaves nothing behind either way); one line per operation says how many
 * allocations were failed and which errnos came back.
 */

#include <linux/device/faux.h>
#include <linux/fault-inject.h>
#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/fpga/fpga-region.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>

#define MAX_POINTS 2000
#define IMAGE_SIZE (3 * PAGE_SIZE + 100)

static struct {
	struct faux_device *faux;
	struct device *parent;
	struct fpga_manager *mgr;
	struct fpga_bridge *bridge;
	struct fpga_region *region;
	struct fpga_image_info *buf_info, *sg_info, *fw_info;
	struct sg_table sgt;
	struct page *pages[4];
	u8 *image;
	int base_refs;
	bool failed;
} f;

/* The low-level manager: it accepts any image. */
static enum fpga_mgr_states mgr_state(struct fpga_manager *mgr)
{
	return FPGA_MGR_STATE_OPERATING;
}

static int mgr_write_init(struct fpga_manager *mgr, struct fpga_image_info *info,
			  const char *buf, size_t count)
{
	return 0;
}

static int mgr_write(struct fpga_manager *mgr, const char *buf, size_t count)
{
	return 0;
}

static int mgr_write_complete(struct fpga_manager *mgr, struct fpga_image_info *info)
{
	return 0;
}

static const struct fpga_manager_ops mgr_ops = {
	.state = mgr_state,
	.write_init = mgr_write_init,
	.write = mgr_write,
	.write_complete = mgr_write_complete,
};

static int br_enable_set(struct fpga_bridge *bridge, bool enable)
{
	return 0;
}

static const struct fpga_bridge_ops br_ops = { .enable_set = br_enable_set };

/* The operations, each undoing itself on success. */
static int op_register_mgr(void)
{
	struct fpga_manager *mgr =
		fpga_mgr_register(f.parent, "fpga-rs fault test (2)", &mgr_ops, NULL);

	if (IS_ERR(mgr))
		return PTR_ERR(mgr);
	fpga_mgr_unregister(mgr);
	return 0;
}

static int op_get_mgr(void)
{
	struct fpga_manager *mgr = fpga_mgr_get(f.parent);

	if (IS_ERR(mgr))
		return PTR_ERR(mgr);
	fpga_mgr_put(mgr);
	return 0;
}

static int load(struct fpga_image_info *info)
{
	int ret = fpga_mgr_lock(f.mgr);

	if (ret)
		return ret;
	ret = fpga_mgr_load(f.mgr, info);
	fpga_mgr_unlock(f.mgr);
	return ret;
}

static int op_load_buf(void)
{
	return load(f.buf_info);
}

static int op_load_sg(void)
{
	return load(f.sg_info);
}

static int op_load_firmware(void)
{
	return load(f.fw_info);
}

static int op_program_region(void)
{
	f.region->info = f.buf_info;
	return fpga_region_program_fpga(f.region);
}

static int op_register_bridge(void)
{
	struct fpga_bridge *br =
		fpga_bridge_register(f.parent, "fpga-rs fault test (2)", &br_ops, NULL);

	if (IS_ERR(br))
		return PTR_ERR(br);
	fpga_bridge_unregister(br);
	return 0;
}

static int op_get_bridge(void)
{
	struct fpga_bridge *br = fpga_bridge_get(f.parent, NULL);

	if (IS_ERR(br))
		return PTR_ERR(br);
	fpga_bridge_put(br);
	return 0;
}

/* What must hold after every attempt, failed or not. */
static const char *unclean(void)
{
	if (module_refcount(THIS_MODULE) != f.base_refs)
		return "the owner module's reference count is not back to its baseline";
	if (fpga_mgr_lock(f.mgr))
		return "the manager was left locked";
	fpga_mgr_unlock(f.mgr);
	return NULL;
}

static void fail_each_allocation(const char *name, int (*op)(void))
{
	unsigned int n, failed = 0;
	u64 errnos = 0;
	const char *why;
	int ret, i;

	for (n = 1; n <= MAX_POINTS; n++) {
		WRITE_ONCE(current->fail_nth, n);
		ret = op();
		if (READ_ONCE(current->fail_nth)) {
			/* Fewer than n allocations: this run had no fault. */
			WRITE_ONCE(current->fail_nth, 0);
			if (ret) {
				pr_err("fpga_faults: %s: failed with %d without a fault\n", name, ret);
				f.failed = true;
			}
			break;
		}
		failed++;
		if (ret > 0 || ret < -63) {
			pr_err("fpga_faults: %s: allocation %u failed: returned %d, not an errno\n",
			       name, n, ret);
			f.failed = true;
		} else if (ret) {
			errnos |= BIT_ULL(-ret);
		}
		why = unclean();
		if (!why && op())
			why = "the operation without a fault then failed";
		if (why) {
			pr_err("fpga_faults: %s: after allocation %u failed (returned %d): %s\n", name,
			       n, ret, why);
			f.failed = true;
			return;
		}
	}
	pr_info("fpga_faults: %s: %u allocations failed in turn, each cleanly; errnos:", name,
		failed);
	for (i = 1; i < 64; i++)
		if (errnos & BIT_ULL(i))
			pr_cont(" -%d", i);
	pr_cont("%s\n", errnos ? "" : " none (the operation succeeded anyway)");
}

static struct fpga_image_info *image_info(void)
{
	struct fpga_image_info *info = fpga_image_info_alloc(&f.faux->dev);

	if (info)
		info->flags = 0;
	return info;
}

static int __init faults_init(void)
{
	struct fpga_region_info rinfo = {};
	int i, ret = -ENOMEM;

	f.faux = faux_device_create("fpga-rs-faults", NULL, NULL);
	if (!f.faux)
		return -ENOMEM;
	f.parent = &f.faux->dev;
	f.image = kzalloc(IMAGE_SIZE, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(f.pages); i++)
		f.pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
	f.buf_info = image_info();
	f.sg_info = image_info();
	f.fw_info = image_info();
	if (!f.image || !f.pages[0] || !f.pages[1] || !f.pages[2] || !f.pages[3] ||
	    !f.buf_info || !f.sg_info || !f.fw_info)
		goto out;
	f.buf_info->buf = f.image;
	f.buf_info->count = IMAGE_SIZE;
	ret = sg_alloc_table_from_pages(&f.sgt, f.pages, ARRAY_SIZE(f.pages), 0, IMAGE_SIZE,
					GFP_KERNEL);
	if (ret)
		goto out;
	f.sg_info->sgt = &f.sgt;
	f.fw_info->firmware_name = devm_kstrdup(&f.faux->dev, "fpga-rs/socfpga-valid.rbf",
						GFP_KERNEL);
	ret = -ENOMEM;
	if (!f.fw_info->firmware_name)
		goto out_sgt;

	f.mgr = fpga_mgr_register(f.parent, "fpga-rs fault test", &mgr_ops, NULL);
	if (IS_ERR(f.mgr)) {
		ret = PTR_ERR(f.mgr);
		goto out_sgt;
	}
	f.bridge = fpga_bridge_register(f.parent, "fpga-rs fault test", &br_ops, NULL);
	if (IS_ERR(f.bridge)) {
		ret = PTR_ERR(f.bridge);
		goto out_mgr;
	}
	rinfo.mgr = f.mgr;
	f.region = fpga_region_register_full(f.parent, &rinfo);
	if (IS_ERR(f.region)) {
		ret = PTR_ERR(f.region);
		goto out_bridge;
	}
	f.base_refs = module_refcount(THIS_MODULE);

	fail_each_allocation("register_manager", op_register_mgr);
	fail_each_allocation("get_manager", op_get_mgr);
	fail_each_allocation("load_buffer", op_load_buf);
	fail_each_allocation("load_sg", op_load_sg);
	fail_each_allocation("load_firmware", op_load_firmware);
	fail_each_allocation("program_region", op_program_region);
	fail_each_allocation("register_bridge", op_register_bridge);
	fail_each_allocation("get_bridge", op_get_bridge);
	ret = f.failed ? -EIO : 0;
	pr_info("fpga_faults: %s\n", f.failed ? "FAILED" : "every fault was handled cleanly");

	f.region->info = NULL;
	fpga_region_unregister(f.region);
out_bridge:
	fpga_bridge_unregister(f.bridge);
out_mgr:
	fpga_mgr_unregister(f.mgr);
out_sgt:
	sg_free_table(&f.sgt);
out:
	fpga_image_info_free(f.fw_info);
	fpga_image_info_free(f.sg_info);
	fpga_image_info_free(f.buf_info);
	for (i = 0; i < ARRAY_SIZE(f.pages); i++)
		if (f.pages[i])
			__free_page(f.pages[i]);
	kfree(f.image);
	faux_device_destroy(f.faux);
	return ret;
}

/* Everything was undone at init. */
static void __exit faults_exit(void)
{
}

module_init(faults_init);
module_exit(faults_exit);
MODULE_DESCRIPTION("Allocation faults injected into every allocation of the FPGA core operations");
MODULE_LICENSE("GPL");
