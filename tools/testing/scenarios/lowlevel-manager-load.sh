# SPDX-License-Identifier: GPL-2.0
#
# The simulated FPGA managers of lowlevel/ programmed with fpga_mgr_load()
# (tests/fixtures/fpga_image_loader.rs loads fpga-rs/load.img): every image that
# tools/testing/gen-images.py writes, valid and broken, through the
# Altera-style sim_socfpga (write) and the Xilinx-style sim_zynq (write_sg,
# reading the core's sg table page by page). For each: the
# errno, sysfs state and status, and what reached the simulated FPGA (its
# debugfs fabric: mode and the CRC-32 of the configuration data, against the
# manifest). Then the module parameters: injected failures, CONF_DONE
# latency against the timeout, and a slow programming during which the
# low-level module cannot go.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
D=/sys/kernel/debug
insmod $R/modules/fpga_mgr.ko

check insmod_sim_socfpga insmod $R/lowlevel/sim_socfpga.ko
check insmod_sim_zynq insmod $R/lowlevel/sim_zynq.ko
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
check_eq socfpga_registered_powered_up "power up" "$(cat $A/state)"
check_eq zynq_registered_powered_up "power up" "$(cat $X/state)"
check_eq socfpga_status_clean "" "$(cat $A/status)"
check_eq registered_managers_pin_nothing "0 0" "$(refcnt sim_socfpga) $(refcnt sim_zynq)"

# load NAME MGR IMAGE [PARAMS...]: loads IMAGE into manager MGR (1 socfpga,
# 2 zynq) and records whether the load worked; its error output is kept in
# /tmp/load.err.
load() {
	name=$1 mgr=$2 image=$3
	shift 3
	cp $FW/$image $FW/load.img
	if insmod $R/fixtures/fpga_image_loader.ko mgr=$mgr "$@" 2>/tmp/load.err; then
		rmmod fpga_image_loader
		return 0
	fi
	return 1
}

# valid NAME MGR IMAGE SYSFS FABRIC [PARAMS...]: the image programs the FPGA,
# which then holds exactly the manifest's data.
valid() {
	name=$1 mgr=$2 image=$3 sys=$4 fabric=$5
	shift 5
	check "${name}_loads" load "$name" $mgr $image "$@"
	check_eq "${name}_state" operating "$(cat $sys/state)"
	check_eq "${name}_status" "" "$(cat $sys/status)"
	check_eq "${name}_fabric_crc32" "$(expected_crc $image)" "$(field $fabric crc32)"
	check_eq "${name}_fabric_bytes" \
		"$(awk -v n=$image '$1 == n { print $3 }' $FW/images.txt)" "$(field $fabric bytes)"
}

# broken NAME MGR IMAGE ERRNO_TEXT STATE STATUS [PARAMS...]: the load fails
# with ERRNO_TEXT, leaving STATE and STATUS in sysfs.
broken() {
	name=$1 mgr=$2 image=$3 err=$4 state=$5 status=$6
	shift 6
	cp $FW/$image $FW/load.img
	check_fails_with "${name}_fails" "$err" insmod $R/fixtures/fpga_image_loader.ko mgr=$mgr "$@"
	[ $mgr = 1 ] && sys=$A || sys=$X
	check_eq "${name}_state" "$state" "$(cat $sys/state)"
	check_eq "${name}_status" "$status" "$(cat $sys/status)"
}

AF=$D/sim-socfpga/fabric
XF=$D/sim-zynq/fabric
check socfpga_debugfs_fabric test -r $AF
check_eq socfpga_fabric_before_programming "power up" "$(field $AF mode)"

