#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of the tree: rustfmt (with the kernel's .rustfmt.toml),
# clippy (the kernel's CLIPPY=1 build, warnings are failures), and the
# project's own rules. Prints a report; with --ktap FILE, also writes the
# results as a KTAP suite block that the test report merges.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"

ktap=
[ "${1:-}" = --ktap ] && ktap=$2
OUT=${FPGA_RS_OUT:-$FPGA_RS_ROOT/out}
mkdir -p "$OUT"
cd "$FPGA_RS_ROOT" || exit 1
results=()

# record NAME STATUS LOGFILE
record() {
	if [ "$2" = 0 ]; then
		echo "lint: ok $1"
		results+=("ok $1")
	else
		echo "lint: FAILED $1" >&2
		sed 's/^/    /' "$3" | head -n 40 >&2
		results+=("not ok $1")
	fi
}

mapfile -t rust_files < <(git ls-files '*.rs' 2>/dev/null || find . -name '*.rs' -not -path './ffi/fpga_generated.rs')

/usr/bin/rustfmt --check --edition 2021 --config-path "$KERNEL_TREE/.rustfmt.toml" \
	"${rust_files[@]}" >"$OUT/rustfmt.log" 2>&1
record rustfmt_clean $? "$OUT/rustfmt.log"

# Rebuild every crate with clippy-driver in place of rustc, for this ARCH.
build_modules_with_clippy "$OUT/clippy.log"
status=$?
grep -qE '^(warning|error)' "$OUT/clippy.log" && status=1
record clippy_clean $status "$OUT/clippy.log"

# The C ABI: every symbol upstream's core exports (EXPORT_SYMBOL_GPL in
# drivers/fpga/fpga-{mgr,bridge,region}.c of this kernel's source) is in the
# Module.symvers of the modules just built, from the Rust module of the same
# name, as EXPORT_SYMBOL_GPL: the export records assembled for this ARCH.
: >"$OUT/exports.log"
n=0
for core in fpga-mgr fpga-bridge fpga-region; do
	for sym in $(sed -n 's/^EXPORT_SYMBOL_GPL(\([a-z_0-9]*\));/\1/p' "$KERNEL_TREE/drivers/fpga/$core.c"); do
		n=$((n + 1))
		awk -v s="$sym" -v m="${core//-/_}" '$2 == s && $3 ~ ("(^|/)" m "$") && $4 == "EXPORT_SYMBOL_GPL" { f = 1 } END { exit !f }' \
			"$FPGA_RS_ROOT/Module.symvers" ||
			echo "$ARCH: $sym (upstream $core.ko) is not exported GPL by ${core//-/_}.ko" >>"$OUT/exports.log"
	done
done
[ "$n" -ge 30 ] || echo "only $n exports found in $KERNEL_TREE/drivers/fpga (expected 30)" >>"$OUT/exports.log"
echo "lint: $ARCH Module.symvers: $((n - $(wc -l <"$OUT/exports.log"))) of $n upstream exports"
[ -s "$OUT/exports.log" ]
record upstream_exports_in_module_symvers $((1 - $?)) "$OUT/exports.log"

# Every unsafe block is justified by a SAFETY comment (coding guidelines).
: >"$OUT/safety.log"
for f in "${rust_files[@]}"; do
	awk -v f="$f" '
		/\/\/ SAFETY:/ { justified = 1 }
		/unsafe[ ]*\{/ && !/^[ \t]*\/\// {
			if (!justified) { printf "%s:%d: unsafe block without // SAFETY:\n", f, NR; bad = 1 }
			justified = 0
		}
		/^[ \t]*$/ { justified = 0 }
		END { exit bad }' "$f" >>"$OUT/safety.log"
done
[ -s "$OUT/safety.log" ]
record unsafe_blocks_have_safety_comments $((1 - $?)) "$OUT/safety.log"

# A SAFETY comment states the preconditions it relies on, rather than pointing
# at another comment ("As above", "See ...", "Same as ...") or at the caller
# ("Guaranteed by the caller"): a reader checks each unsafe block where it is.
grep -rniE '(//|///) SAFETY[^:]*: *(As (above|before|for|in|with)|See |Same |Likewise|The same|Guaranteed by the caller|Safe because|Trivially)' \
	"${rust_files[@]}" >"$OUT/safety-preconditions.log"
# The same for a `# Safety` section, which states its function's requirements.
grep -A2 -nE '^\s*/// # Safety' "${rust_files[@]}" |
	grep -iE '/// (As (above|for|in|with)|See |Same )' >>"$OUT/safety-preconditions.log"
[ -s "$OUT/safety-preconditions.log" ]
record safety_comments_state_preconditions $((1 - $?)) "$OUT/safety-preconditions.log"

# The safe Rust API (fpga/) is sound on fpga-rs's cores only, and refused by any
# other at load (Documentation/driver-api.rst): every module that compiles it
# references fpga_mgr_lifecycle_guarantees, and every one that registers a
# bridge through it fpga_bridge_lifecycle_guarantees, as undefined symbols
# that only fpga-rs's cores export (the objects just built, of this ARCH).
: >"$OUT/safe-api-refs.log"
n=0
for src in $(git grep -l '^#\[path = "\.\./\.\./fpga/mod\.rs"\]' -- '*.rs'); do
	ko=${src%.rs}.ko
	[ -f "$ko" ] || continue
	n=$((n + 1))
	undef=$(llvm-nm-19 -u "$ko" 2>>"$OUT/safe-api-refs.log")
	echo "$undef" | grep -qx ' *U fpga_mgr_lifecycle_guarantees' ||
		echo "$ko: compiles fpga/ without referencing fpga_mgr_lifecycle_guarantees" >>"$OUT/safe-api-refs.log"
	if echo "$undef" | grep -qx ' *U __fpga_bridge_register'; then
		echo "$undef" | grep -qx ' *U fpga_bridge_lifecycle_guarantees' ||
			echo "$ko: registers a bridge without referencing fpga_bridge_lifecycle_guarantees" >>"$OUT/safe-api-refs.log"
	fi
done
[ "$n" -ge 10 ] || echo "only $n modules built on fpga/ found (expected 10 or more)" >>"$OUT/safe-api-refs.log"
[ -s "$OUT/safe-api-refs.log" ]
record safe_api_modules_require_fpga_rs_cores $((1 - $?)) "$OUT/safe-api-refs.log"

# Low-level drivers use the safe API only: the word `unsafe` appears nowhere in
# lowlevel/.
grep -rnw unsafe lowlevel --include='*.rs' >"$OUT/lowlevel-unsafe.log"
record lowlevel_has_no_unsafe $((1 - $?)) "$OUT/lowlevel-unsafe.log"

if [ -n "$ktap" ]; then
	{
		echo "# fpga-rs-suite: lint"
		echo "KTAP version 1"
		echo "1..1"
		echo "    KTAP version 1"
		echo "    # Subtest: lint"
		echo "    1..${#results[@]}"
		i=0 all=ok
		for r in "${results[@]}"; do
			i=$((i + 1))
			echo "    ${r% *} $i ${r##* }"
			[ "${r%% *}" = not ] && all="not ok"
		done
		echo "$all 1 lint"
		echo "# fpga-rs-end"
	} >"$ktap"
fi
for r in "${results[@]}"; do [ "${r%% *}" = not ] && exit 1; done
exit 0
