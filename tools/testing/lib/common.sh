# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the fpga-rs setup and test scripts (sourced, not run).

FPGA_RS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
FPGA_RS_CACHE=${FPGA_RS_CACHE:-$HOME/.cache/fpga-rs}
KERNEL_FLAVOR=${KERNEL_FLAVOR:-default}

# The target architecture (ARCH=, as for the kernel's make): x86_64 (the
# default), arm64 or arm. Per architecture: the kernel image `make` builds,
# the QEMU machine that boots it, and the guest's serial devices (console
# first, then the port the test plan writes KTAP to).
ARCH=${ARCH:-x86_64}
case "$ARCH" in
x86_64)
	SRCARCH=x86 KERNEL_IMAGE_TARGET=bzImage
	QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86
	QEMU_MACHINE=(-m 512)
	VM_TTYS=(ttyS0 ttyS1) DEB_ARCH=amd64
	# 4 KiB of RAM the kernel leaves alone, for the register of the PR
	# decoupler that scenarios/in-tree-c-drivers.sh drives: its address,
	# and the kernel argument that keeps it (below the 512 MiB).
	C_DRIVERS_RAM=0x1f000000 C_DRIVERS_RAM_ARG='memmap=4K$0x1f000000'
	;;
arm64)
	SRCARCH=arm64 KERNEL_IMAGE_TARGET=Image
	QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm
	QEMU_MACHINE=(-M virt -cpu cortex-a57 -m 1024)
	VM_TTYS=(ttyAMA0 ttyAMA1) DEB_ARCH=arm64
	# The last 4 MiB of RAM (0x40000000 + 1 GiB), which mem= hides.
	C_DRIVERS_RAM=0x7ffff000 C_DRIVERS_RAM_ARG=mem=1020M
	;;
arm)
	# highmem=off keeps QEMU's devices below 4 GiB (no LPAE); 1536 MiB of RAM
	# is about 760 MiB of lowmem and 770 MiB of highmem.
	SRCARCH=arm KERNEL_IMAGE_TARGET=zImage
	QEMU=qemu-system-arm QEMU_PKG=qemu-system-arm
	QEMU_MACHINE=(-M virt,highmem=off -cpu cortex-a15 -m 1536)
	VM_TTYS=(ttyAMA0 ttyAMA1) DEB_ARCH=armhf
	C_DRIVERS_RAM=0x9ffff000 C_DRIVERS_RAM_ARG=mem=1532M
	;;
*)
	echo "fpga-rs: error: ARCH=$ARCH is not supported: use x86_64, arm64 or arm" >&2
	exit 1
	;;
esac
export ARCH
KERNEL_BUILD=${KDIR:-$FPGA_RS_CACHE/build/$ARCH-$KERNEL_FLAVOR}
KERNEL_IMAGE=$KERNEL_BUILD/arch/$SRCARCH/boot/$KERNEL_IMAGE_TARGET
# The guest's busybox: the host's own on x86-64, else Debian's busybox-static
# of the guest architecture, unpacked into the cache.
if [ "$DEB_ARCH" = amd64 ]; then
	GUEST_BUSYBOX=/bin/busybox
else
	GUEST_BUSYBOX=$FPGA_RS_CACHE/busybox-$DEB_ARCH/bin/busybox
fi
# The source tree of that build: O= builds link it as "source".
KERNEL_TREE=$KERNEL_BUILD
[ -d "$KERNEL_BUILD/source" ] && KERNEL_TREE=$(cd "$KERNEL_BUILD/source" && pwd)

# The kernel make variables (toolchain) come from the top-level Makefile, the
# one place they are defined.
# Always for this script's ARCH: `make check` exports the KMAKE_ARGS of the
# architecture it was started for, and runs the others from the same shell.
KMAKE_ARGS=$(make -s --no-print-directory -C "$FPGA_RS_ROOT" print-kmake-args ARCH="$ARCH")
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

# The kernel build the tree's module objects were built against.
OBJECTS_MARKER=$FPGA_RS_ROOT/.fpga-rs-kernel.id
kernel_id() {
	echo "$KERNEL_BUILD $(stat -c %Y "$KERNEL_BUILD/Module.symvers" "$KERNEL_IMAGE" | tr '\n' ' ')"
}

# clean_objects: removes the tree's module objects; what is built next is for
# this kernel, and the marker says so.
clean_objects() {
	make -s -C "$FPGA_RS_ROOT" clean >/dev/null 2>&1 ||
		die "make clean failed: objects of another kernel build may remain"
	kernel_id >"$OBJECTS_MARKER"
}

# objects_for_this_kernel: cleans the tree's module objects if they were built
# against another kernel build (another ARCH or flavour). Kbuild does not
# notice that the kernel under an external module changed (e.g. the size of
# struct module after a config change), and the objects live in the source
# tree, shared by every architecture and flavour.
objects_for_this_kernel() {
	[ "$(cat "$OBJECTS_MARKER" 2>/dev/null)" = "$(kernel_id)" ] || clean_objects
}

# build_modules_with_clippy LOG: builds every module of the tree for this
# kernel from clean, with clippy-driver in place of rustc (the kernel's
# CLIPPY=1), output to LOG: from clean, so that every crate is compiled and
# linted, whatever was built before.
build_modules_with_clippy() {
	clean_objects
	make -s -C "$FPGA_RS_ROOT" modules CLIPPY=1 >"$1" 2>&1
}
