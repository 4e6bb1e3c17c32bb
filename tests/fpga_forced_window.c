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
 * - a kprobe at the entry of @probe, armed for the getter task only, wakes a
 *   SCHED_FIFO "holder" thread on the getter's CPU;
 * - the getter is a SCHED_FIFO thread of lower priority bound to that CPU, so
 *   on a kernel with full preemption it is preempted the moment the probe
 *   handler returns, and cannot run (nor migrate) until the holder stops;
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
 *            at once)
 *   release  write 1: let the getter go on
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/device/faux.h>
#include <linux/err.h>
#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static char *kind = "mgr";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "what the getter gets: mgr (fpga_mgr_get) or bridge (fpga_bridge_get)");
static char *device = "sim-socfpga";
module_param(device, charp, 0444);
MODULE_PARM_DESC(device, "the low-level device (on the faux bus) whose manager or bridge to get");
static char *probe = "try_module_get";
module_param(probe, charp, 0444);
MODULE_PARM_DESC(probe, "the function at whose entry the get is held");

#define HOLD_LIMIT_MS 60000

enum state { WAITING, HELD, DONE };

static struct {
	struct faux_device *faux;
	struct device *lowlevel;
	struct task_struct *getter, *holder;
	struct dentry *dir;
	atomic_t state;
	bool started, fired, released;
	int result;
} w;

/* The probe, in the getter only: wake the holder, which preempts the getter. */
static void hold_getter(void)
{
	if (current != w.getter || READ_ONCE(w.fired))
		return;
	WRITE_ONCE(w.fired, true);
	wake_up_process(w.holder);
}

static int on_entry(struct kprobe *p, struct pt_regs *regs)
{
	hold_getter();
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
	atomic_set(&w.state, HELD);
	deadline = jiffies + msecs_to_jiffies(HOLD_LIMIT_MS);
	while (!READ_ONCE(w.released) && time_before(jiffies, deadline))
		cpu_relax();
	if (!READ_ONCE(w.released))
		pr_err("fpga_forced_window: not released within %d ms, letting the get go on\n",
		       HOLD_LIMIT_MS);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int getter_fn(void *unused)
{
	int ret;

	if (!strcmp(kind, "bridge")) {
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
	atomic_set(&w.state, DONE);
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
	default:
		seq_printf(s, "done %d\n", READ_ONCE(w.result));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

static const struct file_operations start_fops = { .write = start_write };
static const struct file_operations release_fops = { .write = release_write };

/* Both threads on CPU 0, FIFO, the holder above the getter. */
static struct task_struct *pinned_thread(int (*fn)(void *), const char *name, int prio)
{
	struct sched_param param = { .sched_priority = prio };
	struct task_struct *t = kthread_create(fn, NULL, "%s", name);

	if (IS_ERR(t))
		return t;
	kthread_bind(t, 0);
	sched_setscheduler_nocheck(t, SCHED_FIFO, &param);
	return t;
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
	w.holder = pinned_thread(holder_fn, "fpga-window-holder", MAX_RT_PRIO - 1);
	if (IS_ERR(w.holder)) {
		ret = PTR_ERR(w.holder);
		goto err_dev;
	}
	w.getter = pinned_thread(getter_fn, "fpga-window-getter", 1);
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
	kthread_stop(w.getter);
err_holder:
	kthread_stop(w.holder);
err_dev:
	put_device(w.lowlevel);
err_faux:
	faux_device_destroy(w.faux);
	return ret;
}

static void __exit forced_window_exit(void)
{
	debugfs_remove_recursive(w.dir);
	unregister_kprobe(&kp);
	WRITE_ONCE(w.released, true);
	/* A getter never started is woken by kthread_stop() and returns at once. */
	kthread_stop(w.getter);
	kthread_stop(w.holder);
	put_device(w.lowlevel);
	faux_device_destroy(w.faux);
}

module_init(forced_window_init);
module_exit(forced_window_exit);
MODULE_DESCRIPTION("The get-vs-rmmod window of the FPGA cores, forced with kprobes");
MODULE_LICENSE("GPL");
