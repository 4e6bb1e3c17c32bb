# SPDX-License-Identifier: GPL-2.0
#
# The trace events fpga:* (Documentation/tracing.rst): each core module
# creates its own (fpga_mgr_*, fpga_bridge_enable, fpga_region_program_*) in
# tracefs, and programming a region through the overlay flow (the test
# manager and bridge of tests/, the board and image overlays of
# region-overlay-flow.sh) emits them in order with their fields: the region's
# begin, the bridge disabled, the manager's load with each state change,
# the bridge enabled, the region's end with errno 0; a corrupt image ends the
# load and the programming with its negative errno; removing the overlay
# freezes the bridge. The events are disabled and the buffer cleared after.

R=/fpga-rs
T=/sys/kernel/tracing
E=$T/events/fpga
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done

[ -e $T/trace ] || mount -t tracefs nodev $T
check tracefs_mounted test -w $T/trace
for ev in fpga_mgr_load_begin fpga_mgr_load_end fpga_mgr_state fpga_bridge_enable \
	fpga_region_program_begin fpga_region_program_end; do
	check ${ev}_in_tracefs test -r $E/$ev/format
done
# fields EVENT: the event's own fields (after the common_* ones), in order.
fields() {
	sed -n 's/^[[:space:]]*field:[^;]* \([a-z_]*\);.*/\1/p' $E/$1/format | grep -v '^common_' |
		tr '\n' ' ' | sed 's/ $//'
}
check_eq load_begin_fields "dev size flags source firmware" "$(fields fpga_mgr_load_begin)"
check_eq load_end_fields "dev errno" "$(fields fpga_mgr_load_end)"
check_eq state_fields "dev old_state new_state" "$(fields fpga_mgr_state)"
check_eq bridge_enable_fields "dev enable errno" "$(fields fpga_bridge_enable)"
check_eq program_begin_fields "dev image" "$(fields fpga_region_program_begin)"
check_eq program_end_fields "dev image errno" "$(fields fpga_region_program_end)"
# Each core creates only its own events: the manager's are the manager
# module's (an event another module created too would not be in tracefs twice,
# but its second module would fail to load).
check_eq manager_events_of_fpga_mgr "fpga_mgr_load_begin fpga_mgr_load_end fpga_mgr_state" \
	"$(ls $E | grep '^fpga_mgr_' | tr '\n' ' ' | sed 's/ $//')"

check insmod_lowlevel_manager insmod $R/fixtures/fpga_test_mgr.ko
check insmod_lowlevel_bridge insmod $R/fixtures/fpga_test_bridge.ko
check insmod_board insmod $R/fixtures/fpga_overlay_board.ko
M=$(basename "$(class_dev fpga_manager "fpga-rs test manager (of)")")
B=$(basename "$(class_dev fpga_bridge "fpga-rs test bridge (of)")")
G=$(basename "$(ls -d /sys/class/fpga_region/region* 2>/dev/null | head -n 1)")

# events: the fpga events in the buffer, one a line, as "NAME: FIELDS"
# (without the task, CPU and time stamp).
events() {
	sed -n 's/^.* \(fpga_[a-z_]*: .*\)$/\1/p' $T/trace
}

echo >$T/trace
check enable_fpga_events sh -c "echo 1 >$E/enable"
check_eq fpga_events_enabled 1 "$(cat $E/enable)"
check overlay_programs_region insmod $R/fixtures/fpga_overlay_image.ko image=1
check_eq valid_image_events "fpga_region_program_begin: dev=$G image=fpga-rs/test-image.bin
fpga_bridge_enable: dev=$B enable=0 errno=0
fpga_mgr_load_begin: dev=$M size=0 flags=0x0 source=firmware firmware=fpga-rs/test-image.bin
fpga_mgr_state: dev=$M old=power up new=firmware request
fpga_mgr_state: dev=$M old=firmware request new=parse header
fpga_mgr_state: dev=$M old=parse header new=write init
fpga_mgr_state: dev=$M old=write init new=write
fpga_mgr_state: dev=$M old=write new=write complete
fpga_mgr_state: dev=$M old=write complete new=operating
fpga_mgr_load_end: dev=$M errno=0
fpga_bridge_enable: dev=$B enable=1 errno=0
fpga_region_program_end: dev=$G image=fpga-rs/test-image.bin errno=0" "$(events)"

# Removing the overlay freezes the bridge the region claimed.
echo >$T/trace
check remove_image_overlay rmmod fpga_overlay_image
check_eq overlay_removal_freezes_bridge "fpga_bridge_enable: dev=$B enable=0 errno=0" "$(events)"

# first_programming: the events up to the first fpga_region_program_end.
first_programming() {
	events | sed '/^fpga_region_program_end: /q'
}

