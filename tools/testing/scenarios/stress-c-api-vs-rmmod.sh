# SPDX-License-Identifier: GPL-2.0
#
# Stress (issue "Prove the lifecycle", item 3): kernel threads of
# tests/fpga_stress.c loop get / lock / load / unlock / put of the simulated
# SoC FPGA's manager and get / disable / enable / put of the freeze bridge,
# through the C API, while this shell removes and reloads both low-level
# modules, STRESS_CYCLES times (fpga_rs.stress_cycles=, default 30; make
# check STRESS_CYCLES=10000 for the long run).
#
# Each cycle removes each module twice: once racing the threads (it either
# succeeds or is refused because the module is in use), and once with the
# threads parked between rounds, when nothing is in use (it must succeed: an
# idle low-level module can always be removed). Checks: those two rules;
# every outcome the threads see is success, -ENODEV or -EBUSY; programmings
# happened; every refcount is back to its baseline.
# The vm suite fails the run on any KASAN, lockdep, WARN or hung-task report,
# and on the debug kernel the plan's kmemleak scan runs after all scenarios.

R=/fpga-rs
cycles=${FPGA_RS_STRESS_CYCLES:-30}
for m in fpga_mgr fpga_bridge; do
	insmod $R/modules/$m.ko
done
insmod $R/lowlevel/sim_socfpga.ko
insmod $R/lowlevel/sim_freeze_bridge.ko
check insmod_stress_threads insmod $R/fixtures/fpga_stress.ko threads=2
S=/sys/kernel/debug/fpga_stress
removed=0 refused=0 bad=0 idle_removed=0 idle_bad=0
i=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	for m in sim_socfpga sim_freeze_bridge; do
		if rmmod $m 2>/tmp/stress.err; then
			removed=$((removed + 1))
			insmod $R/lowlevel/$m.ko || bad=$((bad + 1))
		elif grep -q "Resource temporarily unavailable" /tmp/stress.err; then
			refused=$((refused + 1))
		else
			echo "fpga-rs: stress cycle $i: rmmod $m: $(cat /tmp/stress.err)"
			bad=$((bad + 1))
		fi
	done
	echo 1 >$S/pause
	# Two threads of each kind (threads=2).
	if wait_for $S/parked 4 100; then
		for m in sim_socfpga sim_freeze_bridge; do
			if rmmod $m 2>/tmp/stress.err; then
				idle_removed=$((idle_removed + 1))
				insmod $R/lowlevel/$m.ko || idle_bad=$((idle_bad + 1))
			else
				echo "fpga-rs: stress cycle $i: rmmod $m while idle: $(cat /tmp/stress.err)"
				idle_bad=$((idle_bad + 1))
			fi
		done
	else
		echo "fpga-rs: stress cycle $i: the threads did not park: $(cat $S/parked) parked"
		idle_bad=$((idle_bad + 1))
	fi
	echo 0 >$S/pause
done
stats=$(cat /sys/kernel/debug/fpga_stress/stats)
check rmmod_stress_threads rmmod fpga_stress
echo "fpga-rs: stress: $cycles cycles; racing: $removed removals, $refused refused in use, $bad other; idle: $idle_removed removals, $idle_bad failed"
echo "$stats" | sed 's/^/fpga-rs: stress: /'
field() { echo "$stats" | sed -n "s/^$1 .*$2=\([0-9]*\).*/\1/p"; }
check_eq every_racing_rmmod_succeeded_or_was_refused_in_use 0 "$bad"
check_eq every_idle_rmmod_succeeded 0 "$idle_bad"
check_eq idle_removals "$((2 * cycles))" "$idle_removed"
check manager_programmed_during_stress test "$(field mgr ok)" -gt 0
check bridge_toggled_during_stress test "$(field bridge ok)" -gt 0
check_eq manager_threads_saw_only_expected_errors 0 "$(field mgr unexpected)"
check_eq bridge_threads_saw_only_expected_errors 0 "$(field bridge unexpected)"
check_eq stress_manager_module_unpinned 0 "$(refcnt sim_socfpga)"
check_eq stress_bridge_module_unpinned 0 "$(refcnt sim_freeze_bridge)"
check rmmod_lowlevel_after_stress rmmod sim_socfpga sim_freeze_bridge
check_eq stress_mgr_core_idle 0 "$(refcnt fpga_mgr)"
check_eq stress_bridge_core_idle 0 "$(refcnt fpga_bridge)"
check rmmod_cores_after_stress rmmod fpga_bridge fpga_mgr
