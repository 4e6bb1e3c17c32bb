# SPDX-License-Identifier: GPL-2.0
#
# C-ABI compatibility the other way round: the Rust low-level drivers of
# lowlevel/, built against the Rust core's exports, run unchanged on the
# upstream C core (drivers/fpga/fpga-mgr.ko of the same kernel), which
# exports the same symbols with the same struct layouts; so does the safe
# user API (tests/fixtures/fpga_image_loader.rs). A kernel of the
# user's own (KDIR=) may not have built the C core: then this is skipped
# with one failing check that says so.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
if [ ! -f $R/upstream/fpga-mgr.ko ]; then
	not_ok upstream_core_available "no upstream fpga-mgr.ko in this kernel"
	return 0 2>/dev/null || exit 0
fi
check insmod_upstream_c_core insmod $R/upstream/fpga-mgr.ko
check insmod_rust_lowlevel_on_c_core insmod $R/lowlevel/sim_socfpga.ko
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
check_eq c_core_shows_rust_driver_state "power up" "$(cat $A/state)"
cp $FW/socfpga-valid.rbf $FW/load.img
check c_core_programs_through_rust_driver insmod $R/fixtures/fpga_image_loader.ko mgr=1
rmmod fpga_image_loader
check_eq c_core_state_operating operating "$(cat $A/state)"
check_eq c_core_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" \
	"$(sed -n 's/^crc32: //p' /sys/kernel/debug/sim-socfpga/fabric)"
cp $FW/socfpga-corrupt.rbf $FW/load.img
check_fails_with c_core_corrupt_image_fails "Input/output error" \
	insmod $R/fixtures/fpga_image_loader.ko mgr=1
check_eq c_core_corrupt_state "write error" "$(cat $A/state)"
check_eq c_core_corrupt_status "reconfig CRC error" "$(cat $A/status)"
check rmmod_rust_lowlevel_from_c_core rmmod sim_socfpga

# A write_sg driver (sim_zynq): the C core describes the firmware image by an
# sg table of its pages, which the driver reads through the safe API.
check insmod_rust_write_sg_lowlevel_on_c_core insmod $R/lowlevel/sim_zynq.ko
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
cp $FW/zynq-valid.bit $FW/load.img
check c_core_programs_through_rust_write_sg insmod $R/fixtures/fpga_image_loader.ko mgr=2
rmmod fpga_image_loader
check_eq c_core_write_sg_state_operating operating "$(cat $X/state)"
check_eq c_core_write_sg_fabric_crc32 "$(expected_crc zynq-valid.bit)" \
	"$(sed -n 's/^crc32: //p' /sys/kernel/debug/sim-zynq/fabric)"
check rmmod_rust_write_sg_lowlevel_from_c_core rmmod sim_zynq
check rmmod_upstream_c_core rmmod fpga-mgr
