# SPDX-License-Identifier: GPL-2.0
#
# Xilinx's fpgautil (meta-xilinx fpgautil.c) on fpga-rs with the
# compatibility modules: the file operations it makes, in its order, as
# ../shared/USERSPACE.md records them from its source, replayed on the Zynq
# half of the simulated board. fpgautil ignores the errors of its writes and
# decides by reading fpga0/state (and, for overlays, path) back: each check
# below is what it would read, plus what reached the fabric, the refcounts
# and the errno a write returned.

. $R/boards.sh
load_cores
zynq_board
load_compat
M=/sys/class/fpga_manager/fpga0

# Vendor overlays, built with dtc -@: targets by label (&zynq_region, &amba),
# and the label pr0 for the partial overlay.
# The state check after each flow: fpga0/state into ./state.txt, success if
# it starts with "operating" or "unknown".
state_check() {
	cat $M/state >/tmp/state.txt
	case "$(cat /tmp/state.txt)" in
	operating* | unknown*) echo done ;;
	*) echo failed ;;
	esac
}

# fpgautil -b BIN [-f FLAGS]: the sysfs flow. Prints the write's errno text
# (fpgautil ignores it) and the state check's verdict.
fpgautil_sysfs() {
	cat $M/name >/dev/null || return 1
	cp "$1" /lib/firmware/
	echo "$2" >$M/flags 2>/dev/null
	err=$(echo "$(basename "$1")" 2>&1 >$M/firmware) && err=ok
	rm /lib/firmware/"$(basename "$1")"
	echo "$err/$(state_check)"
}

# fpgautil [-b BIN] -o DTBO [-f FLAGS] [-n NAME]: the overlay flow. Prints
# what it would report: "exists", "Failed to apply Overlay" or the state
# check's verdict.
fpgautil_overlay() {
	bin=$1 dtbo=$2 flags=$3 name=${4:-full}
	cat $M/name >/dev/null || return 1
	[ -d /configfs/device-tree/ ] || { mkdir -p /configfs && mount -t configfs configfs /configfs; }
	dir=/configfs/device-tree/overlays/$name
	[ ! -d "$dir" ] || { echo exists; return; }
	[ -z "$bin" ] || cp "$bin" /lib/firmware/
	cp "$dtbo" /lib/firmware/
	[ -z "$bin" ] || echo "$flags" >$M/flags 2>/dev/null
	mkdir "$dir"
	echo -n "$(basename "$dtbo")" >"$dir/path" 2>/dev/null
	if [ "$(cat "$dir/path")" != "$(basename "$dtbo")" ]; then
		echo "Failed to apply Overlay"
		return
	fi
	state_check
}

# fpgautil -R [-n NAME]
fpgautil_remove() {
	rmdir /configfs/device-tree/overlays/${1:-full}
}

W=/tmp/fpgautil
mkdir -p $W
cp $FW/zynq-swapped.bin $W/design.bit.bin
cp $FW/zynq-partial.bin $W/partial.bin
cp $FW/compat-zynq-pl-symbols.dtbo $W/pl.dtbo
cp $FW/compat-zynq-partial-symbols.dtbo $W/partial.dtbo

# -b design.bit.bin (Full): sysfs flow.
check_eq sysfs_full_done "ok/done" "$(fpgautil_sysfs $W/design.bit.bin 0)"
check_eq sysfs_full_state_txt operating "$(cat /tmp/state.txt)"
check_eq sysfs_full_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check sysfs_copy_removed test ! -e /lib/firmware/design.bit.bin
check_eq sysfs_nothing_pinned "0 0" "$(zynq_refs)"
# -b partial.bin -f Partial: flags 0x1.
check_eq sysfs_partial_done "ok/done" "$(fpgautil_sysfs $W/partial.bin 1)"
check_eq sysfs_partial_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" \
	"$(field $XF partial)"
check_eq sysfs_partial_keeps_base "$(expected_crc zynq-swapped.bin)" \
	"$(field $XF image | sed 's/.*crc32 //')"
# -f 0x20 (EnUsrKey): the flags write is refused (upstream has no user key);
# fpgautil ignores that, and its firmware write is refused too, without a load.
dmesg -c >/dev/null
check_fails_with sysfs_user_key_flag_refused "Invalid argument" sh -c "echo 20 >$M/flags"
check_eq sysfs_user_key_flag_logged 1 "$(dmesg | grep -c 'bits 0x20 are no upstream')"
programmings=$(field $XF programmings)
cp $W/design.bit.bin /lib/firmware/
check_fails_with sysfs_user_key_load_refused "Invalid argument" \
	sh -c "echo design.bit.bin >$M/firmware"
