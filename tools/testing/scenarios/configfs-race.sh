# SPDX-License-Identifier: GPL-2.0
#
# Races on the configfs interface of one region (the SoC FPGA region of the
# simulated board, sim-board.dtso): processes that mkdir images, load them
# (with and without an overlay), read their status, unload them and rmdir
# them, while others remove and reload the low-level modules and unbind and
# rebind the region's device. Each racer runs a fixed number of rounds
# (STRESS_CYCLES, fpga_rs.stress_cycles=, default 30, 10 on arm, 5 on the
# debug kernel), so no
# verdict depends on time; every error a racer meets is one of the documented
# errnos. The verdict is the state after the race: every image can be removed,
# the region's group is back, a load works, every module refcount is at its
# baseline, and every module unloads. On the debug kernel (make
# KERNEL_FLAVOR=debug check) KASAN, lockdep, kmemleak and the hung-task
# detector watch the race; the host fails the run on any report in the log.

R=/fpga-rs
C=/sys/kernel/config/fpga_regions
FW=/lib/firmware/fpga-rs
OFR=/sys/bus/platform/drivers/of-fpga-region
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done
for m in sim_socfpga sim_freeze_bridge; do
	insmod $R/lowlevel/$m.ko faux=0
done
check insmod_sim_board insmod $R/fixtures/fpga_overlay_board.ko board=2
default_cycles=30
case "$(uname -m)" in arm*) default_cycles=10 ;; esac
# The debug kernel (kmemleak, KASAN, lockdep) forks and execs many times
# slower under TCG: fewer rounds, watched by the sanitizers.
[ -e /sys/kernel/debug/kmemleak ] && default_cycles=5
cycles=${FPGA_RS_STRESS_CYCLES:-$default_cycles}

# The socfpga region's device-tree device (stable) and its current group. The
# region may defer its probe until its manager is bound: wait for it.
socfpga_region_dev() {
	for g in /sys/class/fpga_region/region*; do
		d=$(basename "$(readlink -f "$g/device" 2>/dev/null)")
		case "$d" in *socfpga-region*) echo "$d" && return 0 ;; esac
	done
	return 1
}
wait_until socfpga_region_dev >/dev/null
RDEV=$(socfpga_region_dev)
group() {
	for g in /sys/class/fpga_region/region*; do
		[ "$(basename "$(readlink -f "$g/device" 2>/dev/null)")" = "$RDEV" ] &&
			echo "$C/$(basename "$g")" && return
	done
	echo "$C/none"
}
refs() {
	echo "$(refcnt sim_socfpga) $(refcnt sim_freeze_bridge) $(refcnt of_fpga_region)"
}
check region_device_found test -n "$RDEV"
baseline=$(refs)
check_eq baseline_nothing_pinned "0 0 0" "$baseline"

