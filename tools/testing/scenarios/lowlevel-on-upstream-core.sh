# SPDX-License-Identifier: GPL-2.0
#
# The safe Rust API (fpga/) is sound on fpga-rs's cores only: its safety
# arguments rest on guarantees the upstream C core does not give (an
# unregistration waits for the driver's ops in flight and no op starts after
# it, also for a user that still holds the manager; only a bridge's holder
# writes its info). So every module built on it references the symbols that
# state them, fpga_mgr_lifecycle_guarantees and, where it registers a bridge,
# fpga_bridge_lifecycle_guarantees (ffi/fpga-rs.h), and the upstream C core
# (drivers/fpga/fpga-*.ko of the same kernel), which exports neither, refuses
# it at insmod, before any of its code runs: the Rust low-level drivers of
# lowlevel/, and the safe user API's fixture (tests/fixtures/fpga_image_loader.rs).
# C low-level drivers and C users, built against the kernel's headers, still
# load and work there: the test manager's and bridge's C twin
# (tests/fixtures/fpga_test_c_lowlevel.c), and the C client's KUnit suite
# (tools/testing/c_api/), a C driver and a C user that programs it.
# A kernel of the user's own (KDIR=) may not have built the C core: then this
# is skipped with one failing check that says so.

R=/fpga-rs
if [ ! -f $R/upstream/fpga-mgr.ko ]; then
	not_ok upstream_core_available "no upstream fpga-mgr.ko in this kernel"
	return 0 2>/dev/null || exit 0
fi
check insmod_upstream_c_cores insmod $R/upstream/fpga-mgr.ko
check insmod_upstream_c_bridge_core insmod $R/upstream/fpga-bridge.ko

# refused NAME KO MODULE SYMBOLS...: insmod of KO fails, the kernel names each
# of SYMBOLS as the unknown symbol of MODULE, and nothing of it stays loaded.
refused() {
	name=$1 ko=$2 mod=$3
	shift 3
	dmesg -c >/dev/null
	if insmod "$ko" 2>/dev/null; then
		not_ok "$name" "insmod $ko succeeded on the upstream C core"
		rmmod "$mod"
		return
	fi
	log=$(dmesg)
	for sym in "$@"; do
		case "$log" in
		*"$mod: Unknown symbol $sym"*) ;;
		*)
			not_ok "$name" "no \"$mod: Unknown symbol $sym\" in the kernel log"
			return
			;;
		esac
	done
	if loaded "$mod"; then not_ok "$name" "$mod is loaded"; else ok "$name"; fi
}

for m in sim_socfpga sim_zynq; do
	refused c_core_refuses_rust_manager_driver_$m $R/lowlevel/$m.ko $m \
		fpga_mgr_lifecycle_guarantees
done
for m in sim_freeze_bridge sim_pr_decoupler; do
	refused c_core_refuses_rust_bridge_driver_$m $R/lowlevel/$m.ko $m \
		fpga_mgr_lifecycle_guarantees fpga_bridge_lifecycle_guarantees
done
refused c_core_refuses_rust_user_of_the_safe_api $R/fixtures/fpga_image_loader.ko \
	fpga_image_loader fpga_mgr_lifecycle_guarantees
# A refused module took nothing: the cores are as idle as before.
check_eq c_cores_idle_after_refusals "0 0" "$(refcnt fpga_mgr) $(refcnt fpga_bridge)"

# C low-level drivers work on the C core as before.
check insmod_c_lowlevel_on_c_core insmod $R/fixtures/fpga_test_c_lowlevel.ko
A=$(class_dev fpga_manager "fpga-rs test manager")
check_eq c_core_shows_c_manager_state unknown "$(cat $A/state)"
B=$(class_dev fpga_bridge "fpga-rs test bridge")
check_eq c_core_shows_c_bridge_state enabled "$(cat $B/state)"
check rmmod_c_lowlevel_from_c_core rmmod fpga_test_c_lowlevel
# A C driver programmed by a C user (get, lock, load from a buffer and from an
# sg table, unlock, put), as the C client's KUnit suite does at insmod.
check insmod_c_client_on_c_core insmod $R/kunit/fpga_mgr_c_client.ko
check_eq c_client_suite_passes_on_c_core "ok 1 fpga_mgr_c_api" \
	"$(grep '^ok 1 fpga_mgr_c_api$\|^not ok 1 fpga_mgr_c_api$' /sys/kernel/debug/kunit/fpga_mgr_c_api/results)"
check rmmod_c_client_from_c_core rmmod fpga_mgr_c_client

check rmmod_upstream_c_cores rmmod fpga-bridge fpga-mgr
# The same Rust driver loads on fpga-rs's cores, which export the symbols.
check insmod_rust_cores insmod $R/modules/fpga_mgr.ko
check insmod_rust_bridge_core insmod $R/modules/fpga_bridge.ko
check rust_cores_take_rust_bridge_driver insmod $R/lowlevel/sim_freeze_bridge.ko
check rmmod_rust_bridge_driver rmmod sim_freeze_bridge
check rmmod_rust_cores rmmod fpga_bridge fpga_mgr
