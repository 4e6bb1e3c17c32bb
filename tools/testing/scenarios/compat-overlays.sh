# SPDX-License-Identifier: GPL-2.0
#
# fpga_compat_overlays.ko (compat/overlays/): the vendor kernels'
# device-tree/overlays configfs (path, dtbo, status), for FPGA overlays only
# (Documentation/ABI/testing/configfs-device-tree-overlays), on the Zynq half
# of the simulated board. Checked: what reached the fabric, the design's
# devices, the decoupler, what path and status read back, the errnos (and,
# for dtbo, whose errors configfs drops at close, the status), refcounts,
# that an idle low-level module unloads while an overlay stays applied, the
# one-image-per-region rule against the fpga_regions configfs, and EBUSY
# from the vendor firmware attribute while a region programs the manager.

. $R/boards.sh
O=/sys/kernel/config/device-tree/overlays
load_cores
zynq_board
# Not beside dtbocfg (or a kernel's OF_CONFIGFS): the same configfs subsystem.
# The init's EEXIST reaches insmod as EBUSY (the module loader keeps EEXIST
# for "already loaded"); the log line names the cause.
insmod $R/fixtures/fpga_configfs_device_tree.ko
dmesg -c >/dev/null
check_fails_with refused_beside_dtbocfg "Device or resource busy" insmod $R/compat/fpga_compat_overlays.ko
check dmesg_names_dtbocfg sh -c "dmesg | grep -q 'device-tree is registered already (dtbocfg'"
rmmod fpga_configfs_device_tree
check insmod_compat_overlays insmod $R/compat/fpga_compat_overlays.ko
check_fails_with dtbocfg_refused_beside_it "Device or resource busy" insmod $R/fixtures/fpga_configfs_device_tree.ko
check overlays_group_exists test -d $O
check_eq compat_module_not_pinned 0 "$(refcnt fpga_compat_overlays)"
cp $FW/zynq-swapped.bin /lib/firmware/design.bit.bin
for f in compat-zynq-pl compat-not-fpga compat-firmware-off-region compat-unregistered-region; do
	cp $FW/$f.dtbo /lib/firmware/$f.dtbo
done

# path: applied before the write returns.
check mkdir_item mkdir $O/full
check_eq item_files "dtbo path status" "$(ls $O/full | tr '\n' ' ' | sed 's/ $//')"
check_eq status_before_unapplied unapplied "$(cat $O/full/status)"
check_eq path_before_empty "" "$(cat $O/full/path)"
check path_applies sh -c "echo -n compat-zynq-pl.dtbo >$O/full/path"
check_eq path_reads_back compat-zynq-pl.dtbo "$(cat $O/full/path)"
check_eq status_applied applied "$(cat $O/full/status)"
check_eq path_programs_the_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check_eq manager_operating operating "$(cat $X/state)"
check_eq decoupler_coupled enabled "$(cat $P/state)"
check design_device_on_the_bus device design-ip
check_eq nothing_pinned_while_applied "0 0" "$(zynq_refs)"
check_fails_with second_overlay_on_an_item "Operation not permitted" \
	sh -c "echo -n compat-zynq-pl.dtbo >$O/full/path"
check_fails_with compat_module_pinned_by_its_item "Resource temporarily unavailable" \
	rmmod fpga_compat_overlays
