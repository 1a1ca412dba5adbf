// Trace transforms: weight formats, KV and activation precision, batch and decode steps (see quantize.h).
// Every op is re-derived from its kind and dims by traces/FORMAT.md's counting rules: weight bytes from the
// new weight table, KV bytes from the KV dtype and the context, activation bytes from element counts, FLOPs
// scaled with the rows (batch) or recomputed from the context for attention. Leaves out: prompt-length
// changes.
#include "explorer/trace/quantize.h"

#include <algorithm>
#include <cctype>

#include "explorer/trace/dtype.h"
#include "explorer/trace/moe.h"
#include "explorer/trace/reshape.h"
#include "models/core/error.h"

namespace llmx::trace {

namespace {

bool is_matrix_class(const std::string& cls) {
  return cls == "attn_q" || cls == "attn_k" || cls == "attn_v" || cls == "attn_qkv" || cls == "attn_o" ||
         cls == "ffn_gate" || cls == "ffn_up" || cls == "ffn_down" || cls == "ffn_gate_exps" ||
         cls == "ffn_up_exps" || cls == "ffn_down_exps" || cls == "ffn_gate_shexp" || cls == "ffn_up_shexp" ||
         cls == "ffn_down_shexp" || cls == "attn_q_a" || cls == "attn_q_b" || cls == "attn_kv_a_mqa" ||
         cls == "attn_k_b" || cls == "attn_v_b";
}

// Bits per weight of a format, to tell llama-quantize's "below 8 bits" case.
double bits_per_weight(const std::string& dtype) {
  const BlockLayout l = dtype_layout(dtype);
  return 8.0 * static_cast<double>(l.block_bytes) / static_cast<double>(l.block_elems);
}

bool is_attention_kind(OpKind k) {
  return k == OpKind::attention_score || k == OpKind::softmax || k == OpKind::attention_value ||
         k == OpKind::attention;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// llama-quantize's fallback for a K-quant whose rows are no multiple of its 256-weight super-block
// (llama_tensor_get_type, convert_incompatible_tensor): Q2_K/Q3_K -> IQ4_NL, Q4_K -> Q5_0, Q5_K -> Q5_1,
// Q6_K -> Q8_0, and F16 when the row is no multiple of 32 either (MoE experts of 1408: Qwen-MoE, DeepSeek).
std::string gguf_fallback(const std::string& dtype, const WeightInfo& w) {
  const BlockLayout l = dtype_layout(dtype);
  if (!l.gguf || l.block_elems != 256 || w.shape.empty() || w.shape[0] % 256 == 0) return dtype;
  const char* fallback = dtype == "Q4_K"   ? "Q5_0"
                         : dtype == "Q5_K" ? "Q5_1"
                         : dtype == "Q6_K" ? "Q8_0"
                                           : "IQ4_NL";
  return w.shape[0] % 32 == 0 ? fallback : "F16";
}

}  // namespace

std::string target_dtype(const WeightInfo& w, const std::string& format, const std::string& embeddings,
                         bool tied_embeddings) {
  if (format.empty()) return w.dtype;
  if (embeddings != "auto" && embeddings != "keep" && embeddings != "same")
    throw Error(cat("embeddings policy '", embeddings, "' (auto, keep or same)"));
  if (is_matrix_class(w.tensor_class)) return gguf_fallback(format, w);
  const bool embedding_like =
      w.tensor_class == "embedding" || w.tensor_class == "lm_head" || w.tensor_class == "pos_embedding";
  if (!embedding_like) return w.dtype;  // norm scales/shifts and biases
  if (embeddings == "keep") return w.dtype;
  if (embeddings == "same") return gguf_fallback(format, w);
  // auto: llama-quantize's assignment for GGUF formats, keep otherwise.
  if (!is_gguf_quant(format) && format != "F16" && format != "BF16" && format != "F32") return w.dtype;
  const bool output = w.tensor_class == "lm_head" || (tied_embeddings && w.tensor_class == "embedding");
  if (output && is_gguf_quant(format) && bits_per_weight(format) < 8.0) return gguf_fallback("Q6_K", w);
  return gguf_fallback(format, w);
}

std::string weight_format_name(const std::string& name_in, uint64_t group) {
  const std::string name = upper(name_in);
  BlockLayout l;
  if (dtype_layout(name, l) && name != "INT8" && name != "INT4") return name;
  const uint64_t g = group ? group : 128;
  auto bits_of = [&](size_t from, size_t to) -> uint32_t {
    const std::string digits = name.substr(from, to - from);
    if (digits.empty() || digits.size() > 2 || !std::all_of(digits.begin(), digits.end(), ::isdigit))
      return 0;
    return static_cast<uint32_t>(std::stoul(digits));
  };
  std::string out;
  if (name.rfind("INT", 0) == 0) {
    const bool sym = name.back() == 'S';
    const uint32_t b = bits_of(3, name.size() - (sym ? 1 : 0));
    if (b) out = int_dtype(b, g, sym);
  } else if (name.rfind("BCQ", 0) == 0) {
    const uint32_t b = bits_of(3, name.size());
    if (b) out = bcq_dtype(b, g);
  }
  if (out.empty() || !dtype_layout(out, l))
    throw Error(cat("unknown weight format '", name_in,
                    "' (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K..Q6_K, INT8..INT2[S], BCQ1..BCQ8, "
                    "or a full name such as INT4_G128)"));
  return out;
}

uint64_t kv_row_bytes(const Header& h) {
  return row_bytes(h.kv_dtype, uint64_t{h.kv_heads} * h.head_dim);
}

void assign_offsets(std::vector<WeightInfo>& weights, uint64_t align) {
  uint64_t at = 0;
  for (WeightInfo& w : weights) {
    at = (at + align - 1) / align * align;
    w.offset = at;
    at += w.bytes;
  }
}

Trace transform_trace(const Trace& in, const TransformSpec& spec) {
  const Header& ho = in.header;
  Trace out;
  out.header = ho;
  Header& hn = out.header;
  std::string what;
  auto note = [&](const std::string& s) { what += (what.empty() ? "" : ",") + s; };

  // Weights.
  out.weights = in.weights;
  if (!spec.weights.empty()) {
    dtype_layout(spec.weights);
    for (WeightInfo& w : out.weights) {
      w.dtype = target_dtype(w, spec.weights, spec.embeddings, ho.tied_embeddings);
      try {
        w.bytes = stored_bytes(w.dtype, w.shape);
      } catch (const Error& e) {
        throw Error(cat("weight ", w.name, ": ", e.what()));
      }
    }
    assign_offsets(out.weights);
    hn.weight_format = spec.weights;
    note(
        cat("weights=", spec.weights, spec.embeddings != "auto" ? cat("/embeddings=", spec.embeddings) : ""));
  }
  if (!spec.kv_dtype.empty()) {
    BlockLayout l;
    if (!dtype_layout(spec.kv_dtype, l)) throw Error(cat("unknown KV dtype '", spec.kv_dtype, "'"));
    hn.kv_dtype = spec.kv_dtype;
    note("kv=" + spec.kv_dtype);
  }
  if (!spec.act_dtype.empty()) {
    act_bits(spec.act_dtype);
    hn.act_dtype = spec.act_dtype;
    note("act=" + spec.act_dtype);
  }
  if (spec.batch) {
    if (spec.batch != ho.batch) hn.moe.routing_recorded = false;
    hn.batch = spec.batch;
    note(cat("batch=", spec.batch));
  }
  if (spec.decode_steps >= 0) {
    if (spec.decode_steps > static_cast<int64_t>(UINT32_MAX)) throw Error("too many decode steps");
    hn.decode_steps = static_cast<uint32_t>(spec.decode_steps);
    note(cat("steps=", spec.decode_steps));
  }
  if (ho.batch == 0) throw Error("the trace's batch is 0");
  const uint32_t bits_old = act_bits(ho.act_dtype);
  const uint64_t kv_row = kv_row_bytes(hn);
  const uint64_t Bo = ho.batch, Bn = hn.batch;

  // Activation bytes -> elements (old dtype) -> rows scaled by the batch -> bytes (new dtype).
  auto act_rescale = [&](uint64_t bytes, uint64_t rec) {
    const uint64_t elems = bytes * 8 / bits_old;
    if (elems % Bo != 0)
      throw Error(cat("op ", rec, ": activation elements not divisible by the batch ", Bo));
    return act_bytes(hn.act_dtype, elems / Bo * Bn);
  };
  auto weight_bytes_of = [&](const Op& o) -> uint64_t {
    uint64_t sum = 0;
    for (int64_t id : {o.weight_id, o.weight_id2}) {
      if (id < 0) continue;
      const WeightInfo& w = out.weights[static_cast<size_t>(id)];
      sum += o.kind == OpKind::embedding ? o.m * row_bytes(w.dtype, w.shape[0]) : w.bytes;
    }
    return sum;
  };
  // Re-derives one op for the new header, its context set to `ctx`.
  auto derive = [&](const Op& src, uint32_t ctx, uint64_t rec) {
    Op o = src;
    if (src.m % Bo != 0)
      throw Error(cat("op ", rec, ": rows (m = ", src.m, ") not divisible by the batch ", Bo));
    o.m = src.m / Bo * Bn;
    o.context_len = ctx;
    const double scale = static_cast<double>(Bn) / static_cast<double>(Bo);
    // The keys the step attends over (a sliding window bounds them) and each head's dim as the op records
    // it (the score's k, the value's n: they differ for multi-head latent attention).
    const uint64_t L = attended_keys(ctx, src.phase == Phase::prefill ? hn.prompt_len : 1, hn.sliding_window);
    const uint64_t d = src.kind == OpKind::attention_value ? src.n : src.k;
    if (is_attention_kind(src.kind)) {
      const uint64_t row = row_bytes(hn.kv_dtype, uint64_t{hn.kv_heads} * d);
      const double rows = static_cast<double>(o.m), Ld = static_cast<double>(L), dd = static_cast<double>(d);
      switch (src.kind) {
        case OpKind::attention_score:
          o.n = L;
          o.kv_read_bytes = Bn * L * row;
          o.act_in_bytes = act_bytes(hn.act_dtype, o.m * d);
          o.act_out_bytes = act_bytes(hn.act_dtype, o.m * L);
          o.flops = 2.0 * rows * Ld * dd;
          break;
        case OpKind::softmax:
          o.n = L;
          o.act_in_bytes = o.act_out_bytes = act_bytes(hn.act_dtype, o.m * L);
          o.flops = 5.0 * rows * Ld;
          break;
        case OpKind::attention_value:
          o.k = L;
          o.kv_read_bytes = Bn * L * row;
          o.act_in_bytes = act_bytes(hn.act_dtype, o.m * L);
          o.act_out_bytes = act_bytes(hn.act_dtype, o.m * d);
          o.flops = 2.0 * rows * Ld * dd;
          break;
        default:  // fused attention
          o.n = L;
          o.kv_read_bytes = 2 * Bn * L * row;
          o.act_in_bytes = o.act_out_bytes = act_bytes(hn.act_dtype, o.m * d);
          o.flops = 4.0 * rows * Ld * dd + 5.0 * rows * Ld;
          break;
      }
      o.kv_write_bytes = 0;
    } else if (src.kind == OpKind::other || src.kind == OpKind::expert_select) {
      // Unclassified ops may hold non-activation data (position ids, masks, expert ids): they follow the
      // batch only.
      o.act_in_bytes = src.act_in_bytes / Bo * Bn;
      o.act_out_bytes = src.act_out_bytes / Bo * Bn;
      o.flops = src.flops * scale;
    } else {
      o.act_in_bytes = act_rescale(src.act_in_bytes, rec);
      o.act_out_bytes = act_rescale(src.act_out_bytes, rec);
      o.flops = src.flops * scale;
      if (src.kind == OpKind::kv_write) {
        o.kv_write_bytes = o.m * kv_row;
        o.kv_read_bytes = 0;
      } else {
        o.kv_read_bytes = static_cast<uint64_t>(static_cast<double>(src.kv_read_bytes) * scale);
        o.kv_write_bytes = static_cast<uint64_t>(static_cast<double>(src.kv_write_bytes) * scale);
      }
    }
    if (src.weight_id >= 0) o.weight_bytes = weight_bytes_of(o);
    if (is_expert_matmul(src.kind)) {
      // The experts the tokens reach: as recorded (in the new format) while the batch stays, else uniform.
      const size_t id = static_cast<size_t>(src.weight_id);
      const WeightInfo& w = out.weights[id];
      if (ho.moe.routing_recorded && Bn == Bo)
        o.weight_bytes = static_cast<uint64_t>(static_cast<double>(src.weight_bytes) * w.bytes /
                                                   static_cast<double>(in.weights[id].bytes) +
                                               0.5);
      else
        o.weight_bytes =
            expert_read_bytes(w, hn.moe.experts_per_token, expert_op_tokens(o, hn.moe.experts_per_token));
    }
    return o;
  };

  out.ops.reserve(in.ops.size());
  uint32_t last_step = 0;
  size_t last_begin = 0;  // index in in.ops of the first op of the last decode step kept
  bool have_decode = false;
  for (size_t i = 0; i < in.ops.size(); ++i) {
    const Op& o = in.ops[i];
    if (o.phase == Phase::decode && o.step > hn.decode_steps) break;
    if (o.phase == Phase::decode && (!have_decode || o.step != last_step)) {
      have_decode = true;
      last_step = o.step;
      last_begin = i;
    }
    out.ops.push_back(derive(o, o.context_len, i + 1));
  }
  // More decode steps: repeat the last decode step's ops, the context growing by one token per step.
  if (hn.decode_steps > ho.decode_steps) {
    if (!have_decode) throw Error("the trace has no decode step to extend");
    size_t last_end = last_begin;
    while (last_end < in.ops.size() && in.ops[last_end].step == last_step) ++last_end;
    for (uint32_t s = last_step + 1; s <= hn.decode_steps; ++s) {
      for (size_t i = last_begin; i < last_end; ++i) {
        Op o = derive(in.ops[i], in.ops[i].context_len + (s - last_step), i + 1);
        o.step = s;
        out.ops.push_back(std::move(o));
      }
    }
  }
  if (!what.empty()) {
    auto it = std::find_if(hn.extra.begin(), hn.extra.end(),
                           [](const auto& kv) { return kv.first == "transform"; });
    if (it == hn.extra.end())
      hn.extra.emplace_back("transform", what);
    else
      it->second += ";" + what;
  }
  hn.records = out.ops.size();
  return out;
}

}  // namespace llmx::trace
