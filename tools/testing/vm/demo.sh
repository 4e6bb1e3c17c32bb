#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fpga-rs demo, run inside the VM by `make vm`: load the Rust FPGA cores,
# describe a board with an FPGA in the device tree (a manager, a freeze
# bridge and a region, as a device-tree overlay), program the region by
# applying an image overlay, show sysfs and module refcounts before and
# after, and unload everything again. The low-level drivers are the test
# drivers of tests/ until lowlevel/ has its own.
R=/fpga-rs
say() { echo; echo "### $*"; }
show() {
	for d in /sys/class/fpga_manager/* /sys/class/fpga_bridge/*; do
		[ -e "$d/name" ] || continue
		echo "$d: name=\"$(cat $d/name)\" state=\"$(cat $d/state)\""
	done
	for d in /sys/class/fpga_region/*; do
		[ -e "$d" ] && echo "$d: compat_id=$(cat $d/compat_id 2>/dev/null || echo "none (ENOENT)")"
	done
	echo "refcnt: fpga_test_mgr=$(cat /sys/module/fpga_test_mgr/refcnt 2>/dev/null || echo -)" \
		"fpga_test_bridge=$(cat /sys/module/fpga_test_bridge/refcnt 2>/dev/null || echo -)" \
		"of_fpga_region=$(cat /sys/module/of_fpga_region/refcnt 2>/dev/null || echo -)"
}

say "Loading the Rust FPGA cores"
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko || exit 1
done
grep -E '^(of_)?fpga_' /proc/modules

say "Loading a low-level manager and bridge, and the board's device tree"
insmod $R/fixtures/fpga_test_mgr.ko && insmod $R/fixtures/fpga_test_bridge.ko &&
	insmod $R/fixtures/fpga_overlay_board.ko || exit 1
show

say "Applying the image overlay: firmware-name = \"fpga-rs/test-image.bin\""
insmod $R/fixtures/fpga_overlay_image.ko image=1 && echo "overlay applied"
show
ls /sys/bus/platform/devices | grep fpga-rs-logic >/dev/null && echo "logic device created: fpga-rs-logic"

say "Removing the overlay (the bridge freezes the region again)"
rmmod fpga_overlay_image
show

say "The low-level modules can go while the region exists"
rmmod fpga_test_mgr fpga_test_bridge && echo "fpga_test_mgr and fpga_test_bridge unloaded"
show

say "Unloading"
rmmod fpga_overlay_board of_fpga_region fpga_region fpga_bridge fpga_mgr &&
	echo "all fpga-rs modules unloaded"
