# SPDX-License-Identifier: GPL-2.0
#
# A low-level manager module (tests/fixtures/fpga_test_mgr.rs, safe Rust API) on the
# Rust core: sysfs strings, a registration that does not pin the module,
# rmmod of an idle module, rmmod refused while a user holds the manager, and
# programming valid and corrupt images through a user (tests/fixtures/fpga_mgr_holder.rs).

R=/fpga-rs
M=/sys/class/fpga_manager/fpga0
insmod $R/modules/fpga_mgr.ko

check insmod_lowlevel insmod $R/fixtures/fpga_test_mgr.ko
check_eq sysfs_name "fpga-rs test manager" "$(cat $M/name)"
check_eq sysfs_state_at_registration "power up" "$(cat $M/state)"
check_eq sysfs_status_empty "" "$(cat $M/status)"
check_eq registration_does_not_pin_lowlevel 0 "$(refcnt fpga_test_mgr)"
check rmmod_idle_lowlevel rmmod fpga_test_mgr
check manager_device_gone test ! -e $M

check reinsmod_lowlevel insmod $R/fixtures/fpga_test_mgr.ko
check insmod_user_holding_manager insmod $R/fixtures/fpga_mgr_holder.ko lock=1
check_eq get_pins_lowlevel 1 "$(refcnt fpga_test_mgr)"
check_fails_with rmmod_held_lowlevel_is_refused \
	"Resource temporarily unavailable" rmmod fpga_test_mgr
check_eq state_unchanged_after_refused_rmmod "power up" "$(cat $M/state)"
check rmmod_user rmmod fpga_mgr_holder
check_eq put_unpins_lowlevel 0 "$(refcnt fpga_test_mgr)"

check program_valid_image insmod $R/fixtures/fpga_mgr_holder.ko image=1
check_eq state_after_valid_image "operating" "$(cat $M/state)"
check_eq status_after_valid_image "" "$(cat $M/status)"
check rmmod_user_after_programming rmmod fpga_mgr_holder

check program_corrupt_image_loads_user insmod $R/fixtures/fpga_mgr_holder.ko image=2
check_eq state_after_corrupt_image "write error" "$(cat $M/state)"
check_eq status_after_corrupt_image "reconfig CRC error" "$(cat $M/status)"
check rmmod_user_after_failure rmmod fpga_mgr_holder

check rmmod_lowlevel_finally rmmod fpga_test_mgr
check_eq lowlevel_gone gone "$(refcnt fpga_test_mgr)"
check rmmod_core rmmod fpga_mgr
