#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fpga-rs demo, run inside the VM by `make vm`: load the Rust FPGA cores
# and the low-level drivers of lowlevel/, describe a board in the device tree
# (an Altera-style SoC FPGA behind a freeze bridge, with an FPGA region; an
# overlay on QEMU's own tree on arm and arm64, on the OF core's empty tree on
# x86-64), program the region from user space with tools/fpga-load (the
# configfs interface) with the firmware image fpga-rs/socfpga-valid.rbf from
# the initramfs (written by tools/testing/gen-images.py) and an overlay that
# adds the image's device, show sysfs and the simulated fabric before and
# after, fail a corrupt image, show the uevents and fpga:* trace events the
# loads raised, unload, and unload everything again.
R=/fpga-rs
FW=/lib/firmware/fpga-rs
# Steps whose failure means the demo failed; the last line is the verdict
# that `make vm` reads ("fpga-rs: demo ok" or "fpga-rs: demo FAILED: ...").
failed=
fail() { echo "*** $*"; failed="${failed:+$failed; }$*"; }
say() { echo; echo "### $*"; }
show() {
	for d in /sys/class/fpga_manager/* /sys/class/fpga_bridge/*; do
		[ -e "$d/name" ] || continue
		echo "$d: name=\"$(cat $d/name)\" state=\"$(cat $d/state)\"" \
			"$([ -e $d/status ] && echo "status=\"$(cat $d/status)\"")"
	done
	for d in /sys/class/fpga_region/*; do
		[ -e "$d" ] && echo "$d: compat_id=$(cat $d/compat_id 2>/dev/null || echo "none (ENOENT)")"
	done
	echo "refcnt: sim_socfpga=$(cat /sys/module/sim_socfpga/refcnt 2>/dev/null || echo -)" \
		"sim_freeze_bridge=$(cat /sys/module/sim_freeze_bridge/refcnt 2>/dev/null || echo -)"
}
# fabric [FILES...]: the simulated FPGA's and bridge's debugfs files.
fabric() {
	for f in ${@:-/sys/kernel/debug/*socfpga-fpga-mgr/fabric /sys/kernel/debug/*freeze-bridge/freeze}; do
		[ -e "$f" ] || continue
		echo "$f:"
		sed 's/^/    /' "$f"
	done
}

say "The machine"
dt=/sys/firmware/devicetree/base
echo "$(uname -m), $(grep -c ^processor /proc/cpuinfo) CPUs, device tree:" \
	"$([ -e $dt/compatible ] && tr '\0' ' ' <$dt/compatible || echo "none from firmware (the OF core's empty tree)")"
grep -E '^(MemTotal|HighTotal)' /proc/meminfo | tr -s ' '

say "Loading the Rust FPGA cores"
for m in fpga_mgr fpga_bridge fpga_region of_fpga_region; do
	insmod $R/modules/$m.ko || { echo "fpga-rs: demo FAILED: insmod $m"; exit 1; }
done
grep -E '^(of_)?fpga_' /proc/modules

say "Loading the low-level drivers (Altera-style manager, freeze bridge) and the board's device tree"
insmod $R/lowlevel/sim_socfpga.ko faux=0 && insmod $R/lowlevel/sim_freeze_bridge.ko faux=0 &&
	insmod $R/fixtures/fpga_overlay_board.ko board=2 || { echo "fpga-rs: demo FAILED: loading the board"; exit 1; }
show
fabric

# The region behind the freeze bridge, and what user space is told: uevents
# (a netlink listener) and the fpga:* trace events (tracefs).
REGION=
for g in /sys/class/fpga_region/region*; do
	case "$(basename "$(readlink -f "$g/device")")" in
	*socfpga-region*) REGION=$(basename "$g") ;;
	esac
done
: >/tmp/uevents
uevent sh -c 'echo "uevent: $ACTION $DEVPATH $(env | grep -E "^FPGA_(IMAGE|REGION|MGR)" | sort | tr "\n" " ")" >>/tmp/uevents' &
listener=$!
TR=/sys/kernel/tracing
[ -d $TR/events ] || mount -t tracefs tracefs $TR 2>/dev/null
echo 1 >$TR/events/fpga/enable 2>/dev/null && : >$TR/trace

say "Programming $REGION from user space: fpga-load (configfs /sys/kernel/config/fpga_regions)"
ls -l $FW/socfpga-valid.rbf
echo "\$ fpga-load -s"
fpga-load -s
echo "\$ fpga-load -r $REGION -o $FW/cfs-socfpga-logic.dtbo $FW/socfpga-valid.rbf"
fpga-load -r $REGION -o $FW/cfs-socfpga-logic.dtbo $FW/socfpga-valid.rbf ||
	fail "fpga-load of socfpga-valid.rbf (programming the region)"
echo "\$ fpga-load -s"
fpga-load -s
show
fabric
crc=$(sed -n 's/^crc32: //p' /sys/kernel/debug/*socfpga-fpga-mgr/fabric)
want=$(awk '$1 == "socfpga-valid.rbf" { print $2 }' $FW/images.txt)
echo "fabric checksum: crc32 $crc (generator's manifest: $want)" \
	"$([ "$crc" = "$want" ] && echo "- match" || echo "- MISMATCH")"
[ -n "$crc" ] && [ "$crc" = "$want" ] || fail "fabric checksum '$crc', expected '$want'"
ls /sys/bus/platform/devices | grep sim-logic >/dev/null && echo "logic device created: sim-logic" ||
	fail "no sim-logic device after programming"
T=$(ls /sys/kernel/debug/*freeze-bridge/traffic)
echo 100 >$T && echo "100 transactions sent across the running bridge" ||
	fail "traffic refused by the running bridge"

say "A corrupt image: fpga-load says which step failed, and exits non-zero"
echo "\$ fpga-load -r $REGION $FW/socfpga-corrupt.rbf"
if fpga-load -r $REGION $FW/socfpga-corrupt.rbf; then
	fail "fpga-load of a corrupt image succeeded"
else
	echo "(exit status $?)"
fi
status=$(cat /sys/kernel/config/fpga_regions/$REGION/socfpga-corrupt.rbf/status)
echo "status: $status"
[ "$status" = "error write EIO" ] || fail "status of the corrupt image: '$status'"
echo "\$ rmdir /sys/kernel/config/fpga_regions/$REGION/socfpga-corrupt.rbf   # the failed item, inspected"
rmdir /sys/kernel/config/fpga_regions/$REGION/socfpga-corrupt.rbf || fail "removing the failed item"
echo "\$ fpga-load -r $REGION $FW/socfpga-valid.rbf"
fpga-load -r $REGION $FW/socfpga-valid.rbf || fail "fpga-load after the corrupt image"

say "Unloading: fpga-load -u (the freeze bridge freezes the region again)"
echo "\$ fpga-load -u -r $REGION"
fpga-load -u -r $REGION || fail "fpga-load -u"
show
case "$(sh -c "echo 7 >$T" 2>&1)" in
*"Input/output error"*) echo "7 transactions refused by the frozen bridge (EIO, as intended)" ;;
*) fail "the frozen bridge did not refuse traffic with EIO" ;;
esac
fabric /sys/kernel/debug/*freeze-bridge/freeze

say "What user space was told: uevents (netlink) and the fpga:* trace"
# The listener gets the events a moment after they are raised: wait (bounded)
# for the last one, the unload's.
n=300
until grep -q "FPGA_REGION_STATUS=unloaded" /tmp/uevents || [ $n = 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
kill $listener 2>/dev/null
cat /tmp/uevents
grep -q "FPGA_REGION_ERROR=write EIO" /tmp/uevents || fail "no uevent for the failed load"
if [ -r $TR/trace ]; then
	echo 0 >$TR/events/fpga/enable
	grep -v '^#' $TR/trace | sed 's/^ *//'
	grep -q 'fpga_region_program_end: .*errno=-5' $TR/trace || fail "no trace of the failed programming"
fi
dmesg | grep -E 'sim_socfpga|fpga_region|freeze' | tail -n 8

say "Unloading the low-level drivers (idle: nothing pins them), then the rest"
rmmod sim_socfpga sim_freeze_bridge && echo "sim_socfpga and sim_freeze_bridge unloaded" ||
	fail "rmmod of the idle low-level drivers"
show
rmmod fpga_overlay_board of_fpga_region fpga_region fpga_bridge fpga_mgr &&
	echo "all fpga-rs modules unloaded" || fail "unloading the cores"

# A warning, oops or sanitizer report in the kernel log fails the demo too.
dmesg | grep -qE 'WARNING:|BUG:|Oops|KASAN:|Call Trace:' && fail "the kernel log has a warning or oops (dmesg)"
if [ -z "$failed" ]; then
	echo "fpga-rs: demo ok"
else
	echo "fpga-rs: demo FAILED: $failed"
fi
