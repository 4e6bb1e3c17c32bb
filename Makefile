# SPDX-License-Identifier: GPL-2.0
#
# fpga-rs: the Linux FPGA core (manager, bridge, region) in Rust.
#
# Out-of-tree entry point. `make` builds every module of this tree against
# KDIR with `make -C $(KDIR) M=$(CURDIR)`; Kbuild (next to this file) lists
# the objects. By default KDIR is the kernel that `make setup` builds into the
# cache; pass KDIR= to build against your own Rust-enabled kernel tree.
#
#   make setup        install the toolchain, fetch and build the kernel (cached)
#   make              build the modules
#   make vm           boot the VM with the modules loaded (the demo)
#   make check        run every test in the VM (what CI runs): on every
#                     architecture and the in-tree kernel, or on the one ARCH= names
#   make bench        benchmarks in the VM: the Rust core against the upstream C core
#   make lint         rustfmt --check and clippy on every crate
#   make rust-analyzer, make CLIPPY=1, make foo.rsi   as in-tree
#
# ARCH= picks the target, as for the kernel: x86_64 (the default), arm64 or
# arm (32-bit ARMv7 with HIGHMEM). Each has its own cached kernel and VM.

ARCHES := x86_64 arm64 arm
# Before `KDIR ?=` below: here $(KDIR) is set only if the user gave one.
ifeq ($(origin ARCH),undefined)
ARCH := x86_64
# A kernel of the user's own (KDIR=) is of one architecture. With the default
# flavour, the kernel with fpga-rs built in from a kernel tree comes last
# (x86_64:intree, tools/in-tree/).
CHECK_ARCHES := $(if $(KDIR),$(ARCH),$(ARCHES) $(if $(filter-out default,$(KERNEL_FLAVOR)),,x86_64:intree))
else
CHECK_ARCHES := $(ARCH)
endif
FPGA_RS_CACHE ?= $(HOME)/.cache/fpga-rs
KERNEL_FLAVOR ?= default
KDIR ?= $(FPGA_RS_CACHE)/build/$(ARCH)-$(KERNEL_FLAVOR)

# The toolchain measured in shared/TOOLCHAIN.md: Debian's rustc-web (whose
# sysroot carries the core library source the kernel needs), clang/lld 19 and
# bindgen from crates.io. The rustup toolchain earlier in PATH has no rust-src,
# so every tool is named explicitly.
LLVM ?= -19
RUSTC ?= /usr/bin/rustc
RUSTDOC ?= /usr/bin/rustdoc
RUSTFMT ?= /usr/bin/rustfmt
CLIPPY_DRIVER ?= /usr/bin/clippy-driver
BINDGEN ?= $(HOME)/.cargo/bin/bindgen
LIBCLANG_PATH ?= /usr/lib/llvm-$(patsubst -%,%,$(LLVM))/lib
export LIBCLANG_PATH FPGA_RS_CACHE KERNEL_FLAVOR ARCH

KMAKE_ARGS := ARCH=$(ARCH) LLVM=$(LLVM) RUSTC=$(RUSTC) HOSTRUSTC=$(RUSTC) RUSTDOC=$(RUSTDOC) \
	RUSTFMT=$(RUSTFMT) CLIPPY_DRIVER=$(CLIPPY_DRIVER) BINDGEN=$(BINDGEN)
export KMAKE_ARGS

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) $(KMAKE_ARGS)

modules:

.PHONY: modules clean setup vm check bench lint rust-analyzer print-kmake-args

modules clean rust-analyzer:
	@test -f $(KDIR)/Module.symvers -o -f $(KDIR)/.config || \
	  { echo "fpga-rs: no built kernel at KDIR=$(KDIR); run 'make setup' or pass KDIR=<your Rust-enabled kernel build>" >&2; exit 1; }
	$(KMAKE) $@

%.rsi:
	$(KMAKE) $@

setup:
	tools/testing/setup.sh

vm: setup
	tools/testing/run-vm.sh --demo

check:
	tools/testing/check.sh $(CHECK_ARCHES)

bench: setup
	tools/testing/run-vm.sh --bench

lint: setup
	tools/testing/lint.sh

print-kmake-args:
	@echo $(KMAKE_ARGS)
