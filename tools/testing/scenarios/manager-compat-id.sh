# SPDX-License-Identifier: GPL-2.0
#
# A manager's compat id, registered through the safe Rust API
# (manager::Registration::new_with_compat_id, in tests/fixtures/fpga_test_mgr.rs
# with compat_id_h= and compat_id_l=), as a user sees it: upstream shows it
# in the sysfs `compat_id` of a region that takes it over from its manager
# (dfl-fme-region.c; here tests/fixtures/fpga_test_region.rs), as 32 hex digits, id_h
# then id_l. A manager registered without one gives a region without one
# (ENOENT). On the Rust cores, then on the upstream C cores, which keep the
# pointer the driver registered rather than a copy, with the test manager's C
# twin (tests/fixtures/fpga_test_c_lowlevel.c, registered with
# fpga_mgr_register_full()): the safe Rust API does not load there.

R=/fpga-rs
ID="compat_id_h=0x0123456789abcdef compat_id_l=0xfedcba9876543210"
WANT=0123456789abcdeffedcba9876543210

# The test manager's module: the Rust one, then its C twin on the C cores.
MGR=fpga_test_mgr

# with_region PARAMS...: loads the test manager with PARAMS and a region over
# it; the region's sysfs folder is then $G.
with_region() {
	insmod $R/fixtures/$MGR.ko "$@" &&
		insmod $R/fixtures/fpga_test_region.ko &&
		G=$(ls -d /sys/class/fpga_region/region* | head -n 1)
}

# without_region: unloads the region, then its manager.
without_region() {
	rmmod fpga_test_region && rmmod $MGR
}

for m in fpga_mgr fpga_bridge fpga_region; do
	insmod $R/modules/$m.ko
done
# shellcheck disable=SC2086 # ID is two parameters.
check rust_core_manager_with_compat_id_and_region with_region $ID
check_eq rust_core_region_shows_manager_compat_id "$WANT" "$(cat $G/compat_id)"
check rust_core_unload_region_and_manager without_region
check rust_core_manager_without_compat_id_and_region with_region
check_fails_with rust_core_region_of_manager_without_compat_id_is_enoent \
	"No such file or directory" cat $G/compat_id
check rust_core_unload_region_and_manager_without_compat_id without_region
for m in fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq rust_cores_unloaded "gone gone gone" \
	"$(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"

if [ ! -f $R/upstream/fpga-mgr.ko ]; then
	not_ok upstream_core_available "no upstream fpga-mgr.ko in this kernel"
	return 0 2>/dev/null || exit 0
fi
for m in fpga-mgr fpga-bridge fpga-region; do
	insmod $R/upstream/$m.ko
done
MGR=fpga_test_c_lowlevel
# shellcheck disable=SC2086 # As above.
check c_core_manager_with_compat_id_and_region with_region $ID
check_eq c_core_region_shows_manager_compat_id "$WANT" "$(cat $G/compat_id)"
check c_core_unload_region_and_manager without_region
for m in fpga-region fpga-bridge fpga-mgr; do
	rmmod $m
done
check_eq c_cores_unloaded "gone gone gone" \
	"$(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
