# SPDX-License-Identifier: GPL-2.0
#
# The LKML race, forced open on both cores in the same run: a get of a
# manager (and of a bridge) is held by a kprobe at a chosen point of its
# path (tests/fixtures/fpga_forced_window.c: a SCHED_FIFO task preempts it on CPU 0),
# the low-level module is removed on CPU 1, then the get goes on.
#
# - Upstream C core, held at try_module_get() (after class_find_device()
#   found the device): the module is gone before the get resumes, and the
#   get reads the freed struct module: KASAN reports it, then the read itself
#   faults (the module's pages are unmapped) and the getter thread dies in an
#   oops. Both are expected, between two kernel-log markers (report.py), with
#   panic_on_oops off for the window. The dead getter never puts what it got
#   (a device reference, the bridge's or region's mutex): the fixture tells
#   kmemleak that object (and the image info it gave a region) is leaked on
#   purpose.
# - fpga-rs, held at the entry of the get (the lookup and the pin are one
#   non-preemptible section, so this is the nearest point): the module is
#   gone before the get resumes, the get fails with -ENODEV, no report.
# - The same for a region's programming (held at fpga_region_program_fpga()
#   on fpga-rs, at try_module_get() on upstream), whose region's owner module
#   is removed.
# - fpga-rs, held at try_module_get() (inside that section): the preemption
#   can only happen after the pin, so rmmod is refused while the get holds
#   the module, and succeeds after its put.
#
# Every case checks that the window was really reached (the module was gone,
# or for the last case pinned, before the get resumed); otherwise it fails
# with "not reached". It needs kprobes and full preemption (KERNEL_FLAVOR=
# debug); the KASAN report needs KASAN (not on 32-bit ARM). It runs after the
# lockdep scenario: a KASAN report turns lockdep off.

R=/fpga-rs
D=/sys/kernel/debug/fpga_forced_window
if [ ! -f $R/fixtures/fpga_forced_window.ko ] || ! uname -v | grep -qw PREEMPT; then
	skip forced_window_on_both_cores "needs kprobes and full preemption (KERNEL_FLAVOR=debug has them)"
	return 0
fi
has_kasan=
grep -q ' kasan_report$' /proc/kallsyms && has_kasan=1
# CPU 0 belongs to the held get and its holder: this shell (a subshell of the
# plan, whose own PID `read` finds in /proc/self) runs on CPU 1.
read -r self _ </proc/self/stat
taskset -p 2 "$self" >/dev/null
# Probes stay breakpoints: an optimized probe (x86) is a jump into a detour
# buffer, and a task preempted there holds up every RCU-tasks grace period,
# which the module loader and the kprobe optimizer wait for (seen: rmmod
# blocked until the get was let go, so the window was never reached).
O=/proc/sys/debug/kprobes-optimization
optimization=
if [ -w $O ]; then
	optimization=$(cat $O)
	echo 0 >$O
fi

# window NAME KIND DEVICE PROBE LOWLEVEL [TENTHS]: one forced window, waiting
# TENTHS (default 1200) tenths of a second for the get to return. Sets $reached
# (the get was held, and the low-level module was gone when it was let go),
# $refused (rmmod was refused while it was held), $result (the get's errno,
# 0 for success; it put a success at once).
window() {
	reached= refused= result=
	if ! insmod $R/fixtures/fpga_forced_window.ko kind=$2 device=$3 probe=$4; then
		not_ok "$1" "could not arm the window"
		return 1
	fi
	echo 1 >$D/start
	state=
	wait_for $D/state held && state=held
	if [ -n "$state" ]; then
		taskset 2 rmmod $5 2>/tmp/window.err &
		rmmod_pid=$!
		n=1200
		while kill -0 $rmmod_pid 2>/dev/null && [ $n -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		loaded $5 || reached=1
		grep -q "Resource temporarily unavailable" /tmp/window.err && refused=1
	else
		echo "fpga-rs: the $2 get was never held at $4: $(cat $D/state)"
	fi
	echo 1 >$D/release
	[ -z "$state" ] || wait $rmmod_pid 2>/dev/null
	n=${6:-1200}
	while [ $n -gt 0 ]; do
		case "$(cat $D/state)" in done* | missed) break ;; esac
		sleep 0.1
		n=$((n - 1))
	done
	result=$(sed -n 's/^done //p' $D/state)
	rmmod fpga_forced_window
	echo "fpga-rs: window $1: reached=${reached:-no} refused=${refused:-no} result=${result:-none}"
}

# The fixture calls the manager's, the bridge's and the region's API: the
# three cores of one kind are loaded around each window.
insmod $R/modules/fpga_mgr.ko
insmod $R/modules/fpga_bridge.ko
insmod $R/modules/fpga_region.ko