check_eq sysfs_user_key_nothing_loaded "$programmings" "$(field $XF programmings)"
rm /lib/firmware/design.bit.bin
echo 0 >$M/flags
# A bad image: the write returns EIO (fpgautil ignores it), the state check fails.
cp $FW/zynq-corrupt.bit $W/bad.bit.bin
check_eq sysfs_bad_image_fails "Input/output error/failed" \
	"$(fpgautil_sysfs $W/bad.bit.bin 0 | sed 's/.*: //')"
check_eq sysfs_bad_image_state_txt "write error" "$(cat /tmp/state.txt)"

# -b design.bit.bin -o pl.dtbo (Full, folder "full"), configfs mounted at /configfs.
check_eq overlay_full_done done "$(fpgautil_overlay $W/design.bit.bin $W/pl.dtbo 0)"
check configfs_mounted_at_configfs test -d /configfs/device-tree/overlays/full
check_eq overlay_full_path pl.dtbo "$(cat /configfs/device-tree/overlays/full/path)"
check_eq overlay_full_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check overlay_full_device device design-ip
check_eq overlay_decoupler_coupled enabled "$(cat $P/state)"
check_eq overlay_nothing_pinned "0 0" "$(zynq_refs)"
check_eq overlay_folder_exists exists "$(fpgautil_overlay $W/design.bit.bin $W/pl.dtbo 0)"
# -R: removed.
check overlay_remove fpgautil_remove
check overlay_removed_device sh -c "! device design-ip"
check_eq overlay_removed_decoupled disabled "$(cat $P/state)"
# -o pl.dtbo without -b: the bitstream is in /lib/firmware already (from the last -b).
check_eq overlay_without_b_done done "$(fpgautil_overlay '' $W/pl.dtbo 0)"
check_eq overlay_without_b_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
# -b partial.bin -o partial.dtbo -f Partial -n PR0: beside the full one.
check_eq overlay_partial_done done "$(fpgautil_overlay $W/partial.bin $W/partial.dtbo 1 PR0)"
check_eq overlay_partial_flags_written 1 "$(cat $M/flags)"
check overlay_partial_device device partial-ip
check_eq overlay_partial_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" \
	"$(field $XF partial)"
# -R (full) before -R -n PR0: the overlay core cannot remove the full design's
# overlay under the partial one (it added PR0's node). The folder goes, its
# overlay stays applied until PR0's is removed, then goes too.
dmesg -c >/dev/null
check overlay_full_remove_first fpgautil_remove
check dmesg_says_full_kept sh -c "dmesg | grep -q 'overlay full: not removed yet'"
check full_design_device_kept device design-ip
check_fails_with module_pinned_while_an_overlay_waits "Resource temporarily unavailable" \
	rmmod fpga_compat_overlays
check overlay_partial_remove fpgautil_remove PR0
check dmesg_says_full_removed_at_last sh -c "dmesg | grep -q 'overlay full: removed at last'"
check partial_and_full_devices_removed sh -c "! device partial-ip && ! device design-ip"
check_eq full_removed_decoupled disabled "$(cat $P/state)"
echo 0 >$M/flags
# A bad image through the overlay flow: "Failed to apply Overlay" (path reads back empty).
cp $FW/compat-zynq-pl-symbols.dtbo $W/bad.dtbo
cp $FW/zynq-corrupt.bit /lib/firmware/design.bit.bin
check_eq overlay_bad_image_fails "Failed to apply Overlay" "$(fpgautil_overlay '' $W/bad.dtbo 0)"
check_eq overlay_bad_image_status "error EIO" "$(cat /configfs/device-tree/overlays/full/status)"
check overlay_bad_image_no_device sh -c "! device design-ip"
fpgautil_remove
check_eq nothing_pinned_at_the_end "0 0" "$(zynq_refs)"
check_eq compat_modules_unpinned "0 0" "$(refcnt fpga_compat_overlays) $(refcnt fpga_compat_sysfs)"
rm -f /lib/firmware/design.bit.bin /lib/firmware/partial.bin /lib/firmware/*.dtbo
umount /configfs
rmmod fpga_compat_overlays fpga_compat_sysfs
unload_zynq_board
unload_cores
