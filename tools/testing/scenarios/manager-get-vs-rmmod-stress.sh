# SPDX-License-Identifier: GPL-2.0
#
# Races a user's fpga_mgr_get() (insmod fpga_mgr_holder) against rmmod of the
# low-level module, 40 rounds. Each round must end one of two clean ways: the
# get won (the module is pinned and rmmod is refused with EWOULDBLOCK), or the
# rmmod won (the get fails with ENODEV). Never a crash (the vm suite checks
# the kernel log), and the reference counts must come back to zero.

R=/fpga-rs
insmod $R/modules/fpga_mgr.ko
rounds=40 got=0 removed=0 bad=0
i=0
while [ $i -lt $rounds ]; do
	i=$((i + 1))
	insmod $R/fixtures/fpga_test_mgr.ko || bad=$((bad + 1))
	insmod $R/fixtures/fpga_mgr_holder.ko 2>/tmp/holder.err &
	holder=$!
	rmmod fpga_test_mgr 2>/tmp/rmmod.err
	rmmod_rc=$?
	wait $holder
	holder_rc=$?
	if [ $holder_rc = 0 ] && [ $rmmod_rc != 0 ] &&
		grep -q "Resource temporarily unavailable" /tmp/rmmod.err; then
		got=$((got + 1))
		rmmod fpga_mgr_holder && rmmod fpga_test_mgr || bad=$((bad + 1))
	elif [ $holder_rc != 0 ] && [ $rmmod_rc = 0 ] &&
		grep -q "No such device" /tmp/holder.err; then
		removed=$((removed + 1))
	else
		echo "round $i: holder rc $holder_rc ($(cat /tmp/holder.err)), rmmod rc $rmmod_rc ($(cat /tmp/rmmod.err))"
		bad=$((bad + 1))
		rmmod fpga_mgr_holder 2>/dev/null
		rmmod fpga_test_mgr 2>/dev/null
	fi
done
echo "fpga-rs: get won $got, rmmod won $removed, inconsistent $bad of $rounds rounds"
check_eq every_round_ended_cleanly 0 "$bad"
check_eq rounds_accounted "$rounds" "$((got + removed))"
check_eq lowlevel_module_gone gone "$(refcnt fpga_test_mgr)"
check_eq core_idle_after_stress 0 "$(refcnt fpga_mgr)"
check rmmod_core_after_stress rmmod fpga_mgr
