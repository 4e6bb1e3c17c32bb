# SPDX-License-Identifier: GPL-2.0
#
# The device-tree overlay flow end to end, on of_fpga_region.ko: a board
# overlay (tests/fixtures/fpga_overlay_board.rs) describes a test manager, a test
# bridge and an FPGA region; applying an image overlay to the region
# (tests/fixtures/fpga_overlay_image.rs) programs it through them, removing it
# freezes the bridge again. sysfs states and module refcounts are checked at
# each step. Unlike upstream's of-fpga-region, the region does not pin the
# manager's module between programmings (the low-level module can be
# reloaded under an existing region), and unbinding a region releases what
# it took (holes L2, L3).

R=/fpga-rs
OFR=/sys/bus/platform/drivers/of-fpga-region
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done

check insmod_lowlevel_manager insmod $R/fixtures/fpga_test_mgr.ko pause=1
check insmod_lowlevel_bridge insmod $R/fixtures/fpga_test_bridge.ko
check insmod_board insmod $R/fixtures/fpga_overlay_board.ko
M=$(class_dev fpga_manager "fpga-rs test manager (of)")
B=$(class_dev fpga_bridge "fpga-rs test bridge (of)")
G=$(ls -d /sys/class/fpga_region/region* 2>/dev/null | head -n 1)
RDEV=$(basename "$(readlink -f "$G/device")")
# On arm and arm64 the board is an overlay on the tree QEMU generated for its
# virt machine, as on a real board's tree; x86-64 has none from firmware.
DT=/sys/firmware/devicetree/base
case "$(uname -m)" in
x86_64) skip board_on_machine_tree "x86-64: no device tree from firmware, the board is applied to the OF core's empty tree" ;;
*) check board_on_machine_tree grep -q linux,dummy-virt $DT/compatible ;;
esac
check board_node_in_live_tree test -d $DT/fpga-rs-board/fpga-region
check region_probed_from_tree test -d "$G"
check region_bound_to_of_fpga_region test -e "$OFR/$RDEV"
check_eq manager_from_tree "power up" "$(cat $M/state)"
check_eq bridge_from_tree enabled "$(cat $B/state)"

refs() {
	echo "$(refcnt fpga_test_mgr) $(refcnt fpga_test_bridge) $(refcnt of_fpga_region)"
}
# Upstream's of-fpga-region holds the manager (and its module) from probe on.
check_eq region_pins_no_module_when_idle "0 0 0" "$(refs)"

# Apply the image overlay; the manager holds the write (pause=1) until
# released: look at the programming mid-way.
insmod $R/fixtures/fpga_overlay_image.ko image=1 2>/tmp/overlay.err &
applying=$!
check manager_reaches_write_state wait_for "$M/state" write
check_eq owners_pinned_while_overlay_programs "1 1 1" "$(refs)"
check_eq bridge_frozen_while_programming disabled "$(cat $B/state)"
check_fails_with rmmod_manager_while_overlay_programs_is_refused \
	"Resource temporarily unavailable" rmmod fpga_test_mgr
echo 1 >/sys/kernel/debug/fpga-rs-test-mgr/release
check overlay_applied wait $applying
check_eq manager_operating_after_overlay operating "$(cat $M/state)"
check_eq bridge_enabled_after_overlay enabled "$(cat $B/state)"
check_eq no_pin_after_overlay_applied "0 0 0" "$(refs)"
check overlay_logic_device_created sh -c "ls /sys/bus/platform/devices | grep -q fpga-rs-logic"

# The low-level manager goes while the overlay stays applied.
check rmmod_idle_manager_with_overlay_applied rmmod fpga_test_mgr
check remove_image_overlay rmmod fpga_overlay_image
check overlay_logic_device_removed sh -c "! ls /sys/bus/platform/devices | grep -q fpga-rs-logic"
check_eq bridge_frozen_after_overlay_removed disabled "$(cat $B/state)"
check_fails_with overlay_with_manager_gone_is_rejected "No such device" \
	insmod $R/fixtures/fpga_overlay_image.ko image=1

# The manager's module comes back: the same region programs through it.
check reinsmod_manager insmod $R/fixtures/fpga_test_mgr.ko
M=$(class_dev fpga_manager "fpga-rs test manager (of)")
check overlay_after_reload insmod $R/fixtures/fpga_overlay_image.ko image=1
check_eq manager_operating_after_reload operating "$(cat $M/state)"
check_eq bridge_enabled_after_reload enabled "$(cat $B/state)"
check remove_overlay_after_reload rmmod fpga_overlay_image

# Overlays the region rejects.
check_fails_with corrupt_image_overlay_is_rejected "error" \
	insmod $R/fixtures/fpga_overlay_image.ko image=2
check_eq manager_state_after_corrupt_image "write error" "$(cat $M/state)"
check_eq manager_status_after_corrupt_image "reconfig CRC error" "$(cat $M/status)"
check_eq no_pin_after_rejected_overlay "0 0 0" "$(refs)"
check rejected_overlay_leaves_no_logic_device sh -c "! ls /sys/bus/platform/devices | grep -q fpga-rs-logic"
check_fails_with ambiguous_overlay_is_rejected "nvalid" \
	insmod $R/fixtures/fpga_overlay_image.ko image=3
# A child region that names an image is refused, and finding its (string)
# firmware-name is no boolean read (7.2 warns "Read of boolean property").
check_fails_with child_region_with_firmware_is_rejected "nvalid" \
	insmod $R/fixtures/fpga_overlay_image.ko image=8
check child_region_with_firmware_logged sh -c \
	"dmesg | grep -q 'firmware-name not allowed in child FPGA region'"
check child_region_firmware_name_read_as_string sh -c \
	"! dmesg | grep -q \"Read of boolean property 'firmware-name'\""
check_eq no_pin_after_child_region_overlay "0 0 0" "$(refs)"

# Unbinding the region with an overlay applied releases what it took (L3):
# upstream keeps the bridges held (module pinned) and leaks the image info.
check overlay_before_unbind insmod $R/fixtures/fpga_overlay_image.ko image=1
check unbind_region_with_overlay_applied sh -c "echo $RDEV >$OFR/unbind"
check region_device_gone_after_unbind test ! -e "$G"
check_eq no_pin_after_unbind "0 0 0" "$(refs)"
check rmmod_bridge_after_unbind rmmod fpga_test_bridge
check remove_overlay_after_unbind rmmod fpga_overlay_image
check reinsmod_bridge insmod $R/fixtures/fpga_test_bridge.ko
check rebind_region sh -c "echo $RDEV >$OFR/bind"
G=$(ls -d /sys/class/fpga_region/region* 2>/dev/null | head -n 1)
check region_back_after_rebind test -d "$G"
check overlay_after_rebind insmod $R/fixtures/fpga_overlay_image.ko image=1
check remove_overlay_after_rebind rmmod fpga_overlay_image

check rmmod_board rmmod fpga_overlay_board
check region_gone_with_board sh -c "! ls -d /sys/class/fpga_region/region* 2>/dev/null"
check rmmod_lowlevel rmmod fpga_test_bridge fpga_test_mgr
for m in of_fpga_region fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq cores_unloaded "gone gone gone gone" \
	"$(refcnt of_fpga_region) $(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
