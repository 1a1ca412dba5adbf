#!/usr/bin/python3
"""Check captured traces against the architecture they claim (maintainer tool).

For every trace given: re-reads it (trailer CRC and record count), then for each decode step checks
  * weight bytes  = every tensor of the weight table in full, except the embedding table, of which only the
                    B rows the step looks up are read (llama); OPT: lm_head is the tied embedding, read in full,
                    plus B rows of it and of the position table for the lookups
  * KV bytes      = read 2*layers*kvb(L*Hk*d), written 2*layers*kvb(Hk*d), so the read grows linearly with L
  * ops per block = the same kinds in every block, one matmul per projection (q,k,v,o,gate/up,down)
and prints one summary line per trace. Exits non-zero on a mismatch.

Usage: validate.py TRACE.lxt.gz ...
       validate.py --compare A.lxt.gz B.lxt.gz    (same op records and weight table apart from dtypes)
"""
import collections
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tracefmt  # noqa: E402

KV_ELEM = {"F16": 2, "BF16": 2, "F32": 4}


def check(path):
    h, weights, ops = tracefmt.read(path)
    layers, hk, d = int(h["layers"]), int(h["kv_heads"]), int(h["head_dim"])
    B = int(h["batch"])
    cell = hk * d * KV_ELEM[h["kv_dtype"]]
    total = sum(w["bytes"] for w in weights)
    emb = [w for w in weights if w["tensor_class"] in ("embedding", "pos_embedding")]
    tied = h["tied_embeddings"] == "1"
    expect_w = total - sum(w["bytes"] for w in emb)
    hidden = int(h["hidden"])
    for w in emb:
        expect_w += B * (w["bytes"] // w["shape"][1])
    if tied:  # the lm_head matmul reads the embedding table in full
        expect_w += next(w["bytes"] for w in weights if w["tensor_class"] == "embedding")
    steps = collections.OrderedDict()
    for op in ops:
        steps.setdefault(op["step"], []).append(op)
    errors = []
    kv_reads = []
    block_sig = None
    for s, sops in steps.items():
        if sops[0]["phase"] != "decode":
            continue
        L = sops[0]["context_len"]
        wb = sum(o["weight_bytes"] for o in sops)
        kr = sum(o["kv_read_bytes"] for o in sops)
        kw = sum(o["kv_write_bytes"] for o in sops)
        kv_reads.append((L, kr))
        if wb != expect_w:
            errors.append("step %d: weight bytes %d, expected %d" % (s, wb, expect_w))
        if kr != 2 * layers * B * L * cell:
            errors.append("step %d: kv read %d, expected %d" % (s, kr, 2 * layers * B * L * cell))
        if kw != 2 * layers * B * cell:
            errors.append("step %d: kv write %d, expected %d" % (s, kw, 2 * layers * B * cell))
        per_layer = collections.defaultdict(list)
        for o in sops:
            per_layer[o["layer"]].append(o["kind"])
        sig = [tuple(sorted(collections.Counter(per_layer[i]).items())) for i in range(layers)]
        if block_sig is None:
            block_sig = sig
        # every block but the last (row selection) has the same op kinds
        if len(set(sig[:-1])) != 1:
            errors.append("step %d: blocks differ in ops" % s)
        mm = collections.Counter(k for k in per_layer[0] if k.startswith("matmul"))
        if any(v != 1 for v in mm.values()):
            errors.append("step %d: block 0 matmuls %s" % (s, dict(mm)))
    # linearity of the KV read in the context
    if len(kv_reads) > 2:
        (l0, r0), (l1, r1) = kv_reads[0], kv_reads[-1]
        slope = (r1 - r0) / (l1 - l0)
        if any(abs(r - (r0 + slope * (l - l0))) > 0 for l, r in kv_reads):
            errors.append("kv read not linear in context")
    dec = [s for s, so in steps.items() if so[0]["phase"] == "decode"]
    first = steps[dec[0]]
    fl = sum(o["flops"] for o in first)
    b0 = collections.Counter(o["kind"] for o in first if o["layer"] == 0)
    print("%s: %s %s, prompt %s, decode %s, %d records (%d/decode step, block 0: %d ops), "
          "weights/step %d B (table %d B), KV read %d..%d B (L=%d..%d, +%d B/token), KV write %d B/step, "
          "%.3g FLOP/step, file %d B" % (
              os.path.basename(path), h["model"], h["weight_format"], h["prompt_len"], h["decode_steps"], len(ops),
              len(first), sum(b0.values()), expect_w, total, kv_reads[0][1], kv_reads[-1][1], kv_reads[0][0],
              kv_reads[-1][0], 2 * layers * B * cell, 2 * layers * B * cell, fl, os.path.getsize(path)))
    print("  block 0 ops: " + ", ".join("%s %d" % kv for kv in sorted(b0.items())))
    for e in errors[:10]:
        print("  ERROR " + e)
    return not errors


def compare(a, b):
    """The op records of two traces are the same (e.g. an F16 meta-device run and a BF16 CPU run)."""
    _, wa, oa = tracefmt.read(a)
    _, wb, ob = tracefmt.read(b)
    strip = lambda ws: [{k: v for k, v in w.items() if k != "dtype"} for w in ws]  # noqa: E731
    same = len(oa) == len(ob) and oa == ob and strip(wa) == strip(wb)
    print("compare %s %s: %d / %d op records, %s" % (os.path.basename(a), os.path.basename(b), len(oa), len(ob),
                                                     "identical" if same else "DIFFERENT"))
    if not same:
        for i, (x, y) in enumerate(zip(oa, ob)):
            if x != y:
                print("  first difference at op %d:\n  %s\n  %s" % (i, x, y))
                break
    return same


def main():
    if sys.argv[1:2] == ["--compare"]:
        sys.exit(0 if compare(sys.argv[2], sys.argv[3]) else 1)
    ok = all([check(p) for p in sys.argv[1:]])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
