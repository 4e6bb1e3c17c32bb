# SPDX-License-Identifier: GPL-2.0
#
# The bad-input table (issue "Prove the lifecycle", item 6), through the C
# API as C callers use it (tests/fixtures/fpga_bad_input.c): broken images (empty,
# 1 byte, shorter than the driver's header, truncated, oversize, misaligned,
# of the wrong family, without the sync word, with a corrupt CRC) through
# each image path (buffer, sg table, firmware), a missing firmware file,
# unknown flags, NULL and error pointers, double puts, an unlock without a
# lock, the programming of a region without manager or image, and
# registrations whose device_add() fails. Each case
# checks the errno, the kernel-log line that says what was wrong, the
# manager's sysfs state, and that nothing stays pinned or locked: after the
# table, the simulated FPGAs still program and every module refcount is at
# its baseline. Overlays of bad input: region-overlay-edge-cases.sh.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
B=/sys/kernel/debug/fpga_bad_input
for m in fpga_mgr fpga_bridge fpga_region; do
	insmod $R/modules/$m.ko
done
for m in sim_socfpga sim_zynq sim_freeze_bridge; do
	insmod $R/lowlevel/$m.ko
done
check insmod_bad_input_fixture insmod $R/fixtures/fpga_bad_input.ko
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
refs() {
	echo "$(refcnt sim_socfpga) $(refcnt sim_zynq) $(refcnt sim_freeze_bridge)"
}

# Images made from the generated ones.
: >$FW/empty.img
head -c 1 $FW/socfpga-valid.rbf >$FW/one-byte.img
head -c 40 $FW/socfpga-valid.rbf >$FW/socfpga-short-header.img
head -c 40 $FW/zynq-valid.bin >$FW/zynq-short-header.img
head -c $(($(wc -c <$FW/zynq-valid.bin) - 2)) $FW/zynq-valid.bin >$FW/zynq-misaligned-length.img

# case NAME COMMAND ERRNO_TEXT LOG [STATE MGR_SYSFS]: writing COMMAND fails
# with ERRNO_TEXT (or succeeds, for ERRNO_TEXT "-") and logs a line matching
# LOG (none for "-"); then the manager's state is STATE, if given, and
# nothing is pinned.
case_() {
	name=$1 cmd=$2 err=$3 log=$4
	dmesg -c >/dev/null
	if [ "$err" = - ]; then
		check "$name" sh -c "echo '$cmd' >$B/run"
	else
		check_fails_with "$name" "$err" sh -c "echo '$cmd' >$B/run"
	fi
	[ "$log" = - ] || check "${name}_logged" sh -c "dmesg | grep -q '$log'"
	[ -z "${5:-}" ] || check_eq "${name}_state" "$5" "$(cat $6/state)"
	check_eq "${name}_pins_nothing" "0 0 0" "$(refs)"
}

# --- Images, through each path ---
# An empty image: a buffer of 0 bytes, an sg table of one 0-byte entry, an
# empty file (which the firmware loader refuses).
case_ buf_empty_image "load buf sim-socfpga - 0 0" "Invalid argument" \
	"image buffer is empty (count 0)"
case_ sg_empty_image "load sg sim-socfpga - 0 0" "Invalid argument" \
	"the 0-byte image is shorter than its 64-byte header" "parse header error" $A
case_ fw_empty_image "load fw sim-socfpga fpga-rs/empty.img 0 0" "Invalid argument" \
	"Error requesting firmware fpga-rs/empty.img" "firmware request error" $A
