"""Writer (and a small reader for checks) of the LXT decode-trace format, version 1 (traces/FORMAT.md).

write(path, header, weights, ops)
  header : dict with the keys of traces/FORMAT.md "Header keys" (records is filled in here) plus
           "extra": list of (key, value) pairs written after them in order
  weights: list of dicts id, name, tensor_class, shape, dtype, bytes, offset
  ops    : list of dicts step, phase, layer, kind, engine_op, m, n, k, weight_id (int or "a+b"), weight_bytes,
           context_len, kv_read_bytes, kv_write_bytes, act_in_bytes, act_out_bytes, flops
"""
import gzip
import zlib

HEADER_KEYS = ["source_engine", "source_version", "model", "architecture", "hidden", "intermediate", "layers",
               "heads", "kv_heads", "head_dim", "vocab", "tied_embeddings", "activation", "weight_format",
               "kv_dtype", "act_dtype", "batch", "prompt_len", "decode_steps", "records"]
OP_FIELDS = ["step", "phase", "layer", "kind", "engine_op", "m", "n", "k", "weight_id", "weight_bytes",
             "context_len", "kv_read_bytes", "kv_write_bytes", "act_in_bytes", "act_out_bytes", "flops"]
KINDS = set("embedding norm matmul_q matmul_k matmul_v matmul_qkv matmul_o matmul_gate matmul_up matmul_down "
            "lm_head rope kv_write attention_score softmax attention_value attention activation elementwise "
            "residual copy other".split())
# dtype -> (bytes per block, weights per block)
DTYPE_BLOCK = {"F32": (4, 1), "F16": (2, 1), "BF16": (2, 1), "FP8": (1, 1), "Q8_0": (34, 32), "Q4_0": (18, 32),
               "Q4_1": (20, 32), "Q5_0": (22, 32), "Q5_1": (24, 32), "Q2_K": (84, 256), "Q3_K": (110, 256),
               "Q4_K": (144, 256), "Q5_K": (176, 256), "Q6_K": (210, 256)}


def _val(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    s = str(v)
    if s == "" or "\t" in s or "\n" in s:
        raise ValueError("bad trace field %r" % (s,))
    return s


def stored_bytes(shape, dtype):
    b, e = DTYPE_BLOCK[dtype]
    rows = 1
    for d in shape[1:]:
        rows *= d
    assert shape[0] % e == 0, (shape, dtype)
    return rows * shape[0] // e * b


def render(header, weights, ops):
    lines = ["LXT\t1"]
    h = dict(header)
    h["records"] = len(ops)
    for key in HEADER_KEYS[:-1]:
        lines.append("h\t%s\t%s" % (key, _val(h[key])))
    for key, value in h.get("extra", []):
        assert key not in HEADER_KEYS, key
        lines.append("h\t%s\t%s" % (key, _val(value)))
    lines.append("h\trecords\t%d" % len(ops))  # last, as the C++ writer does
    seen = {}
    for w in weights:
        seen.setdefault(w["tensor_class"], w["dtype"])
    for cls, dt in seen.items():
        b, e = DTYPE_BLOCK[dt]
        lines.append("c\t%s\t%s\t%d/%d" % (cls, dt, b, e))
    for i, w in enumerate(weights):
        assert w["id"] == i
        assert w["bytes"] == stored_bytes(w["shape"], w["dtype"]), w
        lines.append("w\t%d\t%s\t%s\t%s\t%s\t%d\t%d" % (i, _val(w["name"]), w["tensor_class"],
                                                        ",".join(str(x) for x in w["shape"]), w["dtype"],
                                                        w["bytes"], w["offset"]))
    for op in ops:
        assert op["kind"] in KINDS, op
        lines.append("\t".join(_val(op[f]) for f in OP_FIELDS))
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return body + ("end\t%d\t%08x\n" % (len(ops), zlib.crc32(body) & 0xFFFFFFFF)).encode("ascii")


def write(path, header, weights, ops):
    data = render(header, weights, ops)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            gz.write(data)


def read(path):
    """Minimal reader for our own checks: returns (header dict, weights list, ops list of dicts)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as fh:
        data = fh.read()
    text = data.decode("utf-8")
    body_end = text.rstrip("\n").rfind("\n") + 1
    last = text[body_end:].rstrip("\n").split("\t")
    if last[0] != "end" or int(last[2], 16) != zlib.crc32(data[:len(text[:body_end].encode())]) & 0xFFFFFFFF:
        raise ValueError("%s: bad trailer" % path)
    header, weights, ops = {}, [], []
    for line in text[:body_end].splitlines()[1:]:
        f = line.split("\t")
        if f[0] == "h":
            header[f[1]] = f[2]
        elif f[0] == "c":
            continue
        elif f[0] == "w":
            weights.append(dict(id=int(f[1]), name=f[2], tensor_class=f[3], shape=[int(x) for x in f[4].split(",")],
                                dtype=f[5], bytes=int(f[6]), offset=int(f[7])))
        else:
            op = dict(zip(OP_FIELDS, f))
            for k in OP_FIELDS:
                if k in ("phase", "kind", "engine_op", "weight_id"):
                    continue
                op[k] = float(op[k]) if k == "flops" else int(op[k])
            ops.append(op)
    if int(last[1]) != len(ops) or int(header["records"]) != len(ops):
        raise ValueError("%s: record count mismatch" % path)
    return header, weights, ops
