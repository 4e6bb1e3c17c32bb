#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Sets up everything fpga-rs needs on a Debian 12 machine for one target
# architecture, idempotently: Debian packages (QEMU and busybox for the
# guest) and bindgen, the linux-source-7.2 tree, and a kernel (image +
# in-tree modules) configured from tools/testing/configs/ and built into
# $FPGA_RS_CACHE/build/<arch>-<flavour> (default cache ~/.cache/fpga-rs). A
# second run checks and returns in seconds.
#
# KERNEL_FLAVOR=intree builds, instead, a copy of the kernel tree with fpga-rs
# put in as drivers/fpga/rust (tools/in-tree/install.sh) and built in
# (configs/intree.config), in $FPGA_RS_CACHE/src/linux-intree; it is
# refreshed and rebuilt (incrementally) on every run.
#
# Usage: tools/testing/setup.sh   (ARCH=x86_64|arm64|arm, KERNEL_FLAVOR=default|debug|intree)
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"

KERNEL_SERIES=7.2
CONFIGS=$FPGA_RS_ROOT/tools/testing/configs

# Debian packages by the command that proves each is installed.
declare -A PKG_FOR=(
	[/usr/bin/rustc]=rustc-web
	[/usr/lib/rustlib/src/rust/library/core/src/lib.rs]=rust-web-src
	[/usr/bin/clippy-driver]=rust-web-clippy
	[/usr/bin/rustfmt]=rustfmt-web
	[/usr/bin/clang-19]=clang-19
	[/usr/bin/ld.lld-19]=lld-19
	[/usr/bin/llvm-ar-19]=llvm-19
	[/usr/lib/llvm-19/lib/libclang.so]=libclang-19-dev
	[/usr/bin/bc]=bc
	[/usr/bin/flex]=flex
	[/usr/bin/bison]=bison
	[/usr/include/libelf.h]=libelf-dev
	[/usr/include/openssl/ssl.h]=libssl-dev
	[/usr/bin/busybox]=busybox-static
	[/usr/bin/cpio]=cpio
	[/usr/bin/dtc]=device-tree-compiler
	[/usr/bin/xz]=xz-utils
	[/usr/bin/python3]=python3
	# The plots of make bench (tools/testing/bench-report.py).
	[/usr/lib/python3/dist-packages/matplotlib/__init__.py]=python3-matplotlib
	[/usr/bin/gzip]=gzip
	[/usr/bin/make]=make
	[/usr/bin/gcc]=gcc
)

apt_sources() {
	# bookworm-backports for QEMU (bookworm's 7.2 conflicts with the
	# preinstalled qemu-utils 10.0), sid, pinned low, for linux-source-7.2 only.
	local list=/etc/apt/sources.list.d/fpga-rs.sources
	if [ ! -f "$list" ]; then
		cat >"$list" <<-'EOT'
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm-backports sid
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOT
		cat >/etc/apt/preferences.d/fpga-rs <<-'EOT'
		Package: *
		Pin: release n=sid
		Pin-Priority: 100
		EOT
		APT_UPDATED=
	fi
	if [ -z "${APT_UPDATED:-}" ]; then
		if ! apt-get update -qq; then
			# An index that failed to download (a mirror still syncing one
			# architecture, the guests' armhf or arm64 among them) is left
			# to the install or download that follows: it names what it
			# could not get.
			echo "    apt-get update reported errors (above); going on with the indexes it got"
		fi
		APT_UPDATED=1
	fi
}

