# SPDX-License-Identifier: GPL-2.0
#
# A region over a low-level manager and bridge, each in its own module
# (tests/fixtures/fpga_test_region.rs over tests/fixtures/fpga_test_mgr.rs and
# tests/fixtures/fpga_test_bridge.rs), programmed by tests/fixtures/fpga_region_programmer.rs.
#
# Every owner module is pinned while the region programs, and only then: the
# refcounts are read from /sys/module/*/refcnt before, during a deliberately
# slow programming, and after. rmmod of each is refused while programming
# and works when idle, with the region still there; programming then fails
# with -ENODEV, and works again once the modules are back, without
# re-creating the region. A corrupt image leaves the manager in "write error"
# with the bridge frozen.

R=/fpga-rs
for m in fpga_mgr fpga_bridge fpga_region; do
	insmod $R/modules/$m.ko
done

check insmod_lowlevel_manager insmod $R/fixtures/fpga_test_mgr.ko pause=1
check insmod_lowlevel_bridge insmod $R/fixtures/fpga_test_bridge.ko
check insmod_region insmod $R/fixtures/fpga_test_region.ko
M=$(class_dev fpga_manager "fpga-rs test manager")
B=$(class_dev fpga_bridge "fpga-rs test bridge")
G=$(ls -d /sys/class/fpga_region/region* | head -n 1)
check region_registered test -d "$G"
check_fails_with region_without_compat_id_is_enoent "No such file or directory" cat "$G/compat_id"
check_eq bridge_sysfs_name "fpga-rs test bridge" "$(cat $B/name)"
check_eq bridge_state_at_registration enabled "$(cat $B/state)"
check_eq manager_state_at_registration "power up" "$(cat $M/state)"

refs() {
	echo "$(refcnt fpga_test_mgr) $(refcnt fpga_test_bridge) $(refcnt fpga_test_region)"
}
before=$(refs)
check_eq region_pins_no_module_when_idle "0 0 0" "$before"

# A programming whose write the manager holds (pause=1) until released: look
# at it mid-way.
insmod $R/fixtures/fpga_region_programmer.ko image=1 2>/tmp/programmer.err &
programmer=$!
check manager_reaches_write_state wait_for "$M/state" write
during=$(refs)
check_eq every_owner_pinned_while_programming "1 1 1" "$during"
check_eq bridge_frozen_while_programming disabled "$(cat $B/state)"
check_fails_with rmmod_manager_while_programming_is_refused \
	"Resource temporarily unavailable" rmmod fpga_test_mgr
check_fails_with rmmod_bridge_while_programming_is_refused \
	"Resource temporarily unavailable" rmmod fpga_test_bridge
check_fails_with rmmod_region_while_programming_is_refused \
	"Resource temporarily unavailable" rmmod fpga_test_region
echo 1 >/sys/kernel/debug/fpga-rs-test-mgr/release
check programming_succeeds wait $programmer
after=$(refs)
echo "fpga-rs: refcnt before / during / after one programming:" \
	"fpga_test_mgr $(echo $before | cut -d' ' -f1)/$(echo $during | cut -d' ' -f1)/$(echo $after | cut -d' ' -f1)," \
	"fpga_test_bridge $(echo $before | cut -d' ' -f2)/$(echo $during | cut -d' ' -f2)/$(echo $after | cut -d' ' -f2)," \
	"fpga_test_region $(echo $before | cut -d' ' -f3)/$(echo $during | cut -d' ' -f3)/$(echo $after | cut -d' ' -f3)"
check_eq every_pin_dropped_after_programming "0 0 0" "$after"
check_eq manager_operating_after_programming operating "$(cat $M/state)"
check_eq bridge_enabled_after_programming enabled "$(cat $B/state)"
rmmod fpga_region_programmer

# Idle low-level modules go while the region stays.
check rmmod_idle_manager_while_region_exists rmmod fpga_test_mgr
check_fails_with program_with_manager_gone_is_enodev "No such device" \
	insmod $R/fixtures/fpga_region_programmer.ko
check_eq bridge_and_region_unpinned_after_enodev "0 0" "$(refcnt fpga_test_bridge) $(refcnt fpga_test_region)"
check rmmod_idle_bridge_while_region_exists rmmod fpga_test_bridge
check region_survives_lowlevel_unload test -d "$G"

# The modules come back: the same region programs again.
check reinsmod_manager insmod $R/fixtures/fpga_test_mgr.ko
check_fails_with program_with_bridge_gone_is_enodev "No such device" \
	insmod $R/fixtures/fpga_region_programmer.ko
check reinsmod_bridge insmod $R/fixtures/fpga_test_bridge.ko
M=$(class_dev fpga_manager "fpga-rs test manager")
B=$(class_dev fpga_bridge "fpga-rs test bridge")
check reprogram_after_reload insmod $R/fixtures/fpga_region_programmer.ko image=1
check_eq manager_operating_after_reload operating "$(cat $M/state)"
check_eq no_pin_after_reprogram "0 0 0" "$(refs)"
rmmod fpga_region_programmer

# A corrupt image: the load fails, the bridge stays frozen, nothing stays pinned.
check_fails_with program_corrupt_image_fails "error" \
	insmod $R/fixtures/fpga_region_programmer.ko image=2
check_eq manager_state_after_corrupt_image "write error" "$(cat $M/state)"
check_eq manager_status_after_corrupt_image "reconfig CRC error" "$(cat $M/status)"
check_eq bridge_frozen_after_failed_load disabled "$(cat $B/state)"
check_eq no_pin_after_failed_load "0 0 0" "$(refs)"
check reprogram_after_failure insmod $R/fixtures/fpga_region_programmer.ko image=1
check_eq bridge_enabled_after_recovery enabled "$(cat $B/state)"
rmmod fpga_region_programmer

check rmmod_region rmmod fpga_test_region
check region_device_gone test ! -e "$G"
check rmmod_lowlevel rmmod fpga_test_bridge fpga_test_mgr
for m in fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq cores_unloaded "gone gone gone" "$(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
