#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The host model check of the lifecycle protocol (issue: "Prove the
# lifecycle"): lifecycle/protocol.rs compiled unchanged with loom's atomics
# (.cargo/config.toml sets --cfg loom) and driven through every interleaving
# of the scenarios in tests/lifecycle.rs. Prints the interleavings explored
# per scenario and ends with "model: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
. ../lib/common.sh
cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
if [ ! -x "$cargo" ]; then
	echo "model: cargo not found (the machine's rustup toolchain provides it)"
	echo "model: 0 passed, 1 failed"
	exit 1
fi
export CARGO_TARGET_DIR=$FPGA_RS_CACHE/model-target
out=$("$cargo" test --release --locked -- --nocapture --test-threads 1 2>&1)
rc=$?
grep -E '^(test |fpga-rs model:|thread .* panicked)' <<<"$out" | sed 's/^/    /'
[ $rc = 0 ] || tail -n 30 <<<"$out"
passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' <<<"$out" | awk '{ s += $4 } END { print s + 0 }')
failed=$(grep -Eo '[0-9]+ failed;' <<<"$out" | awk '{ s += $1 } END { print s + 0 }')
# A build failure runs no test: count it as one failure, never as nothing.
[ $rc = 0 ] || [ "$failed" != 0 ] || failed=1
# The model's own code is held to clippy too.
if lint=$("$cargo" clippy --release --locked --all-targets -- -D warnings 2>&1); then
	passed=$((passed + 1))
else
	echo "$lint" | tail -n 30
	failed=$((failed + 1)) rc=1
fi
echo "model: $passed passed, $failed failed"
exit $rc
