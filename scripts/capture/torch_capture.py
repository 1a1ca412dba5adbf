#!/usr/bin/python3
"""Capture a decode trace from PyTorch's dispatcher for an OPT-architecture model (maintainer tool).

The model is built here in plain torch from the public config numbers (no weights are downloaded, no
transformers package): learned positions (offset 2), pre-LayerNorm decoder blocks with biased q/k/v/out
projections, ReLU FFN (fc1/fc2), final LayerNorm, lm_head tied to the token embedding. Weights are random
(normal, std 0.02) on --device cpu, or shape-only on --device meta.

Generation: one prefill of --prompt tokens, then --decode single-token steps with greedy picks, using a static
KV cache (per layer a preallocated [1, heads, ctx, head_dim] K and V tensor; the new token's K/V are copied
into their slot, attention reads the slice [:context]).

Every aten op below autograd is recorded through torch.utils._python_dispatch.TorchDispatchMode with its
input/output shapes, dtypes and bytes. Tensors are tagged so the converter knows which inputs are weights
(parameter name) or KV cache (k/v + layer); views of a tagged tensor inherit the tag.

On --device cpu torch 1.13 (Debian) has no F16 matmul kernels, so --dtype f16 requires --device meta; a cpu
run in bf16 gives the same op sequence with 2-byte tensors (checked by --compare, see README).

Writes the trace (traces/FORMAT.md) with tracefmt.py, or the raw records with --raw-out.
"""
import argparse
import json
import math
import os
import sys
import time
import weakref

import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, HERE)

OPT = {
    # hidden, ffn_dim, layers, heads, vocab, max_position_embeddings (config.json numbers)
    "OPT-125M": dict(hidden=768, ffn=3072, layers=12, heads=12, vocab=50272, max_pos=2048),
    "OPT-1.3B": dict(hidden=2048, ffn=8192, layers=24, heads=32, vocab=50272, max_pos=2048),
    "OPT-6.7B": dict(hidden=4096, ffn=16384, layers=32, heads=32, vocab=50272, max_pos=2048),
}

DTYPES = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32}
DTYPE_NAME = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.int64: "I64",
              torch.int32: "I32", torch.bool: "BOOL"}

# aten ops that only make a new view of existing storage (no data movement)
VIEW_OPS = {"view", "_unsafe_view", "t", "transpose", "permute", "expand", "slice", "select", "unsqueeze",
            "squeeze", "detach", "alias", "_reshape_alias", "as_strided", "reshape", "unflatten", "split",
            "narrow", "lift_fresh"}
COPYING_VIEWS = {"reshape", "flatten", "unflatten"}


class State:
    step = 0
    layer = -1
    tags = {}      # id(tensor) -> tag string (dropped when the tensor is freed, so ids are never stale)
    records = []


def set_tag(t, tag):
    State.tags[id(t)] = tag
    weakref.finalize(t, State.tags.pop, id(t), None)


def tag_of(t):
    return State.tags.get(id(t)) if isinstance(t, torch.Tensor) else None


def describe(t):
    return dict(shape=list(t.shape), dtype=DTYPE_NAME.get(t.dtype, str(t.dtype)),
                bytes=t.numel() * t.element_size(), tag=tag_of(t))


class Recorder(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        name = func.overloadpacket.__name__
        ins = []
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, torch.Tensor):
                ins.append(describe(a))
            elif isinstance(a, (list, tuple)):
                ins.extend(describe(x) for x in a if isinstance(x, torch.Tensor))
        outs = out if isinstance(out, (list, tuple)) else [out]
        outs = [o for o in outs if isinstance(o, torch.Tensor)]
        view = name in VIEW_OPS
        if name in COPYING_VIEWS and view:  # a reshape of a non-viewable layout copies
            try:
                args[0].view(outs[0].shape)
            except RuntimeError:
                view = False
        if view:
            src_tag = next((i["tag"] for i in ins if i["tag"]), None)
            if src_tag:
                for o in outs:
                    set_tag(o, src_tag)
        # in-place / out= ops that write into a tagged tensor (the KV cache copy)
        State.records.append(dict(step=State.step, layer=State.layer, op="aten::" + name,
                                  overload=func._overloadname, view=view, ins=ins,
                                  outs=[describe(o) for o in outs]))
        return out


