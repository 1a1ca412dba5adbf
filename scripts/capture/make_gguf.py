#!/usr/bin/python3
"""Write a GGUF (version 3) for a Llama-architecture model at a public model's real shapes, without weights.

Only the shapes and storage types matter for a decode trace (they fix the op sequence and the bytes every op
reads), so the matrices are left as zeros: after the header and tensor infos the file is extended with
truncate(), which leaves the tensor data as a sparse hole that costs no disk and reads back as zeros through
mmap. A zero block is a valid block in every ggml type used here (F16 0.0; Q8_0/Q4_0/Q6_K with scale 0).
The RMSNorm weights (1-D, F32, small) are written as 1.0 so that norms are the identity rather than zero.

Storage types follow what llama-quantize of the bundled llama.cpp assigns for the file type:
  F16  : 2-D tensors F16, 1-D norm weights F32
  Q8_0 : 2-D tensors Q8_0 (output.weight too), norms F32
  Q4_0 : 2-D tensors Q4_0, output.weight Q6_K (the quantizer's default for the output tensor), norms F32

The tokenizer is a synthetic SentencePiece-style ("llama") vocabulary of the model's real size:
<unk>, <s>, </s>, the 256 byte tokens <0x00>..<0xFF>, then filler tokens. The op graph does not depend on
the vocabulary's contents, only on its size (embedding and output matrices).

A JSON side file (same name + .json) lists every tensor: name, shape (innermost first), type, bytes, offset
in the data section, so convert.py can build the trace's weight table without parsing the GGUF again.

Usage: make_gguf.py MODEL FTYPE OUT.gguf      MODEL in MODELS below, FTYPE in F16, Q8_0, Q4_0
"""
import json
import struct
import sys

# config.json numbers (see shared/reference/model-configs.md); rms eps and rope theta from the same configs.
MODELS = {
    "TinyLlama-1.1B": dict(hidden=2048, ffn=5632, layers=22, heads=32, kv_heads=4, head_dim=64, vocab=32000,
                           ctx=2048, eps=1e-5, theta=10000.0),
    "Llama-2-7B": dict(hidden=4096, ffn=11008, layers=32, heads=32, kv_heads=32, head_dim=128, vocab=32000,
                       ctx=4096, eps=1e-5, theta=10000.0),
    "Llama-3-8B": dict(hidden=4096, ffn=14336, layers=32, heads=32, kv_heads=8, head_dim=128, vocab=128256,
                       ctx=8192, eps=1e-5, theta=500000.0),
}

# ggml type ids and (block elements, block bytes)
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "Q8_0": (8, 32, 34), "Q6_K": (14, 256, 210)}
# llama_ftype ids for general.file_type
FTYPE_ID = {"F16": 1, "Q4_0": 2, "Q8_0": 7}

ALIGN = 32

# GGUF metadata value types
T_U32, T_I32, T_F32, T_STR, T_ARR = 4, 5, 6, 8, 9


def s_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, value):
    out = s_str(key) + struct.pack("<I", vtype)
    if vtype == T_U32:
        out += struct.pack("<I", value)
    elif vtype == T_I32:
        out += struct.pack("<i", value)
    elif vtype == T_F32:
        out += struct.pack("<f", value)
    elif vtype == T_STR:
        out += s_str(value)
    else:
        raise ValueError(vtype)
    return out


def kv_array(key, etype, values):
    out = bytearray(s_str(key) + struct.pack("<IIQ", T_ARR, etype, len(values)))
    if etype == T_STR:
        for v in values:
            out += s_str(v)
    elif etype == T_F32:
        out += struct.pack("<%df" % len(values), *values)
    elif etype == T_I32:
        out += struct.pack("<%di" % len(values), *values)
    else:
        raise ValueError(etype)
    return bytes(out)


def tensor_bytes(shape, tname):
    _, blk, bb = GGML[tname]
    n = 1
    for d in shape:
        n *= d
    assert shape[0] % blk == 0, (shape, tname)
    return n // blk * bb