# fpga-rs, manager: held before the lookup, module removed, get refused.
insmod $R/lowlevel/sim_socfpga.ko
window rust_mgr mgr sim-socfpga fpga_mgr_get sim_socfpga
check_eq rust_mgr_window_reached 1 "$reached"
check_eq rust_mgr_get_after_removal_is_enodev -19 "$result"

# fpga-rs, manager: held at try_module_get(), inside the critical section:
# the get has pinned the module before it can be preempted.
insmod $R/lowlevel/sim_socfpga.ko
window rust_mgr_pin mgr sim-socfpga try_module_get sim_socfpga
check_eq rust_mgr_cannot_be_preempted_between_lookup_and_pin 1 "$refused"
check_eq rust_mgr_held_get_succeeded 0 "$result"
check rust_mgr_rmmod_after_put rmmod sim_socfpga

# fpga-rs, bridge.
insmod $R/lowlevel/sim_freeze_bridge.ko
window rust_bridge bridge sim-freeze-bridge fpga_bridge_get sim_freeze_bridge
check_eq rust_bridge_window_reached 1 "$reached"
check_eq rust_bridge_get_after_removal_is_enodev -19 "$result"

# fpga-rs, region programming: held at its entry, the region's owner module
# (tests/fixtures/fpga_test_region.rs) is removed, then the programming must fail with
# -ENODEV (the image info given has no image: a programming that got the
# region would fail later, with -EINVAL).
region_setup() {
	insmod $R/fixtures/fpga_test_mgr.ko
	insmod $R/fixtures/fpga_test_bridge.ko
	insmod $R/fixtures/fpga_test_region.ko
}
region_teardown() {
	rmmod fpga_test_region 2>/dev/null
	rmmod fpga_test_bridge fpga_test_mgr
}
region_setup
window rust_region region fpga-rs-test-region fpga_region_program_fpga fpga_test_region
check_eq rust_region_window_reached 1 "$reached"
check_eq rust_region_programming_after_removal_is_enodev -19 "$result"
region_teardown
check_eq rust_fpga_region_unpinned_after_windows 0 "$(refcnt fpga_region)"
check rmmod_rust_region_core rmmod fpga_region
for m in fpga_bridge fpga_mgr; do
	check_eq rust_${m}_unpinned_after_windows 0 "$(refcnt $m)"
done
check rmmod_rust_cores rmmod fpga_bridge fpga_mgr

# The upstream C cores, same windows at try_module_get(): the expected
# use-after-free of the freed struct module. The low-level drivers are the C
# twin of the test manager and bridge (tests/fixtures/fpga_test_c_lowlevel.c): those of
# the safe Rust API do not load on the C core.
c_region_setup() {
	insmod $R/fixtures/fpga_test_c_lowlevel.ko
	insmod $R/fixtures/fpga_test_region.ko
}
c_region_teardown() {
	rmmod fpga_test_region 2>/dev/null
	rmmod fpga_test_c_lowlevel
}
upstream_window() { # NAME KIND DEVICE LOWLEVEL
	insmod $R/upstream/fpga-mgr.ko
	insmod $R/upstream/fpga-bridge.ko
	insmod $R/upstream/fpga-region.ko
	if [ $2 = region ]; then c_region_setup; else insmod $R/fixtures/$4.ko; fi
	panic_on_oops=$(cat /proc/sys/kernel/panic_on_oops)
	echo 0 >/proc/sys/kernel/panic_on_oops
	echo "fpga-rs: expected kasan report begins" >/dev/kmsg
	window $1 $2 $3 try_module_get $4 30
	echo "fpga-rs: expected kasan report ends" >/dev/kmsg
	echo "$panic_on_oops" >/proc/sys/kernel/panic_on_oops
	check_eq ${1}_window_reached 1 "$reached"
	log=$(dmesg | sed -n '/fpga-rs: expected kasan report begins/,/fpga-rs: expected kasan report ends/p')
	if [ -z "$has_kasan" ]; then
		skip ${1}_reads_the_freed_module "the kernel has no KASAN"
	else
		case "$log" in
		*"BUG: KASAN: "*"try_module_get"*) ok ${1}_reads_the_freed_module ;;
		*) not_ok ${1}_reads_the_freed_module "no KASAN report of try_module_get in the window" ;;
		esac
	fi
	[ $2 != region ] || c_region_teardown
	rmmod fpga_region fpga_bridge fpga_mgr
	dmesg -c >/dev/null
}
if [ -f $R/upstream/fpga-mgr.ko ]; then
	upstream_window upstream_mgr mgr fpga-rs-test-mgr fpga_test_c_lowlevel
	upstream_window upstream_bridge bridge fpga-rs-test-bridge fpga_test_c_lowlevel
	upstream_window upstream_region region fpga-rs-test-region fpga_test_region
else
	skip upstream_windows "no upstream C core in this kernel"
fi
[ -z "$optimization" ] || echo "$optimization" >$O
