// SPDX-License-Identifier: GPL-2.0
/*
 * Stress of an FPGA core through its C API, as C callers use it: kernel
 * threads loop, from insmod to rmmod,
 *
 * - get / lock / load / unlock / put of the manager of a low-level device
 *   (fpga_mgr_get() of the device found by name, fpga_mgr_lock(),
 *   fpga_mgr_load() of a firmware image from memory, fpga_mgr_unlock(),
 *   fpga_mgr_put()), and
 * - get / disable / enable / put of the bridge of another (fpga_bridge_get(),
 *   fpga_bridge_disable(), fpga_bridge_enable(), fpga_bridge_put()),
 * - with regions=1, the programming of a region that the thread registers
 *   through the C API each round, as C region users (dfl-fme-region) do:
 *   of_fpga_mgr_get() of the manager of region_mgr, fpga_region_register_full()
 *   with a get_bridges that gets the bridge of region_bridge,
 *   fpga_region_program_fpga(), fpga_region_unregister(), fpga_mgr_put(); and
 *   the apply / remove of the overlay overlay, which programs a device-tree
 *   region through of-fpga-region's notifier (of_overlay_fdt_apply(),
 *   of_overlay_remove()),
 * while the test loads and removes the low-level modules. Every outcome is
 * counted. Success, -ENODEV (the device or its module is going or gone) and
 * -EBUSY (another thread holds the manager locked or the bridge) are what a
 * caller must expect; anything else is counted as unexpected and logged.
 *
 * debugfs, in fpga_stress/:
 *   stats   one line per kind of thread ("mgr", "bridge", "region",
 *           "overlay"), "<kind> ok=N enodev=N ebusy=N unexpected=N", where
 *           ok counts whole successful rounds (for the manager and the
 *           regions: with a programming);
 *   pause   write 1: each thread finishes its round and parks; 0: they go on;
 *   parked  the number of parked threads (all of them: nothing is in use).
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/device/faux.h>
#include <linux/err.h>
#include <linux/firmware.h>
#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/fpga/fpga-region.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/sched.h>

static char *mgr_device = "sim-socfpga";
module_param(mgr_device, charp, 0444);
MODULE_PARM_DESC(mgr_device, "the low-level device (faux bus) whose manager the threads program");
static char *bridge_device = "sim-freeze-bridge";
module_param(bridge_device, charp, 0444);
MODULE_PARM_DESC(bridge_device, "the low-level device (faux bus) whose bridge the threads toggle");
static char *image = "fpga-rs/socfpga-valid.rbf";
module_param(image, charp, 0444);
MODULE_PARM_DESC(image, "the firmware image the manager threads load");
static unsigned int threads = 2;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "threads of each kind");
static bool regions;
module_param(regions, bool, 0444);
MODULE_PARM_DESC(regions, "also program a region of the C API and apply overlay, a thread each");
static char *region_mgr = "/fpga-rs-sim/socfpga-fpga-mgr";
module_param(region_mgr, charp, 0444);
MODULE_PARM_DESC(region_mgr, "the device-tree node of the manager of the C API's region");
static char *region_bridge = "/fpga-rs-sim/freeze-bridge";
module_param(region_bridge, charp, 0444);
MODULE_PARM_DESC(region_bridge, "the device-tree node of the bridge of the C API's region");
static char *overlay = "fpga-rs/sim-zynq-image.dtbo";
module_param(overlay, charp, 0444);
MODULE_PARM_DESC(overlay, "the overlay applied and removed (it must program another region)");

#define MAX_THREADS 8

struct counts {
	atomic_t ok, enodev, ebusy, unexpected;
};

static struct {
	struct faux_device *faux;
	const struct firmware *fw, *ovl;
	struct task_struct *task[2 * MAX_THREADS + 2];
	struct counts mgr, bridge, region, overlay;
	struct dentry *dir;
	bool paused;
	atomic_t parked;
} s;

/* Between rounds: park while the test asks for it. */
static void park_if_paused(void)
{
	if (!READ_ONCE(s.paused))
		return;
	atomic_inc(&s.parked);
	while (READ_ONCE(s.paused) && !kthread_should_stop())
		msleep(5);
	atomic_dec(&s.parked);
}

/* Counts a failed step; returns true for the errnos a caller must expect. */
static bool count_error(struct counts *c, const char *step, int err)
{
	if (err == -ENODEV) {
		atomic_inc(&c->enodev);
		return true;
	}
	if (err == -EBUSY) {
		atomic_inc(&c->ebusy);
		return true;
	}
	atomic_inc(&c->unexpected);
	pr_err_ratelimited("fpga_stress: %s failed with %d\n", step, err);
	return false;
}

