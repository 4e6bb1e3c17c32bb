# SPDX-License-Identifier: GPL-2.0
#
# Canonical's fpgad (crates fpgad, fpgad_cli: its xlnx platform, sysfs
# bitstream load and overlay calls) on fpga-rs with the compatibility
# modules: its file operations, in its order, as ../shared/USERSPACE.md
# records them from its source, replayed on the Zynq half of the simulated
# board. fpgad finds the manager under /sys/class/fpga_manager/, reads its
# device-tree compatible, points the firmware loader at the image's folder
# (/sys/module/firmware_class/parameters/path), writes flags and firmware
# and requires state "operating"; overlays go through path, and status must
# contain "applied".

. $R/boards.sh
load_cores
zynq_board
load_compat
O=/sys/kernel/config/device-tree/overlays
FWPATH=/sys/module/firmware_class/parameters/path

# The device fpgad picks: the first under /sys/class/fpga_manager/.
dev=$(ls /sys/class/fpga_manager/ | head -n1)
M=/sys/class/fpga_manager/$dev
check_eq finds_the_manager fpga0 "$dev"
check_eq reads_the_compatible "fpga-rs,sim-zynq" "$(tr -d '\0' <$M/of_node/compatible)"
check firmware_class_path_exists test -w $FWPATH

# fpgad load bitstream DEV FILE [FLAGS]: the image's folder into the firmware
# loader's path, the flags, the file's name into firmware; the state must be
# "operating". Prints "ok" or fpgad's error.
fpgad_bitstream() {
	echo -n "$(dirname "$1")" >$FWPATH
	[ -z "$2" ] || echo -n "$2" >$M/flags || { echo "flags: write failed"; return; }
	err=$(echo -n "$(basename "$1")" 2>&1 >$M/firmware) || { echo "firmware: ${err##*: }"; return; }
	[ "$(cat $M/state)" = operating ] || { echo "state: $(cat $M/state)"; return; }
	echo ok
}

# fpgad load overlay NAME FILE: the file's folder into the firmware loader's
# path, mkdir, the file's name into path; status must contain "applied".
fpgad_overlay() {
	echo -n "$(dirname "$2")" >$FWPATH
	mkdir $O/$1 || { echo "mkdir failed"; return; }
	err=$(echo -n "$(basename "$2")" 2>&1 >$O/$1/path) || { echo "path: ${err##*: }"; return; }
	case "$(cat $O/$1/status)" in
	*applied*) echo ok ;;
	*) echo "status: $(cat $O/$1/status)" ;;
	esac
}

mkdir -p /data/fpga/design
cp $FW/zynq-swapped.bin /data/fpga/design/design.bit.bin
cp $FW/compat-zynq-pl-symbols.dtbo /data/fpga/design/pl.dtbo
cp $FW/zynq-corrupt.bit /data/fpga/design/bad.bit.bin

check_eq bitstream_loads ok "$(fpgad_bitstream /data/fpga/design/design.bit.bin 0x0)"
check_eq bitstream_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check_eq bitstream_nothing_pinned "0 0" "$(zynq_refs)"
check_eq flags_without_0x_prefix ok "$(fpgad_bitstream /data/fpga/design/design.bit.bin 0)"
check_eq bad_bitstream_error "firmware: Input/output error" \
	"$(fpgad_bitstream /data/fpga/design/bad.bit.bin 0)"
check_eq bad_bitstream_state "write error" "$(cat $M/state)"

# The overlay names its bitstream (design.bit.bin), found through the same path.
check_eq overlay_loads ok "$(fpgad_overlay design /data/fpga/design/pl.dtbo)"
check_eq overlay_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check overlay_device device design-ip
check_eq overlay_nothing_pinned "0 0" "$(zynq_refs)"
check overlay_removal rmdir $O/design
check overlay_device_removed sh -c "! device design-ip"
# A bad bitstream through the overlay: the path write fails (fpgad checks it).
cp /data/fpga/design/bad.bit.bin /data/fpga/design/design.bit.bin
check_eq bad_overlay_error "path: Input/output error" "$(fpgad_overlay bad /data/fpga/design/pl.dtbo)"
check_eq bad_overlay_status_is_no_applied "error EIO" "$(cat $O/bad/status)"
rmdir $O/bad
# fpgad leaves the path set; the next scenario must not find its images.
echo >$FWPATH
rm -r /data
check_eq nothing_pinned_at_the_end "0 0" "$(zynq_refs)"
rmmod fpga_compat_overlays fpga_compat_sysfs
unload_zynq_board
unload_cores
