#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fpga-rs demo, run inside the VM by `make vm`: load the Rust FPGA core,
# show what it registered, and unload it again.
R=/fpga-rs
say() { echo; echo "### $*"; }

say "Loading the Rust FPGA manager core"
insmod $R/modules/fpga_mgr.ko || exit 1
say "lsmod"
cat /proc/modules
say "ls -l /sys/class/fpga_manager"
ls -l /sys/class/fpga_manager
say "Exported C API (/proc/kallsyms)"
grep '\[fpga_mgr\]' /proc/kallsyms | grep -E ' T (__devm_|__|of_)?fpga_'
say "refcnt of fpga_mgr: $(cat /sys/module/fpga_mgr/refcnt)"
say "Unloading"
rmmod fpga_mgr && echo "fpga_mgr unloaded; /sys/class/fpga_manager: $(ls -d /sys/class/fpga_manager 2>&1)"
