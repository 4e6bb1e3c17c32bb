# SPDX-License-Identifier: GPL-2.0
#
# Xilinx's dfx-mgr (its user load on Zynq-7000) on fpga-rs with the
# compatibility modules: its file operations, in its order, as
# ../shared/USERSPACE.md records them from its source, replayed on the Zynq
# half of the simulated board with sim_zynq vendor_name=1 (dfx-mgr requires
# the name "Xilinx Zynq FPGA Manager" exactly). dfx-mgr writes flags ("%x")
# and the image's folder into the firmware loader's path, then loads through
# fpga0/firmware (checking the write) or an overlay (path, then status
# "applied"); it requires state "operating" or "unknown" and resets the
# firmware path afterwards.

. $R/boards.sh
load_cores
zynq_board vendor_name=1
load_compat
M=/sys/class/fpga_manager/fpga0
O=/sys/kernel/config/device-tree/overlays
FWPATH=/sys/module/firmware_class/parameters/path

check_eq vendor_manager_name "Xilinx Zynq FPGA Manager" "$(cat $M/name)"

# The state check: "operating" or "unknown".
state_ok() {
	case "$(cat $M/state)" in
	operating | unknown) echo ok ;;
	*) echo "state: $(cat $M/state)" ;;
	esac
}

# dfx-mgr user load, bitstream: FOLDER FILE FLAGS. Prints "ok" or its error.
dfx_load_bitstream() {
	[ "$(cat $M/name)" = "Xilinx Zynq FPGA Manager" ] || { echo "not a Zynq"; return; }
	printf '%x' "$3" >$M/flags
	echo -n "$1" >$FWPATH
	if err=$(echo -n "$2" 2>&1 >$M/firmware); then
		state_ok
	else
		echo "firmware: ${err##*: }"
	fi
	echo >$FWPATH
}

# dfx-mgr user load, overlay: FOLDER DTBO NAME. Prints "ok" or its error.
dfx_load_overlay() {
	[ "$(cat $M/name)" = "Xilinx Zynq FPGA Manager" ] || { echo "not a Zynq"; return; }
	echo -n "$1" >$FWPATH
	mkdir $O/$3
	if echo -n "$2" >$O/$3/path 2>/dev/null && [ "$(cat $O/$3/status)" = applied ]; then
		state_ok
	else
		echo "overlay: $(cat $O/$3/status)"
	fi
	echo >$FWPATH
}

mkdir -p /lib/firmware/xilinx/design
cp $FW/zynq-swapped.bin /lib/firmware/xilinx/design/design.bit.bin
cp $FW/compat-zynq-pl-symbols.dtbo /lib/firmware/xilinx/design/pl.dtbo
check_eq bitstream_loads ok "$(dfx_load_bitstream /lib/firmware/xilinx/design design.bit.bin 0)"
check_eq bitstream_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check_eq firmware_path_reset "" "$(cat $FWPATH)"
check_eq bitstream_nothing_pinned "0 0" "$(zynq_refs)"
check_eq overlay_loads ok "$(dfx_load_overlay /lib/firmware/xilinx/design pl.dtbo design)"
check overlay_device device design-ip
check_eq overlay_nothing_pinned "0 0" "$(zynq_refs)"
check rmmod_idle_lowlevel_while_applied rmmod sim_zynq
check_eq overlay_stays_applied applied "$(cat $O/design/status)"
check overlay_removal rmdir $O/design
check overlay_device_removed sh -c "! device design-ip"
check insmod_lowlevel_again insmod $R/lowlevel/sim_zynq.ko faux=0 vendor_name=1
M=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager")
XF=$(ls $D/*zynq-fpga-mgr/fabric)
cp $FW/zynq-corrupt.bit /lib/firmware/xilinx/design/bad.bit.bin
check_eq bad_bitstream_error "firmware: Input/output error" \
	"$(dfx_load_bitstream /lib/firmware/xilinx/design bad.bit.bin 0)"
check_eq bad_bitstream_state "write error" "$(cat $M/state)"
check_eq reloads_after_an_error ok "$(dfx_load_bitstream /lib/firmware/xilinx/design design.bit.bin 0)"
check_eq reload_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check_eq nothing_pinned_at_the_end "0 0" "$(zynq_refs)"
rm -r /lib/firmware/xilinx
rmmod fpga_compat_overlays fpga_compat_sysfs
unload_zynq_board
unload_cores
