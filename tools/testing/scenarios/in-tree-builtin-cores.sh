# SPDX-License-Identifier: GPL-2.0
#
# fpga-rs in a kernel tree (issue "In-tree C FPGA drivers on the Rust core",
# item 3): on the kernel that tools/testing/setup.sh builds with
# KERNEL_FLAVOR=intree from a copy of the kernel tree with fpga-rs put in as
# drivers/fpga/rust (tools/in-tree/install.sh) and configs/intree.config,
# the Rust cores are built in under the upstream symbols (FPGA,
# FPGA_BRIDGE, FPGA_REGION, OF_FPGA_REGION) and initialise at
# subsys_initcall as upstream's do, before the fs and device initcalls (the
# VM boots with initcall_debug); an in-tree C bridge driver is built in
# against them; and the device-tree overlay flow programs the built-in
# simulated SoC FPGA through a region. Skipped on the other kernels, which
# load fpga-rs as modules.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
D=/sys/kernel/debug
if [ -e $R/modules/fpga_mgr.ko ]; then
	skip in_tree_builtin_cores "fpga-rs is loaded as modules on this kernel; KERNEL_FLAVOR=intree builds it in"
	exit 0
fi
check_eq classes_registered_at_boot "fpga_bridge fpga_manager fpga_region" \
	"$(ls /sys/class | grep '^fpga_' | tr '\n' ' ' | sed 's/ $//')"
check_eq cores_are_no_modules "" "$(grep -E '^(fpga_mgr|fpga_bridge|fpga_region|of_fpga_region) ' /proc/modules)"

# The order of the initcalls (initcall_debug): the cores' come before
# chr_dev_init (fs_initcall) and before the drivers' (device_initcall).
order=$(dmesg | sed -n 's/.*calling  \([^+ ]*\)+.*/\1/p')
pos() {
	echo "$order" | grep -n -x "$1" | head -n 1 | cut -d: -f1
}
fs=$(pos chr_dev_init)
check fs_initcall_logged test -n "$fs"
for core in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	p=$(pos __${core}_init)
	check ${core}_initialised_at_boot test -n "$p"
	check ${core}_at_subsys_initcall test "${p:-999999}" -lt "${fs:-0}"
done

# An in-tree C bridge driver, built in against the Rust cores.
check c_driver_altera_freeze_br_built_in test -d /sys/bus/platform/drivers/altera_freeze_br
check c_drivers_initialised_after_the_cores test "$(pos altera_freeze_br_driver_init)" -gt \
	"$(pos __fpga_bridge_init)"

# The overlay flow on the built-in simulated FPGAs.
check insmod_sim_board insmod $R/fixtures/fpga_overlay_board.ko board=2
# The board's manager (the built-in driver also has its faux device's).
A=$(for d in /sys/class/fpga_manager/*; do
	readlink -f $d/device | grep -q 'socfpga-fpga-mgr$' && echo $d
done)
AF=$(ls $D/*socfpga-fpga-mgr/fabric)
cp $FW/socfpga-valid.rbf $FW/socfpga-region.rbf
check overlay_programs_builtin_region insmod $R/fixtures/fpga_overlay_image.ko image=5
check_eq builtin_manager_operating operating "$(cat $A/state)"
check_eq builtin_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check remove_overlay rmmod fpga_overlay_image
check remove_board rmmod fpga_overlay_board
rm -f $FW/socfpga-region.rbf
