# SPDX-License-Identifier: GPL-2.0
#
# Allocation faults (issue "Prove the lifecycle", item 4): tests/fixtures/fpga_faults.c
# fails every allocation of each core operation in turn with the kernel's
# per-task fault injection (fail-nth, through failslab and fail_page_alloc):
# registering a manager and a bridge, getting them, loading from a buffer, a
# scatter-gather table and a firmware file, and programming a region. Each
# must return a clean errno and leave the manager unlocked and its owner
# module at its baseline, and the operation must then succeed without a
# fault; leaks are what the plan's kmemleak scan reports at the end. The
# fixture's insmod fails (with EIO) if a check failed. Needs FAULT_INJECTION
# (KERNEL_FLAVOR=debug).

R=/fpga-rs
F=/sys/kernel/debug/failslab
P=/sys/kernel/debug/fail_page_alloc
if [ ! -f $R/fixtures/fpga_faults.ko ] || [ ! -d $F ]; then
	skip every_allocation_fails_cleanly "needs fault injection (KERNEL_FLAVOR=debug has it)"
	return 0
fi
# Fail sleeping allocations and order-0 pages too, without a stack dump per
# failure; the knobs are restored afterwards.
saved=$(for k in $F/ignore-gfp-wait $F/verbose $P/ignore-gfp-wait $P/ignore-gfp-highmem \
	$P/min-order $P/verbose; do echo "$k $(cat $k)"; done)
echo N >$F/ignore-gfp-wait
echo 0 >$F/verbose
echo N >$P/ignore-gfp-wait
echo N >$P/ignore-gfp-highmem
echo 0 >$P/min-order
echo 0 >$P/verbose
for m in fpga_mgr fpga_bridge fpga_region; do
	insmod $R/modules/$m.ko
done
dmesg -c >/dev/null
echo "fpga-rs: expected fault report begins" >/dev/kmsg
check every_allocation_fails_cleanly insmod $R/fixtures/fpga_faults.ko
echo "fpga-rs: expected fault report ends" >/dev/kmsg
echo "$saved" | while read -r k v; do echo "$v" >"$k"; done
dmesg | grep 'fpga_faults: ' | sed 's/^.*fpga_faults: /fpga-rs: faults: /'
# The fixture must really have failed allocations: registration allocates.
for op in register_manager register_bridge load_firmware; do
	n=$(dmesg | sed -n "s/.*fpga_faults: $op: \([0-9]*\) allocations failed.*/\1/p" | head -n 1)
	check ${op}_allocations_were_failed test "${n:-0}" -gt 0
done
# The fixture owns every object it made: no pin of it may be left.
check_eq fixture_unpinned_after_faults 0 "$(refcnt fpga_faults)"
check rmmod_fixture_after_faults rmmod fpga_faults
check_eq fpga_region_unpinned_after_faults 0 "$(refcnt fpga_region)"
check rmmod_region_core_after_faults rmmod fpga_region
for m in fpga_bridge fpga_mgr; do
	check_eq ${m}_unpinned_after_faults 0 "$(refcnt $m)"
done
check rmmod_cores_after_faults rmmod fpga_bridge fpga_mgr
