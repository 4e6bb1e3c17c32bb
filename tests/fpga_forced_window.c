// SPDX-License-Identifier: GPL-2.0
/*
 * The LKML race between looking an FPGA manager or bridge up and pinning its
 * driver's module, forced open: a task that gets the manager (or bridge) of a
 * low-level device is held at a probe point, preempted, while the test removes
 * the low-level module on the other CPU, and then let go on.
 *
 * It uses only kernel facilities, no hook in any core, so the same module
 * runs on the upstream C core and on fpga-rs:
 *
 * - a kprobe at the entry of @probe, armed for the getter task only, raises an
 *   irq_work (a self-interrupt: the probe handler runs in an exception, where
 *   waking a task is not allowed) that wakes a SCHED_FIFO "holder" thread on
 *   the getter's CPU;
 * - the getter is a SCHED_FIFO thread of lower priority bound to that CPU, so
 *   on a kernel with full preemption it is preempted when that interrupt
 *   returns, at the probed point if preemption is enabled there, and cannot
 *   run (nor migrate) until the holder stops;
 * - the holder spins, preemptible, until the test releases it (or 60 s pass).
 *
 * Upstream's get is held at the entry of try_module_get(mgr->mops_owner),
 * after class_find_device() found the manager: the window. fpga-rs looks up
 * and pins under one spinlock, where no preemption is possible: held at the
 * entry of the get (the nearest point before), the removal completes and the
 * get must fail cleanly; held at try_module_get(), the preemption can only
 * take effect after the critical section, when the get has pinned the
 * module, so the removal must be refused.
 *
 * debugfs, in fpga_forced_window/:
 *   start    write 1: start the getter thread (one get per load of the module)
 *   state    "waiting" until the probe held the getter, "held" while it is,
 *            then "done <errno or 0>" once the get returned (a success is put
 *            at once); "missed" if the get returned before the holder ran
 *   release  write 1: let the getter go on
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/device/faux.h>
#include <linux/err.h>
#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/fpga/fpga-region.h>
#include <linux/irq_work.h>
#include <linux/kmemleak.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static char *kind = "mgr";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "what the getter does: mgr (fpga_mgr_get), bridge (fpga_bridge_get) or "
		 "region (fpga_region_program_fpga of the region found by its parent)");
static char *device = "sim-socfpga";
module_param(device, charp, 0444);
MODULE_PARM_DESC(device, "the device (on the faux bus) whose manager, bridge or region to use");
static char *probe = "try_module_get";
module_param(probe, charp, 0444);
MODULE_PARM_DESC(probe, "the function at whose entry the get is held");

#define HOLD_LIMIT_MS 60000

enum state { WAITING, HELD, DONE, MISSED };

static struct {
	struct faux_device *faux;
	struct device *lowlevel;
	struct task_struct *getter, *holder;
	/* The object the getter gets, and the image info it gives a region. */
	void *object;
	struct fpga_image_info *info;
	struct dentry *dir;
	atomic_t state;
	bool started, fired, released;
	int result;
} w;

static void wake_holder(struct irq_work *work)
{
	wake_up_process(w.holder);
}

static DEFINE_IRQ_WORK(wake_work, wake_holder);

/* The probe, in the getter only: have the holder woken, which preempts the getter. */
static int on_entry(struct kprobe *p, struct pt_regs *regs)
{
	if (current != w.getter || READ_ONCE(w.fired))
		return 0;
	WRITE_ONCE(w.fired, true);
	irq_work_queue(&wake_work);
	return 0;
}

static struct kprobe kp = { .pre_handler = on_entry };

