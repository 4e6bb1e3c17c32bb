# SPDX-License-Identifier: GPL-2.0
#
# Stress (issue "Prove the lifecycle", item 3): kernel threads of
# tests/fixtures/fpga_stress.c loop, through the C API, get / lock / load / unlock /
# put of the simulated SoC FPGA's manager, get / disable / enable / put of
# the freeze bridge, the programming of a region registered through the C API
# over the simulated board's SoC FPGA manager and freeze bridge
# (sim-board.dtso), and the apply / remove of an overlay that programs the
# board's Zynq region, while this shell removes and reloads the four low-level
# modules and unbinds and rebinds their device-tree devices, STRESS_CYCLES
# times (fpga_rs.stress_cycles=, default 30, 10 on arm; make check
# STRESS_CYCLES=10000 for the long run).
#
# Each cycle removes each module twice: once racing the threads (it either
# succeeds or is refused because the module is in use), and once with the
# threads parked between rounds, when nothing is in use (it must succeed: an
# idle low-level module can always be removed); and unbinds and rebinds each
# device racing the threads (it must succeed: unbinding waits for the
# operations in flight). Checks: those rules; every outcome the threads see
# is success, -ENODEV or -EBUSY; programmings happened; every refcount is
# back to its baseline.
# The vm suite fails the run on any KASAN, lockdep, WARN or hung-task report,
# and on the debug kernel the plan's kmemleak scan runs after all scenarios.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
# The short run of make check: 30 cycles, 10 on 32-bit ARM, where TCG runs a
# cycle (four module reloads, four rebinds, threads on four devices) about
# four times slower.
default_cycles=30
case "$(uname -m)" in arm*) default_cycles=10 ;; esac
cycles=${FPGA_RS_STRESS_CYCLES:-$default_cycles}
LL="sim_socfpga sim_freeze_bridge sim_zynq sim_pr_decoupler"
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done
for m in $LL; do
	insmod $R/lowlevel/$m.ko
done
check insmod_sim_board insmod $R/fixtures/fpga_overlay_board.ko board=2
# The image the overlay thread's overlay (sim-zynq-image.dtso) programs.
cp $FW/zynq-valid.bin $FW/zynq-region.img
check insmod_stress_threads insmod $R/fixtures/fpga_stress.ko threads=2 regions=1
S=/sys/kernel/debug/fpga_stress
# The board's device-tree devices of the four drivers.
TREE=$(for n in socfpga-fpga-mgr freeze-bridge zynq-fpga-mgr pr-decoupler; do
	basename "$(ls -d /sys/bus/platform/devices/*$n)"
done)
removed=0 refused=0 bad=0 idle_removed=0 idle_bad=0 rebound=0 rebind_bad=0
i=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	for m in $LL; do
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
	for d in $TREE; do
		drv=$(readlink -f /sys/bus/platform/devices/$d/driver)
		if [ -n "$drv" ] && echo $d >$drv/unbind && echo $d >$drv/bind; then
			rebound=$((rebound + 1))
		else
			echo "fpga-rs: stress cycle $i: unbind/bind $d failed"
			rebind_bad=$((rebind_bad + 1))
		fi
	done
	echo 1 >$S/pause
	# Two threads of each kind (threads=2), a region and an overlay thread.
	if wait_for $S/parked 6 600; then
		for m in $LL; do
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
# The threads park first: a region the region thread registered pins the
# fixture's module (its get_bridges) until that round unregisters it.
echo 1 >$S/pause
check stress_threads_park wait_for $S/parked 6
stats=$(cat /sys/kernel/debug/fpga_stress/stats)
check rmmod_stress_threads rmmod fpga_stress
echo "fpga-rs: stress: $cycles cycles; racing: $removed removals, $refused refused in use, $bad other; idle: $idle_removed removals, $idle_bad failed; unbind/bind: $rebound, $rebind_bad failed"
echo "$stats" | sed 's/^/fpga-rs: stress: /'
# thread_stat KIND COUNTER: a counter of the threads of one kind.
thread_stat() { echo "$stats" | sed -n "s/^$1 .*$2=\([0-9]*\).*/\1/p"; }
check_eq every_racing_rmmod_succeeded_or_was_refused_in_use 0 "$bad"
check_eq every_idle_rmmod_succeeded 0 "$idle_bad"
check_eq idle_removals "$((4 * cycles))" "$idle_removed"
check_eq every_unbind_and_rebind_succeeded 0 "$rebind_bad"
check manager_programmed_during_stress test "$(thread_stat mgr ok)" -gt 0
check bridge_toggled_during_stress test "$(thread_stat bridge ok)" -gt 0
check region_programmed_during_stress test "$(thread_stat region ok)" -gt 0
check overlay_applied_during_stress test "$(thread_stat overlay ok)" -gt 0
for k in mgr bridge region overlay; do
	check_eq ${k}_threads_saw_only_expected_errors 0 "$(thread_stat $k unexpected)"
done
for m in $LL; do
	check_eq stress_${m}_unpinned 0 "$(refcnt $m)"
done
check rmmod_board_after_stress rmmod fpga_overlay_board
check rmmod_lowlevel_after_stress rmmod $LL
# What is left is the cores' use of each other: of_fpga_region uses the
# three others, fpga_region the manager and bridge cores.
check_eq stress_cores_idle "0 1 2 2" \
	"$(refcnt of_fpga_region) $(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
check rmmod_cores_after_stress rmmod of_fpga_region fpga_region fpga_bridge fpga_mgr
rm -f $FW/zynq-region.img
