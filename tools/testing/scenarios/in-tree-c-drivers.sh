# SPDX-License-Identifier: GPL-2.0
#
# The in-tree C low-level drivers on the Rust cores (issue "In-tree C FPGA
# drivers on the Rust core", item 1): every low-level driver of drivers/fpga
# that the architecture can build is built, unchanged, from the kernel's
# sources as a module, with modpost resolving its FPGA symbols against the
# Rust cores, and must load on them and unload again.
# - x86-64: on the kernel with fpga-rs built in (KERNEL_FLAVOR=intree,
#   configs/intree.config), where the C cores are not built at all
#   (FPGA_CORE_RUST);
# - arm and arm64: on the kernel that loads fpga-rs as modules, built out of
#   tree by the kernel's own drivers/fpga/Makefile against fpga-rs's
#   Module.symvers (run-vm.sh, build_c_drivers); the Rust cores are loaded
#   first, the C cores never.
#
# Item 2: xilinx-spi (with its library xilinx-core) and xilinx-pr-decoupler
# program an FPGA region through the Rust cores, unchanged, on the board of
# overlays/c-drivers-board.dtso: the FPGA is tests/fixtures/fpga_slave_serial_model.c
# behind its slave-serial port (SPI for CCLK/DIN, GPIOs for PROG_B, INIT_B
# and DONE), the decoupler's register is RAM kept from the kernel (memmap=
# or mem=, at fpga_rs.c_drivers_ram=: lib/common.sh). The module references
# are checked before, while the model holds the programming on its port, and
# after; a corrupt image fails with xilinx-core's own diagnosis and nothing
# left pinned.
#
# The table "built / loaded / driven" is printed as "fpga-rs: in-tree driver
# ..." lines; "driven" is "-" where this VM has no device for the driver.
# Skipped where no C driver is built (x86-64's default kernel).

R=/fpga-rs
D=$R/intree-drivers
FW=/lib/firmware/fpga-rs
if [ ! -d $D ]; then
	skip in_tree_c_drivers "no in-tree C driver built for this kernel (x86-64: KERNEL_FLAVOR=intree)"
	exit 0
fi
# The Rust cores, where they are modules.
cores=
if [ -e $R/modules/fpga_mgr.ko ]; then
	cores="fpga_mgr fpga_bridge fpga_region of_fpga_region"
	for m in $cores; do
		check "insmod_rust_core_$m" insmod $R/modules/$m.ko
	done
	# The C cores' modules have the same names: the loaded ones are Rust
	# (their symbols are Rust's, v0-mangled).
	for m in $cores; do
		check "${m}_module_is_the_rust_core" grep -q "^[0-9a-f]* [tT] _R.*\[$m\]\$" /proc/kallsyms
	done
fi