# --- Altera-style: .rbf images ---
valid socfpga_valid 1 socfpga-valid.rbf $A $AF
check_eq socfpga_valid_user_mode "user mode" "$(field $AF mode)"
check_eq socfpga_valid_pins "nSTATUS=1 CONF_DONE=1 INIT_DONE=1" "$(field $AF pins)"
check_eq socfpga_valid_identity "idcode 0x02d020dd design 0xc0ffee01" "$(field $AF image)"
check_eq socfpga_idle_after_load_pins_nothing 0 "$(refcnt sim_socfpga)"
broken socfpga_corrupt 1 socfpga-corrupt.rbf "Input/output error" "write error" "reconfig CRC error"
check_eq socfpga_corrupt_nstatus_low "nSTATUS=0 CONF_DONE=0 INIT_DONE=0" "$(field $AF pins)"
check_eq socfpga_corrupt_stops_at_frame_5 "5 of 64" "$(field $AF frames)"
check_eq socfpga_corrupt_lost_old_design none "$(field $AF image)"
check socfpga_corrupt_logged sh -c "dmesg | grep -q 'CRC error: nSTATUS low in frame (0x5)'"
broken socfpga_truncated 1 socfpga-truncated.rbf "timed out" "write complete error" \
	"reconfig operation error"
check_eq socfpga_truncated_frames "40 of 64" "$(field $AF frames)"
broken socfpga_wrong_family 1 socfpga-wrong-family.rbf "Invalid argument" "write init error" \
	"reconfig incompatible image"
check socfpga_wrong_family_logged sh -c "dmesg | grep -q 'another device (wrong family); its IDCODE (0x2e660dd)'"
broken socfpga_bad_header 1 socfpga-bad-header.rbf "Invalid argument" "write init error" \
	"reconfig CRC error"
broken socfpga_given_a_xilinx_image 1 zynq-valid.bin "Invalid argument" "write init error" \
	"reconfig incompatible image"
broken socfpga_partial_not_supported 1 socfpga-valid.rbf "Invalid argument" "write init error" \
	"" flags=1
valid socfpga_reprogrammed 1 socfpga-valid.rbf $A $AF
check_eq socfpga_programmings_counted 2 "$(field $AF programmings)"

# --- Xilinx-style: .bit and .bin bitstreams ---
valid zynq_bit 2 zynq-valid.bit $X $XF
check_eq zynq_bit_design "\"fpga_rs_demo;UserID=0XFFFFFFFF;Version=2024.1\", 4096 bytes, crc32 $(expected_crc zynq-valid.bit)" \
	"$(field $XF image)"
check_eq zynq_bit_natural_order natural "$(field $XF 'byte order')"
valid zynq_bin 2 zynq-valid.bin $X $XF
valid zynq_swapped_bin 2 zynq-swapped.bin $X $XF
check_eq zynq_swapped_detected byte-swapped "$(field $XF 'byte order')"
broken zynq_corrupt 2 zynq-corrupt.bit "Input/output error" "write error" "reconfig CRC error"
check_eq zynq_corrupt_init_b_low "INIT_B=0 DONE=0" "$(field $XF pins)"
broken zynq_truncated 2 zynq-truncated.bin "timed out" "write complete error" \
	"reconfig operation error"
broken zynq_wrong_part 2 zynq-wrong-part.bit "Invalid argument" "parse header error" \
	"reconfig incompatible image"
check zynq_wrong_part_logged sh -c "dmesg | grep -q 'bitstream is for part 7z010clg400, this FPGA is a 7z020'"
broken zynq_wrong_idcode 2 zynq-wrong-idcode.bin "Invalid argument" "write error" \
	"reconfig incompatible image"
broken zynq_no_sync 2 zynq-nosync.bin "Invalid argument" "write error" "reconfig incompatible image"
broken zynq_overlong_bit 2 zynq-overlong.bit "Invalid argument" "write error" ""
check zynq_overlong_bit_logged sh -c "dmesg | grep -q 'write_sg: configuration data at .* outruns the'"
broken zynq_partial_on_unconfigured 2 zynq-partial.bin "Invalid argument" "write init error" \
	"reconfig operation error" flags=1
