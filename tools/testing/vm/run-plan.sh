#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fpga-rs test plan, run inside the VM. Writes one KTAP document per suite
# to stdout, each between "# fpga-rs-suite: NAME" and "# fpga-rs-end"; the
# host merges them and parses them with kunit.py.
#
# KUnit modules run their suites at insmod, and insmod returns 0 even when
# tests fail, so each suite's verdict is read back from
# /sys/kernel/debug/kunit/<suite>/results before the module is removed.

R=/fpga-rs
KUNIT=/sys/kernel/debug/kunit
. $R/ktap.sh

block() {
	echo "# fpga-rs-suite: $1"
	cat
	echo "# fpga-rs-end"
}

# one_test_suite SUITE TEST VERDICT DIAGNOSTIC: a suite of one test, whose
# verdict ("ok" or "not ok") is the suite's too.
one_test_suite() {
	{
		echo "KTAP version 1"
		echo "1..1"
		echo "    KTAP version 1"
		echo "    # Subtest: $1"
		echo "    1..1"
		echo "    # $4"
		echo "    $3 1 $2"
		echo "$3 1 $1"
	} | block "$1"
}

# fail_block NAME REASON: a suite that could not run, as one failed test.
fail_block() {
	one_test_suite "$1" "$1_ran" "not ok" "$2"
}

# wanted NAME: whether the plan runs the module or scenario NAME. All of them,
# unless the host passed ONLY=<shell pattern> (fpga_rs.only= on the command
# line, for a developer's quick run; the report then lists only those).
wanted() {
	# shellcheck disable=SC2254 # The pattern is the point.
	case "$1" in ${FPGA_RS_ONLY:-*}) return 0 ;; esac
	return 1
}

# kunit_module KO [SUFFIX]: load a KUnit module, report its suites (their
# names with SUFFIX appended), unload it.
kunit_module() {
	ko=$1 mod=$(basename "$1" .ko) suffix=${2:-}
	wanted "$mod" || return 0
	before=$(ls $KUNIT)
	echo "fpga-rs: kunit $mod"
	if ! err=$(insmod "$ko" 2>&1); then
		fail_block "$mod" "insmod failed: $err"
		return
	fi
	found=
	for s in $(ls $KUNIT); do
		echo "$before" | grep -qx "$s" && continue
		sed "s/^\(    # Subtest: \)$s\$/\1$s$suffix/; s/^\(\(not \)\{0,1\}ok 1 \)$s\$/\1$s$suffix/" \
			"$KUNIT/$s/results" | block "$s$suffix"
		found=1
	done
	[ -n "$found" ] || fail_block "$mod" "no KUnit suite appeared in $KUNIT"
	rmmod "$mod" || fail_block "${mod}_unload" "rmmod $mod failed"
}

# scenario SCRIPT: run a scenario test in a subshell, as one suite.
scenario() {
	name=scenario_$(basename "$1" .sh | tr - _)
	wanted "$name" || return 0
	echo "fpga-rs: $name"
	(. "$1") 3>/tmp/results >/dev/console 2>&1
	n=$(grep -c '^\(not \)\?ok ' /tmp/results)
	{
		echo "KTAP version 1"
		echo "1..1"
		echo "    KTAP version 1"
		echo "    # Subtest: $name"
		echo "    1..$n"
		sed 's/^/    /' /tmp/results
		if [ "$n" -gt 0 ] && ! grep -q '^not ok ' /tmp/results; then
			echo "ok 1 $name"
		else
			echo "not ok 1 $name"
		fi
	} | block "$name"
}

# Every VM is SMP: the "concurrent" tests mean nothing on one CPU. The host
# asked QEMU for FPGA_RS_CPUS CPUs (fpga_rs.cpus= on the command line); all
# of them must be online.
online=$(grep -c '^processor' /proc/cpuinfo)
smp="not ok"
[ "$online" -ge "${FPGA_RS_CPUS:-2}" ] && [ "$online" -ge 2 ] && smp=ok
one_test_suite vm_smp all_cpus_online "$smp" \
	"$(uname -m): $online of ${FPGA_RS_CPUS:-2} CPUs online ($(cat /sys/devices/system/cpu/online))"

# A kernel with fpga-rs built in (KERNEL_FLAVOR=intree) has the FPGA classes
# before anything is loaded; the cores are not loaded or removed then.
builtin=
[ -d /sys/class/fpga_manager ] && builtin=1

# The upstream C core and its own KUnit suites, as the baseline the Rust core
# is compared against. The two cores export the same symbols and class names,
# so the C core is unloaded before the Rust one is loaded. A kernel of the
# user's own (KDIR=) may not have built them.
if [ -f $R/upstream/fpga-mgr.ko ]; then
	for m in fpga-mgr fpga-bridge fpga-region; do
		insmod $R/upstream/$m.ko || fail_block "upstream_$m" "insmod $m.ko failed"
	done
	for t in $R/upstream/tests/*.ko; do
		kunit_module "$t"
	done
	for m in fpga-region fpga-bridge fpga-mgr; do
		rmmod $m || fail_block "upstream_${m}_unload" "rmmod $m failed"
	done
else
	echo "fpga-rs: no upstream FPGA modules in this kernel; baseline skipped"
fi

# The Rust cores and the KUnit modules that test them.
[ -n "$builtin" ] || for m in fpga_mgr fpga_bridge fpga_region; do
	insmod $R/modules/$m.ko || fail_block ${m}_load "insmod $m.ko failed"
done
for t in $R/kunit/*.ko; do
	kunit_module "$t"
done

# C-ABI compatibility: upstream's own KUnit suites, built against the kernel's
# headers and unchanged, on the Rust cores.
if [ -f $R/upstream/fpga-mgr.ko ]; then
	for t in $R/upstream/tests/*.ko; do
		kunit_module "$t" _on_rust_core
	done
fi
[ -n "$builtin" ] || for m in fpga_region fpga_bridge fpga_mgr; do
	rmmod $m || fail_block ${m}_unload "rmmod $m failed"
done

# Scenario tests start from a VM with no FPGA module loaded.
for s in $R/scenarios/*.sh; do
	scenario "$s"
done
# On the debug kernel, ask kmemleak for leaks now (auto-scan is off); its
# reports go to the console, where the host's crash check finds them.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/dev/console
fi
echo "# fpga-rs-plan-complete"