/* The low-level device named @name, with a reference, or NULL while it is not there. */
static struct device *lowlevel(const char *name)
{
	return bus_find_device_by_name(s.faux->dev.bus, NULL, name);
}

static void mgr_round(struct fpga_image_info *info)
{
	struct device *dev = lowlevel(mgr_device);
	struct fpga_manager *mgr;
	int ret;

	if (!dev) {
		atomic_inc(&s.mgr.enodev);
		return;
	}
	mgr = fpga_mgr_get(dev);
	put_device(dev);
	if (IS_ERR(mgr)) {
		count_error(&s.mgr, "fpga_mgr_get", PTR_ERR(mgr));
		return;
	}
	ret = fpga_mgr_lock(mgr);
	if (ret) {
		count_error(&s.mgr, "fpga_mgr_lock", ret);
	} else {
		ret = fpga_mgr_load(mgr, info);
		fpga_mgr_unlock(mgr);
		if (ret)
			count_error(&s.mgr, "fpga_mgr_load", ret);
		else
			atomic_inc(&s.mgr.ok);
	}
	fpga_mgr_put(mgr);
}

static void bridge_round(void)
{
	struct device *dev = lowlevel(bridge_device);
	struct fpga_bridge *br;
	int ret;

	if (!dev) {
		atomic_inc(&s.bridge.enodev);
		return;
	}
	br = fpga_bridge_get(dev, NULL);
	put_device(dev);
	if (IS_ERR(br)) {
		count_error(&s.bridge, "fpga_bridge_get", PTR_ERR(br));
		return;
	}
	ret = fpga_bridge_disable(br);
	if (!ret)
		ret = fpga_bridge_enable(br);
	if (ret)
		count_error(&s.bridge, "fpga_bridge_disable/enable", ret);
	else
		atomic_inc(&s.bridge.ok);
	fpga_bridge_put(br);
}

/* The C API region's get_bridges: the bridge of region_bridge. */
static int region_get_bridges(struct fpga_region *region)
{
	struct device_node *np = of_find_node_by_path(region_bridge);
	int ret;

	if (!np)
		return -ENODEV;
	ret = of_fpga_bridge_get_to_list(np, region->info, &region->bridge_list);
	of_node_put(np);
	return ret;
}

/* Registers a region through the C API, programs it and unregisters it. */
static void region_round(void)
{
	struct fpga_region_info rinfo = { .get_bridges = region_get_bridges };
	struct device_node *np = of_find_node_by_path(region_mgr);
	struct fpga_image_info *info;
	struct fpga_region *region;
	int ret;

	if (!np) {
		atomic_inc(&s.region.enodev);
		return;
	}
	rinfo.mgr = of_fpga_mgr_get(np);
	of_node_put(np);
	if (IS_ERR(rinfo.mgr)) {
		count_error(&s.region, "of_fpga_mgr_get", PTR_ERR(rinfo.mgr));
		return;
	}
	region = fpga_region_register_full(&s.faux->dev, &rinfo);
	if (IS_ERR(region)) {
		count_error(&s.region, "fpga_region_register_full", PTR_ERR(region));
		goto put;
	}
	info = fpga_image_info_alloc(&s.faux->dev);
	if (!info) {
		count_error(&s.region, "fpga_image_info_alloc", -ENOMEM);
		goto unregister;
	}
	info->buf = s.fw->data;
	info->count = s.fw->size;
	region->info = info;
	ret = fpga_region_program_fpga(region);
	region->info = NULL;
	fpga_image_info_free(info);
	if (ret)
		count_error(&s.region, "fpga_region_program_fpga", ret);
	else
		atomic_inc(&s.region.ok);
unregister:
	fpga_region_unregister(region);
put:
	fpga_mgr_put(rinfo.mgr);
}

/* Applies the overlay, which programs its region, and removes it again. */
static void overlay_round(void)
{
	int id = 0, ret;

	ret = of_overlay_fdt_apply(s.ovl->data, s.ovl->size, &id, NULL);
	if (ret) {
		count_error(&s.overlay, "of_overlay_fdt_apply", ret);
		if (id > 0)
			of_overlay_remove(&id);
		return;
	}
	ret = of_overlay_remove(&id);
	if (ret)
		count_error(&s.overlay, "of_overlay_remove", ret);
	else
		atomic_inc(&s.overlay.ok);
}

