#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Report the results of one VM test run.

The VM writes one KTAP document per suite (KUnit debugfs results and scenario
tests) between "# fpga-rs-suite: NAME" and "# fpga-rs-end" lines. This merges
them into one KTAP document, adds a "vm" suite that fails on a crash in the
kernel log or an unfinished plan, parses the whole with the kernel's own
`tools/testing/kunit/kunit.py parse`, and ends with "N passed, N failed".
Exit status 1 on any failure.
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

SUITE_START = re.compile(r"^# fpga-rs-suite: (\S+)\s*$")
SUITE_END = "# fpga-rs-end"
PLAN_COMPLETE = "# fpga-rs-plan-complete"
TOP_RESULT = re.compile(r"^(not ok|ok) \d+ (.*)$")

# Kernel log lines that mean the kernel is unhealthy, whatever the tests said.
CRASH = re.compile(
    r"BUG:|Oops|WARNING:|general protection fault|Kernel panic|kernel BUG at|"
    r"KASAN:|UBSAN:|Call Trace:|possible circular locking|possible recursive locking|"
    r"unreferenced object|INFO: task .* blocked|refcount_t:|list_(add|del) corruption|"
    # An overlay's node still referenced when the overlay goes (of_node_get()/of_node_put()
    # unbalanced): a node reference leaked by whoever holds it.
    r"OF: ERROR: memory leak"
)


def read_suites(results):
    """Yields (name, lines) for every suite block in the VM's result stream."""
    name, lines = None, []
    for line in results:
        line = line.rstrip("\r\n")
        m = SUITE_START.match(line)
        if m:
            name, lines = m.group(1), []
        elif line == SUITE_END and name:
            yield name, lines
            name = None
        elif name:
            lines.append(line)
    if name:  # The VM died in the middle of a suite.
        yield name, lines + ["    # the VM stopped before this suite ended"]


def suite_body(name, lines):
    """The suite's lines without its document header, ending in one top-level result."""
    if lines[:2] == ["KTAP version 1", "1..1"]:
        lines = lines[2:]
    body = [l for l in lines if not TOP_RESULT.match(l)]
    verdicts = [TOP_RESULT.match(l).group(1) for l in lines if TOP_RESULT.match(l)]
    verdict = verdicts[-1] if verdicts else "not ok"
    return body, verdict


# A scenario test may provoke a report on purpose and check it itself: a
# lockdep report (scenarios/unregister-wait-under-lockdep.sh), or the upstream
# C core's KASAN report in the forced LKML window (scenarios/
# forced-get-window.sh). It writes "fpga-rs: expected KIND report begins" and
# "... ends" to the kernel log around it.
EXPECTED = re.compile(r"fpga-rs: expected (\w+) report (begins|ends)")


# What an expected report of each kind consists of; anything else in the window
# (a KASAN report in a lockdep window, an oops, a BUG) is still a crash.
EXPECTED_LINES = {
    "lockdep": re.compile(r"WARNING: possible circular locking|possible circular locking|Call Trace:"),
    # The upstream C core reading a freed struct module (scenarios/
    # window-forced-get-vs-rmmod.sh): KASAN's report of try_module_get(),
    # then the oops of the read itself (the module's pages are unmapped).
    # Allocations failed on purpose (scenarios/faults-every-allocation.sh):
    # the page allocator's warning of a failure dumps the stack.
    "fault": re.compile(r"Call Trace:"),
    # (On arm64 the oops adds KASAN's guess about the faulting address.)
    "kasan": re.compile(
        r"BUG: KASAN: [\w-]+ in try_module_get|Call Trace:|BUG: unable to handle page fault|"
        r"Oops|Unable to handle kernel paging request|Internal error: Oops|"
        r"KASAN: (probably|maybe) [\w-]+ in range"
    ),
}


def unexpected(console):
    """The console's crash lines, but those of an expected report.

    A report is expected only inside a window that both markers of its kind
    close: a window whose end never came (the fixture hung, the VM died)
    exempts nothing.
    """
    lines = console.splitlines()
    exempt = set()
    begin = {}
    for i, line in enumerate(lines):
        m = EXPECTED.search(line)
        if not m or m.group(1) not in EXPECTED_LINES:
            continue
        kind = m.group(1)
        if m.group(2) == "begins":
            begin[kind] = i
        elif kind in begin:
            start = begin.pop(kind)
            exempt.update(j for j in range(start, i) if EXPECTED_LINES[kind].search(lines[j]))
    return [l for i, l in enumerate(lines) if i not in exempt]


def vm_suite(console, plan_complete):
    """A suite with the VM's own health checks."""
    crashes = [l.strip() for l in unexpected(console) if CRASH.search(l)]
    checks = [
        ("test_plan_completed", plan_complete, "the VM stopped early (crash or timeout)"),
        ("kernel_log_has_no_crash", not crashes, "; ".join(crashes[:5])),
    ]
    body = ["    KTAP version 1", "    # Subtest: vm", f"    1..{len(checks)}"]
    for i, (name, good, why) in enumerate(checks, 1):
        if not good:
            body.append(f"    # {name}: {why}")
        body.append(f"    {'ok' if good else 'not ok'} {i} {name}")
    return body, "ok" if all(c[1] for c in checks) else "not ok"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kernel-src", required=True, type=Path)
    ap.add_argument("--console", required=True, type=Path)
    ap.add_argument("--results", required=True, type=Path, action="append",
                    help="a stream of suite blocks (repeatable); the first is the VM's")
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()

    streams = [p.read_text(errors="replace") if p.exists() else "" for p in args.results]
    console = args.console.read_text(errors="replace") if args.console.exists() else ""
    suites = [
        (n, *suite_body(n, l)) for text in streams for n, l in read_suites(text.splitlines())
    ]
    plan_complete = PLAN_COMPLETE in streams[0].splitlines()
    suites.append(("vm", *vm_suite(console, plan_complete)))

    merged = ["KTAP version 1", f"1..{len(suites)}"]
    for i, (name, body, verdict) in enumerate(suites, 1):
        merged += body
        merged.append(f"{verdict} {i} {name}")
    ktap = args.out / "merged.ktap"
    ktap.write_text("\n".join(merged) + "\n")

    report = args.out / "results.json"
    kunit = args.kernel_src / "tools/testing/kunit/kunit.py"
    subprocess.run([sys.executable, str(kunit), "parse", f"--json={report}", str(ktap)])

    counts = json.loads(report.read_text())["misc"]
    passed = counts["passed"]
    failed = counts["failed"] + counts["crashed"] + counts["errors"]
    print(f"merged KTAP: {ktap}")
    skips = [l.strip() for l in merged if re.search(r"^\s*ok \d+ .*# SKIP", l)]
    for line in skips:
        print(f"skipped: {line.split(' ', 2)[2]}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
