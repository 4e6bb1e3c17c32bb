# SPDX-License-Identifier: GPL-2.0
#
# Unregistration waits for the ops in flight, uninterruptibly. A lock held
# across an unregistration that an op also takes would hang it; lockdep must
# report that order instead (defect g, lifecycle/lockdep.rs). The fixture
# tests/fixtures/fpga_lock_order.rs takes a mutex inside a manager's op, then holds it
# across another manager's unregistration; lockdep reports the cycle.
#
# Lockdep reports once per boot and then turns itself off, so this scenario
# runs last (the plan runs scenarios in name order). Its report is expected:
# it is written between two kernel-log markers that the host's crash check
# (report.py) knows. Kernels without lockdep skip it.

R=/fpga-rs
if [ ! -e /proc/lockdep ]; then
	skip lockdep_reports_a_lock_held_across_unregistration "the kernel has no lockdep (KERNEL_FLAVOR=debug has)"
	return 0
fi
insmod $R/modules/fpga_mgr.ko
echo "fpga-rs: expected lockdep report begins" >/dev/kmsg
check insmod_lock_order_fixture insmod $R/fixtures/fpga_lock_order.ko
echo "fpga-rs: expected lockdep report ends" >/dev/kmsg
log=$(dmesg | sed -n '/fpga-rs: expected lockdep report begins/,/fpga-rs: expected lockdep report ends/p')
case "$log" in
*"possible circular locking dependency"*) ok lockdep_reports_a_lock_held_across_unregistration ;;
*) not_ok lockdep_reports_a_lock_held_across_unregistration "no lockdep report in the kernel log" ;;
esac
case "$log" in
*"fpga_manager ops"*) ok the_report_names_the_managers_ops_in_flight ;;
*) not_ok the_report_names_the_managers_ops_in_flight "the report does not name 'fpga_manager ops'" ;;
esac
check rmmod_lock_order_fixture rmmod fpga_lock_order
check rmmod_core rmmod fpga_mgr