class OPTModel:
    def __init__(self, cfg, dtype, device, ctx):
        h, f, L = cfg["hidden"], cfg["ffn"], cfg["layers"]
        self.cfg, self.dtype, self.device, self.ctx = cfg, dtype, device, ctx
        self.heads, self.hd = cfg["heads"], h // cfg["heads"]
        g = torch.Generator().manual_seed(0)

        def w(*shape):
            t = torch.empty(*shape, dtype=dtype, device=device)
            if device != "meta":
                # fill in f32 chunks (normal_ on bf16 is slow) with std 0.02, deterministic
                flat = t.view(-1)
                step = 1 << 24
                for i in range(0, flat.numel(), step):
                    n = min(step, flat.numel() - i)
                    flat[i:i + n].copy_(torch.randn(n, generator=g) * 0.02)
            return t

        def zeros(*shape):
            return torch.zeros(*shape, dtype=dtype, device=device)

        def ones(*shape):
            return torch.ones(*shape, dtype=dtype, device=device)

        p = {}
        p["decoder.embed_tokens.weight"] = w(cfg["vocab"], h)
        p["decoder.embed_positions.weight"] = w(cfg["max_pos"] + 2, h)
        for i in range(L):
            b = "decoder.layers.%d." % i
            p[b + "self_attn_layer_norm.weight"], p[b + "self_attn_layer_norm.bias"] = ones(h), zeros(h)
            for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
                p[b + "self_attn.%s.weight" % n], p[b + "self_attn.%s.bias" % n] = w(h, h), zeros(h)
            p[b + "final_layer_norm.weight"], p[b + "final_layer_norm.bias"] = ones(h), zeros(h)
            p[b + "fc1.weight"], p[b + "fc1.bias"] = w(f, h), zeros(f)
            p[b + "fc2.weight"], p[b + "fc2.bias"] = w(h, f), zeros(h)
        p["decoder.final_layer_norm.weight"], p["decoder.final_layer_norm.bias"] = ones(h), zeros(h)
        self.p = p
        for n, t in p.items():
            set_tag(t, "w:" + n)
        # lm_head is tied: the same tensor as the token embedding, used as a matrix
        self.k_cache, self.v_cache = [], []
        for i in range(L):
            k = torch.zeros(1, self.heads, ctx, self.hd, dtype=dtype, device=device)
            v = torch.zeros(1, self.heads, ctx, self.hd, dtype=dtype, device=device)
            set_tag(k, "kv:k:%d" % i)
            set_tag(v, "kv:v:%d" % i)
            self.k_cache.append(k)
            self.v_cache.append(v)

    def forward(self, tokens, n_past):
        p, h, H, hd = self.p, self.cfg["hidden"], self.heads, self.hd
        n = tokens.shape[1]
        ctx = n_past + n
        State.layer = -1
        x = F.embedding(tokens, p["decoder.embed_tokens.weight"])
        pos = torch.arange(n_past + 2, ctx + 2, device=self.device).unsqueeze(0)
        x = x + F.embedding(pos, p["decoder.embed_positions.weight"])
        mask = None
        if n > 1:
            mask = torch.full((n, ctx), float("-inf"), dtype=self.dtype, device=self.device)
            mask = torch.triu(mask, diagonal=n_past + 1)
        for i in range(self.cfg["layers"]):
            State.layer = i
            b = "decoder.layers.%d." % i
            r = x
            y = F.layer_norm(x, (h,), p[b + "self_attn_layer_norm.weight"], p[b + "self_attn_layer_norm.bias"])
            q = F.linear(y, p[b + "self_attn.q_proj.weight"], p[b + "self_attn.q_proj.bias"]) * (hd ** -0.5)
            k = F.linear(y, p[b + "self_attn.k_proj.weight"], p[b + "self_attn.k_proj.bias"])
            v = F.linear(y, p[b + "self_attn.v_proj.weight"], p[b + "self_attn.v_proj.bias"])
            q = q.view(1, n, H, hd).transpose(1, 2)
            k = k.view(1, n, H, hd).transpose(1, 2)
            v = v.view(1, n, H, hd).transpose(1, 2)
            self.k_cache[i][:, :, n_past:ctx].copy_(k)
            self.v_cache[i][:, :, n_past:ctx].copy_(v)
            kc = self.k_cache[i][:, :, :ctx]
            vc = self.v_cache[i][:, :, :ctx]
            s = torch.matmul(q, kc.transpose(2, 3))
            if mask is not None:
                s = s + mask
            a = torch.softmax(s, dim=-1)
            o = torch.matmul(a, vc)
            o = o.transpose(1, 2).reshape(1, n, h)
            o = F.linear(o, p[b + "self_attn.out_proj.weight"], p[b + "self_attn.out_proj.bias"])
            x = r + o
            r = x
            y = F.layer_norm(x, (h,), p[b + "final_layer_norm.weight"], p[b + "final_layer_norm.bias"])
            y = F.linear(y, p[b + "fc1.weight"], p[b + "fc1.bias"])
            y = F.relu(y)
            y = F.linear(y, p[b + "fc2.weight"], p[b + "fc2.bias"])
            x = r + y
        State.layer = -1
        x = F.layer_norm(x[:, -1:, :], (h,), p["decoder.final_layer_norm.weight"], p["decoder.final_layer_norm.bias"])
        return F.linear(x, p["decoder.embed_tokens.weight"])


