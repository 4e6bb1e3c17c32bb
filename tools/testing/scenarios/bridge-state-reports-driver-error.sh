# SPDX-License-Identifier: GPL-2.0
#
# A public bug report as a regression test (issue "Prove the lifecycle", item
# 7): a bridge's `state` attribute must return the error of the driver's
# enable_show(), whatever it is, instead of a state. The test bridge fails
# enable_show() with -show_errno; a read of the attribute must fail with that
# errno, on the Rust core and on the upstream C core alike. On the Rust core
# the bridge is tests/fixtures/fpga_test_bridge.rs (the safe Rust API); on the
# C core, where that one does not load (lowlevel-on-upstream-core.sh), its C
# twin, tests/fixtures/fpga_test_c_lowlevel.c.

R=/fpga-rs
# state_errors DIR LABEL MGR_KO BRIDGE_KO DRIVER: with the cores fpga-mgr and
# fpga-bridge of DIR, and the test bridge of the fixture DRIVER (both drivers
# use both cores).
state_errors() {
	insmod $1/$3
	insmod $1/$4
	for errno in 5 19 110; do
		insmod $R/fixtures/$5.ko show_errno=$errno
		B=$(class_dev fpga_bridge "fpga-rs test bridge")
		case $errno in
		5) want="Input/output error" ;;
		19) want="No such device" ;;
		110) want="Connection timed out" ;;
		esac
		check_fails_with ${2}_state_read_fails_with_errno_$errno "$want" cat $B/state
		rmmod $5
	done
	insmod $R/fixtures/$5.ko
	B=$(class_dev fpga_bridge "fpga-rs test bridge")
	check_eq ${2}_state_without_error enabled "$(cat $B/state)"
	rmmod $5
	rmmod fpga_bridge fpga_mgr
}
state_errors $R/modules rust fpga_mgr.ko fpga_bridge.ko fpga_test_bridge
if [ -f $R/upstream/fpga-bridge.ko ]; then
	state_errors $R/upstream upstream fpga-mgr.ko fpga-bridge.ko fpga_test_c_lowlevel
else
	skip upstream_bridge_state_errors "no upstream C core in this kernel"
fi
