# SPDX-License-Identifier: GPL-2.0
#
# The in-tree C low-level drivers on the Rust cores (issue "In-tree C FPGA
# drivers on the Rust core", item 1), on the kernel with fpga-rs built in
# (KERNEL_FLAVOR=intree): every low-level driver of drivers/fpga that the
# architecture can build is built, unchanged, from the kernel's sources as a
# module (configs/intree.config), with modpost resolving its FPGA symbols
# against the Rust cores (the C cores are not built: FPGA_CORE_RUST). Each
# must load on them and unload again. The table "built / loaded / driven" is
# printed as "fpga-rs: in-tree driver ..." lines; "driven" is "-" where this
# VM has no device for the driver. Skipped on the other kernels.

R=/fpga-rs
D=$R/intree-drivers
if [ -e $R/modules/fpga_mgr.ko ] || [ ! -d $D ]; then
	skip in_tree_c_drivers "fpga-rs is loaded as modules on this kernel; KERNEL_FLAVOR=intree builds it in"
	exit 0
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
for ko in $(ls $D/*.ko); do
	name=$(basename "$ko" .ko)
	case " $order " in
	*" $ko "*) loaded=yes ;;
	*) loaded="no: $(cat /tmp/$name.err 2>/dev/null)" ;;
	esac
	echo "fpga-rs: in-tree driver $name: built yes, loaded $loaded, driven -"
	check_eq "c_driver_$(echo $name | tr - _)_loads_on_the_rust_cores" yes "$loaded"
done
echo "fpga-rs: in-tree drivers: $(ls $D/*.ko | wc -l) built, $(echo $order | wc -w) loaded"
# Every one unloads again (the reverse order of loading).
bad=
for ko in $order; do
	rmmod "$(basename "$ko" .ko)" || bad="$bad $(basename "$ko" .ko)"
done
check_eq every_c_driver_unloads "" "$bad"