def run(args):
    cfg = OPT[args.model]
    dtype = DTYPES[args.dtype]
    torch.set_num_threads(args.threads)
    ctx = args.prompt + args.decode
    t0 = time.time()
    model = OPTModel(cfg, dtype, args.device, ctx)
    t_init = time.time() - t0
    gen = torch.Generator().manual_seed(1234)
    tokens = torch.randint(4, cfg["vocab"], (1, args.prompt), generator=gen).to(args.device)
    tokens[0, 0] = 2  # OPT's BOS (</s>)
    step_ms = []
    with torch.inference_mode():
        n_past = 0
        for step in range(args.decode + 1):
            State.step = step
            t = time.time()
            with Recorder():
                logits = model.forward(tokens, n_past)
            step_ms.append((time.time() - t) * 1000)
            n_past += tokens.shape[1]
            if args.device == "meta":
                nxt = (step * 7919) % cfg["vocab"]
            else:
                nxt = int(logits[0, -1].float().argmax())
            tokens = torch.tensor([[nxt]], device=args.device)
            if step % 16 == 0:
                sys.stderr.write("torch_capture: step %d/%d %.0f ms\n" % (step, args.decode, step_ms[-1]))
    info = dict(date=time.strftime("%Y-%m-%d", time.gmtime()), model=args.model, config=cfg,
                dtype=DTYPE_NAME[dtype], device=args.device, prompt=args.prompt,
                decode=args.decode, threads=args.threads, init_s=round(t_init, 1),
                step_ms=[round(x, 1) for x in step_ms], torch_version=torch.__version__,
                params={n: dict(shape=list(t.shape), dtype=DTYPE_NAME[t.dtype], bytes=t.numel() * t.element_size())
                        for n, t in model.p.items()})
    return info, State.records


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="OPT-1.3B", choices=sorted(OPT))
    ap.add_argument("--dtype", default="bf16", choices=sorted(DTYPES))
    ap.add_argument("--device", default="cpu", choices=["cpu", "meta"])
    ap.add_argument("--prompt", type=int, default=32)
    ap.add_argument("--decode", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--raw-out", help="write raw records (JSON lines) here")
    ap.add_argument("--command", default="")
    ap.add_argument("-o", "--out", help="trace file to write (.lxt.gz)")
    args = ap.parse_args()
    if args.device == "cpu" and args.dtype == "f16":
        sys.exit("torch_capture: this torch has no CPU F16 matmul; use --device meta or --dtype bf16")
    info, records = run(args)
    if args.raw_out:
        with open(args.raw_out, "w") as fh:
            fh.write(json.dumps(info) + "\n")
            for r in records:
                fh.write(json.dumps(r) + "\n")
    if args.out:
        import convert_torch
        n = convert_torch.write(info, records, args.out, args.command)
        sys.stderr.write("torch_capture: wrote %s (%d op records)\n" % (args.out, n))
    sys.stderr.write("torch_capture: %d records, init %.1fs, prefill %.0f ms, mean decode %.0f ms\n" % (
        len(records), info["init_s"], info["step_ms"][0],
        sum(info["step_ms"][1:]) / max(1, len(info["step_ms"]) - 1)))


if __name__ == "__main__":
    main()
