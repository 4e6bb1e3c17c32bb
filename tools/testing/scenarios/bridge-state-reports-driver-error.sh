# SPDX-License-Identifier: GPL-2.0
#
# A public bug report as a regression test (issue "Prove the lifecycle", item
# 7): a bridge's `state` attribute must return the error of the driver's
# enable_show(), whatever it is, instead of a state. The test bridge
# (tests/fixtures/fpga_test_bridge.rs) fails enable_show() with -show_errno; a read of
# the attribute must fail with that errno, on the Rust core and on the
# upstream C core alike.

R=/fpga-rs
# state_errors DIR LABEL MGR_KO BRIDGE_KO: with the cores fpga-mgr and fpga-bridge of DIR
# (the test bridge's safe API uses both).
state_errors() {
	insmod $1/$3
	insmod $1/$4
	for errno in 5 19 110; do
		insmod $R/fixtures/fpga_test_bridge.ko show_errno=$errno
		B=$(class_dev fpga_bridge "fpga-rs test bridge")
		case $errno in
		5) want="Input/output error" ;;
		19) want="No such device" ;;
		110) want="Connection timed out" ;;
		esac
		check_fails_with ${2}_state_read_fails_with_errno_$errno "$want" cat $B/state
		rmmod fpga_test_bridge
	done
	insmod $R/fixtures/fpga_test_bridge.ko
	B=$(class_dev fpga_bridge "fpga-rs test bridge")
	check_eq ${2}_state_without_error enabled "$(cat $B/state)"
	rmmod fpga_test_bridge
	rmmod fpga_bridge fpga_mgr
}
state_errors $R/modules rust fpga_mgr.ko fpga_bridge.ko
if [ -f $R/upstream/fpga-bridge.ko ]; then
	state_errors $R/upstream upstream fpga-mgr.ko fpga-bridge.ko
else
	skip upstream_bridge_state_errors "no upstream C core in this kernel"
fi
