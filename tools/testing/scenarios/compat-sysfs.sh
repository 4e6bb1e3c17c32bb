# SPDX-License-Identifier: GPL-2.0
#
# fpga_compat_sysfs.ko (compat/sysfs/): the vendor kernels' manager
# attributes flags, firmware and key on every fpga_manager
# (Documentation/ABI/testing/sysfs-class-fpga-manager-compat), on the
# simulated FPGAs' faux managers. Checked: the attributes' modes and formats,
# what reaches the simulated fabric, the errnos a write returns, the manager
# states a tool reads, the module refcounts during and after a load (held in
# its first write with pause=1), and that an idle low-level module unloads.

. $R/boards.sh
load_cores
insmod $R/lowlevel/sim_socfpga.ko
insmod $R/lowlevel/sim_zynq.ko
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
X=$(class_dev fpga_manager "Xilinx Zynq FPGA Manager (fpga-rs simulation)")
AF=$D/sim-socfpga/fabric
XF=$D/sim-zynq/fabric

check no_vendor_attributes_without_the_module test ! -e $A/firmware
check insmod_compat_sysfs insmod $R/compat/fpga_compat_sysfs.ko
check_eq attributes_on_every_manager "644 200 200 644 200 200" \
	"$(stat -c %a $A/flags $A/firmware $A/key $X/flags $X/firmware $X/key | tr '\n' ' ' | sed 's/ $//')"
check_eq flags_start_at_zero "0" "$(cat $A/flags)"
check_eq compat_module_not_pinned 0 "$(refcnt fpga_compat_sysfs)"

# flags: hexadecimal as the vendor kernels print and parse it, upstream bits only.
echo 1 >$A/flags
check_eq flags_partial_reads_back 1 "$(cat $A/flags)"
echo 0x11 >$A/flags
check_eq flags_with_0x_prefix "11" "$(cat $A/flags)"
echo 0X1f >$A/flags
check_eq flags_every_upstream_bit "1f" "$(cat $A/flags)"
dmesg -c >/dev/null
check_fails_with flags_vendor_user_key_refused "Invalid argument" sh -c "echo 20 >$A/flags"
check dmesg_names_the_vendor_bits sh -c "dmesg | grep -q 'flags 0x20: bits 0x20 are no upstream FPGA_MGR_'"
check_fails_with flags_authentication_refused "Invalid argument" sh -c "echo c1 >$A/flags"
check_eq flags_unchanged_by_a_refusal "1f" "$(cat $A/flags)"
# fpgautil ignores a failed flags write: the next load must not go on with other flags.
check_fails_with load_after_refused_flags_refused "Invalid argument" \
	sh -c "echo fpga-rs/socfpga-valid.rbf >$A/firmware"
check dmesg_says_flags_were_refused sh -c "dmesg | grep -q 'the last write to flags was refused'"
check_eq no_load_after_refused_flags 0 "$(field $AF programmings)"
check_fails_with flags_not_hexadecimal "Invalid argument" sh -c "echo zz >$A/flags"
check_fails_with flags_empty "Invalid argument" sh -c "echo >$A/flags"
check_fails_with flags_beyond_32_bits "Numerical result out of range" \
	sh -c "echo 100000000 >$A/flags"
check_fails_with load_after_unparsable_flags_refused "Invalid argument" \
	sh -c "echo fpga-rs/socfpga-valid.rbf >$A/firmware"
echo 0 >$A/flags
check_eq flags_per_manager "0/0" "$(cat $A/flags)/$(cat $X/flags)"

# key: bounded, write-only.
K=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
check key_of_64_digits_taken sh -c "echo $K >$A/key"
check_fails_with key_never_readable "Permission denied" cat $A/key
check_fails_with key_of_65_digits_refused "Invalid argument" sh -c "echo ${K}0 >$A/key"
check_fails_with key_not_hexadecimal "Invalid argument" sh -c "echo secret >$A/key"

