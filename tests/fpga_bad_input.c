// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input from a C caller of the FPGA cores (issue "Prove the lifecycle",
 * item 6), one case per write, for tools/testing/scenarios/bad-input-table.sh.
 * It uses only the C API of include/linux/fpga/, so it loads on fpga-rs's
 * cores and on the upstream C core alike (where most misuse cases oops: the
 * scenario runs them on fpga-rs only).
 *
 * debugfs fpga_bad_input/run: write one case; the write fails with the
 * case's errno, or succeeds if the case returned 0.
 *
 *   load PATH DEVICE FILE FLAGS OFFSET
 *       get / lock / fpga_mgr_load() / unlock / put of the manager of the
 *       faux device DEVICE (sim-socfpga, sim-zynq), with the image info
 *       flags FLAGS (hex), the image the firmware file FILE holds, given as
 *       PATH: "buf" (a buffer starting OFFSET bytes into an allocation, to
 *       misalign it), "sg" (an sg table of pages, the data starting OFFSET
 *       bytes into the first) or "fw" (the firmware name: OFFSET unused).
 *       FILE "-" is an empty image (count 0 for buf, an empty sg table).
 *   mgr_lock_null, mgr_lock_err, mgr_unlock_null, mgr_put_null, mgr_put_err,
 *   mgr_load_null_mgr, mgr_load_null_info, mgr_unlock_unlocked,
 *   mgr_double_put, bridge_enable_null, bridge_put_null, bridge_put_err,
 *   bridge_double_put, region_program_null, region_without_image,
 *   region_without_manager
 *       one misuse each of the manager of sim-socfpga, the bridge of
 *       sim-freeze-bridge, or a region this module registers.
 *   register_fails_in_device_add
 *       registers a manager, a bridge and a region under a parent device
 *       that was never added, so that each device_add() fails; the write
 *       fails with the registrations' errno if all three failed alike and
 *       each dropped its reference to the parent (the parent is released
 *       at the last put_device()), else with -EBADE.
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/device/faux.h>
#include <linux/err.h>
#include <linux/firmware.h>
#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/fpga/fpga-region.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

static struct {
	struct faux_device *faux;
	struct dentry *dir;
} s;

/* The faux device named @name, with a reference, or NULL. */
static struct device *lowlevel(const char *name)
{
	return bus_find_device_by_name(s.faux->dev.bus, NULL, name);
}

static struct fpga_manager *get_mgr(const char *name)
{
	struct device *dev = lowlevel(name);
	struct fpga_manager *mgr;

	if (!dev)
		return ERR_PTR(-ENODEV);
	mgr = fpga_mgr_get(dev);
	put_device(dev);
	return mgr;
}

static struct fpga_bridge *get_bridge(const char *name)
{
	struct device *dev = lowlevel(name);
	struct fpga_bridge *br;

	if (!dev)
		return ERR_PTR(-ENODEV);
	br = fpga_bridge_get(dev, NULL);
	put_device(dev);
	return br;
}

/* An sg table of pages holding a copy of an image. */
struct sg_image {
	struct sg_table sgt;
	struct page **pages;
	unsigned int n;
};

/* An sg table of the @len bytes at @data, starting @offset bytes into its first page. */
static int sg_image_new(struct sg_image *img, const u8 *data, size_t len, unsigned int offset)
{
	size_t done = 0;
	int ret;

	offset %= PAGE_SIZE;
	/* An empty image is one entry of 0 bytes. */
	img->n = max(DIV_ROUND_UP(offset + len, PAGE_SIZE), 1UL);
	img->pages = kcalloc(img->n, sizeof(*img->pages), GFP_KERNEL);
	if (!img->pages)
		return -ENOMEM;
	for (unsigned int i = 0; i < img->n; i++) {
		size_t at = i ? 0 : offset, part = min_t(size_t, PAGE_SIZE - at, len - done);

		img->pages[i] = alloc_page(GFP_KERNEL);
		if (!img->pages[i]) {
			img->n = i;
			ret = -ENOMEM;
			goto err;
		}
		if (part)
			memcpy_to_page(img->pages[i], at, data + done, part);
		done += part;
	}
	if (len) {
		ret = sg_alloc_table_from_pages(&img->sgt, img->pages, img->n, offset, len,
						GFP_KERNEL);
	} else {
		ret = sg_alloc_table(&img->sgt, 1, GFP_KERNEL);
		if (!ret)
			sg_set_page(img->sgt.sgl, img->pages[0], 0, offset);
	}
	if (!ret)
		return 0;
err:
	while (img->n--)
		__free_page(img->pages[img->n]);
	kfree(img->pages);
	return ret;
}

