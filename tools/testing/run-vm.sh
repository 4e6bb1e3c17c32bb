#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the modules and an initramfs for ARCH (x86_64, arm64 or arm), boots
# that architecture's kernel from the cache in QEMU (TCG, two CPUs) and runs
# one of:
#   --tests   the whole test plan (KUnit modules, then scenario tests); the
#             results are merged and parsed by the kernel's kunit.py, and the
#             run ends with "N passed, N failed" (exit 1 on any failure, crash
#             in the kernel log, or timeout);
#   --demo    the demo (tools/testing/vm/demo.sh), printed live;
#   --bench   the benchmarks (tools/testing/vm/bench.sh): C cores against Rust
#             cores; tools/testing/bench-report.py then prints the table and
#             writes the CSV and plots to out/<arch>-bench (BENCH_ROUNDS=
#             rounds, default 9; ONLY= a pattern of the phases to run);
#   --shell   an interactive shell in the VM.
# Outputs go to $FPGA_RS_OUT (default ./out/<arch>-<flavour>): console.log,
# results.ktap.
# ONLY=<shell pattern> runs only the KUnit modules and scenarios whose names
# match (fpga_mgr_test, scenario_region_overlay_flow, ...): a quick run while
# developing, never what `make check` does.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"

mode=${1:---tests}
# Every VM is SMP: the test plan fails if fewer CPUs than this come up.
VM_CPUS=${VM_CPUS:-2}
# The benchmarks write their figures and plots to out/<arch>-bench.
if [ "$mode" = --bench ]; then
	OUT=${FPGA_RS_OUT:-$FPGA_RS_ROOT/out/$ARCH-bench}
else
	OUT=${FPGA_RS_OUT:-$FPGA_RS_ROOT/out/$ARCH-$KERNEL_FLAVOR}
fi
# A guard against a hung VM, not a verdict on speed: TCG on a 2-core host
# runs the x86-64 and arm64 plans in about 200 s, the arm plan, the slowest,
# in about 700 s (more while a kernel builds beside it).
VM_TIMEOUT=${VM_TIMEOUT:-$([ "$KERNEL_FLAVOR" = default ] && echo 1800 || echo 2400)}
STAGE=$OUT/initramfs

case "$mode" in
--tests | --demo | --bench | --shell) ;;
*) die "usage: $0 --tests|--demo|--bench|--shell" ;;
esac
# The in-tree kernel (KERNEL_FLAVOR=intree, fpga-rs built in) runs its own
# scenario (scenarios/in-tree-builtin-cores.sh): the rest of the plan loads
# the cores as modules. initcall_debug logs the order of the initcalls, which
# that scenario checks.
intree_args=
if [ "$KERNEL_FLAVOR" = intree ]; then
	ONLY=${ONLY:-scenario_in_tree_*}
	intree_args=" initcall_debug"
fi
[ -f "$KERNEL_IMAGE" ] || die "no $ARCH kernel at $KERNEL_IMAGE: run 'make setup ARCH=$ARCH' first"
mkdir -p "$OUT"

# The modules the VM runs are built with rustc; lint.sh builds them again with
# clippy-driver (which may change code generation, Documentation/rust/
# general-information.rst) after they are packed.
build_modules() {
	objects_for_this_kernel
	make -s -C "$FPGA_RS_ROOT" modules >"$OUT/modules.log" 2>&1 ||
		{ cat "$OUT/modules.log" >&2; die "module build failed (log: $OUT/modules.log)"; }
}

# The in-tree low-level drivers of drivers/fpga that this architecture can
# build (issue "In-tree C FPGA drivers on the Rust core", item 1): on the
# kernel that loads fpga-rs as modules, built unchanged by the kernel's own
# drivers/fpga/Makefile, out of tree (M= the kernel's source, MO= a folder of
# $OUT), against fpga-rs's Module.symvers (KBUILD_EXTRA_SYMBOLS), with the C
# cores and their KUnit tests left out (their CONFIG_ set empty): modpost
# resolves the FPGA symbols to the Rust cores, and in the VM the drivers load
# on them (scenarios/in-tree-c-drivers.sh). Not built: intel-m10-bmc-sec-update
# (a firmware-upload driver of the MAX 10 BMC, not a manager, bridge or
# region). x86-64 builds its drivers in tree instead (KERNEL_FLAVOR=intree).
C_DRIVERS_COMMON="FPGA_MGR_SOCFPGA FPGA_MGR_SOCFPGA_A10 FPGA_MGR_ALTERA_PS_SPI FPGA_MGR_ALTERA_CVP
	FPGA_MGR_ZYNQ_FPGA FPGA_MGR_XILINX_CORE FPGA_MGR_XILINX_SELECTMAP FPGA_MGR_XILINX_SPI
	FPGA_MGR_ICE40_SPI FPGA_MGR_MACHXO2_SPI FPGA_MGR_ZYNQMP_FPGA FPGA_MGR_VERSAL_FPGA
	FPGA_MGR_MICROCHIP_SPI FPGA_MGR_LATTICE_SYSCONFIG FPGA_MGR_LATTICE_SYSCONFIG_SPI
	FPGA_MGR_EFINIX_SPI ALTERA_PR_IP_CORE ALTERA_PR_IP_CORE_PLAT SOCFPGA_FPGA_BRIDGE
	ALTERA_FREEZE_BRIDGE XILINX_PR_DECOUPLER FPGA_DFL FPGA_DFL_FME FPGA_DFL_FME_MGR
	FPGA_DFL_FME_BRIDGE FPGA_DFL_FME_REGION FPGA_DFL_AFU FPGA_DFL_NIOS_INTEL_PAC_N3000
	FPGA_DFL_PCI"
