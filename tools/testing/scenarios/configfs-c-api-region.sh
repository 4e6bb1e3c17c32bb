# SPDX-License-Identifier: GPL-2.0
#
# The configfs interface on a region that is no device-tree region: one a
# driver registered through the C API (tests/fixtures/fpga_test_region.rs over
# tests/fixtures/fpga_test_mgr.rs and tests/fixtures/fpga_test_bridge.rs, as dfl-fme-region.c
# registers one on a PCIe card). The same flow as on device-tree regions, and
# the lifecycle rules through it: the owner modules are pinned during
# `config` 1 only (a held programming, looked at mid-way), the image's files
# refuse changes meanwhile, and a region that goes while images exist leaves
# them defunct, never a crash or a leak.

R=/fpga-rs
C=/sys/kernel/config/fpga_regions
for m in fpga_mgr fpga_bridge fpga_region; do
	insmod $R/modules/$m.ko
done
check insmod_lowlevel_manager insmod $R/fixtures/fpga_test_mgr.ko pause=1
check insmod_lowlevel_bridge insmod $R/fixtures/fpga_test_bridge.ko
check insmod_region insmod $R/fixtures/fpga_test_region.ko
M=$(class_dev fpga_manager "fpga-rs test manager")
B=$(class_dev fpga_bridge "fpga-rs test bridge")
G=$(basename "$(ls -d /sys/class/fpga_region/region* | head -n 1)")
S=$C/$G
# The group is registered from a work queue, a moment after the region.
wait_until test -d "$S"
refs() {
	echo "$(refcnt fpga_test_mgr) $(refcnt fpga_test_bridge) $(refcnt fpga_test_region)"
}
release() {
	echo 1 >/sys/kernel/debug/fpga-rs-test-mgr/release
}
check region_group_for_c_api_region test -d "$S"
check_eq region_group_names_its_manager "$(basename $M)" "$(cat $S/manager)"
check mkdir_image mkdir $S/img
I=$S/img
check_fails_with overlay_on_non_dt_region_is_eopnotsupp "not supported" \
	sh -c "echo fpga-rs/cfs-socfpga-logic.dtbo >$I/overlay"
check_eq overlay_unset_after_refusal "" "$(cat $I/overlay)"
echo fpga-rs/test-image.bin >$I/firmware
check_eq nothing_pinned_before_config "0 0 0" "$(refs)"

# config 1, held in the manager's write.
sh -c "echo 1 >$I/config" 2>/tmp/config.err &
loading=$!
check manager_reaches_write_state wait_for "$M/state" write
check_eq owners_pinned_during_config "1 1 1" "$(refs)"
check_eq bridge_frozen_during_config disabled "$(cat $B/state)"
check_fails_with rmmod_manager_during_config_is_refused \
	"Resource temporarily unavailable" rmmod fpga_test_mgr
check_fails_with attribute_write_during_config_is_busy "Device or resource busy" \
	sh -c "echo fpga-rs/test-image-corrupt.bin >$I/firmware"
check_fails_with config_during_config_is_busy "Device or resource busy" sh -c "echo 0 >$I/config"
check mkdir_second_during_config mkdir $S/other
echo fpga-rs/test-image.bin >$S/other/firmware
check_fails_with second_image_during_config_is_busy "Device or resource busy" \
	sh -c "echo 1 >$S/other/config"
check_eq status_during_config unloaded "$(cat $I/status)"
release
check config_returns_success wait $loading
check_eq loaded_after_release loaded "$(cat $I/status)"
check_eq manager_operating operating "$(cat $M/state)"
check_eq bridge_enabled_after_config enabled "$(cat $B/state)"
check_eq region_group_names_its_bridge "$(basename $B)" "$(cat $S/bridges)"
check_eq nothing_pinned_after_config "0 0 0" "$(refs)"

# A failure through the C-API region: the step and errno.
check unload sh -c "echo 0 >$I/config"
echo fpga-rs/test-image-corrupt.bin >$S/other/firmware
sh -c "echo 1 >$S/other/config" 2>/tmp/config.err &
loading=$!
check corrupt_reaches_write_state wait_for "$M/state" write
release
# (wait is a shell built-in of this shell: not inside check_fails_with's subshell.)
wait $loading && r=succeeded || r=failed
check_eq corrupt_image_config_write_fails failed "$r"
check corrupt_image_write_error_is_eio grep -q "Input/output error" /tmp/config.err
check_eq corrupt_image_status_names_the_step "error write EIO" "$(cat $S/other/status)"
check_eq nothing_pinned_after_failure "0 0 0" "$(refs)"

# The idle manager module goes while an image is loaded, and comes back.
sh -c "echo 1 >$I/config" &
loading=$!
wait_for "$M/state" write && release
check load_before_rmmod wait $loading
check rmmod_idle_manager_while_loaded rmmod fpga_test_mgr
check_eq still_loaded loaded "$(cat $I/status)"
check_fails_with reload_with_manager_gone_is_enodev "No such device" sh -c "echo 1 >$I/config"
check_eq manager_gone_status "error manager ENODEV" "$(cat $I/status)"
# The failed reload unloaded the old image first: its claims on the bridges
# are given up (the bridge is frozen), so another region may use them.
check_eq failed_reload_gave_the_bridges_up "" "$(cat $S/bridges)"
check_eq failed_reload_froze_the_bridge disabled "$(cat $B/state)"
check reinsmod_manager insmod $R/fixtures/fpga_test_mgr.ko
M=$(class_dev fpga_manager "fpga-rs test manager")
check load_after_manager_back sh -c "echo 1 >$I/config"
check_eq loaded_after_manager_back loaded "$(cat $I/status)"

# The region goes (its driver's module removed) while images exist.
check rmmod_region_with_images rmmod fpga_test_region
check defunct_group_stays test -d "$S"
check_fails_with defunct_load_is_enodev "No such device" sh -c "echo 1 >$S/other/config"
check_eq defunct_status "error region ENODEV" "$(cat $S/other/status)"
check_eq defunct_group_no_manager "" "$(cat $S/manager)"
check_fails_with defunct_mkdir_is_enodev "No such device" mkdir $S/late
check defunct_unload_and_rmdir rmdir $I $S/other
check defunct_group_goes_with_last_image wait_until sh -c "! test -e $S"
check_eq nothing_pinned_at_end "0 0 gone" "$(refs)"
check region_number_free_again insmod $R/fixtures/fpga_test_region.ko
check_eq region_comes_back_with_the_same_group "$G" \
	"$(basename "$(ls -d /sys/class/fpga_region/region* | head -n 1)")"
check group_back wait_until test -d "$S"
check rmmod_all rmmod fpga_test_region fpga_test_bridge fpga_test_mgr
for m in fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq cores_unloaded "gone gone gone" "$(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