static void sg_image_free(struct sg_image *img)
{
	sg_free_table(&img->sgt);
	while (img->n--)
		__free_page(img->pages[img->n]);
	kfree(img->pages);
}

static int load(const char *path, const char *device, const char *file, u32 flags,
		unsigned int offset)
{
	const struct firmware *fw = NULL;
	struct fpga_image_info *info;
	struct sg_image sg = {};
	struct fpga_manager *mgr;
	u8 *mem = NULL;
	int ret;

	mgr = get_mgr(device);
	if (IS_ERR(mgr))
		return PTR_ERR(mgr);
	info = fpga_image_info_alloc(&s.faux->dev);
	if (!info) {
		ret = -ENOMEM;
		goto put;
	}
	info->flags = flags;
	if (!strcmp(path, "fw")) {
		info->firmware_name = devm_kstrdup(&s.faux->dev, file, GFP_KERNEL);
		if (!info->firmware_name) {
			ret = -ENOMEM;
			goto free_info;
		}
	} else if (strcmp(file, "-")) {
		ret = request_firmware(&fw, file, &s.faux->dev);
		if (ret)
			goto free_info;
	}
	if (!strcmp(path, "buf")) {
		size_t len = fw ? fw->size : 0;

		mem = kvmalloc(offset + len + 1, GFP_KERNEL);
		if (!mem) {
			ret = -ENOMEM;
			goto release;
		}
		if (fw)
			memcpy(mem + offset, fw->data, len);
		info->buf = mem + offset;
		info->count = len;
	} else if (!strcmp(path, "sg")) {
		ret = sg_image_new(&sg, fw ? fw->data : NULL, fw ? fw->size : 0, offset);
		if (ret)
			goto release;
		info->sgt = &sg.sgt;
	} else if (strcmp(path, "fw")) {
		ret = -EINVAL;
		goto release;
	}
	ret = fpga_mgr_lock(mgr);
	if (!ret) {
		ret = fpga_mgr_load(mgr, info);
		fpga_mgr_unlock(mgr);
	}
	if (info->sgt)
		sg_image_free(&sg);
	kvfree(mem);
release:
	release_firmware(fw);
free_info:
	fpga_image_info_free(info);
put:
	fpga_mgr_put(mgr);
	return ret;
}

static const struct fpga_manager_ops no_mgr_ops;
static const struct fpga_bridge_ops no_bridge_ops;
static bool parent_released;

static void parent_release(struct device *dev)
{
	parent_released = true;
	kfree(dev);
}

/* Registrations whose device_add() fails: cleaned up by put_device() alone. */
static int register_fails_in_device_add(void)
{
	struct device *parent = kzalloc(sizeof(*parent), GFP_KERNEL);
	struct fpga_region *region;
	struct fpga_manager *mgr;
	struct fpga_bridge *br;
	int ret[3];

	if (!parent)
		return -ENOMEM;
	device_initialize(parent);
	parent->release = parent_release;
	if (dev_set_name(parent, "fpga-bad-input-unadded")) {
		put_device(parent);
		return -ENOMEM;
	}
	mgr = fpga_mgr_register(parent, "fpga-rs bad input", &no_mgr_ops, NULL);
	ret[0] = IS_ERR(mgr) ? PTR_ERR(mgr) : 0;
	if (!IS_ERR(mgr))
		fpga_mgr_unregister(mgr);
	br = fpga_bridge_register(parent, "fpga-rs bad input", &no_bridge_ops, NULL);
	ret[1] = IS_ERR(br) ? PTR_ERR(br) : 0;
	if (!IS_ERR(br))
		fpga_bridge_unregister(br);
	region = fpga_region_register(parent, NULL, NULL);
	ret[2] = IS_ERR(region) ? PTR_ERR(region) : 0;
	if (!IS_ERR(region))
		fpga_region_unregister(region);
	parent_released = false;
	put_device(parent);
	pr_info("fpga_bad_input: registrations under an unadded parent: %d %d %d, parent %s\n",
		ret[0], ret[1], ret[2], parent_released ? "released" : "still referenced");
	if (!ret[0] || ret[0] != ret[1] || ret[0] != ret[2] || !parent_released)
		return -EBADE;
	return ret[0];
}