case "$ARCH" in
# ts73xx-fpga's board (EP93xx, ARMv4T) has no place in an ARMv7 kernel, but
# the driver builds.
arm) C_DRIVERS="$C_DRIVERS_COMMON FPGA_MGR_TS73XX" ;;
arm64) C_DRIVERS="$C_DRIVERS_COMMON FPGA_MGR_STRATIX10_SOC" ;;
*) C_DRIVERS= ;;
esac

build_c_drivers() {
	local dir=$OUT/c-drivers sym args=()
	rm -rf "$dir"
	mkdir -p "$dir"
	# Every symbol of the Makefile is set: empty (the C cores, their KUnit
	# tests, whatever the kernel's .config has on) unless it is a driver of
	# the list.
	for sym in $(sed -n 's/^obj-\$(CONFIG_\([A-Z0-9_]*\)).*/\1/p' "$KERNEL_TREE/drivers/fpga/Makefile"); do
		case " $(echo $C_DRIVERS) " in
		*" $sym "*) args+=("CONFIG_$sym=m") ;;
		*) args+=("CONFIG_$sym=") ;;
		esac
	done
	# shellcheck disable=SC2086 # KMAKE_ARGS is a list of words
	make -C "$KERNEL_BUILD" $KMAKE_ARGS M="$KERNEL_TREE/drivers/fpga" MO="$dir" \
		KBUILD_EXTRA_SYMBOLS="$FPGA_RS_ROOT/Module.symvers" "${args[@]}" modules \
		>"$OUT/c-drivers.log" 2>&1 ||
		{ tail -n 30 "$OUT/c-drivers.log" >&2; die "in-tree C drivers failed to build (log: $OUT/c-drivers.log)"; }
	# modpost takes a symbol from the last file that exports it: fpga-rs's
	# Module.symvers, read after the kernel's, whose C core modules export the
	# same. A driver that depends on a C core (named with hyphens) needs a
	# symbol fpga-rs does not export.
	local c_core
	c_core=$(grep -l 'MODULE_INFO(depends, ".*\b\(fpga-mgr\|fpga-bridge\|fpga-region\|of-fpga-region\)\b' \
		"$dir"/*.mod.c)
	[ -z "$c_core" ] || die "in-tree C drivers resolved to the C cores: $c_core"
	echo "    $(ls "$dir"/*.ko | wc -l) in-tree C drivers built against fpga-rs's Module.symvers"
}

# Where the in-tree C drivers are built (x86-64's intree kernel, arm and arm64),
# the VM keeps 4 KiB of RAM from the kernel (lib/common.sh) for the register of
# the PR decoupler that scenarios/in-tree-c-drivers.sh drives.
c_drivers_args=
if [ "$KERNEL_FLAVOR" = intree ] || [ -n "$C_DRIVERS" ]; then
	c_drivers_args=" $C_DRIVERS_RAM_ARG fpga_rs.c_drivers_ram=$C_DRIVERS_RAM"
fi

# stage_modules SUB FILES...: copies module files into the initramfs folder SUB.
stage_modules() {
	local sub=$1
	shift
	mkdir -p "$STAGE/fpga-rs/$sub"
	cp "$@" "$STAGE/fpga-rs/$sub/"
}

build_initramfs() {
	local vm=$FPGA_RS_ROOT/tools/testing/vm
	rm -rf "$STAGE"
	mkdir -p "$STAGE"/{bin,dev,proc,sys,tmp,lib/firmware,fpga-rs/scenarios}
	cp "$GUEST_BUSYBOX" "$STAGE/bin/busybox" || die "no busybox for $ARCH guests: run 'make setup ARCH=$ARCH'"
	cp "$vm/init" "$STAGE/init"
	cp "$vm/run-plan.sh" "$vm/ktap.sh" "$vm/boards.sh" "$vm/demo.sh" "$vm/bench.sh" "$STAGE/fpga-rs/"
	cp "$FPGA_RS_ROOT"/tools/testing/scenarios/*.sh "$STAGE/fpga-rs/scenarios/"
	# The command users type to program a region (configfs).
	cp "$FPGA_RS_ROOT/tools/fpga-load" "$STAGE/bin/fpga-load"
	# The firmware image of the KUnit firmware-load tests: a 1 KiB header of 'H'
	# and 4 KiB of 'P', the pattern of tests/kunit/fpga_mgr_test/recorder.rs.
	mkdir -p "$STAGE/lib/firmware/fpga-rs"
	python3 -c "import sys; sys.stdout.buffer.write(b'H' * 1024 + b'P' * 4096)" \
		>"$STAGE/lib/firmware/fpga-rs/test-image.bin"
	# The same with one corrupt data byte (a CRC error for tests/fixtures/fpga_test_mgr.rs).
	python3 -c "import sys; sys.stdout.buffer.write(b'H' * 1024 + b'P' * 2000 + b'X' + b'P' * 2095)" \
		>"$STAGE/lib/firmware/fpga-rs/test-image-corrupt.bin"
	# The images of the simulated FPGAs of lowlevel/, valid and broken, with
	# their manifest (images.txt), generated: no image is committed.
	python3 "$FPGA_RS_ROOT/tools/testing/gen-images.py" "$STAGE/lib/firmware/fpga-rs" ||
		die "gen-images.py failed"
	# The device-tree overlays of the overlay flow (tools/testing/overlays).
	local dtso
	# The "-symbols" ones are built with their labels (dtc -@), as vendor .dtbo files are.
	for dtso in "$FPGA_RS_ROOT"/tools/testing/overlays/*.dtso; do
		local symbols=
		case "$dtso" in *-symbols.dtso) symbols=-@ ;; esac
		dtc -q $symbols -I dts -O dtb -o "$STAGE/lib/firmware/fpga-rs/$(basename "$dtso" .dtso).dtbo" \
			"$dtso" || die "dtc failed on $dtso"
	done
	# The Rust core, the KUnit modules that test it, and the upstream C core
	# with its own KUnit suites for comparison.
	# The scenario tests' helper modules (tests/fixtures/) are "fixtures".
	local r=$FPGA_RS_ROOT
	if [ "$KERNEL_FLAVOR" = intree ]; then
		# fpga-rs is in the kernel tree: the cores and the simulated FPGAs
		# are built in, the test modules come from the kernel's build.
		r=$KERNEL_BUILD/drivers/fpga/rust
		stage_modules kunit "$r"/tests/kunit/*.ko "$r"/tools/testing/c_api/*.ko
		stage_modules fixtures "$r"/tests/fixtures/*.ko
		# The in-tree C low-level drivers built as modules against the
		# built-in Rust cores, and the other modules they may need.
		local drivers deps
		drivers=$(find "$KERNEL_BUILD/drivers/fpga" -maxdepth 1 -name '*.ko')
		deps=$(find "$KERNEL_BUILD" -name '*.ko' ! -path '*/drivers/fpga/*')
		[ -z "$drivers" ] || stage_modules intree-drivers $drivers
		[ -z "$deps" ] || stage_modules intree-deps $deps
		(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"
		return
	fi
	# The manager, bridge and region cores are composite modules (Rust crate and
	# C trace events, Kbuild) at the top; of_fpga_region is its crate's module.
	stage_modules modules "$r"/{fpga_mgr,fpga_bridge,fpga_region}.ko "$r"/of_fpga_region/*.ko
	stage_modules lowlevel "$r"/lowlevel/*/*.ko
	stage_modules compat "$r"/compat/*/*.ko
	stage_modules kunit "$r"/tests/kunit/*.ko "$r"/tools/testing/c_api/*.ko
	stage_modules fixtures "$r"/tests/fixtures/*.ko
	[ -z "$C_DRIVERS" ] || [ "$mode" = --bench ] || stage_modules intree-drivers "$OUT"/c-drivers/*.ko
	if [ -d "$KERNEL_BUILD/drivers/fpga/tests" ]; then
		stage_modules upstream "$KERNEL_BUILD"/drivers/fpga/*.ko
		stage_modules upstream/tests "$KERNEL_BUILD"/drivers/fpga/tests/*.ko
	fi
	(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"
}

# vm_cmd MODE [EXTRA]: sets VM_CMD to the QEMU command that boots the VM in MODE
# (see vm/init): the architecture's machine (lib/common.sh) with two CPUs.
# TCG: KVM hangs or crawls on these machines (TOOLCHAIN.md). On arm and
# arm64 the device tree is the one QEMU generates for its virt machine.
vm_cmd() {
	# KASAN reports every bug, not only the first: the forced-window scenario
	# provokes the upstream C core's expected one, and later ones must still
	# be seen.
	local debug_args=
	[ "$KERNEL_FLAVOR" != debug ] || debug_args=" kasan_multi_shot"
	VM_CMD=("$QEMU" -accel tcg "${QEMU_MACHINE[@]}" -smp "$VM_CPUS" -no-reboot
		-kernel "$KERNEL_IMAGE" -initrd "$OUT/initramfs.cpio.gz"
		-append "console=${VM_TTYS[0]} panic=-1 oops=panic fpga_rs.mode=$1 fpga_rs.ktap=${VM_TTYS[1]} fpga_rs.cpus=$VM_CPUS${ONLY:+ fpga_rs.only=$ONLY}${STRESS_CYCLES:+ fpga_rs.stress_cycles=$STRESS_CYCLES}${BENCH_ROUNDS:+ fpga_rs.bench_rounds=$BENCH_ROUNDS}$debug_args$intree_args$c_drivers_args${2:-}")
}

# The console (first serial port) goes to console.log, and the test plan
# writes KTAP to the second serial port, apart from the kernel log. No
# terminal is needed (CI has no stdin); a hung VM is killed.
run_tests() {
	rm -f "$OUT/results.ktap" "$OUT/console.log"
	vm_cmd tests
	timeout -k 5 "$VM_TIMEOUT" "${VM_CMD[@]}" -display none -monitor none \
		-serial "file:$OUT/console.log" -serial "file:$OUT/results.ktap" \
		</dev/null >"$OUT/qemu.log" 2>&1
	[ $? = 124 ] && echo "    the VM did not finish within $VM_TIMEOUT s (VM_TIMEOUT): killed" >&2
	return 0
}

# In tree, the kernel's build built fpga-rs.
[ "$KERNEL_FLAVOR" = intree ] || step "build modules" build_modules || exit 1
# The benchmarks do not use the in-tree C drivers.
if [ "$KERNEL_FLAVOR" != intree ] && [ -n "$C_DRIVERS" ] && [ "$mode" != --bench ]; then
	step "build in-tree C drivers" build_c_drivers || exit 1
fi
step "build initramfs" build_initramfs || exit 1
case "$mode" in
--tests)
	lint=(--results "$OUT/lint.ktap")
	if [ -z "${ONLY:-}" ]; then
		FPGA_RS_OUT=$OUT step "static checks (rustfmt, clippy, exports)" \
			"$FPGA_RS_ROOT/tools/testing/lint.sh" --ktap "$OUT/lint.ktap"
	else
		lint=()
	fi
	step "VM test run ($ARCH, TCG, timeout ${VM_TIMEOUT}s)" run_tests
	echo "    console log: $OUT/console.log"
	python3 "$FPGA_RS_ROOT/tools/testing/report.py" --kernel-src "$KERNEL_TREE" \
		--console "$OUT/console.log" --results "$OUT/results.ktap" "${lint[@]}" \
		--out "$OUT"
	;;
--demo | --bench)
	# The demo's and benchmarks' own lines, not the boot log: the kernel's
	# messages stay in dmesg (loglevel=5 keeps warnings and errors on the
	# console), and a VM that hangs is killed. The last line of the guest's
	# script is its verdict.
	vm_cmd "${mode#--}" " loglevel=5"
	timeout --foreground -k 5 "$VM_TIMEOUT" "${VM_CMD[@]}" -nographic </dev/null | tee "$OUT/console.log"
	echo "console log: $OUT/console.log"
	if [ "$mode" = --bench ]; then
		# The table, the CSV and the plots, from the figures in the console log.
		# Debian's python3 has python3-matplotlib (setup.sh) for the plots.
		py=python3
		[ -x /usr/bin/python3 ] && py=/usr/bin/python3
		"$py" "$FPGA_RS_ROOT/tools/testing/bench-report.py" --arch "$ARCH" \
			--console "$OUT/console.log" --out "$OUT" || die "bench-report.py failed"
	fi
	verdict=$(grep -ao "fpga-rs: ${mode#--} \(ok\|FAILED.*\)" "$OUT/console.log" | tail -n1 | tr -d '\r')
	[ "$verdict" = "fpga-rs: ${mode#--} ok" ] ||
		die "the ${mode#--} did not succeed: ${verdict:-no verdict (the VM stopped early or hung; see $OUT/console.log)}"
	;;
--shell)
	vm_cmd shell
	"${VM_CMD[@]}" -nographic
	;;
esac