# A corrupt image: the manager's write fails with -EIO, and so does the
# programming; the bridge stays frozen. (Busybox's insmod loads a module whose
# init fails a second time, with init_module() after finit_module(): the
# overlay is applied, and the region programmed, twice.)
echo >$T/trace
check_fails_with corrupt_image_overlay_is_rejected "error" \
	insmod $R/fixtures/fpga_overlay_image.ko image=2
check_eq corrupt_image_events "fpga_region_program_begin: dev=$G image=fpga-rs/test-image-corrupt.bin
fpga_bridge_enable: dev=$B enable=0 errno=0
fpga_mgr_load_begin: dev=$M size=0 flags=0x0 source=firmware firmware=fpga-rs/test-image-corrupt.bin
fpga_mgr_state: dev=$M old=operating new=firmware request
fpga_mgr_state: dev=$M old=firmware request new=parse header
fpga_mgr_state: dev=$M old=parse header new=write init
fpga_mgr_state: dev=$M old=write init new=write
fpga_mgr_state: dev=$M old=write new=write error
fpga_mgr_load_end: dev=$M errno=-5
fpga_region_program_end: dev=$G image=fpga-rs/test-image-corrupt.bin errno=-5" "$(first_programming)"

# A state set again to what it is is no change, and is not traced: the
# manager's next load starts from "write error" with one event per step.
echo >$T/trace
check overlay_after_corrupt_image insmod $R/fixtures/fpga_overlay_image.ko image=1
check_eq one_event_per_state_change 6 "$(events | grep -c '^fpga_mgr_state: ')"
check_eq no_state_event_without_change "" "$(events | grep '^fpga_mgr_state: ' |
	sed -n 's/.* old=\(.*\) new=\1$/&/p')"
check remove_overlay_after_corrupt_image rmmod fpga_overlay_image

# The buffer and sg paths of fpga_mgr_load(), through the C API
# (tests/fixtures/fpga_bad_input.c) into the simulated managers of lowlevel/: the
# image's size (an sg table's summed from its entries) and flags in the
# begin event, the load's errno in the end event.
FW=/lib/firmware/fpga-rs
B=/sys/kernel/debug/fpga_bad_input
check insmod_sim_socfpga insmod $R/lowlevel/sim_socfpga.ko
check insmod_sim_zynq insmod $R/lowlevel/sim_zynq.ko
check insmod_sim_freeze_bridge insmod $R/lowlevel/sim_freeze_bridge.ko
check insmod_bad_input_fixture insmod $R/fixtures/fpga_bad_input.ko
A=$(basename "$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")")
X=$(basename "$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")")
# loads NAME COMMAND: the load_begin and load_end events of the bad-input
# case COMMAND (whatever its errno).
loads() {
	echo >$T/trace
	echo "$1" >$B/run 2>/dev/null
	events | grep '^fpga_mgr_load_'
}
rbf=$(wc -c <$FW/socfpga-valid.rbf)
bin=$(wc -c <$FW/zynq-valid.bin)
check_eq buffer_load_events "fpga_mgr_load_begin: dev=$A size=$rbf flags=0x0 source=buffer firmware=
fpga_mgr_load_end: dev=$A errno=0" "$(loads "load buf sim-socfpga fpga-rs/socfpga-valid.rbf 0 3")"
check_eq sg_load_events "fpga_mgr_load_begin: dev=$X size=$bin flags=0x0 source=sg firmware=
fpga_mgr_load_end: dev=$X errno=0" "$(loads "load sg sim-zynq fpga-rs/zynq-valid.bin 0 0")"
check_eq flags_and_errno_of_refused_load "fpga_mgr_load_begin: dev=$A size=$rbf flags=0x1 source=buffer firmware=
fpga_mgr_load_end: dev=$A errno=-22" "$(loads "load buf sim-socfpga fpga-rs/socfpga-valid.rbf 1 0")"
check_eq load_without_image_events "fpga_mgr_load_begin: dev=$A size=0 flags=0x0 source=none firmware=
fpga_mgr_load_end: dev=$A errno=-22" "$(loads "load buf sim-socfpga - 0 0")"
check rmmod_bad_input_fixture rmmod fpga_bad_input
check rmmod_sim_drivers rmmod sim_freeze_bridge sim_zynq sim_socfpga

check disable_fpga_events sh -c "echo 0 >$E/enable"
check_eq fpga_events_disabled 0 "$(cat $E/enable)"
echo >$T/trace
check overlay_untraced_when_disabled insmod $R/fixtures/fpga_overlay_image.ko image=1
check_eq no_event_when_disabled "" "$(events)"
check remove_overlay_untraced rmmod fpga_overlay_image
echo >$T/trace

check rmmod_board rmmod fpga_overlay_board
check rmmod_lowlevel rmmod fpga_test_bridge fpga_test_mgr
for m in of_fpga_region fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq cores_unloaded "gone gone gone gone" \
	"$(refcnt of_fpga_region) $(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
check_eq events_gone_with_cores "" "$(ls $E 2>/dev/null | grep '^fpga_')"
