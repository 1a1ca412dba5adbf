"""Turn torch_capture.py's aten records of an OPT run into a decode trace (traces/FORMAT.md).

One trace op per aten op that does work; ops that only make a view (view, transpose, slice, expand, a
reshape that did not copy, ...) are dropped and counted in the header. Kinds:

  aten::embedding of embed_tokens / embed_positions   embedding (weight bytes: the rows looked up)
  aten::layer_norm                                     norm      (weight a+b: scale and shift)
  aten::linear by q/k/v/out_proj, fc1, fc2             matmul_q/k/v/o, matmul_up, matmul_down (weight a+b)
  aten::linear by embed_tokens (tied head)             lm_head
  aten::copy_ into a K/V cache slot                    kv_write
  aten::matmul with the K / V cache                    attention_score / attention_value
  aten::softmax                                        softmax
  aten::relu / gelu                                    activation
  aten::add of two block activations (1, n, hidden)    residual
  other aten::add / mul                                elementwise
  a copying reshape / clone / contiguous               copy
  anything else (arange, full, triu)                   other
"""
import tracefmt

ELEM = {"F16": 2, "BF16": 2, "F32": 4, "I64": 8, "I32": 4, "BOOL": 1}
CLASS = {"q_proj": ("attn_q", "matmul_q"), "k_proj": ("attn_k", "matmul_k"), "v_proj": ("attn_v", "matmul_v"),
         "out_proj": ("attn_o", "matmul_o"), "fc1": ("ffn_up", "matmul_up"), "fc2": ("ffn_down", "matmul_down")}


def prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


def weight_table(params):
    table, ids, off = [], {}, 0
    for name, p in params.items():
        shape = list(reversed(p["shape"]))  # innermost first, as GGUF
        if "embed_tokens" in name:
            cls = "embedding"
        elif "embed_positions" in name:
            cls = "pos_embedding"
        elif "layer_norm" in name:
            cls = "norm"
        elif name.endswith(".bias"):
            cls = "bias"
        else:
            cls = CLASS[name.split(".")[-2]][0]
        ids[name] = len(table)
        table.append(dict(id=len(table), name=name, tensor_class=cls, shape=shape, dtype=p["dtype"],
                          bytes=p["bytes"], offset=off))
        off = (off + p["bytes"] + 31) // 32 * 32
    return table, ids


