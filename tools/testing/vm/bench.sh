#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fpga-rs benchmarks, run inside the VM by `make bench`: the same
# benchmark module (tests/fpga_bench.rs) and the same low-level driver
# (lowlevel/sim_socfpga.ko) on the upstream C manager core and on the Rust
# one, alternately, ROUNDS times each; prints the median ns per operation of
# each core and the ratio Rust / C.
R=/fpga-rs
# Nine rounds and a CPU of its own for the benchmark: under TCG one round of
# either core can be 40% off the next (measured with five unpinned rounds).
ROUNDS=9
if [ ! -f $R/upstream/fpga-mgr.ko ]; then
	echo "fpga-rs bench: no upstream fpga-mgr.ko in this kernel: nothing to compare with"
	exit 0
fi

# round CORE_KO LABEL: one benchmark run on the core CORE_KO; appends
# "LABEL NAME NS" lines to /tmp/bench.
round() {
	insmod $1 && insmod $R/lowlevel/sim_socfpga.ko || { failed=1; return 1; }
	dmesg -c >/dev/null
	taskset 1 insmod $R/fixtures/fpga_bench.ko || { echo "fpga-rs bench: fpga_bench failed on $2"; failed=1; }
	dmesg | sed -n "s/.*fpga-rs-bench: \([a-z_]*\) [0-9]* \([0-9]*\)$/$2 \1 \2/p" >>/tmp/bench
	rmmod fpga_bench 2>/dev/null
	rmmod sim_socfpga
	rmmod $(basename $1 .ko)
}

: >/tmp/bench
failed=
i=0
# Which core goes first alternates, so that neither always runs on a VM that
# just unloaded the other.
while [ $i -lt $ROUNDS ]; do
	if [ $((i % 2)) -eq 0 ]; then
		round $R/upstream/fpga-mgr.ko c
		round $R/modules/fpga_mgr.ko rust
	else
		round $R/modules/fpga_mgr.ko rust
		round $R/upstream/fpga-mgr.ko c
	fi
	i=$((i + 1))
done

# median LABEL NAME
median() {
	awk -v l=$1 -v n=$2 '$1 == l && $2 == n { print $3 }' /tmp/bench | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'
}
echo
echo "fpga-rs bench: median of $ROUNDS rounds, ns per operation (QEMU TCG: compare ratios, not absolutes)"
printf "%-12s %12s %12s %8s\n" benchmark "C core" "Rust core" "Rust/C"
for b in get_put lock_unlock load_buf; do
	c=$(median c $b) r=$(median rust $b)
	printf "%-12s %12s %12s %8s\n" $b $c $r "$(awk -v c=$c -v r=$r 'BEGIN { if (c > 0) printf "%.2f", r / c; else print "-" }')"
done

# The verdict `make bench` reads: every round ran and produced all three figures.
if [ -z "$failed" ] && [ "$(wc -l </tmp/bench)" -eq $((ROUNDS * 2 * 3)) ]; then
	echo "fpga-rs: bench ok"
else
	echo "fpga-rs: bench FAILED: $(wc -l </tmp/bench) of $((ROUNDS * 2 * 3)) figures"
fi
