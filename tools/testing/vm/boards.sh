# SPDX-License-Identifier: GPL-2.0
#
# Set-ups that scenarios share (sourced inside the VM, after ktap.sh).

R=/fpga-rs
FW=/lib/firmware/fpga-rs
D=/sys/kernel/debug

# load_cores: the Rust cores and of_fpga_region.
load_cores() {
	for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
		insmod $R/modules/$m.ko
	done
}

# unload_cores: whichever of them is loaded.
unload_cores() {
	for m in of_fpga_region fpga_region fpga_bridge fpga_mgr; do
		! loaded $m || rmmod $m
	done
}

# zynq_board [SIM_ZYNQ_PARAMS...]: the Zynq half of the simulated board
# (sim-board.dtso): sim_zynq (with the parameters given) and the PR
# decoupler bound from the tree, and the Zynq's region; the SoC FPGA's
# region waits for a manager that is not loaded. The only manager is fpga0,
# as on a Zynq board. Sets X (the manager's sysfs folder), XF (its fabric),
# P (the decoupler's sysfs folder), PF (its debugfs state) and RZ (the
# region).
zynq_board() {
	insmod $R/lowlevel/sim_zynq.ko faux=0 "$@"
	insmod $R/lowlevel/sim_pr_decoupler.ko faux=0
	insmod $R/fixtures/fpga_overlay_board.ko board=2
	wait_until test -e /sys/class/fpga_region/region0
	X=/sys/class/fpga_manager/fpga0
	XF=$(ls $D/*zynq-fpga-mgr/fabric)
	P=$(class_dev fpga_bridge "Xilinx PR Decoupler (fpga-rs simulation)")
	PF=$(ls $D/*pr-decoupler/decoupler)
	RZ=region0
}

# zynq_refs: the refcounts of the Zynq half's low-level modules.
zynq_refs() {
	echo "$(refcnt sim_zynq) $(refcnt sim_pr_decoupler)"
}

# unload_zynq_board: the board and its drivers.
unload_zynq_board() {
	rmmod fpga_overlay_board
	rmmod sim_pr_decoupler sim_zynq
}

# load_compat: both vendor-kernel compatibility modules, as a tool needs them.
load_compat() {
	insmod $R/compat/fpga_compat_sysfs.ko
	insmod $R/compat/fpga_compat_overlays.ko
}

# device NAME: whether a platform device whose name contains NAME exists.
device() {
	ls /sys/bus/platform/devices | grep -q "$1"
}
