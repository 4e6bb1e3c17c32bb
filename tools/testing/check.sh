#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the whole test plan on each architecture given (default:
# x86_64 arm64 arm, then x86_64:intree, the kernel with fpga-rs built in from
# a kernel tree; ARCH:FLAVOUR picks a kernel flavour), one after the other:
# set up that architecture's kernel,
# then run the static checks and the VM test plan on it
# (tools/testing/run-vm.sh --tests), while the next one's kernel builds; first,
# on the host, the model check of the lifecycle protocol
# (tools/testing/model/run.sh). Prints a table of the
# results per architecture and ends with the total "N passed, N failed";
# exits 1 if any architecture failed or could not be set up.
#
# Usage: tools/testing/check.sh [ARCH[:FLAVOUR]...]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# = 0 ]; then
	set -- x86_64 arm64 arm
	[ "${KERNEL_FLAVOR:-default}" != default ] || set -- "$@" x86_64:intree
fi

passed=0 failed=0 rc=0 table=()
logs=${FPGA_RS_OUT:-$root/out}
mkdir -p "$logs"
archs=("$@")
# The first architecture is set up in the foreground (its output live); each
# next one's setup (mostly its kernel build) runs in the background while the
# tests of the one before run in the VM. Still one kernel build at a time,
# and the long single-threaded steps of each (rustc on the kernel crate,
# TCG) leave room for the other. Its output is shown when its turn comes.
# The host model check of the lifecycle protocol (loom), once: it does not
# depend on the architecture.
start=$(date +%s)
echo "==== host: lifecycle model check (loom) ===="
"$root/tools/testing/model/run.sh" | tee "$logs/model.log"
line=$(grep -E '^model: [0-9]+ passed, [0-9]+ failed$' "$logs/model.log" | tail -n1)
[ -n "$line" ] || line="model: 0 passed, 1 failed"
p=${line#model: } p=${p%% passed*} f=${line#*passed, } f=${f%% failed*}
passed=$((passed + p)) failed=$((failed + f))
table+=("$(printf '%-14s %5d passed %4d failed %5d s' model "$p" "$f" $(($(date +%s) - start)))")

# flavour ENTRY: the kernel flavour of an ARCH[:FLAVOUR] entry.
flavour() {
	case "$1" in
	*:*) echo "${1#*:}" ;;
	*) echo "${KERNEL_FLAVOR:-default}" ;;
	esac
}

ARCH=${archs[0]%%:*} KERNEL_FLAVOR=$(flavour "${archs[0]}") "$root/tools/testing/setup.sh"
setup_rc=$? setup_pid=
for i in "${!archs[@]}"; do
	entry=${archs[$i]}
	arch=${entry%%:*} flv=$(flavour "$entry")
	echo "==== ARCH=$arch KERNEL_FLAVOR=$flv ===="
	start=$(date +%s)
	if [ -n "$setup_pid" ]; then
		wait "$setup_pid"
		setup_rc=$?
		cat "$logs/setup-${entry/:/-}.log"
	fi
	next=${archs[$((i + 1))]:-} setup_pid=
	if [ -n "$next" ]; then
		ARCH=${next%%:*} KERNEL_FLAVOR=$(flavour "$next") "$root/tools/testing/setup.sh" \
			>"$logs/setup-${next/:/-}.log" 2>&1 &
		setup_pid=$!
	fi
	out=$logs/$arch-$flv
	mkdir -p "$out"
	line= run_failed=
	if [ "$setup_rc" = 0 ]; then
		ARCH=$arch KERNEL_FLAVOR=$flv FPGA_RS_OUT=$out "$root/tools/testing/run-vm.sh" --tests |
			tee "$out.log"
		[ "${PIPESTATUS[0]}" = 0 ] || run_failed=1
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out.log" | tail -n1)
	else
		echo "==== ARCH=$arch: setup failed (above), no tests run ===="
		run_failed=1
	fi
	# An architecture that could not be set up, or whose run failed or ended
	# without a verdict, counts as at least one failure, never as nothing.
	[ -n "$line" ] || line="0 passed, 0 failed"
	p=${line%% passed*} f=${line#*passed, }
	f=${f%% failed*}
	if [ -n "$run_failed" ]; then
		rc=1
		[ "$f" != 0 ] || f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
	table+=("$(printf '%-14s %5d passed %4d failed %5d s' "$entry" "$p" "$f" $(($(date +%s) - start)))")
done
echo "==== all architectures ===="
printf '%s\n' "${table[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || rc=1
exit $rc
