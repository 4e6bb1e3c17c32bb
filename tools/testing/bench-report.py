#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report of `make bench` (Documentation/performance.rst), on the host.

Reads the figures the VM printed (tools/testing/vm/bench.sh: lines
"fpga-rs-bench-raw: CORE ROUND FIGURE VALUE" in the console log) and writes to
--out:

  bench.csv    every figure of every round (arch, core, round, figure, value);
  summary.csv  the table below (figure, unit, C, Rust, Rust/C, goal, met);
  table.txt    the table as printed;
  *.png        the scaling curves (with python3-matplotlib; else a message
               says that only the CSV files were written).

Prints the table (medians over the rounds of each core) and one warning line
per missed goal. The exit status says only whether figures were found: a
missed goal is a warning, never a failure (make bench is not a test).
"""

import argparse
import csv
import os
import re
import statistics
import sys

RAW = re.compile(r"fpga-rs-bench-raw: (c|rust) (\d+) ([a-z0-9_]+) (\S+)")

SCALE_N = [1, 10, 100, 1000, 10000]
TPUT_MIB = [1, 16, 64]
TPUT_PATHS = ["buf_write", "buf_write_sg", "sg_write", "sg_write_sg", "fw_write", "fw_write_sg"]


def read_raw(console):
    rows = []
    with open(console, "rb") as f:
        for line in f.read().decode("utf-8", "replace").splitlines():
            m = RAW.search(line)
            if m:
                core, rnd, fig, val = m.groups()
                rows.append((core, int(rnd), fig, val))
    return rows


class Figures:
    def __init__(self, rows):
        self.values = {}
        self.rounds = 0
        for core, rnd, fig, val in rows:
            self.values.setdefault((core, fig), []).append(val)
            self.rounds = max(self.rounds, rnd + 1)

    def median(self, core, fig):
        """The median of a figure's numeric values, "refused" if every round says so, or None."""
        vals = self.values.get((core, fig), [])
        nums = []
        for v in vals:
            try:
                nums.append(float(v))
            except ValueError:
                pass
        if nums:
            return statistics.median(nums)
        if vals and all(v == "refused" for v in vals):
            return "refused"
        return None

    def count(self, core, fig):
        return len(self.values.get((core, fig), []))


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if unit == "ratio":
        return f"{v:.2f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"


class Table:
    def __init__(self):
        self.rows = []
        self.warnings = []

    def add(self, figure, unit, c, rust, goal="", met=None, ratio="auto"):
        if ratio == "auto":
            ratio = rust / c if isinstance(c, float) and isinstance(rust, float) and c else None
        self.rows.append((figure, unit, c, rust, ratio, goal, met))
        if met is False:
            self.warnings.append(
                f"fpga-rs bench: WARNING: {figure}: goal {goal} missed "
                f"(C {fmt(c)}, Rust {fmt(rust)}, Rust/C {fmt(ratio, 'ratio')})")

    def section(self, title):
        self.rows.append((title, None, None, None, None, None, None))

    def lines(self):
        head = f"{'figure':<34} {'unit':<6} {'C':>11} {'Rust':>11} {'Rust/C':>7}  {'goal':<26} met?"
        out = [head, "-" * len(head)]
        for figure, unit, c, rust, ratio, goal, met in self.rows:
            if unit is None:
                out.append(f"{figure}")
                continue
            m = "-" if met is None else ("yes" if met else "NO")
            out.append(f"  {figure:<32} {unit:<6} {fmt(c):>11} {fmt(rust):>11} "
                       f"{fmt(ratio, 'ratio'):>7}  {goal:<26} {m}")
        return out


def num(v):
    return v if isinstance(v, float) else None