install_packages() {
	local missing=() f
	for f in "${!PKG_FOR[@]}"; do
		[ -e "$f" ] || missing+=("${PKG_FOR[$f]}")
	done
	local qemu=
	command -v "$QEMU" >/dev/null || qemu=$QEMU_PKG
	if [ ${#missing[@]} -eq 0 ] && [ -z "$qemu" ]; then
		echo "    all Debian packages present"
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "missing packages ${missing[*]} $qemu: run 'make setup' as root, or apt-get install them"
	apt_sources
	if [ ${#missing[@]} -gt 0 ]; then
		echo "    installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
			die "apt-get install ${missing[*]} failed"
	fi
	if [ -n "$qemu" ]; then
		echo "    installing $qemu from bookworm-backports"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-t bookworm-backports "$qemu" >/dev/null ||
			die "apt-get install -t bookworm-backports $qemu failed"
	fi
}

# The guest's busybox, for a guest architecture other than the host's:
# Debian's busybox-static of that architecture, downloaded and unpacked (not
# installed) into the cache.
install_guest_busybox() {
	if [ -x "$GUEST_BUSYBOX" ]; then
		echo "    $GUEST_BUSYBOX"
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "no busybox for $DEB_ARCH guests: run 'make setup ARCH=$ARCH' as root"
	if ! dpkg --print-foreign-architectures | grep -qx "$DEB_ARCH"; then
		dpkg --add-architecture "$DEB_ARCH" || die "dpkg --add-architecture $DEB_ARCH failed"
		APT_UPDATED=
	fi
	apt_sources
	local tmp
	tmp=$(mktemp -d) || die "mktemp failed"
	# apt-get download writes as the _apt user where it can.
	chown _apt "$tmp" 2>/dev/null || chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -qq "busybox-static:$DEB_ARCH") ||
		{ rm -rf "$tmp"; die "apt-get download busybox-static:$DEB_ARCH failed"; }
	rm -rf "${GUEST_BUSYBOX%/bin/busybox}"
	dpkg -x "$tmp"/busybox-static_*.deb "$tmp/x" &&
		mkdir -p "${GUEST_BUSYBOX%/busybox}" &&
		cp "$tmp/x/bin/busybox" "$GUEST_BUSYBOX" ||
		{ rm -rf "$tmp"; die "unpacking busybox-static:$DEB_ARCH failed"; }
	rm -rf "$tmp"
	echo "    $GUEST_BUSYBOX"
}

install_bindgen() {
	local bindgen=$HOME/.cargo/bin/bindgen
	if [ -x "$bindgen" ]; then
		echo "    $($bindgen --version)"
		return 0
	fi
	command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (for 'cargo install bindgen-cli')"
	cargo install bindgen-cli --locked --quiet || die "cargo install bindgen-cli failed"
}

# Sets KERNEL_SRC to an unpacked linux-source tree in the cache.
fetch_kernel_source() {
	local src=$FPGA_RS_CACHE/src pkg ver
	mkdir -p "$src"
	for d in "$src"/linux-source-$KERNEL_SERIES "$src"/linux-source-*; do
		if [ -f "$d/.fpga-rs-unpacked" ]; then
			KERNEL_SRC=$d
			echo "    $(basename "$d") (cached)"
			return 0
		fi
	done
	apt_sources
	pkg=linux-source-$KERNEL_SERIES
	if ! apt-cache show "$pkg" >/dev/null 2>&1; then
		# Suites move on: take the newest 7.x and say so.
		pkg=$(apt-cache pkgnames linux-source-7. | sort -V | tail -n1)
		[ -n "$pkg" ] || die "no linux-source-7.* package in the apt sources (add Debian sid)"
		echo "    linux-source-$KERNEL_SERIES is gone from the archive; using $pkg"
	fi
	(cd "$src" && rm -f "$pkg"_*.deb && apt-get download -qq "$pkg" -t sid 2>/dev/null ||
		apt-get download -qq "$pkg") || die "apt-get download $pkg failed"
	ver=${pkg#linux-source-}
	rm -rf "$src/deb" "$src/$pkg"
	dpkg -x "$src/$pkg"_*.deb "$src/deb" || die "dpkg -x $pkg failed"
	tar -C "$src" -xf "$src/deb/usr/src/linux-source-$ver.tar.xz" || die "unpacking $pkg failed"
	rm -rf "$src/deb" "$src/$pkg"_*.deb
	touch "$src/$pkg/.fpga-rs-unpacked"
	KERNEL_SRC=$src/$pkg
}

# The in-tree flavour's source: a copy of the kernel tree (hard links, but
# for the two files the patch changes) with fpga-rs installed, refreshed.
prepare_intree_source() {
	local tree=$FPGA_RS_CACHE/src/linux-intree f
	if [ "$(cat "$tree/.fpga-rs-copy" 2>/dev/null)" != "$KERNEL_SRC" ]; then
		rm -rf "$tree"
		cp -al "$KERNEL_SRC" "$tree" || die "copying $KERNEL_SRC failed"
		echo "$KERNEL_SRC" >"$tree/.fpga-rs-copy"
	fi
	# The files the patch changes are the copy's own, pristine each time, so
	# that a changed patch applies.
	for f in drivers/fpga/Kconfig drivers/fpga/Makefile; do
		cp --remove-destination "$KERNEL_SRC/$f" "$tree/$f"
	done
	"$FPGA_RS_ROOT/tools/in-tree/install.sh" "$tree" >/dev/null || die "tools/in-tree/install.sh failed"
	KERNEL_SRC=$tree
}

# The config fragments, in merge order: common, architecture, flavour, and
# the flavour's part for this architecture if there is one.
fragments() {
	echo "$CONFIGS/fpga-rs.config"
	echo "$CONFIGS/$ARCH.config"
	[ "$KERNEL_FLAVOR" = default ] && return
	echo "$CONFIGS/$KERNEL_FLAVOR.config"
	[ -f "$CONFIGS/$KERNEL_FLAVOR-$ARCH.config" ] && echo "$CONFIGS/$KERNEL_FLAVOR-$ARCH.config"
}

configure_kernel() {
	local frags
	mapfile -t frags < <(fragments)
	for f in "${frags[@]}"; do
		[ -f "$f" ] || die "no config fragment $f (KERNEL_FLAVOR=$KERNEL_FLAVOR)"
	done
	mkdir -p "$KERNEL_BUILD"
	kmake -s O="$KERNEL_BUILD" tinyconfig >/dev/null || die "make tinyconfig failed"
	"$KERNEL_SRC/scripts/kconfig/merge_config.sh" -m -Q -O "$KERNEL_BUILD" \
		"$KERNEL_BUILD/.config" "${frags[@]}" >/dev/null || die "merge_config.sh failed"
	kmake -s O="$KERNEL_BUILD" olddefconfig >/dev/null || die "make olddefconfig failed"
	# Every option the fragments ask for must have made it: RUST, for one,
	# silently drops out when the toolchain is not usable.
	local bad=0 want have sym
	while IFS= read -r want; do
		sym=${want%%=*}
		have=$(grep -E "^$sym=|^# $sym is not set" "$KERNEL_BUILD/.config" || true)
		case "$want" in
		*=n) [ -z "$have" ] || [ "$have" = "# $sym is not set" ] && continue ;;
		*) [ "$have" = "$want" ] && continue ;;
		esac
		echo "    $sym: wanted '${want#*=}', got '${have:-absent}'" >&2
		bad=1
	done < <(cat "${frags[@]}" | sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set/\1=n/p; /^CONFIG_/p' |
		tac | awk -F= '!seen[$1]++') # a later fragment's value wins
	if [ $bad = 1 ]; then
		kmake -s O="$KERNEL_BUILD" rustavailable >&2 || true
		die "the kernel config lacks options above (for RUST: 'make rustavailable' in $KERNEL_SRC)"
	fi
}

build_kernel() {
	local stamp=$KERNEL_BUILD/.fpga-rs-stamp want log=$KERNEL_BUILD/build.log
	want=$( (echo "$KERNEL_SRC $KMAKE_ARGS"; cat $(fragments)) | sha256sum | cut -d' ' -f1)
	# fpga-rs is part of the in-tree kernel: make decides what to rebuild.
	if [ "$KERNEL_FLAVOR" != intree ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
		[ -f "$KERNEL_IMAGE" ] && [ -f "$KERNEL_BUILD/Module.symvers" ]; then
		echo "    $KERNEL_BUILD is up to date"
		return 0
	fi
	rm -f "$stamp"
	step "configure ($KERNEL_FLAVOR)" configure_kernel || exit 1
	echo "    building $ARCH $KERNEL_IMAGE_TARGET and modules with -j$(( $(nproc) + 1 )), log in $log"
	if ! kmake O="$KERNEL_BUILD" -j$(( $(nproc) + 1 )) "$KERNEL_IMAGE_TARGET" modules >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "kernel build failed; full log: $log"
	fi
	echo "$want" >"$stamp"
}

# A kernel of the user's own (KDIR=): check it can build and run our modules.
check_own_kernel() {
	[ -f "$KDIR/Module.symvers" ] || die "KDIR=$KDIR has no Module.symvers: build its modules first"
	grep -q '^CONFIG_RUST=y' "$KDIR/.config" || die "KDIR=$KDIR is not built with CONFIG_RUST=y"
	grep -q '^CONFIG_MODULE_UNLOAD=y' "$KDIR/.config" || die "KDIR=$KDIR lacks CONFIG_MODULE_UNLOAD=y"
	[ -f "$KERNEL_IMAGE" ] || die "KDIR=$KDIR has no $ARCH kernel image $KERNEL_IMAGE (ARCH=$ARCH)"
	echo "    using the kernel in $KDIR"
}

step "Debian packages" install_packages || exit 1
[ "$DEB_ARCH" = amd64 ] || step "busybox for $ARCH guests" install_guest_busybox || exit 1
step "bindgen" install_bindgen || exit 1
if [ -n "${KDIR:-}" ]; then
	step "kernel (KDIR)" check_own_kernel || exit 1
else
	step "kernel source" fetch_kernel_source || exit 1
	[ "$KERNEL_FLAVOR" != intree ] || step "fpga-rs in the kernel tree" prepare_intree_source || exit 1
	step "kernel $KERNEL_FLAVOR build" build_kernel || exit 1
fi
echo "fpga-rs: $ARCH kernel ready in $KERNEL_BUILD"