# firmware: programs now, returns the errno.
check firmware_programs sh -c "echo fpga-rs/socfpga-valid.rbf >$A/firmware"
check_eq firmware_state_operating operating "$(cat $A/state)"
check_eq firmware_fabric_crc32 "$(expected_crc socfpga-valid.rbf)" "$(field $AF crc32)"
check_eq firmware_fabric_user_mode "user mode" "$(field $AF mode)"
check_eq nothing_pinned_after_a_load "0 0" "$(refcnt sim_socfpga) $(refcnt fpga_compat_sysfs)"
check firmware_without_newline sh -c "printf fpga-rs/socfpga-valid.rbf >$A/firmware"
dmesg -c >/dev/null
check_fails_with firmware_missing_file "No such file or directory" \
	sh -c "echo fpga-rs/no-such.rbf >$A/firmware"
check_eq firmware_missing_file_state "firmware request error" "$(cat $A/state)"
check_fails_with firmware_corrupt_image "Input/output error" \
	sh -c "echo fpga-rs/socfpga-corrupt.rbf >$A/firmware"
check_eq firmware_corrupt_state "write error" "$(cat $A/state)"
check_eq firmware_corrupt_status "reconfig CRC error" "$(cat $A/status)"
check dmesg_names_the_failed_load sh -c "dmesg | grep -q 'firmware fpga-rs/socfpga-corrupt.rbf: load failed: EIO'"
check_fails_with firmware_empty_name "Invalid argument" sh -c "echo >$A/firmware"
check_eq nothing_pinned_after_failures 0 "$(refcnt sim_socfpga)"

# The flags reach the load: partial reconfiguration of the Zynq keeps its base design.
check zynq_base_design sh -c "echo fpga-rs/zynq-swapped.bin >$X/firmware"
echo 1 >$X/flags
check zynq_partial_through_flags sh -c "echo fpga-rs/zynq-partial.bin >$X/firmware"
check_eq zynq_partial_fabric "raw .bin, 2048 bytes, crc32 $(expected_crc zynq-partial.bin)" \
	"$(field $XF partial)"
check_eq zynq_partial_keeps_base "$(expected_crc zynq-swapped.bin)" \
	"$(field $XF image | sed 's/.*crc32 //')"
echo 0 >$X/flags

# A load held in its first write: the owner is pinned only during it, and the
# manager is locked (EBUSY) as it is for a region programming through it.
rmmod sim_socfpga
check insmod_socfpga_held insmod $R/lowlevel/sim_socfpga.ko pause=1
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
check attributes_on_a_new_manager test -e $A/firmware
check_eq flags_of_a_new_manager "0" "$(cat $A/flags)"
(echo fpga-rs/socfpga-valid.rbf >$A/firmware; echo $? >/tmp/held.rc) &
loading=$!
check held_load_reaches_write wait_for $A/state write
check_eq held_load_pins_lowlevel 1 "$(refcnt sim_socfpga)"
check_fails_with rmmod_programming_lowlevel_is_refused "Resource temporarily unavailable" \
	rmmod sim_socfpga
check_fails_with second_writer_gets_ebusy "Device or resource busy" \
	sh -c "echo fpga-rs/socfpga-valid.rbf >$A/firmware"
echo 1 >$D/sim-socfpga/release
wait $loading
check_eq held_load_succeeds 0 "$(cat /tmp/held.rc)"
check_eq held_load_operating operating "$(cat $A/state)"
check_eq held_load_unpins_lowlevel 0 "$(refcnt sim_socfpga)"

# An idle low-level module unloads with the attributes on its manager.
check rmmod_idle_lowlevel rmmod sim_socfpga
check insmod_socfpga_again insmod $R/lowlevel/sim_socfpga.ko
A=$(class_dev fpga_manager "Altera SOCFPGA FPGA Manager (fpga-rs simulation)")
check programs_after_reload sh -c "echo fpga-rs/socfpga-valid.rbf >$A/firmware"
check rmmod_compat_sysfs rmmod fpga_compat_sysfs
check attributes_gone_with_the_module test ! -e $A/firmware -a ! -e $X/flags
check_eq manager_state_untouched operating "$(cat $A/state)"
rmmod sim_socfpga sim_zynq
unload_cores
