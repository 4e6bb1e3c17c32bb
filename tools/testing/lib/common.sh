# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the fpga-rs setup and test scripts (sourced, not run).

FPGA_RS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
FPGA_RS_CACHE=${FPGA_RS_CACHE:-$HOME/.cache/fpga-rs}
KERNEL_FLAVOR=${KERNEL_FLAVOR:-default}
KERNEL_BUILD=${KDIR:-$FPGA_RS_CACHE/build/$KERNEL_FLAVOR}
# The source tree of that build: O= builds link it as "source".
KERNEL_TREE=$KERNEL_BUILD
[ -d "$KERNEL_BUILD/source" ] && KERNEL_TREE=$(cd "$KERNEL_BUILD/source" && pwd)

# The kernel make variables (toolchain) come from the top-level Makefile, the
# one place they are defined.
if [ -z "${KMAKE_ARGS:-}" ]; then
	KMAKE_ARGS=$(make -s --no-print-directory -C "$FPGA_RS_ROOT" print-kmake-args)
fi
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}

# die MESSAGE: one clear line saying what is missing or wrong, then exit 1.
die() {
	echo "fpga-rs: error: $*" >&2
	exit 1
}

# step NAME COMMAND...: run a long phase, saying what it does and how long it took.
step() {
	local name=$1 start rc
	shift
	start=$(date +%s)
	echo "==> $name"
	"$@"
	rc=$?
	echo "    $name: $(( $(date +%s) - start )) s"
	return $rc
}

# kmake ARGS...: make in the kernel source tree with the project's toolchain.
kmake() {
	# shellcheck disable=SC2086 # KMAKE_ARGS is a list of words.
	make -C "$KERNEL_SRC" $KMAKE_ARGS "$@"
}