def convert(info, records):
    cfg = info["config"]
    H, D = cfg["heads"], cfg["hidden"]
    hd = D // H
    table, ids = weight_table(info["params"])
    wbytes = {w["name"]: w["bytes"] for w in table}
    prompt = info["prompt"]
    dropped = {}
    ops = []
    for r in records:
        step = r["step"]
        phase = "prefill" if step == 0 else "decode"
        ntok = prompt if step == 0 else 1
        ctx = prompt + step
        name = r["op"]
        short = name.split("::")[1]
        if r["view"]:
            dropped[short] = dropped.get(short, 0) + 1
            continue
        ins, outs = r["ins"], r["outs"]
        wts = [i for i in ins if i["tag"] and i["tag"].startswith("w:")]
        kvs = [i for i in ins if i["tag"] and i["tag"].startswith("kv:")]
        acts = [i for i in ins if not i["tag"] and i["dtype"] not in ("I64", "I32", "BOOL")]
        out = outs[0] if outs else dict(shape=[0], bytes=0, dtype="F32")
        oshape = out["shape"]
        rows = prod(oshape[:-1]) if len(oshape) > 1 else 1
        rec = dict(step=step, phase=phase, layer=r["layer"], kind="other", engine_op=name, m=rows,
                   n=oshape[-1] if oshape else 0, k=0, weight_id=-1, weight_bytes=0, context_len=ctx,
                   kv_read_bytes=0, kv_write_bytes=0, act_in_bytes=sum(i["bytes"] for i in acts),
                   act_out_bytes=out["bytes"], flops=0.0)
        wname = [w["tag"][2:] for w in wts]
        if short == "embedding":
            w = wname[0]
            idx = [i for i in ins if i["dtype"] in ("I64", "I32")][0]
            nrows = prod(idx["shape"])
            rec.update(kind="embedding", m=nrows, n=D, weight_id=ids[w],
                       weight_bytes=nrows * (wbytes[w] // info["params"][w]["shape"][0]), act_in_bytes=0)
        elif short == "layer_norm":
            rec.update(kind="norm", weight_id="+".join(str(ids[w]) for w in wname),
                       weight_bytes=sum(wbytes[w] for w in wname), flops=7.0 * rows * oshape[-1])
        elif short == "linear":
            w = wname[0]
            K, N = info["params"][w]["shape"][1], info["params"][w]["shape"][0]
            if "embed_tokens" in w:
                kind = "lm_head"
            else:
                kind = CLASS[w.split(".")[-2]][1]
            bias = len(wname) > 1
            rec.update(kind=kind, m=rows, n=N, k=K, weight_id="+".join(str(ids[x]) for x in wname),
                       weight_bytes=sum(wbytes[x] for x in wname),
                       flops=2.0 * rows * N * K + (rows * N if bias else 0))
        elif short == "copy_" and kvs:
            src = [i for i in ins if not i["tag"]][0]
            rec.update(kind="kv_write", m=ntok, n=H * hd, kv_write_bytes=src["bytes"] // ELEM[src["dtype"]] *
                       ELEM[kvs[0]["dtype"]], act_in_bytes=src["bytes"], act_out_bytes=0)
        elif short in ("matmul", "bmm") and kvs:
            kvt = kvs[0]
            is_k = kvt["tag"].startswith("kv:k")
            kvb = prod(kvt["shape"]) * ELEM[kvt["dtype"]]
            L = kvt["shape"][-1] if is_k else kvt["shape"][-2]
            assert L == ctx, (L, ctx)
            if is_k:
                rec.update(kind="attention_score", m=ntok * H, n=L, k=hd)
            else:
                rec.update(kind="attention_value", m=ntok * H, n=hd, k=L)
            rec.update(kv_read_bytes=kvb, flops=2.0 * ntok * H * L * hd)
        elif short in ("softmax", "_softmax"):
            rec.update(kind="softmax", m=ntok * H, n=ctx, flops=5.0 * prod(oshape))
        elif short in ("relu", "gelu", "silu"):
            rec.update(kind="activation", flops={"relu": 1.0, "gelu": 8.0, "silu": 4.0}[short] * prod(oshape))
        elif short == "add" and r["layer"] >= 0 and len(acts) == 2 and len(oshape) == 3 and oshape[-1] == D:
            rec.update(kind="residual", flops=float(prod(oshape)))
        elif short in ("add", "mul", "div", "sub"):
            rec.update(kind="elementwise", flops=float(prod(oshape)))
        elif short in ("reshape", "clone", "contiguous", "_to_copy", "copy_"):
            rec.update(kind="copy", act_in_bytes=out["bytes"])
        ops.append(rec)
    return table, ops, dropped


def write(info, records, path, command=""):
    cfg = info["config"]
    table, ops, dropped = convert(info, records)
    dt = info["dtype"]
    header = dict(source_engine="pytorch", source_version="torch %s (Debian python3-torch)" % info["torch_version"],
                  model=info["model"], architecture="opt", hidden=cfg["hidden"], intermediate=cfg["ffn"],
                  layers=cfg["layers"], heads=cfg["heads"], kv_heads=cfg["heads"],
                  head_dim=cfg["hidden"] // cfg["heads"], vocab=cfg["vocab"], tied_embeddings=True,
                  activation="relu", weight_format=dt, kv_dtype=dt, act_dtype=dt, batch=1,
                  prompt_len=info["prompt"], decode_steps=info["decode"])
    extra = []
    if command:
        extra.append(("capture_command", command))
    extra += [
        ("capture_date", info["date"]),
        ("capture_device", info["device"] + (" (shape-only dispatch, no compute)" if info["device"] == "meta" else
                                             " (real compute, %d threads)" % info["threads"])),
        ("capture_weights", "random normal std 0.02, LayerNorm 1/0, biases 0" if info["device"] != "meta"
         else "none (meta tensors)"),
        ("capture_mode", "torch.inference_mode + TorchDispatchMode; static KV cache [1,heads,n_ctx,head_dim], "
                         "attention over the slice [:context_len]"),
        ("n_ctx", str(info["prompt"] + info["decode"])),
        ("dropped_view_ops", ",".join("%s=%d" % kv for kv in sorted(dropped.items())) or "none"),
    ]
    if info["device"] != "meta":
        extra.append(("step_ms", ",".join("%.1f" % x for x in info["step_ms"])))
    header["extra"] = extra
    tracefmt.write(path, header, table, ops)
    return len(ops)

