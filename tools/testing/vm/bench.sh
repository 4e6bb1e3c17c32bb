#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fpga-rs benchmarks, run inside the VM by `make bench`
# (Documentation/performance.rst): the same benchmark modules and the same
# low-level drivers on the upstream C cores (fpga-mgr.ko, fpga-bridge.ko,
# fpga-region.ko, of-fpga-region.ko) and on the Rust ones, alternately,
# ROUNDS times each. Each figure of each round is printed as
#   fpga-rs-bench-raw: CORE ROUND FIGURE VALUE
# which the host (tools/testing/bench-report.py) turns into the CSV, the
# table and the plots. The benchmark modules run pinned to CPU 0 (taskset 1).
R=/fpga-rs
B=/sys/kernel/debug/fpga_bench_api
ROUNDS=${FPGA_RS_BENCH_ROUNDS:-9}
# Objects registered for the memory figures, per kind.
MEM_N=1000
# The image of the parallel programmings, MiB.
PAR_MIB=16
FW=/tmp/fw
if [ ! -f $R/upstream/fpga-mgr.ko ]; then
	echo "fpga-rs bench: no upstream fpga-mgr.ko in this kernel: nothing to compare with"
	exit 0
fi

failed=
fail() {
	echo "fpga-rs bench: $*"
	failed=1
}

# The images of the throughput and parallel figures, in a tmpfs the firmware
# loader reads (its path parameter) rather than in the initramfs.
mkdir -p $FW
printf %s $FW >/sys/module/firmware_class/parameters/path
dd if=/dev/urandom of=$FW/fpga-bench-64M.bin bs=1048576 count=64 2>/dev/null
head -c 16777216 $FW/fpga-bench-64M.bin >$FW/fpga-bench-16M.bin
head -c 1048576 $FW/fpga-bench-64M.bin >$FW/fpga-bench-1M.bin

# want PHASE: whether to run PHASE (user, hot, scale, tput, par, mem, unload):
# all of them, or those whose names match ONLY= (fpga_rs.only, one shell
# pattern, while developing).
want() {
	# shellcheck disable=SC2254 # the pattern is ONLY='s
	case "$1" in
	${FPGA_RS_ONLY:-*}) return 0 ;;
	*) return 1 ;;
	esac
}

# raw CORE ROUND FIGURE VALUE
raw() {
	echo "fpga-rs-bench-raw: $*"
}

# now: ktime_get_ns() (the benchmark module's clock).
now() {
	cat $B/ns
}

# cmd CMD...: one command of the benchmark module, on CPU 0; its figures.
cmd() {
	taskset 1 sh -c "echo $* >$B/cmd" || fail "command '$*' failed on $core"
	while read -r fig val; do
		case "$fig" in
		par_region) echo "$val" >>/tmp/bench-regions ;;
		*) raw $core $round $fig $val ;;
		esac
	done <$B/results
}

# The cores' module files and names.
core_files() {
	case $1 in
	c) echo $R/upstream/fpga-mgr.ko $R/upstream/fpga-bridge.ko $R/upstream/fpga-region.ko \
		$R/upstream/of-fpga-region.ko ;;
	rust) echo $R/modules/fpga_mgr.ko $R/modules/fpga_bridge.ko $R/modules/fpga_region.ko \
		$R/modules/of_fpga_region.ko ;;
	esac
}

load_core() {
	for m in $(core_files $1); do
		insmod $m || { fail "insmod $m failed"; return 1; }
	done
}

unload_core() {
	for m in $(core_files $1 | tr ' ' '\n' | sed '1!G;h;$!d'); do
		rmmod "$(basename "$m" .ko)" || fail "rmmod $m failed"
	done
}

# Fails the round if the benchmark module logged a failure.
check_log() {
	! dmesg -c | grep "fpga-rs-bench: .* failed" || fail "a figure failed on $core (above)"
}

# The manager benchmarks of the safe Rust user API (tests/fixtures/fpga_bench.rs) on
# lowlevel/sim_socfpga.ko: get_put, lock_unlock, load_buf. fpga-rs only: modules on
# the safe API do not load on the C core (Documentation/driver-api.rst).
user_api() {
	insmod $R/lowlevel/sim_socfpga.ko || { fail "insmod sim_socfpga failed"; return; }
	dmesg -c >/dev/null
	taskset 1 insmod $R/fixtures/fpga_bench.ko || fail "fpga_bench failed on $core"
	dmesg | sed -n "s/.*fpga-rs-bench: \([a-z_]*\) [0-9]* \([0-9]*\)$/\1 \2/p" |
		while read -r fig val; do raw $core $round user_$fig $val; done
	rmmod fpga_bench 2>/dev/null
	rmmod sim_socfpga
}

# /proc/meminfo's Slab + VmallocUsed, kB, with the per-CPU counters folded.
kmem_kb() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^Slab:|^VmallocUsed:/ { kb += $2 } END { print kb }' /proc/meminfo
}