check rmmod_idle_lowlevel_while_applied rmmod sim_zynq
check_eq overlay_stays_applied applied "$(cat $O/full/status)"
check design_device_stays device design-ip
check insmod_lowlevel_again insmod $R/lowlevel/sim_zynq.ko faux=0
# A new manager (the region keeps a reference to the old one's device: its number too).
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
XF=$(ls $D/*zynq-fpga-mgr/fabric)
check rmdir_removes_the_overlay rmdir $O/full
check design_device_removed sh -c "! device design-ip"
check_eq decoupler_decoupled_after_removal disabled "$(cat $P/state)"

# dtbo: applied at close; the outcome shows in status.
check mkdir_segment mkdir $O/seg
check dtbo_written sh -c "cat /lib/firmware/compat-zynq-pl.dtbo >$O/seg/dtbo"
check_eq dtbo_status_applied applied "$(cat $O/seg/status)"
check dtbo_reads_back cmp $O/seg/dtbo /lib/firmware/compat-zynq-pl.dtbo
check_eq dtbo_programs_the_fabric "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check dtbo_design_device device design-ip
check_eq dtbo_path_stays_empty "" "$(cat $O/seg/path)"
check_fails_with path_after_dtbo "Operation not permitted" \
	sh -c "echo -n compat-zynq-pl.dtbo >$O/seg/path"
check rmdir_segment rmdir $O/seg
check dtbo_design_device_removed sh -c "! device design-ip"

# Overlays that program no region are refused before anything is applied.
dmesg -c >/dev/null
mkdir $O/dt
check_fails_with overlay_without_fpga_refused "Operation not permitted" \
	sh -c "echo -n compat-not-fpga.dtbo >$O/dt/path"
check_eq refused_overlay_status "error EPERM" "$(cat $O/dt/status)"
check_eq refused_overlay_path_empty "" "$(cat $O/dt/path)"
check refused_overlay_added_nothing sh -c "! device stray-ip"
check dmesg_says_programs_no_region sh -c "dmesg | grep -q 'overlay dt: programs no FPGA region'"
rmdir $O/dt
mkdir $O/dt
cat /lib/firmware/compat-not-fpga.dtbo >$O/dt/dtbo
check_eq dtbo_without_fpga_status "error EPERM" "$(cat $O/dt/status)"
check dtbo_without_fpga_added_nothing sh -c "! device stray-ip"
rmdir $O/dt
# Its first fragment programs the region, its second names an image for a
# node that is no region: refused before the first programs anything.
programmings=$(field $XF programmings)
mkdir $O/dt
check_fails_with firmware_off_region_refused "Operation not permitted" \
	sh -c "echo -n compat-firmware-off-region.dtbo >$O/dt/path"
check dmesg_says_no_fpga_region sh -c "dmesg | grep -q 'which is no FPGA region: refused'"
check_eq firmware_off_region_programmed_nothing "$programmings" "$(field $XF programmings)"
check firmware_off_region_added_nothing sh -c "! device stray-ip"
rmdir $O/dt
# An image for a region node that has no region (its manager's driver is not
# loaded): nothing would program it.
mkdir $O/dt
check_fails_with unregistered_region_refused "No such device" \
	sh -c "echo -n compat-unregistered-region.dtbo >$O/dt/path"
check dmesg_says_no_region_registered sh -c "dmesg | grep -q 'no FPGA region is registered for'"
check unregistered_region_added_nothing sh -c "! device stray-ip"
rmdir $O/dt

# Errors of the programming reach the writer (path) or status (dtbo).
mkdir $O/bad
check_fails_with missing_overlay_file "No such file or directory" \
	sh -c "echo -n no-such.dtbo >$O/bad/path"
check_eq missing_overlay_status "error ENOENT" "$(cat $O/bad/status)"
cp $FW/zynq-corrupt.bit /lib/firmware/design.bit.bin
check_fails_with corrupt_bitstream_fails "Input/output error" \
	sh -c "echo -n compat-zynq-pl.dtbo >$O/bad/path"
check_eq corrupt_bitstream_status "error EIO" "$(cat $O/bad/status)"
check_eq corrupt_bitstream_path_empty "" "$(cat $O/bad/path)"
check_eq corrupt_bitstream_manager_state "write error" "$(cat $X/state)"
check corrupt_bitstream_no_device sh -c "! device design-ip"
check_eq corrupt_bitstream_decoupled disabled "$(cat $P/state)"
rmdir $O/bad
mkdir $O/bad
cat /lib/firmware/compat-zynq-pl.dtbo >$O/bad/dtbo
check_eq corrupt_bitstream_dtbo_status "error EIO" "$(cat $O/bad/status)"
check_eq failed_dtbo_not_kept 0 "$(wc -c <$O/bad/dtbo)"
# The item takes a second try, as on the vendor kernels.
cp $FW/zynq-swapped.bin /lib/firmware/design.bit.bin
cat /lib/firmware/compat-zynq-pl.dtbo >$O/bad/dtbo
check_eq dtbo_retry_applied applied "$(cat $O/bad/status)"
rmdir $O/bad
check_eq nothing_pinned_after_failures "0 0" "$(zynq_refs)"
cp $FW/zynq-swapped.bin /lib/firmware/design.bit.bin

# One image per region: a configfs fpga_regions image owns the region.
C=/sys/kernel/config/fpga_regions/$RZ
wait_until test -d $C
mkdir $C/img
echo fpga-rs/zynq-valid.bit >$C/img/firmware
check configfs_image_loads sh -c "echo 1 >$C/img/config"
mkdir $O/full
check_fails_with overlay_on_a_configfs_owned_region "Device or resource busy" \
	sh -c "echo -n compat-zynq-pl.dtbo >$O/full/path"
check_eq configfs_image_kept "$(expected_crc zynq-valid.bit)" "$(field $XF crc32)"
rmdir $C/img
check overlay_after_the_image_went sh -c "echo -n compat-zynq-pl.dtbo >$O/full/path"
mkdir $C/img
echo fpga-rs/zynq-valid.bit >$C/img/firmware
check_fails_with configfs_load_on_an_overlay_region "Device or resource busy" \
	sh -c "echo 1 >$C/img/config"
rmdir $C/img
rmdir $O/full

# The vendor firmware attribute while a region programs the manager: EBUSY.
check insmod_compat_sysfs insmod $R/compat/fpga_compat_sysfs.ko
rmmod sim_zynq
check insmod_zynq_held insmod $R/lowlevel/sim_zynq.ko faux=0 pause=1
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
mkdir $O/held
(echo -n compat-zynq-pl.dtbo >$O/held/path; echo $? >/tmp/held.rc) &
applying=$!
check held_region_programming_reaches_write wait_for $X/state write
check_eq held_programming_pins_lowlevel 1 "$(refcnt sim_zynq)"
check_fails_with vendor_firmware_while_region_programs "Device or resource busy" \
	sh -c "echo fpga-rs/zynq-valid.bit >$X/firmware"
echo 1 >$D/$(basename $(dirname $(ls $D/*zynq-fpga-mgr/fabric)))/release
wait $applying
check_eq held_overlay_applied "0 applied" "$(cat /tmp/held.rc) $(cat $O/held/status)"
check_eq held_programming_unpins 0 "$(refcnt sim_zynq)"
rmdir $O/held
# The manager's driver unbound while a firmware write programs it: the
# unregistration waits for the load, then the attributes go with the device.
(echo fpga-rs/zynq-valid.bit >$X/firmware; echo $? >/tmp/held.rc) &
loading=$!
check held_firmware_write_reaches_write wait_for $X/state write
zdev=$(basename "$(readlink -f $X/device)")
release=$D/$(basename $(dirname $(ls $D/*zynq-fpga-mgr/fabric)))/release
(echo "$zdev" >/sys/bus/platform/drivers/sim_zynq/unbind; echo $? >/tmp/unbind.rc) &
unbinding=$!
echo 1 >$release
wait $loading
wait $unbinding
check_eq held_firmware_write_completes 0 "$(cat /tmp/held.rc)"
check_eq unbind_during_a_load_completes 0 "$(cat /tmp/unbind.rc)"
check manager_and_attributes_gone test ! -e $X/firmware
check_eq unbound_manager_unpinned 0 "$(refcnt sim_zynq)"
rmmod fpga_compat_sysfs
rm -f /lib/firmware/design.bit.bin /lib/firmware/compat-*.dtbo
check rmmod_compat_overlays rmmod fpga_compat_overlays
check overlays_gone test ! -e /sys/kernel/config/device-tree
unload_zynq_board
unload_cores
