#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Puts fpga-rs into a Linux 7.2 source tree: copies this tree's files (those
# git tracks, or all but build output outside git) to drivers/fpga/rust and
# applies drivers-fpga.patch, which adds the choice "FPGA core
# implementation" (FPGA_CORE_C / FPGA_CORE_RUST) to drivers/fpga/Kconfig and
# builds the cores from drivers/fpga/rust when Rust is chosen. Idempotent:
# the copy is refreshed (files gone from fpga-rs go from the copy too, the
# mtimes of unchanged files stay, so a rebuild is incremental), and the patch
# is applied once; a tree patched by another version of fpga-rs is refused.
#
# Usage: tools/in-tree/install.sh LINUX_SOURCE_TREE
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
linux=${1:?usage: $0 LINUX_SOURCE_TREE}
[ -f "$linux/drivers/fpga/Kconfig" ] && [ -f "$linux/Makefile" ] ||
	{ echo "fpga-rs: $linux is not a Linux source tree" >&2; exit 1; }
dest=$linux/drivers/fpga/rust
mkdir -p "$dest"
# The files of fpga-rs: those git tracks or would track (no build output),
# as they are in the work tree.
files() {
	if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$root" ls-files --cached --others --exclude-standard |
			while IFS= read -r f; do [ -f "$root/$f" ] && printf '%s\n' "$f"; done
	else
		(cd "$root" && find . -type f ! -name '*.o' ! -name '*.ko' ! -name '*.mod*' \
			! -name '.*.cmd' ! -name '*.a' ! -path './out*' ! -path '*/target/*' -printf '%P\n')
	fi | sort
}
list=$(mktemp)
trap 'rm -f "$list"' EXIT
files >"$list"
# Only a file whose content changed is copied, and gets the time of the copy:
# an unchanged file keeps its time and is not rebuilt, and a changed one is
# newer than any build output of the copy, whatever its time in the work tree
# (an edit made while the copy built has an older time than that output).
while IFS= read -r f; do
	cmp -s "$root/$f" "$dest/$f" && continue
	mkdir -p "$dest/$(dirname "$f")" && cp "$root/$f" "$dest/$f" ||
		{ echo "fpga-rs: cannot copy $f to $dest" >&2; exit 1; }
done <"$list"
# Files an earlier install put there that fpga-rs no longer has go; build
# output in the copy stays.
manifest=$dest/.fpga-rs-files
if [ -f "$manifest" ]; then
	comm -23 "$manifest" "$list" | (cd "$dest" && tr '\n' '\0' | xargs -0 -r rm -f)
fi
cp "$list" "$manifest"

patch=$root/tools/in-tree/drivers-fpga.patch
if patch -d "$linux" -p1 -R --dry-run -s -f <"$patch" >/dev/null 2>&1; then
	echo "fpga-rs: drivers/fpga is already patched"
elif patch -d "$linux" -p1 --dry-run -s -f <"$patch" >/dev/null 2>&1; then
	patch -d "$linux" -p1 -s -f <"$patch"
	echo "fpga-rs: patched drivers/fpga/Kconfig and drivers/fpga/Makefile"
else
	echo "fpga-rs: drivers/fpga/Kconfig and Makefile are not those of Linux 7.2, nor patched by" \
		"this version of fpga-rs: restore them (e.g. git checkout drivers/fpga) and run again" >&2
	exit 1
fi
echo "fpga-rs: installed in $dest; choose 'FPGA core implementation: Rust' (CONFIG_FPGA_CORE_RUST=y)"