# Bytes of kernel memory per registered manager, bridge and region: MEM_N
# more registered on top of MEM_N registered (each on a parent of its own,
# made before), so that the slab caches' free objects left by earlier frees
# are used up before the first reading, which would otherwise hide part of
# the cost (up to a few slabs per cache).
memory() {
	for kind in mgr bridge region; do
		cmd mem_parents $((2 * MEM_N))
		cmd mem_register $kind $MEM_N
		before=$(kmem_kb)
		cmd mem_register $kind $MEM_N
		after=$(kmem_kb)
		cmd mem_unregister
		raw $core $round mem_$kind $(((after - before) * 1024 / MEM_N))
	done
	cmd mem_parents 0
}

# Two regions programmed one after the other and at the same time, through
# configfs (fpga-rs only: the C core has no configfs interface). Each load is
# an `echo 1 >config` in its own shell, pinned to a CPU, in both cases.
configfs_par() {
	# shellcheck disable=SC2046 # one region name a line
	set -- $(cat /tmp/bench-regions)
	[ $# -eq 2 ] || { fail "no parallel regions"; return; }
	G=/sys/kernel/config/fpga_regions
	for r in $1 $2; do
		mkdir $G/$r/bench && echo fpga-bench-${PAR_MIB}M.bin >$G/$r/bench/firmware ||
			{ fail "configfs item on $r"; return; }
	done
	t0=$(now)
	taskset 1 sh -c "echo 1 >$G/$1/bench/config" && taskset 2 sh -c "echo 1 >$G/$2/bench/config" ||
		fail "configfs load failed"
	t1=$(now)
	raw $core $round par_cfs_seq $((t1 - t0))
	for r in $1 $2; do
		rmdir $G/$r/bench && mkdir $G/$r/bench && echo fpga-bench-${PAR_MIB}M.bin >$G/$r/bench/firmware
	done
	t0=$(now)
	taskset 1 sh -c "echo 1 >$G/$1/bench/config" &
	p1=$!
	taskset 2 sh -c "echo 1 >$G/$2/bench/config" &
	p2=$!
	wait $p1 && wait $p2 || fail "parallel configfs load failed"
	t1=$(now)
	raw $core $round par_cfs_par $((t1 - t0))
	for r in $1 $2; do
		rmdir $G/$r/bench
	done
}

# The time rmmod of an idle low-level manager module takes while a
# device-tree region refers to its manager (the simulated board, board=2), or
# "refused" (upstream's of-fpga-region keeps the manager, and so its module).
# fpga-rs only: the simulated board's drivers are on the safe Rust API, which
# does not load on the C core.
idle_unload() {
	for m in sim_socfpga sim_freeze_bridge sim_zynq sim_pr_decoupler; do
		insmod $R/lowlevel/$m.ko || fail "insmod $m failed"
	done
	if insmod $R/fixtures/fpga_overlay_board.ko board=2; then
		# The region is probed once its manager is (a deferred probe, done by a
		# work queue): it must refer to the manager before the module goes.
		n=1200
		until ls -d /sys/bus/platform/devices/*socfpga-region/fpga_region/region* >/dev/null 2>&1; do
			[ $n -gt 0 ] || { fail "the board's region was not probed on $core"; break; }
			sleep 0.1
			n=$((n - 1))
		done
		t0=$(now)
		if rmmod sim_socfpga 2>/dev/null; then
			t1=$(now)
			raw $core $round unload_ns $((t1 - t0))
		else
			raw $core $round unload_ns refused
		fi
		rmmod fpga_overlay_board
	else
		fail "the simulated board did not load on $core"
	fi
	for m in sim_pr_decoupler sim_zynq sim_freeze_bridge sim_socfpga; do
		grep -q "^$m " /proc/modules && rmmod $m
	done
}

# round CORE: one round of every benchmark on CORE.
bench_round() {
	core=$1
	load_core $core || return
	[ $core = rust ] && want user && user_api
	insmod $R/fixtures/fpga_bench_api.ko || { fail "insmod fpga_bench_api failed"; unload_core $core; return; }
	dmesg -c >/dev/null
	want hot && cmd hot
	want scale && cmd scale
	want tput && cmd tput
	if want par; then
		: >/tmp/bench-regions
		cmd par_setup
		cmd par_c $PAR_MIB
		[ $core = rust ] && configfs_par
		cmd par_teardown
	fi
	want mem && memory
	[ $core = rust ] && want unload && idle_unload
	check_log
	rmmod fpga_bench_api
	unload_core $core
}

echo "fpga-rs bench: $ROUNDS rounds of each core, alternating which goes first"
round=0
while [ $round -lt $ROUNDS ]; do
	start=$(cat /proc/uptime)
	if [ $((round % 2)) -eq 0 ]; then
		bench_round c
		bench_round rust
	else
		bench_round rust
		bench_round c
	fi
	echo "fpga-rs bench: round $((round + 1)) of $ROUNDS done (uptime ${start%% *} s to $(cut -d' ' -f1 /proc/uptime) s)"
	round=$((round + 1))
done

# The verdict `make bench` reads: every round ran (the host checks the figures).
if [ -z "$failed" ]; then
	echo "fpga-rs: bench ok"
else
	echo "fpga-rs: bench FAILED: see the messages above and the kernel log"
	dmesg | tail -n 40
fi