# An error a racer may meet: the documented ones only (busy, gone, no such
# directory or file while the region or module is away, refused in use).
# "nonexistent directory" is the shell's: the region's group is away.
expected() {
	case "$1" in
	"" | *"Device or resource busy"* | *"No such device"* | *"No such file or directory"* | \
		*"Resource temporarily unavailable"* | *"Directory not empty"* | *"File exists"* | \
		*"nonexistent directory"*) return 0 ;;
	esac
	echo "fpga-rs: race: unexpected error: $1" >>/tmp/race.unexpected
	return 1
}
# Interleaving without timing: each loader round (which waits for the
# region's group to be there) is counted in /tmp/race.attempts, and each
# removal round waits until a loader made an attempt since the last one (or
# every loader is done), so every disruption meets loads.
attempts() {
	wc -l </tmp/race.attempts
}
progress_since() {
	[ "$(attempts)" -gt "$1" ] || [ "$(wc -l </tmp/race.done)" -ge 3 ]
}
# loader NAME [OVERLAY]: rounds of mkdir, firmware, load, status, unload, rmdir.
loader() {
	n=0
	while [ $n -lt "$cycles" ]; do
		wait_until sh -c "ls -d $C/region* >/dev/null 2>&1"
		S=$(group)
		I=$S/$1
		expected "$(mkdir "$I" 2>&1)"
		expected "$(sh -c "echo fpga-rs/socfpga-valid.rbf >$I/firmware" 2>&1)"
		[ -z "${2:-}" ] || expected "$(sh -c "echo $2 >$I/overlay" 2>&1)"
		expected "$(sh -c "echo 1 >$I/config" 2>&1)"
		[ "$(cat "$I/status" 2>/dev/null)" = loaded ] && echo "$1" >>/tmp/race.loads
		expected "$(sh -c "echo 0 >$I/config" 2>&1)"
		expected "$(rmdir "$I" 2>&1)"
		echo "$1" >>/tmp/race.attempts
		n=$((n + 1))
	done
	echo "$1" >>/tmp/race.done
}
# reloader: rounds of removing and reloading the low-level modules.
reloader() {
	n=0
	while [ $n -lt "$cycles" ]; do
		seen=$(attempts)
		expected "$(rmmod sim_socfpga 2>&1)"
		expected "$(insmod $R/lowlevel/sim_socfpga.ko faux=0 2>&1)"
		expected "$(rmmod sim_freeze_bridge 2>&1)"
		expected "$(insmod $R/lowlevel/sim_freeze_bridge.ko faux=0 2>&1)"
		wait_until progress_since "$seen"
		n=$((n + 1))
	done
}
# bind_region: binds the region's device, or fails while its probe defers.
# A bind through sysfs whose probe defers (the manager's module is away)
# returns EAGAIN and, unlike a probe the driver core starts, leaves the
# device off the deferred-probe list (device_driver_attach() calls
# __driver_probe_device(), not driver_probe_device()): nothing binds it
# later, so the rebinder retries, as a user would.
bind_region() {
	e=$(sh -c "echo $RDEV >$OFR/bind" 2>&1)
	case "$e" in *"Resource temporarily unavailable"*) return 1 ;; esac
	expected "$e"
}
# rebinder: rounds of unbinding and rebinding the region's device.
rebinder() {
	n=0
	while [ $n -lt "$cycles" ]; do
		seen=$(attempts)
		expected "$(sh -c "echo $RDEV >$OFR/unbind" 2>&1)"
		wait_until bind_region || echo "fpga-rs: race: region never bound" >>/tmp/race.unexpected
		wait_until progress_since "$seen"
		n=$((n + 1))
	done
}
: >/tmp/race.unexpected
: >/tmp/race.loads
: >/tmp/race.attempts
: >/tmp/race.done
loader a & la=$!
loader b fpga-rs/cfs-socfpga-logic.dtbo & lb=$!
loader c & lc=$!
reloader & rl=$!
rebinder & rb=$!
check racer_a_finished wait $la
check racer_b_finished wait $lb
check racer_c_finished wait $lc
check reloader_finished wait $rl
check rebinder_finished wait $rb
check_eq no_unexpected_error "" "$(cat /tmp/race.unexpected)"
echo "fpga-rs: race: $cycles rounds per racer, $(wc -l </tmp/race.loads) of $(attempts) loads succeeded amid the removals"

# After the race: put everything back and check nothing was lost.
loaded sim_socfpga || insmod $R/lowlevel/sim_socfpga.ko faux=0
loaded sim_freeze_bridge || insmod $R/lowlevel/sim_freeze_bridge.ko faux=0
[ -e "$OFR/$RDEV" ] || echo "$RDEV" >$OFR/bind 2>/dev/null
for d in $C/*/*/; do
	[ -d "$d" ] && rmdir "$d" 2>/dev/null
done
check every_image_removed sh -c "! ls -d $C/*/*/ 2>/dev/null"
check region_bound_after_race wait_until test -e "$OFR/$RDEV"
check defunct_groups_gone wait_until sh -c "[ \$(ls $C | wc -l) = \$(ls /sys/class/fpga_region | wc -l) ]"
S=$(group)
check region_group_after_race wait_until test -d "$S"
check mkdir_after_race mkdir "$S/after"
echo fpga-rs/socfpga-valid.rbf >"$S/after/firmware"
check load_after_race sh -c "echo 1 >$S/after/config"
F=$(ls /sys/kernel/debug/*socfpga-fpga-mgr/fabric)
check_eq fabric_after_race "$(expected_crc socfpga-valid.rbf)" "$(field $F crc32)"
check rmdir_after_race rmdir "$S/after"
check_eq refcounts_back_at_baseline "$baseline" "$(refs)"
check rmmod_board rmmod fpga_overlay_board
check rmmod_lowlevel rmmod sim_socfpga sim_freeze_bridge
for m in of_fpga_region fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq cores_unloaded "gone gone gone gone" \
	"$(refcnt of_fpga_region) $(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