static int misuse(const char *name)
{
	struct fpga_region_info rinfo = {};
	struct fpga_region *region;
	struct fpga_manager *mgr;
	struct fpga_bridge *br;
	int ret;

	if (!strcmp(name, "mgr_lock_null"))
		return fpga_mgr_lock(NULL);
	if (!strcmp(name, "mgr_lock_err"))
		return fpga_mgr_lock(ERR_PTR(-ENODEV));
	if (!strcmp(name, "mgr_unlock_null")) {
		fpga_mgr_unlock(NULL);
		return 0;
	}
	if (!strcmp(name, "mgr_put_null")) {
		fpga_mgr_put(NULL);
		return 0;
	}
	if (!strcmp(name, "mgr_put_err")) {
		fpga_mgr_put(ERR_PTR(-ENODEV));
		return 0;
	}
	if (!strcmp(name, "mgr_load_null_mgr")) {
		struct fpga_image_info *info = fpga_image_info_alloc(&s.faux->dev);

		if (!info)
			return -ENOMEM;
		ret = fpga_mgr_load(NULL, info);
		fpga_image_info_free(info);
		return ret;
	}
	if (!strcmp(name, "bridge_enable_null"))
		return fpga_bridge_enable(NULL);
	if (!strcmp(name, "bridge_put_null")) {
		fpga_bridge_put(NULL);
		return 0;
	}
	if (!strcmp(name, "bridge_put_err")) {
		fpga_bridge_put(ERR_PTR(-ENODEV));
		return 0;
	}
	if (!strcmp(name, "region_program_null"))
		return fpga_region_program_fpga(NULL);
	if (!strcmp(name, "register_fails_in_device_add"))
		return register_fails_in_device_add();

	if (!strncmp(name, "mgr_", 4)) {
		mgr = get_mgr("sim-socfpga");
		if (IS_ERR(mgr))
			return PTR_ERR(mgr);
		ret = 0;
		if (!strcmp(name, "mgr_load_null_info")) {
			ret = fpga_mgr_lock(mgr);
			if (!ret) {
				ret = fpga_mgr_load(mgr, NULL);
				fpga_mgr_unlock(mgr);
			}
		} else if (!strcmp(name, "mgr_unlock_unlocked")) {
			fpga_mgr_unlock(mgr);
		} else if (!strcmp(name, "mgr_double_put")) {
			fpga_mgr_put(mgr);
		} else {
			ret = -EINVAL;
		}
		fpga_mgr_put(mgr);
		return ret;
	}
	if (!strcmp(name, "bridge_double_put")) {
		br = get_bridge("sim-freeze-bridge");
		if (IS_ERR(br))
			return PTR_ERR(br);
		fpga_bridge_put(br);
		fpga_bridge_put(br);
		return 0;
	}
	if (!strcmp(name, "region_without_image") || !strcmp(name, "region_without_manager")) {
		mgr = NULL;
		if (!strcmp(name, "region_without_image")) {
			mgr = get_mgr("sim-socfpga");
			if (IS_ERR(mgr))
				return PTR_ERR(mgr);
		}
		rinfo.mgr = mgr;
		region = fpga_region_register_full(&s.faux->dev, &rinfo);
		if (IS_ERR(region)) {
			ret = PTR_ERR(region);
		} else {
			if (!mgr) {
				/* An image, so that the missing manager is the only fault. */
				region->info = fpga_image_info_alloc(&s.faux->dev);
				if (!region->info) {
					fpga_region_unregister(region);
					return -ENOMEM;
				}
				region->info->firmware_name = devm_kstrdup(&s.faux->dev,
							"fpga-rs/socfpga-valid.rbf", GFP_KERNEL);
			}
			ret = fpga_region_program_fpga(region);
			fpga_image_info_free(region->info);
			region->info = NULL;
			fpga_region_unregister(region);
		}
		if (mgr)
			fpga_mgr_put(mgr);
		return ret;
	}
	return -EINVAL;
}

static ssize_t run_write(struct file *f, const char __user *ubuf, size_t len, loff_t *off)
{
	char buf[192], path[8], device[32], file[96];
	unsigned int offset;
	u32 flags;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	strim(buf);
	if (sscanf(buf, "load %7s %31s %95s %x %u", path, device, file, &flags, &offset) == 5)
		ret = load(path, device, file, flags, offset);
	else
		ret = misuse(buf);
	return ret ?: len;
}

static const struct file_operations run_fops = { .write = run_write };

static int __init bad_input_init(void)
{
	s.faux = faux_device_create("fpga-bad-input", NULL, NULL);
	if (!s.faux)
		return -ENOMEM;
	s.dir = debugfs_create_dir("fpga_bad_input", NULL);
	debugfs_create_file("run", 0200, s.dir, NULL, &run_fops);
	return 0;
}

static void __exit bad_input_exit(void)
{
	debugfs_remove_recursive(s.dir);
	faux_device_destroy(s.faux);
}

module_init(bad_input_init);
module_exit(bad_input_exit);
MODULE_DESCRIPTION("Bad input from a C caller of the FPGA cores, for fpga-rs's tests");
MODULE_LICENSE("GPL");
