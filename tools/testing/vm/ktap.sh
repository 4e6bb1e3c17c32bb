# SPDX-License-Identifier: GPL-2.0
#
# KTAP helpers for scenario tests (sourced inside the VM). Each check writes
# one result line to fd 3; the test plan wraps them into a KTAP suite.
# Command output goes to the console, where it stays in the VM log.

KTAP_N=0

# ok NAME / not_ok NAME [DIAGNOSTIC]: record one result.
ok() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $1" >&3
	echo "fpga-rs: ok $1"
}

not_ok() {
	KTAP_N=$((KTAP_N + 1))
	[ -n "${2:-}" ] && echo "# $1: $2" >&3
	echo "not ok $KTAP_N $1" >&3
	echo "fpga-rs: NOT OK $1${2:+: $2}"
}

# skip NAME REASON: a check that does not apply here (to this architecture,
# say), reported as skipped with the reason, never left out silently.
skip() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $1 # SKIP $2" >&3
	echo "fpga-rs: skip $1: $2"
}

# check NAME COMMAND...: ok when COMMAND succeeds.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "'$*' failed"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi
}

# check_fails_with NAME MESSAGE COMMAND...: ok when COMMAND fails and its
# error output contains MESSAGE (e.g. the strerror of the expected errno).
check_fails_with() {
	name=$1 want=$2
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$name" "'$*' succeeded, expected '$want'"
	else
		case "$out" in
		*"$want"*) ok "$name" ;;
		*) not_ok "$name" "'$*' failed with '$out', expected '$want'" ;;
		esac
	fi
}

# refcnt MODULE: the module's reference count, or "gone".
refcnt() {
	cat "/sys/module/$1/refcnt" 2>/dev/null || echo gone
}

# loaded MODULE: whether MODULE is in the module list.
loaded() {
	grep -q "^$1 " /proc/modules
}

# class_dev CLASS NAME: the sysfs folder of the CLASS device whose `name` is
# NAME (device numbers change when a driver is reloaded); if there is none,
# /sys/class/CLASS/none, and a failure.
class_dev() {
	for d in /sys/class/$1/*; do
		[ "$(cat "$d/name" 2>/dev/null)" = "$2" ] && echo "$d" && return
	done
	echo "/sys/class/$1/none"
	return 1
}

# field FILE NAME: the value of "NAME: value" in a debugfs file.
field() {
	sed -n "s/^$2: //p" "$1"
}

# expected_crc IMAGE: the CRC-32 of the image's configuration data, from the
# manifest that tools/testing/gen-images.py writes beside the images.
expected_crc() {
	awk -v n="$1" '$1 == n { print $2 }' /lib/firmware/fpga-rs/images.txt
}

# wait_until COMMAND...: wait until COMMAND succeeds, bounded as wait_for is
# (a device that deferred its probe, say).
wait_until() {
	local n=1200
	until "$@"; do
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
		n=$((n - 1))
	done
}

# wait_for FILE VALUE [TENTHS]: wait until FILE reads VALUE. It waits for a
# state the test brought about (a held programming, parked threads), not for
# a time: the bound (default 120 s) only stops a test whose state never comes,
# and must hold on a loaded TCG host.
wait_for() {
	local n=${3:-1200}
	while [ "$n" -gt 0 ]; do
		[ "$(cat "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
