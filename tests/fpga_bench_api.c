// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the FPGA cores through their C API, for `make bench`
 * (tools/testing/vm/bench.sh, Documentation/performance.rst): the same module,
 * with the same benchmark-only managers and bridges (registered here, on faux
 * devices of its own), runs on the upstream C core (fpga-mgr.ko, fpga-bridge.ko,
 * fpga-region.ko) and on fpga-rs's (fpga_mgr.ko, fpga_bridge.ko,
 * fpga_region.ko), which export the same symbols.
 *
 * The benchmark-only low-level drivers:
 * - a manager whose ops do nothing (write only: the core's own cost);
 * - two managers that only checksum what they are given, CRC-32 of every byte
 *   (the least work a real driver does to the data), one with write, one with
 *   write_sg (through sg_miter, as a driver that reads the table with the CPU);
 * - a bridge whose enable_set does nothing;
 * - regions registered through the C API (fpga_region_register_full()) whose
 *   get_bridges gets one bridge.
 *
 * Write a command to debugfs fpga_bench_api/cmd; it runs in the writing task
 * (pin it to a CPU with taskset), and debugfs fpga_bench_api/results then
 * holds its figures, a "FIGURE VALUE" line each (errors go to the kernel log,
 * "fpga-rs-bench: ... failed"):
 *
 *   hot            ns per call of each hot C call (figure hot_*), and of
 *                  fpga_mgr_load() of the 4-byte image of hot_region_program
 *                  alone (hot_mgr_load);
 *   scale          ns per get+put of the last-registered manager and bridge
 *                  with N = 1, 10, 100, 1000, 10000 registered (scale_mgr_N,
 *                  scale_bridge_N), and ns per registration of the managers
 *                  and bridges added to reach N (scale_reg_N), and per
 *                  unregistration of those taken away to go from N down to
 *                  N / 10 (scale_unreg_N, newest first);
 *   tput           MB/s (10^6 bytes) of fpga_mgr_load() of 1, 16 and 64 MiB
 *                  images through each path (tput_PATH_SIZE) and of the same
 *                  CRC-32 without the core (limit_buf_SIZE, limit_fw_SIZE);
 *                  the firmware images are fpga-bench-<SIZE>M.bin, which the
 *                  script writes where the firmware loader looks;
 *   par_setup      registers two regions (each with its CRC-32 manager and its
 *                  bridge) and gives their device names (par_region NAME);
 *   par_c SIZE     ns to program both regions with fpga-bench-<SIZE>M.bin one
 *                  after the other, and at the same time from two kernel
 *                  threads on CPUs 0 and 1 (par_c_seq, par_c_par);
 *   par_teardown   unregisters them;
 *   mem_parents N  creates N faux parent devices (and the manager and bridge
 *                  of the regions of mem_register region);
 *   mem_register mgr|bridge|region COUNT   registers one object on each of the
 *                  next COUNT parents;
 *   mem_unregister unregisters them all; mem_parents 0 removes the parents.
 *
 * Read debugfs fpga_bench_api/ns for ktime_get_ns() (the script times
 * configfs and rmmod with it).
 */

#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/device/faux.h>
#include <linux/err.h>
#include <linux/firmware.h>
#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/fpga/fpga-region.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/stdarg.h>
#include <linux/vmalloc.h>

/* How long each figure is timed (the calls are repeated until it has passed). */
static unsigned int window_ms = 30;
module_param(window_ms, uint, 0644);
MODULE_PARM_DESC(window_ms, "minimum time each figure is measured for, in ms");
static unsigned int scale_max = 10000;
module_param(scale_max, uint, 0444);
MODULE_PARM_DESC(scale_max, "largest N of the lookup scaling (a power of 10)");

#define PFX "fpga-rs-bench: "

/* The CRC-32 a checksumming manager computed over what it was given. */
struct crc_sum {
	u32 crc;
	u64 bytes;
};

/* One benchmark object: its parent device and what is registered on it. */
struct obj {
	struct faux_device *parent;
	struct fpga_manager *mgr;
	struct fpga_bridge *br;
	struct fpga_region *region;
	/* A region's: the manager it holds (a get) and its bridge's parent. */
	struct fpga_manager *region_mgr;
	struct device *bridge_parent;
	struct crc_sum sum;
};

/* ---- The benchmark-only low-level drivers ---- */

static int nop_write(struct fpga_manager *mgr, const char *buf, size_t count)
{
	return 0;
}

static const struct fpga_manager_ops nop_mgr_ops = {
	.write = nop_write,
};

static int crc_write(struct fpga_manager *mgr, const char *buf, size_t count)
{
	struct crc_sum *sum = mgr->priv;

	sum->crc = crc32_le(sum->crc, buf, count);
	sum->bytes += count;
	return 0;
}

static int crc_write_sg(struct fpga_manager *mgr, struct sg_table *sgt)
{
	struct crc_sum *sum = mgr->priv;
	struct sg_mapping_iter miter;

	sg_miter_start(&miter, sgt->sgl, sgt->orig_nents, SG_MITER_FROM_SG);
	while (sg_miter_next(&miter)) {
		sum->crc = crc32_le(sum->crc, miter.addr, miter.length);
		sum->bytes += miter.length;
	}
	sg_miter_stop(&miter);
	return 0;
}

static const struct fpga_manager_ops crc_write_ops = {
	.write = crc_write,
};

static const struct fpga_manager_ops crc_write_sg_ops = {
	.write_sg = crc_write_sg,
};

static int nop_enable_set(struct fpga_bridge *br, bool enable)
{
	return 0;
}

static const struct fpga_bridge_ops nop_bridge_ops = {
	.enable_set = nop_enable_set,
};

/* A region's get_bridges: the one bridge of its object. */
static int obj_get_bridges(struct fpga_region *region)
{
	struct obj *o = region->priv;

	return fpga_bridge_get_to_list(o->bridge_parent, region->info, &region->bridge_list);
}

/* ---- Objects ---- */

static atomic_t parent_ids = ATOMIC_INIT(0);

static int obj_parent(struct obj *o)
{
	char name[32];

	snprintf(name, sizeof(name), "fpga-bench-%d", atomic_inc_return(&parent_ids));
	o->parent = faux_device_create(name, NULL, NULL);
	return o->parent ? 0 : -ENOMEM;
}

static int obj_mgr(struct obj *o, const struct fpga_manager_ops *ops)
{
	o->sum.crc = ~0;
	o->mgr = fpga_mgr_register(&o->parent->dev, "fpga-rs bench manager", ops, &o->sum);
	if (IS_ERR(o->mgr)) {
		int ret = PTR_ERR(o->mgr);

		o->mgr = NULL;
		return ret;
	}
	return 0;
}

static int obj_bridge(struct obj *o)
{
	o->br = fpga_bridge_register(&o->parent->dev, "fpga-rs bench bridge", &nop_bridge_ops,
				     NULL);
	if (IS_ERR(o->br)) {
		int ret = PTR_ERR(o->br);

		o->br = NULL;
		return ret;
	}
	return 0;
}

/* A region on @o's parent, programming through @mgr_obj's manager and @br_obj's bridge. */
static int obj_region(struct obj *o, struct obj *mgr_obj, struct obj *br_obj)
{
	struct fpga_region_info info = {
		.get_bridges = obj_get_bridges,
		.priv = o,
	};

	o->region_mgr = fpga_mgr_get(&mgr_obj->parent->dev);
	if (IS_ERR(o->region_mgr)) {
		int ret = PTR_ERR(o->region_mgr);

		o->region_mgr = NULL;
		return ret;
	}
	o->bridge_parent = &br_obj->parent->dev;
	info.mgr = o->region_mgr;
	o->region = fpga_region_register_full(&o->parent->dev, &info);
	if (IS_ERR(o->region)) {
		int ret = PTR_ERR(o->region);

		o->region = NULL;
		fpga_mgr_put(o->region_mgr);
		o->region_mgr = NULL;
		return ret;
	}
	return 0;
}

/* Unregisters what is registered on @o, and removes its parent if @parent_too. */
static void obj_release(struct obj *o, bool parent_too)
{
	if (o->region) {
		fpga_region_unregister(o->region);
		o->region = NULL;
	}
	if (o->region_mgr) {
		fpga_mgr_put(o->region_mgr);
		o->region_mgr = NULL;
	}
	if (o->br) {
		fpga_bridge_unregister(o->br);
		o->br = NULL;
	}
	if (o->mgr) {
		fpga_mgr_unregister(o->mgr);
		o->mgr = NULL;
	}
	if (parent_too && o->parent) {
		faux_device_destroy(o->parent);
		o->parent = NULL;
	}
}

static void objs_release(struct obj *objs, unsigned int n, bool parents_too)
{
	unsigned int i;

	for (i = 0; objs && i < n; i++)
		obj_release(&objs[i], parents_too);
}

/* ---- Results ---- */

/*
 * The figures of the last command, "FIGURE VALUE" lines, read from debugfs
 * results: the kernel log may not keep them (every unregistration of the
 * cores logs a line).
 */
static char results[8192];
static size_t results_len;

static __printf(1, 2) void result(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	results_len += vscnprintf(results + results_len, sizeof(results) - results_len, fmt, args);
	va_end(args);
}

/* ---- Timing ---- */

/*
 * Runs @fn(@arg) in doubling batches until window_ms have passed; returns the
 * ns per call in tenths (the figures are printed with one decimal), or 0 after
 * logging the first error.
 */
static u64 measure(const char *name, int (*fn)(void *), void *arg)
{
	u64 window = (u64)window_ms * NSEC_PER_MSEC, start, elapsed, calls = 0;
	unsigned int batch = 1, i;
	int ret;

	start = ktime_get_ns();
	do {
		for (i = 0; i < batch; i++) {
			ret = fn(arg);
			if (ret) {
				pr_err(PFX "%s failed: %d\n", name, ret);
				return 0;
			}
		}
		calls += batch;
		elapsed = ktime_get_ns() - start;
		if (batch < (1U << 16))
			batch *= 2;
	} while (elapsed < window);
	return div64_u64(elapsed * 10, calls);
}

static void report_tenths(const char *name, u64 tenths)
{
	u32 tenth;
	/* div_u64_rem(): a 64-bit % needs __aeabi_uldivmod on 32-bit ARM. */
	u64 whole = div_u64_rem(tenths, 10, &tenth);

	if (tenths)
		result("%s %llu.%u\n", name, whole, tenth);
}

static void report(const char *name, int (*fn)(void *), void *arg)
{
	report_tenths(name, measure(name, fn, arg));
}

/* ---- hot: every hot C call ---- */

static int mgr_get_put(void *arg)
{
	struct obj *o = arg;
	struct fpga_manager *mgr = fpga_mgr_get(&o->parent->dev);

	if (IS_ERR(mgr))
		return PTR_ERR(mgr);
	fpga_mgr_put(mgr);
	return 0;
}

static int mgr_lock_unlock(void *arg)
{
	struct fpga_manager *mgr = arg;
	int ret = fpga_mgr_lock(mgr);

	if (ret)
		return ret;
	fpga_mgr_unlock(mgr);
	return 0;
}

static int bridge_get_put(void *arg)
{
	struct obj *o = arg;
	struct fpga_bridge *br = fpga_bridge_get(&o->parent->dev, NULL);

	if (IS_ERR(br))
		return PTR_ERR(br);
	fpga_bridge_put(br);
	return 0;
}

static int bridge_enable_disable(void *arg)
{
	struct fpga_bridge *br = arg;
	int ret = fpga_bridge_enable(br);

	return ret ?: fpga_bridge_disable(br);
}

struct mgr_load {
	struct fpga_manager *mgr;
	struct fpga_image_info *info;
};

static int mgr_load(void *arg)
{
	struct mgr_load *l = arg;

	return fpga_mgr_load(l->mgr, l->info);
}

static int match_parent(struct device *dev, const void *data)
{
	return dev->parent == data;
}

static int region_class_find(void *arg)
{
	struct obj *o = arg;
	struct fpga_region *region = fpga_region_class_find(NULL, &o->parent->dev, match_parent);

	if (!region)
		return -ENODEV;
	put_device(&region->dev);
	return 0;
}

static int region_program(void *arg)
{
	struct fpga_region *region = arg;
	int ret = fpga_region_program_fpga(region);

	/* The bridges stay on the list after a programming, as the caller's (dfl-fme-pr). */
	fpga_bridges_put(&region->bridge_list);
	return ret;
}

static int cmd_hot(void)
{
	static const char image[4];
	struct obj objs[3] = {};
	struct obj *mgr = &objs[0], *br = &objs[1], *region = &objs[2];
	struct fpga_image_info *info = NULL;
	struct fpga_manager *held_mgr;
	struct fpga_bridge *held_br;
	int ret, i;

	for (i = 0; i < 3; i++) {
		ret = obj_parent(&objs[i]);
		if (ret)
			goto out;
	}
	ret = obj_mgr(mgr, &nop_mgr_ops) ?: obj_bridge(br) ?: obj_region(region, mgr, br);
	if (ret)
		goto out;

	report("hot_mgr_get_put", mgr_get_put, mgr);
	held_mgr = fpga_mgr_get(&mgr->parent->dev);
	if (IS_ERR(held_mgr)) {
		ret = PTR_ERR(held_mgr);
		goto out;
	}
	report("hot_mgr_lock_unlock", mgr_lock_unlock, held_mgr);
	fpga_mgr_put(held_mgr);

	report("hot_bridge_get_put", bridge_get_put, br);
	held_br = fpga_bridge_get(&br->parent->dev, NULL);
	if (IS_ERR(held_br)) {
		ret = PTR_ERR(held_br);
		goto out;
	}
	report("hot_bridge_enable_disable", bridge_enable_disable, held_br);
	fpga_bridge_put(held_br);

	report("hot_region_class_find", region_class_find, region);

	info = fpga_image_info_alloc(&region->parent->dev);
	if (!info) {
		ret = -ENOMEM;
		goto out;
	}
	info->buf = image;
	info->count = sizeof(image);

	/* The manager's part of a region's programming: a load of a locked manager. */
	held_mgr = fpga_mgr_get(&mgr->parent->dev);
	if (IS_ERR(held_mgr)) {
		ret = PTR_ERR(held_mgr);
		goto out;
	}
	ret = fpga_mgr_lock(held_mgr);
	if (!ret) {
		struct mgr_load load = { held_mgr, info };

		report("hot_mgr_load", mgr_load, &load);
		fpga_mgr_unlock(held_mgr);
	}
	fpga_mgr_put(held_mgr);
	if (ret)
		goto out;

	region->region->info = info;
	report("hot_region_program", region_program, region->region);
	region->region->info = NULL;
out:
	if (info)
		fpga_image_info_free(info);
	for (i = 2; i >= 0; i--)
		obj_release(&objs[i], true);
	return ret;
}

/* ---- scale: lookup at N registered ---- */

static int cmd_scale(void)
{
	unsigned int n = 0, target;
	struct obj *objs;
	char name[32];
	u64 start, el;
	int ret = 0;

	objs = vzalloc(array_size(scale_max, sizeof(*objs)));
	if (!objs)
		return -ENOMEM;
	/* The parents first: only the cores' registrations are timed. */
	for (n = 0; n < scale_max; n++) {
		ret = obj_parent(&objs[n]);
		if (ret)
			goto out;
	}
	n = 0;
	for (target = 1; target <= scale_max; target *= 10) {
		unsigned int from = n;

		start = ktime_get_ns();
		for (; n < target; n++) {
			ret = obj_mgr(&objs[n], &nop_mgr_ops) ?: obj_bridge(&objs[n]);
			if (ret) {
				pr_err(PFX "registration %u failed: %d\n", n, ret);
				goto out;
			}
		}
		el = ktime_get_ns() - start;
		snprintf(name, sizeof(name), "scale_reg_%u", target);
		report_tenths(name, div64_u64(el * 10, n - from));
		snprintf(name, sizeof(name), "scale_mgr_%u", target);
		report(name, mgr_get_put, &objs[n - 1]);
		snprintf(name, sizeof(name), "scale_bridge_%u", target);
		report(name, bridge_get_put, &objs[n - 1]);
		if (target > scale_max / 10)
			break;
	}
	/* Unregistration, newest first, one decade at a time. */
	for (target = scale_max / 10; n > 0; target /= 10) {
		unsigned int from = n;

		snprintf(name, sizeof(name), "scale_unreg_%u", n);
		start = ktime_get_ns();
		for (; n > target; n--)
			obj_release(&objs[n - 1], false);
		el = ktime_get_ns() - start;
		report_tenths(name, div64_u64(el * 10, from - n));
	}
out:
	objs_release(objs, scale_max, true);
	vfree(objs);
	return ret;
}

/* ---- tput: programming throughput against the data-touch limit ---- */

static const unsigned int tput_mib[] = { 1, 16, 64 };
#define TPUT_MAX_MIB 64

struct load_case {
	struct obj *o;
	struct fpga_image_info *info;
};

static int load_once(void *arg)
{
	struct load_case *c = arg;
	int ret;

	c->o->sum.crc = ~0;
	c->o->sum.bytes = 0;
	ret = fpga_mgr_lock(c->o->mgr);
	if (ret)
		return ret;
	ret = fpga_mgr_load(c->o->mgr, c->info);
	fpga_mgr_unlock(c->o->mgr);
	return ret;
}

/* Makes @info describe no image (its device and flags stay). */
static void info_reset(struct fpga_image_info *info)
{
	info->firmware_name = NULL;
	info->sgt = NULL;
	info->buf = NULL;
	info->count = 0;
}

struct crc_case {
	const void *buf;
	size_t size;
	u32 crc;
};

static int crc_once(void *arg)
{
	struct crc_case *c = arg;

	c->crc = crc32_le(~0, c->buf, c->size);
	return 0;
}

/* Reports MB/s of @bytes a call from measure()'s tenths of ns per call. */
static void report_rate(const char *name, u64 bytes, u64 tenths)
{
	report_tenths(name, tenths ? div64_u64(bytes * 100000, tenths) : 0);
}

/* Times the loads of @c of @bytes; checks the driver saw every byte with CRC @crc. */
static int tput_one(const char *path, unsigned int mib, struct load_case *c, u64 bytes, u32 crc)
{
	char name[40];
	u64 tenths;

	snprintf(name, sizeof(name), "tput_%s_%u", path, mib);
	tenths = measure(name, load_once, c);
	if (!tenths)
		return -EIO;
	if (c->o->sum.crc != crc || c->o->sum.bytes != bytes) {
		pr_err(PFX "%s: the driver got %llu bytes with CRC %08x, not %llu with %08x\n",
		       name, c->o->sum.bytes, c->o->sum.crc, bytes, crc);
		return -EIO;
	}
	report_rate(name, bytes, tenths);
	return 0;
}

struct fw_case {
	const char *name;
	struct device *dev;
	u32 crc;
};

static int fw_crc_once(void *arg)
{
	struct fw_case *c = arg;
	const struct firmware *fw;
	int ret = request_firmware(&fw, c->name, c->dev);

	if (ret)
		return ret;
	c->crc = crc32_le(~0, fw->data, fw->size);
	release_firmware(fw);
	return 0;
}

static int sgt_of_vmalloc(struct sg_table *sgt, void *buf, size_t size)
{
	unsigned int i, nr = size >> PAGE_SHIFT;
	struct page **pages;
	int ret;

	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		pages[i] = vmalloc_to_page(buf + ((size_t)i << PAGE_SHIFT));
	ret = sg_alloc_table_from_pages(sgt, pages, nr, 0, size, GFP_KERNEL);
	kvfree(pages);
	return ret;
}

static int cmd_tput(void)
{
	struct obj objs[2] = {};
	struct obj *w = &objs[0], *sg = &objs[1];
	struct fpga_image_info *info = NULL;
	struct sg_table sgt = {};
	u64 x = 0x9e3779b97f4a7c15ULL, *p;
	size_t max = (size_t)TPUT_MAX_MIB << 20, i;
	char fw_name[32], name[32];
	struct fw_case fw_limit;
	unsigned int k;
	u64 tenths;
	void *buf;
	int ret;

	buf = vmalloc(max);
	if (!buf)
		return -ENOMEM;
	/* Bytes that are not all alike (xorshift64). */
	for (p = buf, i = 0; i < max / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
	ret = obj_parent(w) ?: obj_parent(sg) ?: obj_mgr(w, &crc_write_ops) ?:
	      obj_mgr(sg, &crc_write_sg_ops);
	if (ret)
		goto out;
	info = fpga_image_info_alloc(&w->parent->dev);
	if (!info) {
		ret = -ENOMEM;
		goto out;
	}
	for (k = 0; k < ARRAY_SIZE(tput_mib); k++) {
		unsigned int mib = tput_mib[k];
		size_t size = (size_t)mib << 20;
		struct load_case to_w = { w, info }, to_sg = { sg, info };
		struct crc_case limit = { buf, size };
		u32 crc;

		/* The limit: the same CRC-32 over the same bytes, without the core. */
		snprintf(name, sizeof(name), "limit_buf_%u", mib);
		report_rate(name, size, measure(name, crc_once, &limit));
		crc = limit.crc;

		info_reset(info);
		info->buf = buf;
		info->count = size;
		ret = tput_one("buf_write", mib, &to_w, size, crc) ?:
		      tput_one("buf_write_sg", mib, &to_sg, size, crc);
		if (ret)
			goto out;

		ret = sgt_of_vmalloc(&sgt, buf, size);
		if (ret)
			goto out;
		info_reset(info);
		info->sgt = &sgt;
		ret = tput_one("sg_write", mib, &to_w, size, crc) ?:
		      tput_one("sg_write_sg", mib, &to_sg, size, crc);
		sg_free_table(&sgt);
		if (ret)
			goto out;

		/* The firmware path's limit: the same request, CRC-32 and release, no core. */
		snprintf(fw_name, sizeof(fw_name), "fpga-bench-%uM.bin", mib);
		snprintf(name, sizeof(name), "limit_fw_%u", mib);
		fw_limit.name = fw_name;
		fw_limit.dev = &w->parent->dev;
		tenths = measure(name, fw_crc_once, &fw_limit);
		if (!tenths) {
			ret = -EIO;
			goto out;
		}
		report_rate(name, size, tenths);
		crc = fw_limit.crc;

		/* Not devres: set back to NULL before the info is freed. */
		info_reset(info);
		info->firmware_name = fw_name;
		ret = tput_one("fw_write", mib, &to_w, size, crc) ?:
		      tput_one("fw_write_sg", mib, &to_sg, size, crc);
		info_reset(info);
		if (ret)
			goto out;
	}
out:
	if (info)
		fpga_image_info_free(info);
	objs_release(objs, 2, true);
	vfree(buf);
	return ret;
}

/* ---- par: two regions programmed at the same time ---- */

/* Two regions (objs 0, 1), each with a CRC-32 manager (2, 3) and a bridge (4, 5). */
static struct obj par_objs[6];
static bool par_ready;

struct par_job {
	struct fpga_region *region;
	const char *fw_name;
	struct completion *go;
	struct completion done;
	int ret;
};

static int par_program(struct fpga_region *region, const char *fw_name)
{
	struct fpga_image_info *info = fpga_image_info_alloc(region->dev.parent);
	int ret;

	if (!info)
		return -ENOMEM;
	info->firmware_name = devm_kstrdup(info->dev, fw_name, GFP_KERNEL);
	if (!info->firmware_name) {
		fpga_image_info_free(info);
		return -ENOMEM;
	}
	region->info = info;
	ret = fpga_region_program_fpga(region);
	fpga_bridges_put(&region->bridge_list);
	region->info = NULL;
	/* Frees the name too (devres of info->dev, as the C API requires). */
	fpga_image_info_free(info);
	return ret;
}

static int par_thread(void *arg)
{
	struct par_job *job = arg;

	wait_for_completion(job->go);
	job->ret = par_program(job->region, job->fw_name);
	complete(&job->done);
	return 0;
}

static int cmd_par_setup(void)
{
	int ret = 0, i;

	if (par_ready)
		return -EBUSY;
	for (i = 0; i < 6 && !ret; i++)
		ret = obj_parent(&par_objs[i]);
	for (i = 0; i < 2 && !ret; i++)
		ret = obj_mgr(&par_objs[2 + i], &crc_write_ops) ?: obj_bridge(&par_objs[4 + i]) ?:
		      obj_region(&par_objs[i], &par_objs[2 + i], &par_objs[4 + i]);
	if (ret) {
		objs_release(par_objs, 6, true);
		return ret;
	}
	par_ready = true;
	for (i = 0; i < 2; i++)
		result("par_region %s\n", dev_name(&par_objs[i].region->dev));
	return 0;
}

static void cmd_par_teardown(void)
{
	int i;

	for (i = 0; i < 6; i++)
		obj_release(&par_objs[i], true);
	par_ready = false;
}

static int cmd_par_c(unsigned int mib)
{
	DECLARE_COMPLETION_ONSTACK(go);
	struct par_job jobs[2] = {};
	struct task_struct *t[2];
	char fw_name[32];
	u64 start, el;
	int ret = 0, i;

	if (!par_ready)
		return -ENODEV;
	snprintf(fw_name, sizeof(fw_name), "fpga-bench-%uM.bin", mib);

	start = ktime_get_ns();
	for (i = 0; i < 2 && !ret; i++)
		ret = par_program(par_objs[i].region, fw_name);
	el = ktime_get_ns() - start;
	if (ret) {
		pr_err(PFX "par_c_seq failed: %d\n", ret);
		return ret;
	}
	result("par_c_seq %llu\n", el);

	for (i = 0; i < 2; i++) {
		jobs[i].region = par_objs[i].region;
		jobs[i].fw_name = fw_name;
		jobs[i].go = &go;
		init_completion(&jobs[i].done);
		t[i] = kthread_create_on_cpu(par_thread, &jobs[i], i, "fpga_bench_par/%u");
		if (IS_ERR(t[i])) {
			ret = PTR_ERR(t[i]);
			/* Lets a thread already made run, and waits for it. */
			complete_all(&go);
			while (--i >= 0) {
				wake_up_process(t[i]);
				wait_for_completion(&jobs[i].done);
			}
			return ret;
		}
	}
	for (i = 0; i < 2; i++)
		wake_up_process(t[i]);
	start = ktime_get_ns();
	complete_all(&go);
	for (i = 0; i < 2; i++)
		wait_for_completion(&jobs[i].done);
	el = ktime_get_ns() - start;
	for (i = 0; i < 2; i++) {
		if (jobs[i].ret) {
			pr_err(PFX "par_c_par failed: %d\n", jobs[i].ret);
			return jobs[i].ret;
		}
	}
	result("par_c_par %llu\n", el);
	return 0;
}

/* ---- mem: bytes per registered object ---- */

static struct obj *mem_objs;
/* Parents made, and parents with an object registered (the first mem_used). */
static unsigned int mem_n, mem_used;
/* The manager and bridge of the regions of mem_register region, registered with the parents. */
static struct obj mem_region_mgr, mem_region_bridge;

static void mem_unregister(void)
{
	objs_release(mem_objs, mem_n, false);
	mem_used = 0;
}

static int cmd_mem_parents(unsigned int n)
{
	unsigned int i;
	int ret;

	mem_unregister();
	objs_release(mem_objs, mem_n, true);
	vfree(mem_objs);
	mem_objs = NULL;
	mem_n = 0;
	obj_release(&mem_region_mgr, true);
	obj_release(&mem_region_bridge, true);
	if (!n)
		return 0;
	mem_objs = vzalloc(array_size(n, sizeof(*mem_objs)));
	if (!mem_objs)
		return -ENOMEM;
	ret = obj_parent(&mem_region_mgr) ?: obj_parent(&mem_region_bridge) ?:
	      obj_mgr(&mem_region_mgr, &nop_mgr_ops) ?: obj_bridge(&mem_region_bridge);
	for (i = 0; i < n && !ret; i++)
		ret = obj_parent(&mem_objs[i]);
	mem_n = i;
	return ret;
}

/* Registers @count objects of @kind on the next parents. */
static int cmd_mem_register(const char *kind, unsigned int count)
{
	unsigned int i, end = mem_used + count;
	int ret = 0;

	if (end > mem_n || end < mem_used)
		return -ENOSPC;
	for (i = mem_used; i < end && !ret; i++) {
		if (!strcmp(kind, "region"))
			ret = obj_region(&mem_objs[i], &mem_region_mgr, &mem_region_bridge);
		else if (!strcmp(kind, "mgr"))
			ret = obj_mgr(&mem_objs[i], &nop_mgr_ops);
		else if (!strcmp(kind, "bridge"))
			ret = obj_bridge(&mem_objs[i]);
		else
			ret = -EINVAL;
	}
	mem_used = end;
	if (ret)
		mem_unregister();
	return ret;
}

/* ---- debugfs ---- */

static struct dentry *dir;
static DEFINE_MUTEX(cmd_lock);

static ssize_t cmd_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[64], arg[16] = "";
	unsigned int n = 0, count = 0;
	char cmd[24];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%23s %15s %u", cmd, arg, &count) < 1)
		return -EINVAL;
	if (arg[0] && kstrtouint(arg, 10, &n))
		n = 0;

	mutex_lock(&cmd_lock);
	results_len = 0;
	results[0] = '\0';
	if (!strcmp(cmd, "hot"))
		ret = cmd_hot();
	else if (!strcmp(cmd, "scale"))
		ret = cmd_scale();
	else if (!strcmp(cmd, "tput"))
		ret = cmd_tput();
	else if (!strcmp(cmd, "par_setup"))
		ret = cmd_par_setup();
	else if (!strcmp(cmd, "par_c"))
		ret = cmd_par_c(n ?: 16);
	else if (!strcmp(cmd, "par_teardown"))
		ret = (cmd_par_teardown(), 0);
	else if (!strcmp(cmd, "mem_parents"))
		ret = cmd_mem_parents(n);
	else if (!strcmp(cmd, "mem_register"))
		ret = cmd_mem_register(arg, count);
	else if (!strcmp(cmd, "mem_unregister"))
		ret = (mem_unregister(), 0);
	else
		ret = -EINVAL;
	mutex_unlock(&cmd_lock);
	if (ret)
		pr_err(PFX "%s failed: %d\n", cmd, ret);
	return ret ?: len;
}

static const struct file_operations cmd_fops = {
	.owner = THIS_MODULE,
	.write = cmd_write,
};

static ssize_t results_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&cmd_lock);
	ret = simple_read_from_buffer(ubuf, len, ppos, results, results_len);
	mutex_unlock(&cmd_lock);
	return ret;
}

static const struct file_operations results_fops = {
	.owner = THIS_MODULE,
	.read = results_read,
};

static int ns_get(void *data, u64 *val)
{
	*val = ktime_get_ns();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ns_fops, ns_get, NULL, "%llu\n");

static int __init fpga_bench_api_init(void)
{
	dir = debugfs_create_dir("fpga_bench_api", NULL);
	debugfs_create_file("cmd", 0200, dir, NULL, &cmd_fops);
	debugfs_create_file("results", 0400, dir, NULL, &results_fops);
	debugfs_create_file_unsafe("ns", 0444, dir, NULL, &ns_fops);
	return 0;
}

static void __exit fpga_bench_api_exit(void)
{
	debugfs_remove_recursive(dir);
	cmd_par_teardown();
	cmd_mem_parents(0);
}

module_init(fpga_bench_api_init);
module_exit(fpga_bench_api_exit);
MODULE_DESCRIPTION("Benchmarks of the FPGA cores through the C API, for fpga-rs's make bench");
MODULE_LICENSE("GPL");