/* The holder: the higher-priority task on the getter's CPU, spinning preemptibly. */
static int holder_fn(void *unused)
{
	unsigned long deadline;

	set_current_state(TASK_INTERRUPTIBLE);
	while (!READ_ONCE(w.fired) && !kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	if (kthread_should_stop())
		return 0;
	/* The getter is preempted now, or has already returned (the window was missed). */
	if (atomic_cmpxchg(&w.state, WAITING, HELD) != WAITING)
		goto out;
	deadline = jiffies + msecs_to_jiffies(HOLD_LIMIT_MS);
	while (!READ_ONCE(w.released) && time_before(jiffies, deadline))
		cpu_relax();
	if (!READ_ONCE(w.released))
		pr_err("fpga_forced_window: not released within %d ms, letting the get go on\n",
		       HOLD_LIMIT_MS);
out:
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int match_parent(struct device *dev, const void *data)
{
	return dev->parent == data;
}

/* Programs the region of @parent with an image info of no image: it fails after the get. */
static int program_region(struct device *parent)
{
	struct fpga_region *region = fpga_region_class_find(NULL, parent, match_parent);
	struct fpga_image_info *info;
	int ret;

	if (!region)
		return -ENODEV;
	info = fpga_image_info_alloc(&w.faux->dev);
	if (!info) {
		put_device(&region->dev);
		return -ENOMEM;
	}
	WRITE_ONCE(w.info, info);
	region->info = info;
	ret = fpga_region_program_fpga(region);
	region->info = NULL;
	fpga_image_info_free(info);
	put_device(&region->dev);
	return ret;
}

static int getter_fn(void *unused)
{
	int ret;

	if (!strcmp(kind, "region")) {
		ret = program_region(w.lowlevel);
	} else if (!strcmp(kind, "bridge")) {
		struct fpga_bridge *br = fpga_bridge_get(w.lowlevel, NULL);

		ret = PTR_ERR_OR_ZERO(br);
		if (!ret)
			fpga_bridge_put(br);
	} else {
		struct fpga_manager *mgr = fpga_mgr_get(w.lowlevel);

		ret = PTR_ERR_OR_ZERO(mgr);
		if (!ret)
			fpga_mgr_put(mgr);
	}
	WRITE_ONCE(w.result, ret);
	pr_info("fpga_forced_window: the %s get %s, returned %d\n", kind,
		READ_ONCE(w.fired) ? "was held" : "was never held", ret);
	/* A get that returns before the holder ran missed the window. */
	if (atomic_cmpxchg(&w.state, HELD, DONE) == WAITING)
		atomic_set(&w.state, MISSED);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static ssize_t start_write(struct file *f, const char __user *buf, size_t len, loff_t *off)
{
	if (w.started)
		return -EALREADY;
	w.started = true;
	wake_up_process(w.getter);
	return len;
}

static ssize_t release_write(struct file *f, const char __user *buf, size_t len, loff_t *off)
{
	WRITE_ONCE(w.released, true);
	return len;
}

static int state_show(struct seq_file *s, void *unused)
{
	switch (atomic_read(&w.state)) {
	case WAITING:
		seq_puts(s, "waiting\n");
		break;
	case HELD:
		seq_puts(s, "held\n");
		break;
	case MISSED:
		seq_puts(s, "missed\n");
		break;
	default:
		seq_printf(s, "done %d\n", READ_ONCE(w.result));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

static const struct file_operations start_fops = { .write = start_write };
static const struct file_operations release_fops = { .write = release_write };

/*
 * Both threads on CPU 0, FIFO, the holder (sched_set_fifo()) above the getter
 * (sched_set_fifo_low()). Each is referenced until it is stopped: on the
 * upstream core the getter may die in an oops.
 */
static struct task_struct *pinned_thread(int (*fn)(void *), const char *name, bool high)
{
	struct task_struct *t = kthread_create(fn, NULL, "%s", name);

	if (IS_ERR(t))
		return t;
	kthread_bind(t, 0);
	if (high)
		sched_set_fifo(t);
	else
		sched_set_fifo_low(t);
	get_task_struct(t);
	return t;
}

static void stop_thread(struct task_struct *t)
{
	kthread_stop(t);
	put_task_struct(t);
}

/*
 * The object the getter will get, looked up the same way beforehand (and put):
 * if the getter dies in the window (the upstream core's oops), what it held is
 * never put, and is told to kmemleak as expected.
 */
static void *find_object(void)
{
	void *obj = NULL;

	if (!strcmp(kind, "region")) {
		struct fpga_region *region = fpga_region_class_find(NULL, w.lowlevel, match_parent);

		if (region) {
			obj = region;
			put_device(&region->dev);
		}
	} else if (!strcmp(kind, "bridge")) {
		struct fpga_bridge *br = fpga_bridge_get(w.lowlevel, NULL);

		if (!IS_ERR(br)) {
			obj = br;
			fpga_bridge_put(br);
		}
	} else {
		struct fpga_manager *mgr = fpga_mgr_get(w.lowlevel);

		if (!IS_ERR(mgr)) {
			obj = mgr;
			fpga_mgr_put(mgr);
		}
	}
	return obj;
}

static int __init forced_window_init(void)
{
	int ret;

	if (num_online_cpus() < 2) {
		pr_err("fpga_forced_window: needs two CPUs\n");
		return -EINVAL;
	}
	w.faux = faux_device_create("fpga-forced-window", NULL, NULL);
	if (!w.faux)
		return -ENOMEM;
	w.lowlevel = bus_find_device_by_name(w.faux->dev.bus, NULL, device);
	if (!w.lowlevel) {
		pr_err("fpga_forced_window: no device %s\n", device);
		ret = -ENODEV;
		goto err_faux;
	}
	w.object = find_object();
	w.holder = pinned_thread(holder_fn, "fpga-window-holder", true);
	if (IS_ERR(w.holder)) {
		ret = PTR_ERR(w.holder);
		goto err_dev;
	}
	w.getter = pinned_thread(getter_fn, "fpga-window-getter", false);
	if (IS_ERR(w.getter)) {
		ret = PTR_ERR(w.getter);
		goto err_holder;
	}
	/* The holder sleeps until the probe fires; the getter until "start". */
	wake_up_process(w.holder);
	kp.symbol_name = probe;
	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("fpga_forced_window: cannot probe %s: %d\n", probe, ret);
		goto err_getter;
	}
	w.dir = debugfs_create_dir("fpga_forced_window", NULL);
	debugfs_create_file("start", 0200, w.dir, NULL, &start_fops);
	debugfs_create_file("release", 0200, w.dir, NULL, &release_fops);
	debugfs_create_file("state", 0444, w.dir, NULL, &state_fops);
	pr_info("fpga_forced_window: the %s get of %s is held at the entry of %s\n", kind, device,
		probe);
	return 0;

err_getter:
	stop_thread(w.getter);
err_holder:
	stop_thread(w.holder);
err_dev:
	put_device(w.lowlevel);
err_faux:
	faux_device_destroy(w.faux);
	return ret;
}

static void __exit forced_window_exit(void)
{
	WRITE_ONCE(w.released, true);
	debugfs_remove_recursive(w.dir);
	unregister_kprobe(&kp);
	irq_work_sync(&wake_work);
	if (w.started && atomic_read(&w.state) == HELD) {
		/* The getter died in the window: what it got stays referenced forever. */
		pr_info("fpga_forced_window: the getter did not return; its references are leaked\n");
		if (w.object)
			kmemleak_not_leak(w.object);
		if (READ_ONCE(w.info))
			kmemleak_not_leak(READ_ONCE(w.info));
	}
	/* A getter never started is woken by kthread_stop() and returns at once. */
	stop_thread(w.getter);
	stop_thread(w.holder);
	put_device(w.lowlevel);
	faux_device_destroy(w.faux);
}

module_init(forced_window_init);
module_exit(forced_window_exit);
MODULE_DESCRIPTION("The get-vs-rmmod window of the FPGA cores, forced with kprobes");
MODULE_LICENSE("GPL");