/* A thread's loop: @round until the thread is stopped, below the shell's priority. */
static int loop(void (*round)(void))
{
	set_user_nice(current, 19);
	while (!kthread_should_stop()) {
		round();
		cond_resched();
		park_if_paused();
	}
	return 0;
}

static int bridge_thread(void *unused)
{
	return loop(bridge_round);
}

static int region_thread(void *unused)
{
	return loop(region_round);
}

static int overlay_thread(void *unused)
{
	return loop(overlay_round);
}

static int mgr_thread(void *unused)
{
	struct fpga_image_info *info = fpga_image_info_alloc(&s.faux->dev);

	if (!info) {
		atomic_inc(&s.mgr.unexpected);
		pr_err("fpga_stress: fpga_image_info_alloc failed\n");
	} else {
		info->buf = s.fw->data;
		info->count = s.fw->size;
	}
	/* Below the shell that loads and removes the modules. */
	set_user_nice(current, 19);
	while (!kthread_should_stop()) {
		if (info)
			mgr_round(info);
		cond_resched();
		park_if_paused();
	}
	if (info)
		fpga_image_info_free(info);
	return 0;
}



static void show_counts(struct seq_file *m, const char *kind, struct counts *c)
{
	seq_printf(m, "%s ok=%d enodev=%d ebusy=%d unexpected=%d\n", kind, atomic_read(&c->ok),
		   atomic_read(&c->enodev), atomic_read(&c->ebusy), atomic_read(&c->unexpected));
}

static int stats_show(struct seq_file *m, void *unused)
{
	show_counts(m, "mgr", &s.mgr);
	show_counts(m, "bridge", &s.bridge);
	if (regions) {
		show_counts(m, "region", &s.region);
		show_counts(m, "overlay", &s.overlay);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static ssize_t pause_write(struct file *f, const char __user *buf, size_t len, loff_t *off)
{
	bool pause;
	int ret = kstrtobool_from_user(buf, len, &pause);

	if (ret)
		return ret;
	WRITE_ONCE(s.paused, pause);
	return len;
}

static const struct file_operations pause_fops = { .write = pause_write };

static void stop_threads(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(s.task); i++) {
		if (s.task[i])
			kthread_stop(s.task[i]);
		s.task[i] = NULL;
	}
}

static int __init stress_init(void)
{
	unsigned int i;
	int ret;

	if (!threads || threads > MAX_THREADS)
		return -EINVAL;
	s.faux = faux_device_create("fpga-stress", NULL, NULL);
	if (!s.faux)
		return -ENOMEM;
	ret = request_firmware(&s.fw, image, &s.faux->dev);
	if (ret)
		goto err_faux;
	if (regions) {
		ret = request_firmware(&s.ovl, overlay, &s.faux->dev);
		if (ret)
			goto err_fw;
		s.task[2 * threads] = kthread_run(region_thread, NULL, "fpga-stress-region");
		s.task[2 * threads + 1] = kthread_run(overlay_thread, NULL, "fpga-stress-overlay");
		for (i = 2 * threads; i < 2 * threads + 2; i++) {
			if (IS_ERR(s.task[i])) {
				ret = PTR_ERR(s.task[i]);
				s.task[i] = NULL;
				goto err_threads;
			}
		}
	}
	for (i = 0; i < 2 * threads; i++) {
		struct task_struct *t = kthread_run(i < threads ? mgr_thread : bridge_thread, NULL,
						    "fpga-stress-%u", i);

		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			goto err_threads;
		}
		s.task[i] = t;
	}
	s.dir = debugfs_create_dir("fpga_stress", NULL);
	debugfs_create_file("stats", 0444, s.dir, NULL, &stats_fops);
	debugfs_create_file("pause", 0200, s.dir, NULL, &pause_fops);
	debugfs_create_atomic_t("parked", 0444, s.dir, &s.parked);
	return 0;

err_threads:
	stop_threads();
	release_firmware(s.ovl);
err_fw:
	release_firmware(s.fw);
err_faux:
	faux_device_destroy(s.faux);
	return ret;
}

static void __exit stress_exit(void)
{
	debugfs_remove_recursive(s.dir);
	stop_threads();
	release_firmware(s.ovl);
	release_firmware(s.fw);
	faux_device_destroy(s.faux);
}

module_init(stress_init);
module_exit(stress_exit);
MODULE_DESCRIPTION("Stress of the FPGA cores through their C API");
MODULE_LICENSE("GPL");
