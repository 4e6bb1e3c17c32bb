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

# The C ABI: the Module.symvers of the modules just built has, as
# EXPORT_SYMBOL_GPL, every symbol upstream's cores export (EXPORT_SYMBOL_GPL in
# drivers/fpga/fpga-{mgr,bridge,region}.c of this kernel's source) from the
# Rust module of the same name, the fpga-rs extensions (the functions
# ffi/fpga-rs.h declares) from the module of their prefix, and nothing else.
: >"$OUT/exports.log"
expected_exports() {
	local core sym
	for core in fpga-mgr fpga-bridge fpga-region; do
		for sym in $(sed -n 's/^EXPORT_SYMBOL_GPL(\([a-z_0-9]*\));/\1/p' "$KERNEL_TREE/drivers/fpga/$core.c"); do
			echo "$sym ${core//-/_}"
		done
	done
	for sym in $(sed -n 's/^[a-z].*[ *]\([a-z_0-9]*\)(.*/\1/p' ffi/fpga-rs.h); do
		case $sym in
		fpga_mgr_*) echo "$sym fpga_mgr" ;;
		fpga_bridge_*) echo "$sym fpga_bridge" ;;
		fpga_region_*) echo "$sym fpga_region" ;;
		*) echo "$sym (ffi/fpga-rs.h: no core of this prefix)" ;;
		esac
	done
}
expected_exports | sort >"$OUT/exports.expected"
awk '$4 == "EXPORT_SYMBOL_GPL" { m = $3; sub(".*/", "", m); print $2, m }' "$FPGA_RS_ROOT/Module.symvers" |
	sort >"$OUT/exports.built"
n=$(grep -c . "$OUT/exports.expected")
upstream=$(grep -vwf <(sed -n 's/^[a-z].*[ *]\([a-z_0-9]*\)(.*/\1/p' ffi/fpga-rs.h) "$OUT/exports.expected" | grep -c .)
comm -23 "$OUT/exports.expected" "$OUT/exports.built" | sed "s/^/$ARCH: not exported GPL by its module: /" >>"$OUT/exports.log"
comm -13 "$OUT/exports.expected" "$OUT/exports.built" | sed "s/^/$ARCH: exported, but neither upstream's nor in ffi\/fpga-rs.h: /" >>"$OUT/exports.log"
[ "$upstream" -ge 30 ] || echo "only $upstream exports found in $KERNEL_TREE/drivers/fpga (expected 30)" >>"$OUT/exports.log"
echo "lint: $ARCH Module.symvers: $(comm -12 "$OUT/exports.expected" "$OUT/exports.built" | grep -c .) of $n exports ($upstream upstream, $((n - upstream)) fpga-rs extensions)"
[ -s "$OUT/exports.log" ]
record exports_in_module_symvers $((1 - $?)) "$OUT/exports.log"

# Each core's C-API functions are one list, written three times: the
# #[no_mangle] functions of <core>/*.rs, the names c_abi_checked! checks there
# against their C declarations, and the EXPORT_SYMBOL_GPL() lines of
# ffi/exports/<core>_exports.c.
: >"$OUT/c-abi.log"
for core in fpga_mgr fpga_bridge fpga_region; do
	awk '/^#\[no_mangle\]/ { getline; if (match($0, /fn [A-Za-z_0-9]+\(/)) print substr($0, RSTART + 3, RLENGTH - 4) }' \
		"$core"/*.rs | sort >"$OUT/c-abi.defined"
	sed -n 's/^c_abi_checked!(\([A-Za-z_0-9]*\));$/\1/p' "$core"/*.rs | sort >"$OUT/c-abi.checked"
	sed -n 's/^EXPORT_SYMBOL_GPL(\([A-Za-z_0-9]*\));$/\1/p' "ffi/exports/${core}_exports.c" | sort >"$OUT/c-abi.exported"
	comm -23 "$OUT/c-abi.defined" "$OUT/c-abi.checked" | sed "s/^/$core: #[no_mangle], not c_abi_checked!: /"
	comm -13 "$OUT/c-abi.defined" "$OUT/c-abi.checked" | sed "s/^/$core: c_abi_checked!, not #[no_mangle]: /"
	comm -23 "$OUT/c-abi.defined" "$OUT/c-abi.exported" | sed "s/^/$core: #[no_mangle], not in ffi\/exports\/${core}_exports.c: /"
	comm -13 "$OUT/c-abi.defined" "$OUT/c-abi.exported" | sed "s/^/$core: in ffi\/exports\/${core}_exports.c, not #[no_mangle]: /"
done >"$OUT/c-abi.log"
[ -s "$OUT/c-abi.log" ]
record c_api_functions_checked_and_exported $((1 - $?)) "$OUT/c-abi.log"

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
for src in $(git grep -l '^#\[path = ".*fpga/mod\.rs"\]' -- '*.rs'); do
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
