#!/usr/bin/python3
"""Convert the tracer's raw node records (tracer.cpp) of a llama.cpp run into a decode trace.

One trace op per graph node that does work. Nodes that only re-describe memory (VIEW, RESHAPE, PERMUTE,
TRANSPOSE) are dropped and counted in the header (see traces/captured/README.md). The engine's own op name is
kept in engine_op; the OpKind is derived from the op and the tensors involved:

  GET_ROWS of token_embd.weight          embedding   (weight bytes = the rows read: n_tokens x row bytes)
  GET_ROWS of anything else              copy        (the inp_out_ids row selection in the last block)
  RMS_NORM                               norm
  MUL by a *_norm.weight                 norm        (the norm's scale; reads the norm weight)
  MUL_MAT by blk.N.attn_q/k/v/output     matmul_q / matmul_k / matmul_v / matmul_o
  MUL_MAT by blk.N.ffn_gate/up/down      matmul_gate / matmul_up / matmul_down
  MUL_MAT by output.weight               lm_head
  MUL_MAT of a view of cache_k_lN        attention_score
  MUL_MAT of a view of cache_v_lN        attention_value
  SOFT_MAX                               softmax
  FLASH_ATTN_EXT                         attention
  ROPE                                   rope
  SET_ROWS / CPY into cache_k/v_lN       kv_write
  SWIGLU, GEGLU, SILU, GELU, RELU        activation
  ADD ffn_inp-N / l_out-N                residual
  MUL / SCALE / ADD (other)              elementwise
  CONT, CPY, DUP                         copy
  anything else                          other

Numbers follow the counting rules of traces/FORMAT.md. KV bytes and attention work are counted for the
logical context (context_len = n_past + n_tokens cells), not for the padded window the engine multiplies over
(llama.cpp attends over a multiple of 256 cells); the engine's window sizes are kept in the header extras.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, HERE)
import tracefmt  # noqa: E402

TYPE_SIZE = {"f32": 4.0, "f16": 2.0, "bf16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32, "q6_K": 210 / 256, "i32": 4.0,
             "i64": 8.0}
META_OPS = {"VIEW", "RESHAPE", "PERMUTE", "TRANSPOSE", "NONE"}
WEIGHT_CLASS = {"attn_q": "attn_q", "attn_k": "attn_k", "attn_v": "attn_v", "attn_output": "attn_o",
                "ffn_gate": "ffn_gate", "ffn_up": "ffn_up", "ffn_down": "ffn_down", "token_embd": "embedding",
                "output": "lm_head", "attn_norm": "norm", "ffn_norm": "norm", "output_norm": "norm"}
MATMUL_KIND = {"attn_q": "matmul_q", "attn_k": "matmul_k", "attn_v": "matmul_v", "attn_o": "matmul_o",
               "ffn_gate": "matmul_gate", "ffn_up": "matmul_up", "ffn_down": "matmul_down", "lm_head": "lm_head"}
# operations per output element of the element-wise ops (traces/FORMAT.md "Counting rules")
FLOPS_PER_ELEM = {"RMS_NORM": 3, "MUL": 1, "ADD": 1, "SCALE": 1, "ROPE": 3, "SOFT_MAX": 5, "SWIGLU": 5,
                  "GEGLU": 9, "SILU": 4, "GELU": 8, "RELU": 1}
LAYER_RE = re.compile(r"-(\d+)(?:_|$)")
CACHE_RE = re.compile(r"^cache_([kv])_l(\d+)")


def prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


class Src:
    __slots__ = ("slot", "name", "op", "type", "ne", "nbytes", "usage", "view_src", "view_offs")

    def __init__(self, s):
        f = s.split("|")
        self.slot, self.name, self.op, self.type = int(f[0]), f[1], f[2], f[3]
        self.ne = [int(x) for x in f[4].split(",")]
        self.nbytes, self.usage, self.view_src, self.view_offs = int(f[5]), f[6], f[7], int(f[8])

    def base(self):
        return self.view_src if self.view_src != "-" else self.name


def parse_raw(path):
    meta, steps = {}, []
    cur = None
    with open(path) as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if f[0] == "M":
                meta[f[1]] = f[2]
            elif f[0] == "S":
                cur = dict(step=int(f[1]), phase=f[2], n_past=int(f[3]), n_tokens=int(f[4]), nodes=[])
                steps.append(cur)
            elif f[0] == "N":
                srcs = [] if f[10] == "-" else [Src(s) for s in f[10].split(";")]
                cur["nodes"].append(dict(idx=int(f[2]), op=f[3], name=f[4], type=f[5],
                                         ne=[int(x) for x in f[6].split(",")], nbytes=int(f[7]),
                                         view_src=f[8], srcs=srcs))
            elif f[0] == "E":
                cur["n_nodes"], cur["ms"] = int(f[2]), float(f[3])
    if not steps or "n_nodes" not in steps[-1]:
        raise SystemExit("convert: %s is truncated (last step has no end record)" % path)
    return meta, steps


def weight_base(name):
    # blk.3.attn_q.weight -> attn_q ; output.weight -> output
    parts = name.split(".")
    return parts[2] if parts[0] == "blk" else parts[0]


class Converter:
    def __init__(self, side):
        self.side = side
        self.c = side["config"]
        self.wid = {}
        self.weights = []
        for i, t in enumerate(side["tensors"]):
            self.wid[t["name"]] = i
            self.weights.append(dict(id=i, name=t["name"], tensor_class=WEIGHT_CLASS[weight_base(t["name"])],
                                     shape=t["shape"], dtype=t["type"],
                                     bytes=t["bytes"], offset=t["offset"]))
        self.dropped = {}
        self.engine_n_kv = {}

    def kv_cell_bytes(self, cache_type):
        return int(self.c["kv_heads"] * self.c["head_dim"] * TYPE_SIZE[cache_type])

    def convert_step(self, st):
        ops = []
        layer = -1
        ctx = st["n_past"] + st["n_tokens"]
        ntok = st["n_tokens"]
        H, hd = self.c["heads"], self.c["head_dim"]
        for nd in st["nodes"]:
            name, op, srcs = nd["name"], nd["op"], nd["srcs"]
            m = LAYER_RE.search(name)
            if m:
                layer = int(m.group(1))
            elif name in ("norm", "result_norm", "result_output", "embd"):
                layer = -1
            if op in META_OPS:
                self.dropped[op] = self.dropped.get(op, 0) + 1
                continue
            weights = [s for s in srcs if s.usage == "W"]
            w = weights[0] if weights else None
            kv = [(s, CACHE_RE.match(s.base())) for s in srcs]
            kv = [(s, mm) for s, mm in kv if mm]
            out_elems = prod(nd["ne"])
            rows = out_elems // nd["ne"][0]
            acts = [s for s in srcs if s.usage != "W" and not CACHE_RE.match(s.base()) and s.type not in ("i32", "i64")]
            rec = dict(step=st["step"], phase=st["phase"], layer=layer, kind="other", engine_op=op,
                       m=rows, n=nd["ne"][0], k=0, weight_id=-1, weight_bytes=0, context_len=ctx,
                       kv_read_bytes=0, kv_write_bytes=0, act_in_bytes=sum(s.nbytes for s in acts),
                       act_out_bytes=nd["nbytes"], flops=float(FLOPS_PER_ELEM.get(op, 0) * out_elems))
            dst_cache = CACHE_RE.match(nd["view_src"] if nd["view_src"] != "-" else name)
            if op == "GET_ROWS":
                if w is not None and w.name == "token_embd.weight":
                    rows = srcs[1].ne[0] * srcs[1].ne[1]
                    rec.update(kind="embedding", weight_id=self.wid[w.name],
                               weight_bytes=w.nbytes // w.ne[1] * rows, act_in_bytes=0)
                else:  # rows of an activation: bytes moved
                    rec.update(kind="copy", act_in_bytes=nd["nbytes"], flops=0.0)
            elif op == "MUL_MAT" and w is not None:
                cls = WEIGHT_CLASS[weight_base(w.name)]
                act = [s for s in srcs if s is not w][0]
                mm_, nn, kk = act.ne[1] * act.ne[2] * act.ne[3], w.ne[1], w.ne[0]
                rec.update(kind=MATMUL_KIND[cls], m=mm_, n=nn, k=kk, weight_id=self.wid[w.name], weight_bytes=w.nbytes,
                           flops=2.0 * mm_ * nn * kk)
            elif op == "MUL_MAT" and kv:
                s, mm = kv[0]
                other = [x for x in srcs if x is not s][0]
                n_kv = s.ne[1] if mm.group(1) == "k" else s.ne[0]
                self.engine_n_kv[st["step"]] = n_kv
                cell = self.kv_cell_bytes(s.type)
                if mm.group(1) == "k":  # K view [head_dim, n_kv, kv_heads] x Q [head_dim, n_tokens, heads]
                    rec.update(kind="attention_score", m=ntok * H, n=ctx, k=hd,
                               act_in_bytes=other.nbytes, act_out_bytes=ntok * H * ctx * 4)
                else:  # V view [n_kv, head_dim, kv_heads] x P [n_kv, n_tokens, heads]
                    rec.update(kind="attention_value", m=ntok * H, n=hd, k=ctx,
                               act_in_bytes=ntok * H * ctx * 4, act_out_bytes=nd["nbytes"])
                rec.update(kv_read_bytes=ctx * cell, flops=2.0 * ntok * H * ctx * hd)
            elif op == "FLASH_ATTN_EXT":
                cell = self.kv_cell_bytes(kv[0][0].type)
                self.engine_n_kv[st["step"]] = kv[0][0].ne[1]  # K view [head_dim, n_kv, kv_heads]
                q = srcs[0]
                rec.update(kind="attention", m=ntok * H, n=ctx, k=hd, kv_read_bytes=2 * ctx * cell,
                           act_in_bytes=q.nbytes, flops=4.0 * ntok * H * ctx * hd + 5.0 * ntok * H * ctx)
            elif op == "SOFT_MAX":
                elems = ntok * H * ctx
                rec.update(kind="softmax", m=ntok * H, n=ctx, act_in_bytes=elems * 4, act_out_bytes=elems * 4,
                           flops=5.0 * elems)
            elif op in ("SET_ROWS", "CPY") and dst_cache:
                data = srcs[0]
                elems = prod(data.ne)
                nb = int(elems * TYPE_SIZE[nd["type"]])
                rec.update(kind="kv_write", m=ntok, n=elems // ntok, kv_write_bytes=nb, act_in_bytes=data.nbytes,
                           act_out_bytes=0, flops=0.0)
            elif op == "RMS_NORM":
                rec["kind"] = "norm"
            elif op == "MUL" and w is not None and WEIGHT_CLASS.get(weight_base(w.name)) == "norm":
                rec.update(kind="norm", weight_id=self.wid[w.name], weight_bytes=w.nbytes)
            elif op == "ROPE":  # [head_dim, heads, tokens]
                rec.update(kind="rope", m=prod(nd["ne"][2:]), n=nd["ne"][0] * nd["ne"][1])
            elif op in ("SWIGLU", "GEGLU", "SILU", "GELU", "RELU"):
                rec["kind"] = "activation"
            elif op == "ADD" and w is None and (name.startswith("ffn_inp") or name.startswith("l_out")):
                rec["kind"] = "residual"
            elif op in ("ADD", "MUL", "SCALE"):
                rec["kind"] = "elementwise"
                if w is not None:
                    rec.update(weight_id=self.wid[w.name], weight_bytes=w.nbytes)
            elif op in ("CONT", "CPY", "DUP"):
                rec.update(kind="copy", act_in_bytes=nd["nbytes"], flops=0.0)
            ops.append(rec)
        return ops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--gguf-json", required=True)
    ap.add_argument("--engine-version", required=True)
    ap.add_argument("--command", default="")
    ap.add_argument("--date", default="")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    meta, steps = parse_raw(a.raw)
    side = json.load(open(a.gguf_json))
    conv = Converter(side)
    ops = []
    for st in steps:
        ops.extend(conv.convert_step(st))
    c = side["config"]
    prompt = steps[0]["n_tokens"] if steps[0]["phase"] == "prefill" else 0
    decode = sum(1 for s in steps if s["phase"] == "decode")
    header = dict(source_engine="llama.cpp", source_version=a.engine_version, model=side["model"],
                  architecture="llama", hidden=c["hidden"], intermediate=c["ffn"], layers=c["layers"],
                  heads=c["heads"], kv_heads=c["kv_heads"], head_dim=c["head_dim"], vocab=c["vocab"],
                  tied_embeddings=False, activation="silu", weight_format=side["ftype"], kv_dtype="F16",
                  act_dtype="F32", batch=1, prompt_len=prompt, decode_steps=decode)
    n_kv = sorted(set(conv.engine_n_kv.values()))
    extra = [
        ("capture_command", a.command),
        ("capture_weights", "zero matrices (sparse GGUF from scripts/capture/make_gguf.py), norm scales 1.0"),
        ("capture_threads", meta["n_threads"]),
        ("capture_cpu_features",
         ",".join(x.strip("_") for x in re.findall(r"([A-Z0-9_]+?)_=_1", meta["system_info"]))),
        ("flash_attn", meta["flash_attn"]),
        ("n_ctx", meta["n_ctx"]),
        ("kv_cells", ",".join(str(x) for x in n_kv)),
        ("gguf_tensor_bytes", str(side["tensor_bytes"])),
        ("engine_model_size", meta["model_size"]),
        ("dropped_view_nodes", ",".join("%s=%d" % kv for kv in sorted(conv.dropped.items()))),
        ("graph_nodes_per_step", ",".join(str(s["n_nodes"]) for s in steps[:2])),
        ("step_ms", ",".join("%.1f" % s["ms"] for s in steps)),
    ]
    if a.date:
        extra.insert(1, ("capture_date", a.date))
    header["extra"] = extra
    tracefmt.write(a.out, header, conv.weights, ops)
    print("%s: %d steps, %d ops, %d weights" % (a.out, len(steps), len(ops), len(conv.weights)))


if __name__ == "__main__":
    main()
