# SPDX-License-Identifier: GPL-2.0
#
# The simulated FPGAs and bridges of lowlevel/ programmed through FPGA
# regions, the way a board does it: a device-tree board (sim-board.dtso)
# with an Altera-style SoC FPGA behind a freeze bridge and a Zynq behind a
# PR decoupler, all bound from the tree; image overlays program the regions
# with the images of tools/testing/gen-images.py. Checked at each step:
# sysfs state and status of managers and bridges, what reached the fabric
# (debugfs, against the manifest), what the bridges did, errnos, and module
# refcounts (nothing is pinned between programmings).

R=/fpga-rs
FW=/lib/firmware/fpga-rs
D=/sys/kernel/debug
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done
for m in sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler; do
	check "insmod_${m}_tree_only" insmod $R/lowlevel/$m.ko faux=0
done
check insmod_sim_board insmod $R/fixtures/fpga_overlay_board.ko board=2

refs() {
	echo "$(refcnt sim_socfpga) $(refcnt sim_freeze_bridge) $(refcnt sim_zynq) $(refcnt sim_pr_decoupler)"
}
logic() {
	ls /sys/bus/platform/devices | grep -q sim-logic
}

A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
F=$(class_dev fpga_bridge "Altera Freeze Bridge (fpga-rs simulation)")
P=$(class_dev fpga_bridge "Xilinx PR Decoupler (fpga-rs simulation)")
AF=$(ls $D/*socfpga-fpga-mgr/fabric)
XF=$(ls $D/*zynq-fpga-mgr/fabric)
FF=$(ls $D/*freeze-bridge/freeze)
PF=$(ls $D/*pr-decoupler/decoupler)
check_eq managers_bound_from_tree "power up/power up" "$(cat $A/state)/$(cat $X/state)"
check_eq bridges_bound_from_tree "enabled/enabled" "$(cat $F/state)/$(cat $P/state)"
check_eq two_regions "2" "$(ls -d /sys/class/fpga_region/region* | wc -l)"
check_eq nothing_pinned_by_idle_regions "0 0 0 0" "$(refs)"

# --- SoC FPGA region behind the freeze bridge ---
cp $FW/socfpga-valid.rbf $FW/socfpga-region.rbf
check socfpga_region_programs insmod $R/fixtures/fpga_overlay_image.ko image=5
check_eq socfpga_region_manager_operating operating "$(cat $A/state)"
check_eq socfpga_region_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check_eq socfpga_region_fabric_user_mode "user mode" "$(field $AF mode)"
check_eq freeze_bridge_running_after_programming enabled "$(cat $F/state)"
check_eq freeze_bridge_froze_once 1 "$(field $FF freezes)"
check_eq freeze_bridge_reset_and_unfroze_the_region "1/1" \
	"$(field $FF 'region resets')/$(field $FF unfreezes)"
check socfpga_region_logic_device_created logic
check running_bridge_passes_traffic sh -c "echo 5 >$(dirname $FF)/traffic"
check_eq running_bridge_counts_passed_traffic 5 "$(field $FF 'transactions passed')"
check_eq nothing_pinned_after_programming "0 0 0 0" "$(refs)"
check remove_socfpga_overlay rmmod fpga_overlay_image
check_eq freeze_bridge_frozen_after_removal "disabled" "$(cat $F/state)"
check_eq freeze_bridge_region_frozen frozen "$(field $FF region)"
TF=$(dirname $FF)/traffic
check_fails_with frozen_bridge_refuses_traffic "Input/output error" sh -c "echo 3 >$TF"
check_eq frozen_bridge_counts_blocked_traffic 3 "$(field $FF 'transactions blocked')"
# 64-bit counters past 999: `{}` of such a u64 is a BUG() on 32-bit ARM (the
# kernel's panicking __aeabi_uldivmod), so the drivers print them with
# lowlevel/sim/dec64.rs. A write carries at most 2^20 transactions.
check_fails_with frozen_bridge_refuses_a_large_burst "Input/output error" sh -c "echo 1048576 >$TF"
check_eq frozen_bridge_counts_past_999 1048579 "$(field $FF 'transactions blocked')"
check socfpga_region_logic_device_removed sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"

cp $FW/socfpga-corrupt.rbf $FW/socfpga-region.rbf
check_fails_with socfpga_region_corrupt_image_fails "Input/output error" \
	insmod $R/fixtures/fpga_overlay_image.ko image=5
check_eq socfpga_region_corrupt_state "write error" "$(cat $A/state)"
check_eq socfpga_region_corrupt_status "reconfig CRC error" "$(cat $A/status)"
check_eq socfpga_region_corrupt_bridge_stays_frozen disabled "$(cat $F/state)"
check socfpga_region_corrupt_no_logic_device sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"
cp $FW/socfpga-wrong-family.rbf $FW/socfpga-region.rbf
check_fails_with socfpga_region_wrong_family_fails "Invalid argument" \
	insmod $R/fixtures/fpga_overlay_image.ko image=5
check_eq socfpga_region_wrong_family_status "reconfig incompatible image" "$(cat $A/status)"
check_eq nothing_pinned_after_failures "0 0 0 0" "$(refs)"

# A freeze bridge whose unfreeze is never acknowledged: the FPGA is
# configured, but the region fails with the bridge's ETIMEDOUT.
check rmmod_idle_freeze_bridge rmmod sim_freeze_bridge
check insmod_stuck_freeze_bridge insmod $R/lowlevel/sim_freeze_bridge.ko faux=0 stuck=2
F=$(class_dev fpga_bridge "Altera Freeze Bridge (fpga-rs simulation)")
FF=$(ls $D/*freeze-bridge/freeze)
cp $FW/socfpga-valid.rbf $FW/socfpga-region.rbf
check_fails_with socfpga_region_unfreeze_timeout_fails "timed out" \
	insmod $R/fixtures/fpga_overlay_image.ko image=5
# Each attempt (busybox insmod retries a failed finit_module with init_module)
# timed out once, and said so in the log.
check_eq unfreeze_timeouts_counted_and_logged \
	"$(dmesg | grep -c 'unfreeze request not acknowledged within 1000 us')" "$(field $FF timeouts)"
check unfreeze_timed_out test "$(field $FF timeouts)" -ge 1
check_eq unfreeze_timeout_fpga_configured operating "$(cat $A/state)"
check_eq unfreeze_timeout_bridge_stays_frozen disabled "$(cat $F/state)"
check unfreeze_timeout_logged sh -c "dmesg | grep -q 'unfreeze request not acknowledged within 1000 us'"
rmmod sim_freeze_bridge
check insmod_freeze_bridge_again insmod $R/lowlevel/sim_freeze_bridge.ko faux=0
F=$(class_dev fpga_bridge "Altera Freeze Bridge (fpga-rs simulation)")

# The demo's overlay: the valid image named directly.
check socfpga_region_demo_overlay insmod $R/fixtures/fpga_overlay_image.ko image=4
check_eq socfpga_region_demo_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check rmmod_lowlevel_with_overlay_applied rmmod sim_socfpga
check remove_demo_overlay rmmod fpga_overlay_image
check insmod_socfpga_again insmod $R/lowlevel/sim_socfpga.ko faux=0
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
AF=$(ls $D/*socfpga-fpga-mgr/fabric)
check socfpga_region_programs_after_reload insmod $R/fixtures/fpga_overlay_image.ko image=4
check_eq socfpga_region_after_reload_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
rmmod fpga_overlay_image

# --- Zynq region behind the PR decoupler ---
cp $FW/zynq-swapped.bin $FW/zynq-region.img
check zynq_region_programs insmod $R/fixtures/fpga_overlay_image.ko image=6
check_eq zynq_region_operating operating "$(cat $X/state)"
check_eq zynq_region_fabric_crc32 "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check_eq decoupler_coupled_after_programming "enabled" "$(cat $P/state)"
check_eq decoupler_decoupled_once_coupled_once "1/1" "$(field $PF decouples)/$(field $PF couples)"
check remove_zynq_overlay rmmod fpga_overlay_image
check_eq decoupler_decoupled_after_removal "disabled" "$(cat $P/state)"
check_eq decoupler_ctrl_after_removal "0x1 (decoupled)" "$(field $PF ctrl)"
check_fails_with decoupled_bridge_refuses_traffic "Input/output error" \
	sh -c "echo 2 >$(dirname $PF)/traffic"
check_eq decoupled_bridge_counts_blocked_traffic "0/2" \
	"$(field $PF 'transactions passed')/$(field $PF 'transactions blocked')"
check_fails_with decoupled_bridge_refuses_a_large_burst "Input/output error" \
	sh -c "echo 1048576 >$(dirname $PF)/traffic"
check_eq decoupled_bridge_counts_past_999 1048578 "$(field $PF 'transactions blocked')"
cp $FW/zynq-partial.bin $FW/zynq-region.img
check zynq_region_partial_reconfiguration insmod $R/fixtures/fpga_overlay_image.ko image=7
check_eq zynq_region_partial_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" \
	"$(field $XF partial)"
check_eq zynq_region_partial_keeps_base "$(expected_crc zynq-swapped.bin)" \
	"$(field $XF image | sed 's/.*crc32 //')"
rmmod fpga_overlay_image
cp $FW/zynq-corrupt.bit $FW/zynq-region.img
check_fails_with zynq_region_corrupt_fails "Input/output error" \
	insmod $R/fixtures/fpga_overlay_image.ko image=6
check_eq zynq_region_corrupt_status "reconfig CRC error" "$(cat $X/status)"
check_eq zynq_region_corrupt_decoupled disabled "$(cat $P/state)"
check_eq nothing_pinned_at_the_end "0 0 0 0" "$(refs)"

check rmmod_board rmmod fpga_overlay_board
check rmmod_lowlevel rmmod sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler
check rmmod_cores rmmod of_fpga_region fpga_region fpga_bridge fpga_mgr