def tensor_list(c, ftype):
    h, f, hd = c["hidden"], c["ffn"], c["head_dim"]
    q_out, kv_out = c["heads"] * hd, c["kv_heads"] * hd
    mat = ftype
    out_t = "Q6_K" if ftype == "Q4_0" else ftype
    ts = [("token_embd.weight", [h, c["vocab"]], mat)]
    for i in range(c["layers"]):
        p = "blk.%d." % i
        ts += [
            (p + "attn_norm.weight", [h], "F32"),
            (p + "attn_q.weight", [h, q_out], mat),
            (p + "attn_k.weight", [h, kv_out], mat),
            (p + "attn_v.weight", [h, kv_out], mat),
            (p + "attn_output.weight", [q_out, h], mat),
            (p + "ffn_norm.weight", [h], "F32"),
            (p + "ffn_gate.weight", [h, f], mat),
            (p + "ffn_up.weight", [h, f], mat),
            (p + "ffn_down.weight", [f, h], mat),
        ]
    ts += [("output_norm.weight", [h], "F32"), ("output.weight", [h, c["vocab"]], out_t)]
    return ts


def vocab(n):
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    types = [2, 3, 3] + [6] * 256  # UNKNOWN, CONTROL, CONTROL, BYTE...
    i = 0
    while len(toks) < n:
        toks.append("\u2581t%d" % i)
        types.append(1)  # NORMAL
        i += 1
    scores = [0.0] * 3 + [0.0] * 256 + [-float(k) for k in range(n - 259)]
    return toks, scores, types


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in MODELS or sys.argv[2] not in FTYPE_ID:
        sys.stderr.write(__doc__)
        sys.exit(2)
    name, ftype, path = sys.argv[1:]
    c = MODELS[name]
    ts = tensor_list(c, ftype)

    meta = [
        kv("general.architecture", T_STR, "llama"),
        kv("general.name", T_STR, "%s (synthetic zero weights, shapes only)" % name),
        kv("general.file_type", T_U32, FTYPE_ID[ftype]),
        kv("general.alignment", T_U32, ALIGN),
        kv("llama.vocab_size", T_U32, c["vocab"]),
        kv("llama.context_length", T_U32, c["ctx"]),
        kv("llama.embedding_length", T_U32, c["hidden"]),
        kv("llama.block_count", T_U32, c["layers"]),
        kv("llama.feed_forward_length", T_U32, c["ffn"]),
        kv("llama.attention.head_count", T_U32, c["heads"]),
        kv("llama.attention.head_count_kv", T_U32, c["kv_heads"]),
        kv("llama.rope.dimension_count", T_U32, c["head_dim"]),
        kv("llama.rope.freq_base", T_F32, c["theta"]),
        kv("llama.attention.layer_norm_rms_epsilon", T_F32, c["eps"]),
        kv("tokenizer.ggml.model", T_STR, "llama"),
    ]
    toks, scores, types = vocab(c["vocab"])
    meta += [
        kv_array("tokenizer.ggml.tokens", T_STR, toks),
        kv_array("tokenizer.ggml.scores", T_F32, scores),
        kv_array("tokenizer.ggml.token_type", T_I32, types),
        kv("tokenizer.ggml.unknown_token_id", T_U32, 0),
        kv("tokenizer.ggml.bos_token_id", T_U32, 1),
        kv("tokenizer.ggml.eos_token_id", T_U32, 2),
    ]

    infos = bytearray()
    table = []
    off = 0
    for tn, shape, tt in ts:
        nb = tensor_bytes(shape, tt)
        infos += s_str(tn) + struct.pack("<I", len(shape)) + struct.pack("<%dQ" % len(shape), *shape)
        infos += struct.pack("<IQ", GGML[tt][0], off)
        table.append(dict(name=tn, shape=shape, type=tt, bytes=nb, offset=off))
        off += nb
        off = (off + ALIGN - 1) // ALIGN * ALIGN

    head = b"GGUF" + struct.pack("<IQQ", 3, len(ts), len(meta)) + b"".join(meta) + bytes(infos)
    data_start = (len(head) + ALIGN - 1) // ALIGN * ALIGN
    with open(path, "wb") as fh:
        fh.write(head)
        fh.write(b"\0" * (data_start - len(head)))
        for t in table:
            if t["type"] == "F32":  # norm weights: ones
                fh.seek(data_start + t["offset"])
                n = t["bytes"] // 4
                fh.write(struct.pack("<%df" % n, *([1.0] * n)))
        fh.truncate(data_start + off)
    side = dict(model=name, ftype=ftype, config=c, data_start=data_start, data_bytes=off,
                tensor_bytes=sum(t["bytes"] for t in table), tensors=table)
    with open(path + ".json", "w") as fh:
        json.dump(side, fh, indent=0)
    print("%s: %d tensors, %d tensor bytes, file %d bytes" % (path, len(table), side["tensor_bytes"], data_start + off))


if __name__ == "__main__":
    main()
