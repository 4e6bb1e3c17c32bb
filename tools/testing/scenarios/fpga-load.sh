# SPDX-License-Identifier: GPL-2.0
#
# tools/fpga-load, the command users type, on the simulated board
# (sim-board.dtso): a listing, a load from a file outside /lib/firmware, a
# load of the image an overlay names, a failed load (exit status 1, the step
# and errno, the item left in place), loading again, and an unload; checked
# against configfs, the fabric and the bridge.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
C=/sys/kernel/config/fpga_regions
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done
for m in sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler; do
	insmod $R/lowlevel/$m.ko faux=0
done
check insmod_sim_board insmod $R/fixtures/fpga_overlay_board.ko board=2
wait_until sh -c "[ \$(ls -d /sys/class/fpga_region/region* 2>/dev/null | wc -l) = 2 ]"
RS=
for g in /sys/class/fpga_region/region*; do
	case "$(basename "$(readlink -f "$g/device")")" in *socfpga-region*) RS=$(basename "$g") ;; esac
done
AF=$(ls /sys/kernel/debug/*socfpga-fpga-mgr/fabric)
F=$(class_dev fpga_bridge "Altera Freeze Bridge (fpga-rs simulation)")

check_fails_with two_regions_need_r "several FPGA regions" fpga-load /fpga-rs/ktap.sh
check_fails_with missing_file_is_a_usage_error "no such file" fpga-load -r $RS /nonexistent.rbf
fpga-load /nonexistent.rbf >/dev/null 2>&1
check_eq usage_error_exit_status 2 "$?"
check_fails_with bad_region_is_a_usage_error "bad region name" fpga-load -r foo -s
out=$(fpga-load -s 2>&1)
check listing_names_both_regions sh -c "echo '$out' | grep -q '^$RS: unloaded'"

# A file outside /lib/firmware: copied for the firmware loader, kept with the item.
cp $FW/socfpga-valid.rbf /tmp/design.rbf
check load_from_a_file_outside_firmware fpga-load -r $RS /tmp/design.rbf
check_eq loaded_item_status loaded "$(cat $C/$RS/design.rbf/status)"
check_eq loaded_firmware_name fpga-load/$RS/design.rbf/design.rbf "$(cat $C/$RS/design.rbf/firmware)"
check_eq fabric_after_fpga_load "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check_eq bridge_enabled_after_fpga_load enabled "$(cat $F/state)"
out=$(fpga-load -s -r $RS 2>&1)
check listing_shows_the_load sh -c "echo '$out' | grep -q '^$RS: loaded design.rbf'"

# The overlay names the image: no IMAGE.
check load_the_image_an_overlay_names fpga-load -r $RS -o $FW/cfs-socfpga-named.dtbo
check_eq previous_item_removed "" "$(ls $C/$RS | grep design.rbf)"
check_eq copy_removed_with_its_item "" "$(ls /lib/firmware/fpga-load/$RS 2>/dev/null | grep design.rbf)"
check overlay_device_added sh -c "ls /sys/bus/platform/devices | grep -q sim-logic"

# A failed load.
fpga-load -r $RS $FW/socfpga-corrupt.rbf >/tmp/fpga-load.out 2>&1
check_eq failed_load_exit_status 1 "$?"
check failed_load_names_step_and_errno grep -q "failed at step write: EIO" /tmp/fpga-load.out
check_eq failed_item_left_in_place "error write EIO" "$(cat $C/$RS/socfpga-corrupt.rbf/status)"
check overlay_device_removed_by_the_new_load sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"

# Loading again, then unloading.
check load_again fpga-load -r $RS $FW/socfpga-valid.rbf
check_eq fabric_after_load_again "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check unload fpga-load -u -r $RS
check_eq unloaded_bridge_frozen disabled "$(cat $F/state)"
check_eq unload_removes_the_loaded_item "" "$(ls $C/$RS | grep socfpga-valid.rbf)"
check_eq unload_leaves_other_items "socfpga-corrupt.rbf" "$(ls $C/$RS | grep rbf)"
check nothing_to_unload sh -c "fpga-load -u -r $RS | grep -q 'nothing loaded'"
rmdir $C/$RS/socfpga-corrupt.rbf

check rmmod_all rmmod fpga_overlay_board sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler
for m in of_fpga_region fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq cores_unloaded "gone gone gone gone" \
	"$(refcnt of_fpga_region) $(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
