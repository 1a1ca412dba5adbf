#!/usr/bin/env python3
"""Per machine, split the measured and the predicted ms/token of `explorer validate` into a part that grows
with the bytes a token reads and a fixed part (docs/VALIDATION.md, "Apple M1 generation and core count").

For every machine with rows in two or more weight formats, a least-squares line ms/token = fixed + bytes / B
is fitted through its rows, once for the measured and once for the predicted tokens/s; B is the bandwidth
at which the extra bytes of a bigger format stream (its share of the machine's peak is printed), the fixed
part is what a token costs whatever its bytes (host, launches, short kernels, compute not hidden). The
bytes of each row are its simulated device reads (`dram_read_bytes` of the row's summary.csv, kept by
`explorer validate --keep DIR`). Leaves out: rows in one format only, error bars (three points per line).

    build/explorer validate -j 2 --steps 1 --out results/validation.csv --keep results/validation-runs
    python3 scripts/validation_slopes.py results/validation.csv results/validation-runs
"""
import argparse
import csv
import os
import sys
from collections import defaultdict


def peak_gbps(machines_csv):
    """Peak bandwidth per machine from validation/machines.csv: data rate x bus width."""
    lines = [l for l in open(machines_csv, encoding="utf-8") if not l.startswith("#")]
    return {r["name"]: float(r["data_rate_mtps"]) * float(r["bus_bits"]) / 8 / 1000
            for r in csv.DictReader(lines)}


def line_fit(points):
    """Least-squares intercept and slope of (x, y) points."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - slope * mx, slope


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("table", help="CSV written by explorer validate --out")
    ap.add_argument("runs", help="directory given to explorer validate --keep")
    ap.add_argument("--machines", default="validation/machines.csv")
    args = ap.parse_args()
    peak = peak_gbps(args.machines)
    rows = defaultdict(list)
    for r in csv.DictReader(open(args.table, encoding="utf-8")):
        summary = os.path.join(args.runs, r["id"], "summary.csv")
        if r["status"] != "ok" or not os.path.exists(summary):
            continue
        gb = float(next(csv.DictReader(open(summary, encoding="utf-8")))["dram_read_bytes"]) / 1e9
        rows[r["machine"]].append((gb, 1000 / float(r["measured_tokens_per_s"]),
                                   1000 / float(r["predicted_tokens_per_s"])))
    print(f"{'machine':24s} {'peak':>7s} | {'measured GB/s':>13s} {'share':>5s} {'fixed ms':>8s} | "
          f"{'predicted GB/s':>14s} {'share':>5s} {'fixed ms':>8s}")
    for machine in sorted(rows):
        pts = rows[machine]
        if len({gb for gb, _, _ in pts}) < 2:
            continue
        fm, sm = line_fit([(gb, m) for gb, m, _ in pts])
        fp, sp = line_fit([(gb, p) for gb, _, p in pts])
        p = peak[machine]
        print(f"{machine:24s} {p:7.1f} | {1000 / sm:13.0f} {100000 / sm / p:4.0f}% {fm:8.2f} | "
              f"{1000 / sp:14.0f} {100000 / sp / p:4.0f}% {fp:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
