# SPDX-License-Identifier: GPL-2.0
#
# Programming FPGA regions from user space through configfs
# (/sys/kernel/config/fpga_regions, Documentation/ABI/testing/configfs-fpga-region),
# on the device-tree board of the simulated FPGAs (sim-board.dtso): every
# attribute and error of the ABI, checked against what reached the simulated
# fabric, the bridges' states, the module refcounts, the kernel log and the
# uevents a netlink listener (busybox uevent) receives.

R=/fpga-rs
FW=/lib/firmware/fpga-rs
D=/sys/kernel/debug
C=/sys/kernel/config/fpga_regions
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko
done
check configfs_subsystem_registered test -d $C
for m in sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler; do
	insmod $R/lowlevel/$m.ko faux=0
done
check insmod_sim_board insmod $R/fixtures/fpga_overlay_board.ko board=2

refs() {
	echo "$(refcnt sim_socfpga) $(refcnt sim_freeze_bridge) $(refcnt sim_zynq) $(refcnt sim_pr_decoupler)"
}
logic() {
	ls /sys/bus/platform/devices | grep -q sim-logic
}
# region_of NAME: the region whose parent node's name contains NAME.
region_of() {
	for g in /sys/class/fpga_region/region*; do
		case "$(basename "$(readlink -f "$g/device")")" in
		*"$1"*) basename "$g" ;;
		esac
	done
}
# The regions may defer their probes until their managers are bound.
wait_until sh -c "[ \$(ls -d /sys/class/fpga_region/region* 2>/dev/null | wc -l) = 2 ]"
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
F=$(class_dev fpga_bridge "Altera Freeze Bridge (fpga-rs simulation)")
P=$(class_dev fpga_bridge "Xilinx PR Decoupler (fpga-rs simulation)")
AF=$(ls $D/*socfpga-fpga-mgr/fabric)
XF=$(ls $D/*zynq-fpga-mgr/fabric)
RS=$(region_of socfpga-region)
RZ=$(region_of zynq-region)
S=$C/$RS
# A region's group is registered from a work queue, a moment after the region.
check region_groups_created_by_kernel wait_until test -d "$S" -a -d "$C/$RZ"
check_eq region_group_names_its_manager "$(basename $A)" "$(cat $S/manager)"
check_eq region_group_no_bridges_before_a_load "" "$(cat $S/bridges)"
check_fails_with root_is_the_kernels "Operation not permitted" mkdir $C/mine

# A netlink listener: every uevent's FPGA variables, one event per line.
: >/tmp/uevents
uevent sh -c 'echo "$ACTION $DEVPATH $(env | grep -E "^FPGA_(IMAGE|REGION|MGR)" | sort | tr "\n" " ")" >>/tmp/uevents' &
listener=$!
events() {
	grep -c "$1" /tmp/uevents
}

# --- An image: its attributes ---
check mkdir_image mkdir $S/valid
I=$S/valid
check_eq new_image_unloaded unloaded "$(cat $I/status)"
check_eq new_image_config_0 0 "$(cat $I/config)"
check_eq new_image_no_flags "" "$(cat $I/flags)"
check_eq new_image_timeouts_0 "0 0 0" \
	"$(cat $I/enable_timeout_us) $(cat $I/disable_timeout_us) $(cat $I/config_complete_timeout_us)"
check set_firmware sh -c "echo fpga-rs/socfpga-valid.rbf >$I/firmware"
check_eq firmware_reads_back fpga-rs/socfpga-valid.rbf "$(cat $I/firmware)"
check set_flags sh -c "echo 'compressed  lsb_first' >$I/flags"
check_eq flags_read_back_in_order "lsb_first compressed" "$(cat $I/flags)"
check_fails_with unknown_flag_is_einval "Invalid argument" sh -c "echo partial bogus >$I/flags"
check unknown_flag_logged sh -c "dmesg | grep -q \"unknown flag 'bogus'\""
check_eq flags_unchanged_by_refused_write "lsb_first compressed" "$(cat $I/flags)"
check clear_flags sh -c "echo >$I/flags"
check_fails_with timeout_not_a_number_is_einval "Invalid argument" sh -c "echo 1ms >$I/enable_timeout_us"
check set_timeouts sh -c "echo 1000 >$I/enable_timeout_us && echo 2000 >$I/disable_timeout_us && echo 3000000 >$I/config_complete_timeout_us"
check_eq timeouts_read_back "1000 2000 3000000" \
	"$(cat $I/enable_timeout_us) $(cat $I/disable_timeout_us) $(cat $I/config_complete_timeout_us)"
check_fails_with long_firmware_name_is_enametoolong "too long" \
	sh -c "echo $(printf '%0300d' 0) >$I/firmware"
check_fails_with config_2_is_einval "Invalid argument" sh -c "echo 2 >$I/config"

# --- Load ---
check_eq nothing_pinned_before_load "0 0 0 0" "$(refs)"
check load_valid_image sh -c "echo 1 >$I/config"
check_eq loaded_status loaded "$(cat $I/status)"
check_eq loaded_config_1 1 "$(cat $I/config)"
check_eq loaded_manager_operating operating "$(cat $A/state)"
check_eq loaded_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check_eq loaded_bridge_enabled enabled "$(cat $F/state)"
check_eq region_group_names_its_bridge "$(basename $F)" "$(cat $S/bridges)"
check_eq nothing_pinned_after_load "0 0 0 0" "$(refs)"
check uevent_region_loaded wait_until grep -q \
	"change .*/$RS FPGA_IMAGE=valid FPGA_REGION_STATUS=loaded" /tmp/uevents
check uevent_manager_operating wait_until grep -q \
	"change .*/$(basename $A) FPGA_MGR_STATE=operating" /tmp/uevents
check_fails_with attribute_of_loaded_image_is_busy "Device or resource busy" \
	sh -c "echo fpga-rs/socfpga-corrupt.rbf >$I/firmware"
check_eq loaded_firmware_unchanged fpga-rs/socfpga-valid.rbf "$(cat $I/firmware)"
check mkdir_second_image mkdir $S/second
check second_image_firmware sh -c "echo fpga-rs/socfpga-valid.rbf >$S/second/firmware"
check_fails_with second_load_is_busy "Device or resource busy" sh -c "echo 1 >$S/second/config"
check_eq second_load_status "error region EBUSY" "$(cat $S/second/status)"
check_eq first_image_still_loaded loaded "$(cat $I/status)"
# An overlay applied in the kernel (of_fpga_region's notifier) is refused
# while a configfs image owns the region, and the other way round below.
cp $FW/socfpga-valid.rbf $FW/socfpga-region.rbf
check_fails_with kernel_overlay_refused_while_configfs_loaded "Device or resource busy" \
	insmod $R/fixtures/fpga_overlay_image.ko image=5
check reload_same_image sh -c "echo 1 >$I/config"
check_eq reloaded_status loaded "$(cat $I/status)"

# --- Unload ---
check unload_image sh -c "echo 0 >$I/config"
check_eq unloaded_status unloaded "$(cat $I/status)"
check_eq unloaded_config_0 0 "$(cat $I/config)"
check_eq unloaded_bridge_frozen disabled "$(cat $F/state)"
check uevent_region_unloaded wait_until grep -q \
	"change .*/$RS FPGA_IMAGE=valid FPGA_REGION_STATUS=unloaded" /tmp/uevents
check attribute_writable_after_unload sh -c "echo fpga-rs/socfpga-valid.rbf >$I/firmware"
check second_image_loads_after_unload sh -c "echo 1 >$S/second/config"
check_eq second_image_loaded loaded "$(cat $S/second/status)"
# rmdir of a loaded image unloads it.
check rmdir_loaded_image rmdir $S/second
check_eq rmdir_froze_the_bridge disabled "$(cat $F/state)"
check uevent_region_unloaded_by_rmdir wait_until grep -q \
	"change .*/$RS FPGA_IMAGE=second FPGA_REGION_STATUS=unloaded" /tmp/uevents
check kernel_overlay_programs_after_configfs_unload insmod $R/fixtures/fpga_overlay_image.ko image=5
check_fails_with configfs_load_refused_while_kernel_overlay_applied "Device or resource busy" \
	sh -c "echo 1 >$I/config"
check configfs_refusal_names_the_owner sh -c "dmesg | grep -q \"image 'valid': the region's image is another's\""
check remove_kernel_overlay rmmod fpga_overlay_image

# --- Failures: status, errno, one log line, a uevent ---
check mkdir_missing mkdir $S/missing
echo fpga-rs/no-such-image.rbf >$S/missing/firmware
check_fails_with missing_firmware_is_enoent "No such file or directory" sh -c "echo 1 >$S/missing/config"
check_eq missing_firmware_status "error firmware ENOENT" "$(cat $S/missing/status)"
check missing_firmware_logged sh -c \
	"dmesg | grep -q \"image 'missing': load failed at step firmware ENOENT\""
check uevent_missing_firmware wait_until grep -q \
	"change .*/$RS FPGA_IMAGE=missing FPGA_REGION_ERROR=firmware ENOENT FPGA_REGION_STATUS=error" /tmp/uevents
check uevent_manager_firmware_error wait_until grep -q \
	"change .*/$(basename $A) FPGA_MGR_STATE=firmware request error" /tmp/uevents
check mkdir_corrupt mkdir $S/corrupt
echo fpga-rs/socfpga-corrupt.rbf >$S/corrupt/firmware
check_fails_with corrupt_image_fails "Input/output error" sh -c "echo 1 >$S/corrupt/config"
check_eq corrupt_image_status_names_the_step "error write EIO" "$(cat $S/corrupt/status)"
check_eq corrupt_manager_state "write error" "$(cat $A/state)"
check_eq corrupt_bridge_stays_frozen disabled "$(cat $F/state)"
check_eq nothing_pinned_after_failures "0 0 0 0" "$(refs)"
check region_free_after_failures sh -c "echo 1 >$I/config"
check unload_after_failures sh -c "echo 0 >$I/config"
check mkdir_empty mkdir $S/empty
check_fails_with image_without_firmware_is_einval "Invalid argument" sh -c "echo 1 >$S/empty/config"
check_eq image_without_firmware_status "error image EINVAL" "$(cat $S/empty/status)"
rmdir $S/missing $S/corrupt $S/empty

# --- Overlays: the image's devices ---
check set_overlay sh -c "echo fpga-rs/cfs-socfpga-logic.dtbo >$I/overlay"
check_eq overlay_reads_back fpga-rs/cfs-socfpga-logic.dtbo "$(cat $I/overlay)"
check load_with_overlay sh -c "echo 1 >$I/config"
check_eq overlay_load_status loaded "$(cat $I/status)"
check overlay_device_populated logic
check_eq overlay_load_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check_eq overlay_load_bridge_enabled enabled "$(cat $F/state)"
check unload_overlay sh -c "echo 0 >$I/config"
check overlay_device_removed sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"
check_eq overlay_unload_bridge_frozen disabled "$(cat $F/state)"
# An overlay applied in the kernel on top of the image's device: the image's
# overlay cannot be removed before it (the overlay core's rule), so the unload
# fails with its errno and the image stays loaded.
check load_before_stacking sh -c "echo 1 >$I/config"
check stack_kernel_overlay_on_image_device insmod $R/fixtures/fpga_overlay_image.ko image=19
check_fails_with unload_under_stacked_overlay_is_busy "Device or resource busy" sh -c "echo 0 >$I/config"
check_eq stays_loaded_under_stacked_overlay loaded "$(cat $I/status)"
check device_stays_under_stacked_overlay logic
check unload_refusal_logged sh -c "dmesg | grep -q \"image 'valid': its overlay cannot be removed\""
check remove_stacked_overlay rmmod fpga_overlay_image
check unload_after_stacked_overlay_removed sh -c "echo 0 >$I/config"
check overlay_device_removed_after_stacking sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"
# A .dtbo built with its labels (dtc -@): the overlay core adds them to the
# live tree's /__symbols__ as a fragment of its own, which is no fragment for
# another node.
check mkdir_symbols mkdir $S/symbols
echo fpga-rs/socfpga-valid.rbf >$S/symbols/firmware
echo fpga-rs/cfs-socfpga-symbols.dtbo >$S/symbols/overlay
check load_overlay_with_symbols sh -c "echo 1 >$S/symbols/config"
check_eq overlay_with_symbols_loaded loaded "$(cat $S/symbols/status)"
check overlay_labels_in_live_tree test -e /sys/firmware/devicetree/base/__symbols__/logic
check rmdir_overlay_with_symbols rmdir $S/symbols
check overlay_labels_removed test ! -e /sys/firmware/devicetree/base/__symbols__/logic
# The overlay names the image: no firmware needed, and a different one is refused.
check mkdir_named mkdir $S/named
check named_set_overlay sh -c "echo fpga-rs/cfs-socfpga-named.dtbo >$S/named/overlay"
check load_overlay_naming_the_image sh -c "echo 1 >$S/named/config"
check_eq named_overlay_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check named_overlay_device_populated logic
check rmdir_loaded_overlay_image rmdir $S/named
check rmdir_removed_overlay_device sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"
check mkdir_disagree mkdir $S/disagree
echo fpga-rs/cfs-socfpga-named.dtbo >$S/disagree/overlay
echo fpga-rs/socfpga-corrupt.rbf >$S/disagree/firmware
check_fails_with overlay_firmware_name_must_agree "Invalid argument" sh -c "echo 1 >$S/disagree/config"
check_eq overlay_disagreement_status "error overlay EINVAL" "$(cat $S/disagree/status)"
check overlay_disagreement_logged sh -c "dmesg | grep -q \"is not the image's firmware\""
check_eq overlay_disagreement_programmed_nothing "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
rmdir $S/disagree
check mkdir_other_node mkdir $S/other
echo fpga-rs/cfs-other-node.dtbo >$S/other/overlay
echo fpga-rs/socfpga-valid.rbf >$S/other/firmware
check_fails_with overlay_for_another_node_is_einval "Invalid argument" sh -c "echo 1 >$S/other/config"
check_eq overlay_for_another_node_status "error overlay EINVAL" "$(cat $S/other/status)"
check overlay_for_another_node_logged sh -c "dmesg | grep -q \"targets node 'fpga-rs-sim', not the region's node\""
check overlay_for_another_node_added_nothing sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"
rmdir $S/other
check mkdir_missing_overlay mkdir $S/noov
echo fpga-rs/no-such.dtbo >$S/noov/overlay
echo fpga-rs/socfpga-valid.rbf >$S/noov/firmware
check_fails_with missing_overlay_is_enoent "No such file or directory" sh -c "echo 1 >$S/noov/config"
check_eq missing_overlay_status "error overlay ENOENT" "$(cat $S/noov/status)"
rmdir $S/noov
check_eq nothing_pinned_after_overlays "0 0 0 0" "$(refs)"

# --- Partial reconfiguration, on the Zynq region ---
Z=$C/$RZ
check mkdir_zynq_full mkdir $Z/full
echo fpga-rs/zynq-swapped.bin >$Z/full/firmware
check zynq_full_load sh -c "echo 1 >$Z/full/config"
check_eq zynq_full_crc32 "$(expected_crc zynq-swapped.bin)" "$(field $XF crc32)"
check zynq_full_unload rmdir $Z/full
check mkdir_zynq_partial mkdir $Z/partial
echo fpga-rs/zynq-partial.bin >$Z/partial/firmware
check set_partial_flag sh -c "echo partial >$Z/partial/flags"
check_eq partial_flag_reads_back partial "$(cat $Z/partial/flags)"
check zynq_partial_load sh -c "echo 1 >$Z/partial/config"
check_eq zynq_partial_loaded loaded "$(cat $Z/partial/status)"
check_eq zynq_partial_reached_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" \
	"$(field $XF partial)"
check_eq zynq_partial_keeps_base "$(expected_crc zynq-swapped.bin)" \
	"$(field $XF image | sed 's/.*crc32 //')"
check zynq_partial_unload rmdir $Z/partial

# --- An idle low-level module goes while an image stays loaded ---
check load_before_rmmod sh -c "echo 1 >$I/config"
check rmmod_idle_manager_while_loaded rmmod sim_socfpga
check_eq image_stays_loaded loaded "$(cat $I/status)"
check_eq region_group_manager_gone "" "$(cat $S/manager)"
check mkdir_after_rmmod mkdir $S/after
echo fpga-rs/socfpga-valid.rbf >$S/after/firmware
check unload_with_manager_gone sh -c "echo 0 >$I/config"
check_fails_with load_with_manager_gone_is_enodev "No such device" sh -c "echo 1 >$S/after/config"
check_eq load_with_manager_gone_status "error manager ENODEV" "$(cat $S/after/status)"
check reinsmod_manager insmod $R/lowlevel/sim_socfpga.ko faux=0
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
AF=$(ls $D/*socfpga-fpga-mgr/fabric)
check load_after_manager_back sh -c "echo 1 >$S/after/config"
check_eq fabric_after_manager_back "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check_eq region_group_names_the_new_manager "$(basename $A)" "$(cat $S/manager)"
check unload_after_manager_back sh -c "echo 0 >$S/after/config"
rmdir $S/after

# --- Delegation: root's by default, a group's after chgrp/chmod ---
mkdir -p /etc
grep -q '^root:' /etc/passwd 2>/dev/null || echo "root:x:0:0::/:/bin/sh" >>/etc/passwd
grep -q '^root:' /etc/group 2>/dev/null || echo "root:x:0:" >>/etc/group
echo "fpgauser:x:1000:1000::/tmp:/bin/sh" >>/etc/passwd
echo "fpga:x:1000:" >>/etc/group
as_user() {
	su -s /bin/sh -c "$1" fpgauser
}
check_fails_with non_root_write_refused "Permission denied" as_user "echo 1 >$I/config"
check_fails_with non_root_mkdir_refused "Permission denied" as_user "mkdir $S/users"
check delegate_region_to_group sh -c \
	"chgrp -R fpga $S && chmod g+w $S $I/* && chmod g-w $I/status"
check_eq delegation_kept "root:fpga" "$(stat -c %U:%G $I/config)"
check delegated_user_loads as_user "echo 1 >$I/config"
check_eq delegated_load_loaded loaded "$(cat $I/status)"
check delegated_user_unloads as_user "echo 0 >$I/config"
check delegated_user_mkdir as_user "mkdir $S/users"
check delegated_user_rmdir as_user "rmdir $S/users"

# --- The region goes while images exist: they are defunct, nothing leaks ---
# Its device is unbound with an image loaded (whose overlay stays applied
# until the image is removed) and an idle one.
OFR=/sys/bus/platform/drivers/of-fpga-region
RDEV=$(basename "$(readlink -f /sys/class/fpga_region/$RS/device)")
check load_before_region_goes sh -c "echo 1 >$I/config"
check overlay_device_before_region_goes logic
check mkdir_idle_image mkdir $S/idle
check unbind_region_with_images sh -c "echo $RDEV >$OFR/unbind"
check region_device_gone sh -c "! test -e /sys/class/fpga_region/$RS"
check defunct_group_stays_with_images test -d "$S"
check_fails_with defunct_image_load_is_enodev "No such device" sh -c "echo 1 >$S/idle/config"
check_eq defunct_image_status "error region ENODEV" "$(cat $S/idle/status)"
check_fails_with defunct_group_mkdir_is_enodev "No such device" mkdir $S/late
check_eq defunct_group_no_manager "" "$(cat $S/manager)"
check_eq nothing_pinned_with_defunct_images "0 0 0 0" "$(refs)"
check rmdir_defunct_images rmdir $I $S/idle
check defunct_image_overlay_removed sh -c "! ls /sys/bus/platform/devices | grep -q sim-logic"
check defunct_group_goes_with_last_image wait_until sh -c "! test -e $S"
check rebind_region sh -c "echo $RDEV >$OFR/bind"
RS=$(region_of socfpga-region)
S=$C/$RS
check region_group_after_rebind wait_until test -d "$S"
check mkdir_after_rebind mkdir $S/back
echo fpga-rs/socfpga-valid.rbf >$S/back/firmware
check load_after_rebind sh -c "echo 1 >$S/back/config"
check rmdir_after_rebind rmdir $S/back
check_eq nothing_pinned_at_end "0 0 0 0" "$(refs)"
check rmmod_board rmmod fpga_overlay_board
check region_groups_gone_with_board wait_until sh -c "! ls -d $C/region* 2>/dev/null"

kill $listener 2>/dev/null
check rmmod_lowlevel rmmod sim_socfpga sim_zynq sim_freeze_bridge sim_pr_decoupler
for m in of_fpga_region fpga_region fpga_bridge fpga_mgr; do
	rmmod $m
done
check_eq cores_unloaded "gone gone gone gone" \
	"$(refcnt of_fpga_region) $(refcnt fpga_region) $(refcnt fpga_bridge) $(refcnt fpga_mgr)"
check configfs_subsystem_gone test ! -e $C
