# SPDX-License-Identifier: GPL-2.0
#
# Overlays at the edges of the FPGA region binding, on the board of edge
# cases (sim-edge-board.dtso) with the simulated FPGAs and bridges of
# lowlevel/ (issue "Prove the lifecycle", items 6 and 7): bad overlays
# (an fpga-bridges entry that names no node or a manager, two regions in one
# overlay) are refused with a clear errno and one kernel-log line, before
# anything reaches the FPGA or a bridge; and public bug reports in their
# general form: a region nested under its bridge's node (populated while
# the bridge registers) programs through it; an overlay that also targets
# another bus applies; external-fpga-config without firmware-name programs
# nothing and adds the devices; partial reconfiguration uses the bridges the
# overlay names instead of the region node's. Checked each time: the errno,
# the log line, the fabric and bridge counters (debugfs), the manager's
# sysfs state, and that no module stays pinned.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
D=/sys/kernel/debug
DT=/sys/firmware/devicetree/base
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done
for m in sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler; do
	insmod $R/lowlevel/$m.ko faux=0
done
check insmod_edge_board insmod $R/fixtures/fpga_overlay_board.ko board=3

refs() {
	echo "$(refcnt sim_socfpga) $(refcnt sim_freeze_bridge) $(refcnt sim_zynq) $(refcnt sim_pr_decoupler)"
}
# counters: socfpga programmings, freezes, zynq programmings, decouples.
counters() {
	echo "$(field $AF programmings) $(field $FF freezes) $(field $XF programmings) $(field $PF decouples)"
}
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
F=$(class_dev fpga_bridge "Altera Freeze Bridge (fpga-rs simulation)")
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
AF=$(ls $D/*socfpga-fpga-mgr/fabric)
XF=$(ls $D/*zynq-fpga-mgr/fabric)
FF=$(ls $D/*freeze-bridge/freeze)
PF=$(ls $D/*pr-decoupler/decoupler)
check_eq edge_board_regions 5 "$(ls -d /sys/class/fpga_region/region* | wc -l)"
# The nested region is populated by the bridge core when the bridge
# registers, under the bridge's device.
check nested_region_populated_under_bridge sh -c \
	"ls -d /sys/class/fpga_region/region*/device/of_node 2>/dev/null | while read n; do readlink -f \$n; done | grep -q 'freeze-bridge/nested-region'"
check_eq edge_board_pins_nothing "0 0 0 0" "$(refs)"

# refused NAME IMAGE ERRNO_TEXT LOG: the overlay is refused with ERRNO_TEXT
# and the kernel log line LOG, and nothing reached a device.
refused() {
	before=$(counters)
	dmesg -c >/dev/null
	check_fails_with "${1}_refused" "$3" insmod $R/fixtures/fpga_overlay_image.ko image=$2
	check "${1}_logged" sh -c "dmesg | grep -q '$4'"
	check_eq "${1}_nothing_programmed_or_frozen" "$before" "$(counters)"
	check_eq "${1}_pins_nothing" "0 0 0 0" "$(refs)"
}
check_eq fabric_unprogrammed "0 0 0 0" "$(counters)"
refused missing_bridge_entry 9 "No such device" "fpga-bridges entry 1 names no device-tree node"
refused bridge_entry_names_a_manager 10 "No such device" \
	"fpga-bridges entry 0 (socfpga-fpga-mgr): no FPGA bridge is registered for it"
refused two_regions_in_one_overlay 11 "Invalid argument" \
	"overlay programs more than one FPGA region"
refused overlay_bridge_list_entry_names_no_node 17 "No such device" \
	"fpga-bridges entry 0 names no device-tree node"
check_eq socfpga_state_after_refusals "power up" "$(cat $A/state)"

# A second fragment that targets another bus: the region is programmed, the
# other node added.
check other_bus_overlay_applies insmod $R/fixtures/fpga_overlay_image.ko image=12
check_eq other_bus_region_programmed "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check other_bus_node_added test -d $DT/fpga-rs-edge-other-bus
check_eq other_bus_pins_nothing "0 0 0 0" "$(refs)"
check remove_other_bus_overlay rmmod fpga_overlay_image
check other_bus_node_removed test ! -d $DT/fpga-rs-edge-other-bus

# The region nested under its bridge programs through that bridge.
before=$(field $FF freezes)
check nested_region_programs insmod $R/fixtures/fpga_overlay_image.ko image=13
check_eq nested_region_froze_its_parent_bridge $((before + 1)) "$(field $FF freezes)"
check_eq nested_region_operating operating "$(cat $A/state)"
check remove_nested_overlay rmmod fpga_overlay_image
check_eq nested_overlay_removal_froze_the_bridge "disabled $((before + 2))" \
	"$(cat $F/state) $(field $FF freezes)"

# A second overlay on a programmed region is refused; the caller then removes
# the refused overlay, and that removal must leave the first overlay's image
# and bridges alone (the overlay core notifies every fragment's target). The
# bridge is frozen already: programming freezes nothing more, and enables it.
before=$(field $FF freezes)
dmesg -c >/dev/null
check second_overlay_on_programmed_region insmod $R/fixtures/fpga_overlay_image.ko image=13 then=13
check second_overlay_refused sh -c "dmesg | grep -q 'Region already has overlay applied' &&
	dmesg | grep -q 'overlay 13 refused: -22'"
check_eq refused_overlay_removal_left_the_bridge_running "enabled $before" \
	"$(cat $F/state) $(field $FF freezes)"
check remove_first_overlay rmmod fpga_overlay_image
check_eq first_overlay_removal_froze_the_bridge "disabled $((before + 1))" \
	"$(cat $F/state) $(field $FF freezes)"

# external-fpga-config without firmware-name: the FPGA keeps what the boot
# loader put there; the overlay only adds its devices.
before=$(counters)
check external_config_overlay_applies insmod $R/fixtures/fpga_overlay_image.ko image=14
check_eq external_config_programs_nothing "$before" "$(counters)"
check external_config_adds_logic sh -c "ls /sys/bus/platform/devices | grep -q sim-logic"
check remove_external_config_overlay rmmod fpga_overlay_image

# Partial reconfiguration with the bridges the overlay names: the PR
# decoupler, not the region node's freeze bridge.
check pr_base_image insmod $R/fixtures/fpga_overlay_image.ko image=15
check remove_pr_base_overlay rmmod fpga_overlay_image
before="$(field $FF freezes) $(field $PF decouples)"
check pr_with_overlay_bridges insmod $R/fixtures/fpga_overlay_image.ko image=16
check_eq pr_used_the_overlay_bridge_only \
	"$(echo $before | awk '{ print $1, $2 + 1 }')" "$(field $FF freezes) $(field $PF decouples)"
check_eq pr_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" "$(field $XF partial)"
check_eq pr_keeps_base "$(expected_crc zynq-valid.bin)" "$(field $XF image | sed 's/.*crc32 //')"
check remove_pr_overlay rmmod fpga_overlay_image
check_eq edge_cases_pin_nothing "0 0 0 0" "$(refs)"

check rmmod_edge_board rmmod fpga_overlay_board
check rmmod_edge_lowlevel rmmod sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler
for m in of_fpga_region fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