for p in buf sg fw; do
	case_ ${p}_one_byte_image "load $p sim-socfpga fpga-rs/one-byte.img 0 0" "Invalid argument" \
		"the 1-byte image is shorter than its 64-byte header" "parse header error" $A
	case_ ${p}_header_larger_than_image "load $p sim-zynq fpga-rs/zynq-short-header.img 0 0" \
		"Invalid argument" "the 40-byte image is shorter than its 64-byte header" \
		"parse header error" $X
	case_ ${p}_truncated "load $p sim-socfpga fpga-rs/socfpga-truncated.rbf 0 0" "timed out" \
		"Error after writing image data to FPGA" "write complete error" $A
	case_ ${p}_corrupt_crc "load $p sim-socfpga fpga-rs/socfpga-corrupt.rbf 0 0" \
		"Input/output error" "CRC error: nSTATUS low in frame" "write error" $A
	case_ ${p}_wrong_family "load $p sim-socfpga fpga-rs/socfpga-wrong-family.rbf 0 0" \
		"Invalid argument" "another device (wrong family)" "write init error" $A
	case_ ${p}_no_sync_word "load $p sim-zynq fpga-rs/zynq-nosync.bin 0 0" "Invalid argument" \
		"no sync word 0xAA995566: not a Xilinx bitstream" "write error" $X
	# A .bit whose header declares more data than the file holds.
	case_ ${p}_oversize "load $p sim-zynq fpga-rs/zynq-overlong.bit 0 0" \
		"Invalid argument" "outruns the" "write error" $X
	# The Zynq's DMA moves whole words from 8-byte aligned addresses.
	case_ ${p}_misaligned_length "load $p sim-zynq fpga-rs/zynq-misaligned-length.img 0 0" \
		"Invalid argument" "are no whole number of 32-bit words" "write error" $X
	[ $p = fw ] || case_ ${p}_misaligned_start_zynq "load $p sim-zynq fpga-rs/zynq-valid.bin 0 4" \
		"Invalid argument" "chunks must be aligned: an entry at page offset" "write error" $X
	# Refused before anything changes: the state stays what it was.
	case_ ${p}_unknown_flags "load $p sim-socfpga fpga-rs/socfpga-valid.rbf 80 0" \
		"Invalid argument" "unknown flags 0x80" "$(cat $A/state)" $A
	# A buffer or sg table at an odd address is good input for the Altera-style
	# manager, which writes with the CPU.
	[ $p = fw ] || case_ ${p}_misaligned_start_socfpga_programs \
		"load $p sim-socfpga fpga-rs/socfpga-valid.rbf 0 1" - - operating $A
done
case_ missing_firmware "load fw sim-socfpga fpga-rs/no-such-image.rbf 0 0" \
	"No such file or directory" "Error requesting firmware fpga-rs/no-such-image.rbf" \
	"firmware request error" $A

# --- A C caller's pointers and calls out of order ---
case_ lock_null mgr_lock_null "Invalid argument" "fpga_mgr_lock: invalid FPGA manager pointer"
case_ lock_error_pointer mgr_lock_err "Invalid argument" "fpga_mgr_lock: invalid FPGA manager pointer"
case_ unlock_null mgr_unlock_null - "fpga_mgr_unlock: invalid FPGA manager pointer"
case_ put_null mgr_put_null - "fpga_mgr_put: invalid FPGA manager pointer"
case_ put_error_pointer mgr_put_err - "fpga_mgr_put: invalid FPGA manager pointer"
case_ load_null_manager mgr_load_null_mgr "Invalid argument" "fpga_mgr_load: invalid FPGA manager pointer"
case_ load_null_info mgr_load_null_info "Invalid argument" "fpga_mgr_load: no image info"
case_ unlock_without_lock mgr_unlock_unlocked - "fpga_mgr_unlock() of a manager that is not locked"
case_ manager_double_put mgr_double_put - "put without a matching get"
case_ bridge_enable_null bridge_enable_null "Invalid argument" "invalid FPGA bridge pointer"
case_ bridge_put_null bridge_put_null - "invalid FPGA bridge pointer"
case_ bridge_put_error_pointer bridge_put_err - "invalid FPGA bridge pointer"
case_ bridge_double_put bridge_double_put - "put without a matching get"
case_ region_program_null region_program_null "Invalid argument" "invalid FPGA region pointer"
case_ region_without_image region_without_image "Invalid argument" "no FPGA image info to program"
case_ region_without_manager region_without_manager "Invalid argument" "region has no FPGA manager"

# A public bug report: a registration whose device_add() fails is cleaned up
# by put_device() alone, without a leak (the debug kernel's kmemleak scan)
# or a double free (KASAN), and drops its reference to the parent.
case_ registration_fails_in_device_add register_fails_in_device_add "No such file or directory" \
	"fpga-bad-input-unadded: cannot add the fpga_bridge device"
check registration_failures_logged_for_each_class sh -c \
	"dmesg | grep -q 'cannot add the fpga_manager device' && dmesg | grep -q 'cannot add the fpga_region device'"
check registration_failures_released_the_parent sh -c \
	"dmesg | grep -q 'unadded parent: -2 -2 -2, parent released'"

# Nothing was left locked or pinned: both FPGAs program, the bridge is
# free, and every module can go.
case_ socfpga_programs_after_the_table "load buf sim-socfpga fpga-rs/socfpga-valid.rbf 0 0" - - \
	operating $A
case_ zynq_programs_after_the_table "load sg sim-zynq fpga-rs/zynq-valid.bin 0 0" - - operating $X
check rmmod_bad_input_fixture rmmod fpga_bad_input
check rmmod_lowlevel_after_the_table rmmod sim_socfpga sim_zynq sim_freeze_bridge
check_eq cores_idle_after_the_table "1 1 0" \
	"$(refcnt fpga_mgr) $(refcnt fpga_bridge) $(refcnt fpga_region)"
rm -f $FW/empty.img $FW/one-byte.img $FW/*-short-header.img $FW/zynq-misaligned-length.img
for m in fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
