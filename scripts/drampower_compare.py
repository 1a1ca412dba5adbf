#!/usr/bin/env python3
"""Sets DRAMPower v5.1's energy by kind beside the explorer's for the same commands (docs/ENERGY.md).

usage: scripts/drampower_compare.py <dir> [<dir> ...]

Each <dir> holds what `explorer energy drampower` wrote (memspec.json, commands.csv, explorer.csv) and
drampower.json, the output of DRAMPower's command-line tool run on them:
    drampower_cli <dir>/commands.csv <dir>/memspec.json --json <dir>/drampower.json
Prints one table row per energy kind and directory, and exits 1 when a kind differs by more than 5%.
DRAMPower's kinds: act_pre = ACT + PRE (+ the precharges of RDA/WRA), read_array = RD + RDA,
write_array = WR + WRA, refresh = REF_*, background = BG_ACT + BG_PRE + E_bg_act_shared, io = its
interface energy (controller and device, static and dynamic; the export leaves clock and command lines out).
"""
import json
import math
import os
import sys

KINDS = ["act_pre", "read_array", "write_array", "io", "refresh", "background", "total"]


def drampower_kinds(path):
    with open(path) as f:
        j = json.load(f)
    core = j["CoreEnergy"]
    banks = core[next(k for k, v in core.items() if isinstance(v, list))]
    s = {k: sum(b.get(k, 0.0) for b in banks) for k in banks[0]} if banks else {}
    parts = [v for side in j["InterfaceEnergy"].values() for v in side.values()]
    # DRAMPower v5.1's LPDDR4 memspec drops the impedances (MemSpecLPDDR4 never calls parseImpedanceSpec):
    # its interface energy is inf or NaN (null in the JSON), so there is no reference for io.
    io = sum(parts) if all(isinstance(v, (int, float)) and math.isfinite(v) for v in parts) else None
    out = {
        "act_pre": s.get("ACT", 0) + s.get("PRE", 0) + s.get("PRE_RDA", 0) + s.get("PRE_WRA", 0),
        "read_array": s.get("RD", 0) + s.get("RDA", 0),
        "write_array": s.get("WR", 0) + s.get("WRA", 0),
        "refresh": s.get("REF_AB", 0) + s.get("REF_PB", 0) + s.get("REF_SB", 0) + s.get("REF_2B", 0)
        + core.get("E_refab", 0),
        "background": s.get("BG_ACT", 0) + s.get("BG_PRE", 0) + core.get("E_bg_act_shared", 0),
        "io": io,
    }
    out["total"] = sum(v for v in out.values() if v is not None)
    return out


def explorer_kinds(path):
    out, note = {}, ""
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                note = line[1:].strip()
            elif not line.startswith("kind,") and line.strip():
                kind, value = line.strip().split(",")
                out[kind] = float(value)
    return out, note


def main(dirs):
    if not dirs:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    worst = 0.0
    print(f"{'run':34} {'kind':12} {'explorer_uJ':>12} {'drampower_uJ':>13} {'diff':>8}")
    for d in dirs:
        ex, note = explorer_kinds(os.path.join(d, "explorer.csv"))
        dp = drampower_kinds(os.path.join(d, "drampower.json"))
        name = os.path.basename(os.path.normpath(d))
        for k in KINDS:
            a, b = ex.get(k, 0.0), dp.get(k)
            if dp["io"] is None and k == "total":
                a -= ex.get("io", 0.0)  # both totals without io
            if b is None:
                print(f"{name:34} {k:12} {a * 1e6:12.4f} {'no reference':>13}")
                continue
            diff = (a - b) / b if b else (0.0 if a == 0 else float("inf"))
            worst = max(worst, abs(diff))
            print(f"{name:34} {k:12} {a * 1e6:12.4f} {b * 1e6:13.4f} {diff * 100:+7.2f}%")
        print(f"{'':34} ({note})")
    print(f"largest difference: {worst * 100:.2f}%")
    return 0 if worst <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