# Modules the drivers use (regmap-mmio, ...), then the drivers, in as many
# passes as their dependencies on each other need (dfl before dfl-fme, ...).
for ko in $R/intree-deps/*.ko; do
	[ -e "$ko" ] && insmod "$ko" 2>/dev/null
done
pending=$(ls $D/*.ko)
order=
progress=1
while [ -n "$pending" ] && [ $progress = 1 ]; do
	progress=0 next=
	for ko in $pending; do
		if insmod "$ko" 2>/tmp/insmod.err; then
			order="$ko $order"
			progress=1
		else
			next="$next $ko"
			cp /tmp/insmod.err "/tmp/$(basename "$ko" .ko).err"
		fi
	done
	pending=$next
done

# The references of the modules a programming of the region pins: the
# manager's owner (xilinx_core, which registers it), the module of the driver
# its parent is bound to (xilinx_spi, lifecycle/owners.rs) and the bridge's owner;
# and of the model, whose GPIO lines xilinx-core holds (no change expected).
refs() {
	for m in xilinx_spi xilinx_core xilinx_pr_decoupler fpga_slave_serial_model; do
		printf '%s ' "$(refcnt $m)"
	done
}
# plus_one "A B C D": the references of refs() with the first three pinned once.
plus_one() {
	set -- $1
	echo "$(($1 + 1)) $(($2 + 1)) $(($3 + 1)) $4 "
}

# c_region: whether the board's region is registered.
c_region() {
	for r in /sys/class/fpga_region/*; do
		readlink -f "$r/device" | grep -q 'fpga-rs-c-drivers:fpga-region$' && return 0
	done
	return 1
}

driven_spi=-
driven_decoupler=-
M= B= P=
board=
if loaded xilinx_spi && loaded xilinx_pr_decoupler && [ -n "${FPGA_RS_C_DRIVERS_RAM:-}" ] &&
	[ -e $R/fixtures/fpga_slave_serial_model.ko ]; then
	check c_board_model_loads insmod $R/fixtures/fpga_slave_serial_model.ko
	check c_board_added insmod $R/fixtures/fpga_overlay_board.ko board=4 \
		ram=$FPGA_RS_C_DRIVERS_RAM
	board=1
	# The devices may defer their probes (the FPGA's on its GPIO lines,
	# the region's on its manager) and register later.
	check c_manager_registered_on_the_rust_core \
		wait_until class_dev fpga_manager "Xilinx Slave Serial FPGA Manager"
	check c_bridge_registered_on_the_rust_core \
		wait_until class_dev fpga_bridge "Xilinx PR Decoupler"
	check c_region_registered wait_until c_region
	M=$(class_dev fpga_manager "Xilinx Slave Serial FPGA Manager")
	B=$(class_dev fpga_bridge "Xilinx PR Decoupler")
	P=$(ls -d /sys/kernel/debug/*slave-serial-port 2>/dev/null | head -n 1)
	check c_model_has_its_fabric_file test -n "$P"
fi
# Without the board's devices there is nothing to drive: their checks
# above failed once, and the rest is left out.
if [ -e "$M" ] && [ -e "$B" ] && [ -n "$P" ]; then
	# DONE is low: xilinx-core's state() says reset.
	check_eq c_manager_state_before reset "$(cat $M/state)"
	check_eq c_bridge_state_before enabled "$(cat $B/state)"
	before=$(refs)

	# A valid .bit: the model holds the first transfer on its port.
	cp $FW/zynq-valid.bit $FW/xilinx-ss-region.bit
	echo 1 >$P/hold
	insmod $R/fixtures/fpga_overlay_image.ko image=18 2>/tmp/c-image.err &
	image=$!
	check c_programming_reaches_the_port wait_for $P/holding 1
	check_eq c_manager_state_while_programming write "$(cat $M/state)"
	check_eq c_bridge_disabled_while_programming disabled "$(cat $B/state)"
	during=$(refs)
	check_eq c_modules_pinned_while_programming "$(plus_one "$before")" "$during"
	check_fails_with c_rmmod_xilinx_spi_refused_while_programming \
		"Resource temporarily unavailable" rmmod xilinx_spi
	echo 0 >$P/hold
	check c_region_programmed wait $image
	check_eq c_manager_operating operating "$(cat $M/state)"
	check_eq c_bridge_enabled_after_programming enabled "$(cat $B/state)"
	check_eq c_fpga_configured done "$(field $P/fabric mode)"
	check_eq c_frame_data_bytes "$(awk '$1 == "zynq-valid.bit" { print $3 }' $FW/images.txt)" \
		"$(field $P/fabric bytes)"
	check_eq c_frame_data_crc32 "$(expected_crc zynq-valid.bit)" "$(field $P/fabric crc32)"
	check_eq c_no_frame_data_while_coupled 0 "$(field $P/fabric 'bytes while coupled')"
	after=$(refs)
	check_eq c_modules_unpinned_after_programming "$before" "$after"
	echo "fpga-rs: refcnt of xilinx_spi xilinx_core xilinx_pr_decoupler" \
		"fpga_slave_serial_model before / during / after a programming:" \
		"$before/ $during/ $after"
	[ "$(field $P/fabric programmings)" = 1 ] && driven_spi="yes, programmed a region"
	[ "$(field $P/fabric 'bytes while coupled')" = 0 ] && [ "$(cat $B/state)" = enabled ] &&
		driven_decoupler="yes, decoupled a region"
	# Removing the overlay freezes the region's bridges (Documentation/design.rst).
	check c_image_overlay_removed rmmod fpga_overlay_image
	check_eq c_bridge_decoupled_after_overlay_removed disabled "$(cat $B/state)"

	# A corrupt .bit: the FPGA pulls INIT_B low at the CRC check and
	# xilinx-core says so; nothing stays pinned.
	cp $FW/zynq-corrupt.bit $FW/xilinx-ss-region.bit
	check_fails_with c_corrupt_image_fails "timed out" \
		insmod $R/fixtures/fpga_overlay_image.ko image=18
	check c_corrupt_image_diagnosed_by_xilinx_core \
		sh -c "dmesg | grep -q 'CRC error or invalid device'"
	check_eq c_model_saw_the_crc_error "CRC register" "$(field $P/fabric 'last error' | cut -c1-12)"
	check_eq c_manager_state_after_corrupt_image "write complete error" "$(cat $M/state)"
	check_eq c_modules_unpinned_after_failure "$before" "$(refs)"

	# And the valid one again: the region couples its bridge once programmed.
	cp $FW/zynq-valid.bit $FW/xilinx-ss-region.bit
	check c_region_programs_after_failure insmod $R/fixtures/fpga_overlay_image.ko image=18
	check_eq c_second_programming_counted 2 "$(field $P/fabric programmings)"
	check_eq c_bridge_enabled_again enabled "$(cat $B/state)"
	check c_image_overlay_removed_again rmmod fpga_overlay_image
fi
if [ -n "$board" ]; then
	check c_board_removed rmmod fpga_overlay_board
	check c_model_unloads rmmod fpga_slave_serial_model
	rm -f $FW/xilinx-ss-region.bit
fi

ndriven=0
for ko in $(ls $D/*.ko); do
	name=$(basename "$ko" .ko)
	case " $order " in
	*" $ko "*) loaded=yes ;;
	*) loaded="no: $(cat /tmp/$name.err 2>/dev/null)" ;;
	esac
	# stratix10-soc's module init looks for the Stratix 10 service's
	# firmware node and fails with ENODEV without one (QEMU has none): its
	# symbols were resolved on the Rust cores before init ran.
	if [ $name = stratix10-soc ] && grep -q "No such device" /tmp/$name.err 2>/dev/null; then
		loaded="yes (linked; its init found no Stratix 10 service: No such device)"
	fi
	case $name in
	xilinx-spi | xilinx-core) driven=$driven_spi ;;
	xilinx-pr-decoupler) driven=$driven_decoupler ;;
	*) driven=- ;;
	esac
	[ "$driven" = - ] || ndriven=$((ndriven + 1))
	echo "fpga-rs: in-tree driver $name: built yes, loaded $loaded, driven $driven"
	check_eq "c_driver_$(echo $name | tr - _)_loads_on_the_rust_cores" yes "${loaded%% (*}"
done
echo "fpga-rs: in-tree drivers: $(ls $D/*.ko | wc -l) built, $(echo $order | wc -w) loaded," \
	"$ndriven driven"
# Every one unloads again (the reverse order of loading).
bad=
for ko in $order; do
	rmmod "$(basename "$ko" .ko)" || bad="$bad $(basename "$ko" .ko)"
done
check_eq every_c_driver_unloads "" "$bad"
# The Rust cores go again, where they are modules.
for m in $(echo $cores | tr ' ' '\n' | sed '1!G;h;$!d'); do
	check "rmmod_rust_core_$m" rmmod $m
done
