# SPDX-License-Identifier: GPL-2.0
#
# PYNQ (Xilinx/PYNQ: pl_server's Bitstream and DeviceTreeSegment) on fpga-rs
# with the compatibility modules: its file operations, in its order, as
# ../shared/USERSPACE.md records them from its source, replayed on the Zynq
# half of the simulated board. The bitstream goes through fpga0/firmware;
# the design's device-tree segment through device-tree/overlays/<name>/dtbo,
# whose status must read exactly "applied". The segment describes the region
# as programmed already (external-fpga-config): an overlay that programs no
# region is refused.

. $R/boards.sh
load_cores
zynq_board
load_compat
M=/sys/class/fpga_manager/fpga0
O=/sys/kernel/config/device-tree/overlays

# Bitstream.download(): the manager must have the firmware attribute; the
# flags ("0" full, "1" partial), the .bin copied to /lib/firmware, its name.
# Prints the write's error ("ok" if none): PYNQ's write raises it.
pynq_download() {
	test -e $M/firmware || { echo "no firmware attribute"; return; }
	echo "$2" >$M/flags
	cp "$1" /lib/firmware/
	err=$(echo "$(basename "$1")" 2>&1 >$M/firmware) && err=ok
	echo "$err"
}

# DeviceTreeSegment.insert(): mkdir, the blob into dtbo, then status must be
# exactly "applied\n". Prints "applied" or PYNQ's error.
pynq_insert() {
	mkdir $O/$1
	cat "$2" >$O/$1/dtbo
	if [ "$(cat $O/$1/status)" = applied ]; then
		echo applied
	else
		echo "Device tree segment $1 failed"
	fi
}

# DeviceTreeSegment.remove()
pynq_remove() {
	rmdir $O/$1
}

cp $FW/zynq-swapped.bin /tmp/base.bin
cp $FW/compat-zynq-segment.dtbo /tmp/base.dtbo
check_eq bitstream_download ok "$(pynq_download /tmp/base.bin 0)"
check_eq bitstream_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check_eq bitstream_state operating "$(cat $M/state)"
check_eq bitstream_nothing_pinned "0 0" "$(zynq_refs)"
programmings=$(field $XF programmings)
bridge="$(cat $P/state) $(field $PF decouples)/$(field $PF couples)"
check_eq segment_inserted applied "$(pynq_insert base /tmp/base.dtbo)"
check segment_device device segment-ip
check_eq segment_did_not_program_again "$programmings" "$(field $XF programmings)"
# external-fpga-config: of_fpga_region takes the region as programmed (no
# image info: nothing programmed, the bridges left as they are), as upstream.
check_eq segment_leaves_the_bridge "$bridge" "$(cat $P/state) $(field $PF decouples)/$(field $PF couples)"
check_eq segment_nothing_pinned "0 0" "$(zynq_refs)"
check segment_removed pynq_remove base
check segment_device_removed sh -c "! device segment-ip"

# A partial bitstream: flags "1".
cp $FW/zynq-partial.bin /tmp/partial.bin
check_eq partial_download ok "$(pynq_download /tmp/partial.bin 1)"
check_eq partial_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" \
	"$(field $XF partial)"

# A bad bitstream: the write raises EIO.
cp $FW/zynq-corrupt.bit /tmp/bad.bin
check_eq bad_bitstream_raises "Input/output error" "$(pynq_download /tmp/bad.bin 0 | sed 's/.*: //')"
check_eq bad_bitstream_state "write error" "$(cat $M/state)"
# A segment that programs no region: its status is no "applied".
cp $FW/compat-not-fpga.dtbo /tmp/stray.dtbo
check_eq stray_segment_fails "Device tree segment stray failed" "$(pynq_insert stray /tmp/stray.dtbo)"
check_eq stray_segment_status "error EPERM" "$(cat $O/stray/status)"
check stray_segment_added_nothing sh -c "! device stray-ip"
pynq_remove stray
check_eq nothing_pinned_at_the_end "0 0" "$(zynq_refs)"
rm -f /lib/firmware/base.bin /lib/firmware/partial.bin /lib/firmware/bad.bin
rmmod fpga_compat_overlays fpga_compat_sysfs
unload_zynq_board
unload_cores
