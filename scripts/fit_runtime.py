#!/usr/bin/env python3
"""Fit a runtime preset's one fitted constant on its `fit` rows (docs/VALIDATION.md).

The method: every other constant of the preset stays as it is (cited); the fitted key is the value at which
the mean signed error of ms/token over the runtime's `fit` rows of validation/measured.csv is zero. Time per
token grows monotonically with the key (a launch latency, or a minimum kernel duration in ns or in cycles), so
the value is found by bisection, each step simulating every fit row once (`explorer run`, one decode step, the machine's
config from configs/validation/ with the preset included as `driver`). Prints each step and the result;
writes nothing (copy the value into the preset with the rows it came from).

    scripts/fit_runtime.py llama-cpp-cuda-graphs-2025 min_kernel_cycles --hi 20000
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile


def fit_rows(root, runtime):
    rows = []
    with open(os.path.join(root, "validation", "measured.csv")) as f:
        lines = [l for l in f if not l.startswith("#")]
    for r in csv.DictReader(lines):
        if r["runtime"] == runtime and r["set"] == "fit":
            rows.append(r)
    if not rows:
        sys.exit(f"fit_runtime: no fit rows for runtime '{runtime}'")
    return rows


def ms_per_token(root, explorer, row, key, value, work):
    out = os.path.join(work, row["id"])
    preset = os.path.join(root, "configs", "runtime", row["runtime"] + ".yaml")
    cmd = [explorer, "run", os.path.join(root, "configs", "validation", row["machine"] + ".yaml"),
           "--trace", os.path.join(root, row["trace"]), "--set", f"driver.include={preset}",
           "--set", "workload.decode_steps=1", "--set", f"driver.{key}={value}", "--out", out]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.csv")) as f:
        return float(next(csv.DictReader(f))["ms_per_token"])


def mean_error_ms(root, explorer, rows, key, value, work):
    errors = [ms_per_token(root, explorer, r, key, value, work) - 1e3 / float(r["measured_tokens_per_s"])
              for r in rows]
    return sum(errors) / len(errors)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("runtime")
    p.add_argument("key", help="the preset's fitted key under driver:, e.g. min_kernel_cycles")
    p.add_argument("--lo", type=float, default=0.0)
    p.add_argument("--hi", type=float, default=20000.0)
    p.add_argument("--tolerance", type=float, default=10.0, help="stop when the bracket is this narrow")
    p.add_argument("--root", default=".")
    p.add_argument("--explorer", default="build/explorer")
    a = p.parse_args()
    rows = fit_rows(a.root, a.runtime)
    print("fit rows:", ", ".join(r["id"] for r in rows))
    with tempfile.TemporaryDirectory() as work:
        lo, hi = a.lo, a.hi
        e_lo = mean_error_ms(a.root, a.explorer, rows, a.key, lo, work)
        e_hi = mean_error_ms(a.root, a.explorer, rows, a.key, hi, work)
        print(f"{a.key}={lo:g}: mean error {e_lo:+.4f} ms/token; {a.key}={hi:g}: {e_hi:+.4f}")
        if e_lo > 0 or e_hi < 0:
            sys.exit("fit_runtime: the bracket does not contain a zero of the mean error")
        while hi - lo > a.tolerance:
            mid = 0.5 * (lo + hi)
            e = mean_error_ms(a.root, a.explorer, rows, a.key, mid, work)
            print(f"{a.key}={mid:g}: mean error {e:+.4f} ms/token")
            lo, hi = (mid, hi) if e < 0 else (lo, mid)
    print(f"fitted {a.key} = {0.5 * (lo + hi):.0f}")


if __name__ == "__main__":
    main()