def build(fig):
    t = Table()
    med = fig.median

    def ratio_row(name, unit, goal_max=None, goal_min=None, label=None):
        c, r = med("c", name), med("rust", name)
        ratio = r / c if num(c) and num(r) and c else None
        met, goal = None, ""
        if goal_max is not None:
            goal = f"Rust/C <= {goal_max:g}"
            met = ratio is not None and ratio <= goal_max
        if goal_min is not None:
            goal = f"Rust/C >= {goal_min:g}"
            met = ratio is not None and ratio >= goal_min
        t.add(label or name, unit, c, r, goal, met, ratio)

    t.section("hot C calls (ns per call)")
    for name in ["hot_mgr_get_put", "hot_mgr_lock_unlock", "hot_bridge_get_put",
                 "hot_bridge_enable_disable", "hot_region_class_find", "hot_region_program"]:
        ratio_row(name, "ns", goal_max=1.0)
    ratio_row("hot_mgr_load", "ns")
    t.section("safe Rust user API on sim_socfpga (ns per call)")
    for name in ["user_get_put", "user_lock_unlock", "user_load_buf"]:
        ratio_row(name, "ns")

    t.section("lookup scaling: get+put of the last registered of N (ns)")
    for kind in ["mgr", "bridge"]:
        for n in SCALE_N:
            name = f"scale_{kind}_{n}"
            if n == SCALE_N[-1]:
                ratio_row(name, "ns", goal_max=0.01)
            else:
                ratio_row(name, "ns")
        c1, cn = med("c", f"scale_{kind}_1"), med("c", f"scale_{kind}_{SCALE_N[-1]}")
        r1, rn = med("rust", f"scale_{kind}_1"), med("rust", f"scale_{kind}_{SCALE_N[-1]}")
        cg = cn / c1 if num(c1) and num(cn) else None
        rg = rn / r1 if num(r1) and num(rn) else None
        t.add(f"{kind} growth N={SCALE_N[-1]}/N=1", "x", cg, rg, "Rust <= 2",
              rg is not None and rg <= 2, None)
    t.section("registration and unregistration (ns per object, at N)")
    for what in ["reg", "unreg"]:
        for n in SCALE_N:
            ratio_row(f"scale_{what}_{n}", "ns")
        c10, cn = med("c", f"scale_{what}_10"), med("c", f"scale_{what}_{SCALE_N[-1]}")
        r10, rn = med("rust", f"scale_{what}_10"), med("rust", f"scale_{what}_{SCALE_N[-1]}")
        cg = cn / c10 if num(c10) and num(cn) else None
        rg = rn / r10 if num(r10) and num(rn) else None
        # O(N log N) overall is O(log N) per object: log(10000) / log(10) = 4.
        t.add(f"{what} growth N={SCALE_N[-1]}/N=10", "x", cg, rg, "Rust <= 4 (O(log N) each)",
              rg is not None and rg <= 4, None)

    t.section("programming throughput (MB/s; limit: CRC-32 without the core)")
    for mib in TPUT_MIB:
        for lim in ["buf", "fw"]:
            ratio_row(f"limit_{lim}_{mib}", "MB/s")
        for path in TPUT_PATHS:
            name = f"tput_{path}_{mib}"
            c, r = med("c", name), med("rust", name)
            limit = med("rust", f"limit_{'fw' if path.startswith('fw') else 'buf'}_{mib}")
            ratio = r / c if num(c) and num(r) else None
            of_limit = r / limit if num(r) and num(limit) else None
            met = ratio is not None and ratio >= 1.0 and of_limit is not None and of_limit >= 0.9
            goal = f"R/C>=1, R/limit>=0.9 ({fmt(of_limit, 'ratio')})"
            t.add(name, "MB/s", c, r, goal, met, ratio)

    t.section("parallel regions: two programmings (ms), pair / one after the other")
    for via in ["c", "cfs"]:
        seq, par = f"par_{via}_seq", f"par_{via}_par"
        row = {}
        for core in ["c", "rust"]:
            s, p = med(core, seq), med(core, par)
            row[core] = (s / 1e6 if num(s) else None, p / 1e6 if num(p) else None,
                         p / s if num(s) and num(p) else None)
        t.add(f"{seq} ({'C API' if via == 'c' else 'configfs'})", "ms", row["c"][0], row["rust"][0])
        t.add(par, "ms", row["c"][1], row["rust"][1])
        rr = row["rust"][2]
        t.add(f"par_{via} pair/sequence", "x", row["c"][2], rr, "Rust <= 0.6",
              rr is not None and rr <= 0.6, None)

    t.section("idle unload of a manager module a device-tree region refers to (ms)")
    c, r = med("c", "unload_ns"), med("rust", "unload_ns")
    t.add("unload", "ms", c if isinstance(c, str) else (c / 1e6 if num(c) else None),
          r if isinstance(r, str) else (r / 1e6 if num(r) else None), "not refused",
          isinstance(r, float), None)

    t.section("memory per registered object (bytes of slab + vmalloc)")
    for kind in ["mgr", "bridge", "region"]:
        ratio_row(f"mem_{kind}", "B", goal_max=1.1)
    return t


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def plots(fig, arch, out):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("no matplotlib (python3-matplotlib, which 'make setup' installs): "
                "only the CSV files were written")
    med = fig.median
    colors = {"c": "tab:blue", "rust": "tab:orange"}
    names = {"c": "C core", "rust": "fpga-rs"}
    made = []

    def series(core, fmt_name, xs, scale=1.0):
        pts = [(x, med(core, fmt_name.format(x))) for x in xs]
        pts = [(x, v * scale) for x, v in pts if num(v)]
        return [p[0] for p in pts], [p[1] for p in pts]

    # Lookup scaling.
    f, ax = plt.subplots(figsize=(7, 4.5))
    for core in ["c", "rust"]:
        for kind, style in [("mgr", "-o"), ("bridge", "--s")]:
            x, y = series(core, "scale_" + kind + "_{}", SCALE_N)
            ax.plot(x, y, style, color=colors[core], label=f"{names[core]}: {kind} get+put")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("registered managers / bridges (N)")
    ax.set_ylabel("ns per get+put of the last registered")
    ax.set_title(f"Lookup scaling ({arch}, QEMU TCG, median of {fig.rounds} rounds)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    f.tight_layout()
    f.savefig(os.path.join(out, "scaling.png"), dpi=100)
    made.append("scaling.png")

    # Registration and unregistration cost per object.
    f, ax = plt.subplots(figsize=(7, 4.5))
    for core in ["c", "rust"]:
        for what, style in [("reg", "-o"), ("unreg", "--s")]:
            x, y = series(core, "scale_" + what + "_{}", SCALE_N, 1e-3)
            label = "registration" if what == "reg" else "unregistration"
            ax.plot(x, y, style, color=colors[core], label=f"{names[core]}: {label}")
    ax.set_xscale("log")
    ax.set_xlabel("registered managers and bridges (N)")
    ax.set_ylabel("µs per manager + bridge")
    ax.set_title(f"Registration cost at N ({arch}, QEMU TCG)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    f.tight_layout()
    f.savefig(os.path.join(out, "registration.png"), dpi=100)
    made.append("registration.png")

    # Throughput against the limit.
    f, axes = plt.subplots(1, 3, figsize=(13, 4.5), sharey=True)
    for ax, (title, paths, lim) in zip(axes, [
            ("buffer", ["buf_write", "buf_write_sg"], "buf"),
            ("sg table", ["sg_write", "sg_write_sg"], "buf"),
            ("firmware", ["fw_write", "fw_write_sg"], "fw")]):
        x, y = series("rust", "limit_" + lim + "_{}", TPUT_MIB)
        ax.plot(x, y, ":k", label="limit (CRC-32 without the core)")
        for core in ["c", "rust"]:
            for path, style in zip(paths, ["-o", "--s"]):
                x, y = series(core, "tput_" + path + "_{}", TPUT_MIB)
                ax.plot(x, y, style, color=colors[core],
                        label=f"{names[core]}: {path.split('_', 1)[1].replace('_', '_')}")
        ax.set_xscale("log")
        ax.set_xticks(TPUT_MIB)
        ax.set_xticklabels([f"{m} MiB" for m in TPUT_MIB])
        ax.set_title(f"{title} path")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("MB/s")
    f.suptitle(f"Programming throughput ({arch}, QEMU TCG, median of {fig.rounds} rounds)")
    f.tight_layout()
    f.savefig(os.path.join(out, "throughput.png"), dpi=100)
    made.append("throughput.png")
    plt.close("all")
    return "plots: " + ", ".join(os.path.join(out, m) for m in made)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--console", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", default="x86_64")
    args = ap.parse_args()

    rows = read_raw(args.console)
    if not rows:
        print("fpga-rs bench: no figures in " + args.console, file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    write_csv(os.path.join(args.out, "bench.csv"), ["arch", "core", "round", "figure", "value"],
              [(args.arch,) + r for r in rows])
    fig = Figures(rows)
    t = build(fig)
    write_csv(os.path.join(args.out, "summary.csv"),
              ["figure", "unit", "c", "rust", "rust_over_c", "goal", "met"],
              [(f, u, fmt(c), fmt(r), fmt(q, "ratio"), g, "" if m is None else ("yes" if m else "no"))
               for f, u, c, r, q, g, m in t.rows if u is not None])
    lines = [f"fpga-rs bench, {args.arch}: median of {fig.rounds} rounds of each core "
             "(QEMU TCG: compare ratios, not absolutes)", ""] + t.lines()
    with open(os.path.join(args.out, "table.txt"), "w") as f:
        f.write("\n".join(lines + [""] + t.warnings) + "\n")
    print("\n".join(lines))
    print()
    for w in t.warnings:
        print(w)
    print(f"fpga-rs bench: {sum(1 for r in t.rows if r[6] is True)} goals met, "
          f"{len(t.warnings)} missed; CSV: {args.out}/bench.csv, {args.out}/summary.csv")
    print("fpga-rs bench: " + plots(fig, args.arch, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