valid zynq_base_for_partial 2 zynq-swapped.bin $X $XF
check zynq_partial_loads load zynq_partial 2 zynq-partial.bin flags=1
check_eq zynq_partial_state operating "$(cat $X/state)"
check_eq zynq_partial_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" \
	"$(field $XF partial)"
check_eq zynq_partial_keeps_base "raw .bin, 4096 bytes, crc32 $(expected_crc zynq-swapped.bin)" \
	"$(field $XF image)"

# --- Module parameters: failure injection, CONF_DONE latency, slow writes ---
check rmmod_idle_socfpga rmmod sim_socfpga
check insmod_socfpga_failing insmod $R/lowlevel/sim_socfpga.ko fail_write=1
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
broken socfpga_injected_failure 1 socfpga-valid.rbf "Input/output error" "write error" \
	"reconfig operation error"
check socfpga_injected_failure_logged sh -c "dmesg | grep -q 'injected failure (fail_write)'"
rmmod sim_socfpga
# CONF_DONE rises 80 ms after the last frame: within the default 100 ms that
# write_complete (which starts after the last frame) waits. However late the
# poller runs, it samples once more after its deadline, which is after
# CONF_DONE rose: no timing decides this.
check insmod_socfpga_late_conf_done insmod $R/lowlevel/sim_socfpga.ko conf_done_delay_ms=80
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
valid socfpga_conf_done_within_timeout 1 socfpga-valid.rbf $A $AF
rmmod sim_socfpga
# CONF_DONE rises 100 s after the last frame, long after a 2 ms timeout: a
# host that stalls the poller (80 ms would do on a loaded TCG host) still
# sees it low.
check insmod_socfpga_conf_done_too_late insmod $R/lowlevel/sim_socfpga.ko \
	conf_done_delay_ms=100000
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
broken socfpga_conf_done_after_timeout 1 socfpga-valid.rbf "timed out" "write complete error" \
	"reconfig operation error" timeout_us=2000
rmmod sim_socfpga
# The poller samples CONF_DONE low, then stalls 50 ms (a preemption) while CONF_DONE
# rises after 10 ms and the 2 ms timeout passes: like C's read_poll_timeout(), it
# must sample once more after the deadline and see CONF_DONE high.
check insmod_socfpga_stalled_poller insmod $R/lowlevel/sim_socfpga.ko conf_done_delay_ms=10 \
	poll_stall_ms=50
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
valid socfpga_stalled_poller_samples_after_deadline 1 socfpga-valid.rbf $A $AF timeout_us=2000
rmmod sim_socfpga
# A programming held in its first write() (pause=1) until released: look at
# it mid-way.
check insmod_socfpga_held insmod $R/lowlevel/sim_socfpga.ko pause=1
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
cp $FW/socfpga-valid.rbf $FW/load.img
insmod $R/fixtures/fpga_image_loader.ko mgr=1 &
loading=$!
check slow_load_reaches_write wait_for $A/state write
check_eq slow_load_pins_lowlevel 1 "$(refcnt sim_socfpga)"
check_fails_with rmmod_programming_lowlevel_is_refused "Resource temporarily unavailable" \
	rmmod sim_socfpga
echo 1 >$D/sim-socfpga/release
check slow_load_completes wait $loading
check_eq slow_load_operating operating "$(cat $A/state)"
check_eq slow_load_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check_eq slow_load_unpins_lowlevel 0 "$(refcnt sim_socfpga)"
rmmod fpga_image_loader

rmmod sim_zynq
check insmod_zynq_failing insmod $R/lowlevel/sim_zynq.ko fail_write=1
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
broken zynq_injected_failure 2 zynq-valid.bit "Input/output error" "write error" \
	"reconfig operation error"
check_eq zynq_injected_failure_init_b_low "INIT_B=0 DONE=0" "$(field $XF pins)"

check rmmod_idle_lowlevel_managers rmmod sim_socfpga sim_zynq
check debugfs_removed_with_driver test ! -e $AF
check rmmod_core rmmod fpga_mgr
