// Trace generator: builds the weight table and the op records of a prefill and decode steps from a model's
// config numbers, counting bytes and FLOPs by the rules of traces/FORMAT.md. The llama op sequence is the one
// llama.cpp's graph runs (non-flash attention, as captured from it); the OPT one follows the PyTorch capture
// (scripts/capture/torch_capture.py). Weights are laid out as an F16 model (norms and biases F32) and then
// converted to the requested format with the quantizer's rules, so `gen --weights X` equals `gen` followed
// by `quantize --weights X`. Flash attention (llama.cpp's FLASH_ATTN_EXT, one fused `attention` op per block)
// with `flash_attn`. Sliding-window attention bounds the keys a step attends over; mixture-of-experts blocks
// follow llama.cpp's build_moe_ffn (see generator.h). Leaves out: multi-head latent attention.
#include "explorer/trace/generator.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "build_paths.h"
#include "explorer/trace/dtype.h"
#include "explorer/trace/moe.h"
#include "explorer/trace/quantize.h"
#include "models/core/error.h"

namespace llmx::trace {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <typename T>
T get(const YAML::Node& n, const char* key, const std::string& where) {
  const YAML::Node v = n[key];
  if (!v) throw Error(cat(where, ": missing '", key, "'"));
  try {
    return v.as<T>();
  } catch (const YAML::Exception&) {
    throw Error(cat(where, ": '", key, "' has the wrong type"));
  }
}

// Builds the trace: weight table first, then the steps.
class Builder {
 public:
  Builder(const ModelConfig& c, const GenOptions& o) : c_(c), o_(o) {
    a_bits_ = act_bits(o.act_dtype);
    Header& h = t_.header;
    h.source_engine = "generator";
    h.source_version = "llmx-trace-gen 2";
    h.model = c.name;
    h.architecture = c.architecture;
    h.hidden = c.hidden;
    h.intermediate = c.intermediate;
    h.layers = c.layers;
    h.heads = c.heads;
    h.kv_heads = c.kv_heads;
    h.head_dim = c.head_dim;
    h.vocab = c.vocab;
    h.tied_embeddings = c.tied_embeddings;
    h.activation = c.activation;
    h.weight_format = o.weights;
    h.kv_dtype = o.kv_dtype;
    h.act_dtype = o.act_dtype;
    h.batch = o.batch;
    h.prompt_len = o.prompt_len;
    h.decode_steps = o.decode_steps;
    h.max_position = c.max_position;
    h.sliding_window = c.sliding_window;
    h.moe.experts = c.experts;
    h.moe.experts_per_token = c.experts_per_token;
    h.moe.shared_experts = c.shared_experts;
    h.moe.expert_intermediate = c.expert_intermediate;
    h.moe.shared_intermediate = c.shared_intermediate;
    h.moe.dense_layers = c.experts ? c.dense_layers : 0;
    h.mla.kv_lora_rank = c.kv_lora_rank;
    h.mla.q_lora_rank = c.q_lora_rank;
    h.mla.rope_head_dim = c.qk_rope_dim;
    h.mla.nope_head_dim = c.qk_nope_dim;
    h.mla.v_head_dim = c.v_head_dim;
    if (o.embeddings != "auto") h.extra.emplace_back("embeddings", o.embeddings);
    if (o.flash_attn) h.extra.emplace_back("flash_attn", "1");
    kv_row_ = kv_row_bytes(h);
  }

  Trace build() {
    weights();
    if (o_.prompt_len > 0) step(0, Phase::prefill, o_.prompt_len, o_.prompt_len);
    for (uint32_t s = 1; s <= o_.decode_steps; ++s) step(s, Phase::decode, 1, o_.prompt_len + s);
    return std::move(t_);
  }

 private:
  struct BlockIds {
    int64_t attn_norm = -1, attn_norm_b = -1, q = -1, k = -1, v = -1, o = -1, qb = -1, kb = -1, vb = -1,
            ob = -1;
    int64_t ffn_norm = -1, ffn_norm_b = -1, gate = -1, up = -1, down = -1, upb = -1, downb = -1;
    // Mixture of experts: router, expert tensors, shared experts and their gate.
    int64_t router = -1, gate_x = -1, up_x = -1, down_x = -1, gate_sh = -1, up_sh = -1, down_sh = -1,
            gate_inp_sh = -1;
    // Multi-head latent attention: low-rank query, compressed KV with the shared RoPE key, per-head
    // absorption of the key and value up-projections.
    int64_t q_a = -1, q_a_norm = -1, q_b = -1, kv_a = -1, kv_a_norm = -1, k_b = -1, v_b = -1;
  };

  bool mla() const { return c_.kv_lora_rank > 0; }

  bool moe_block(uint32_t i) const { return c_.experts > 0 && i >= c_.dense_layers; }

  bool opt() const { return c_.architecture == "opt"; }

  int64_t add_weight(const std::string& name, const std::string& cls, std::vector<uint64_t> shape,
                     const std::string& dtype) {
    WeightInfo w;
    w.id = static_cast<uint32_t>(t_.weights.size());
    w.name = name;
    w.tensor_class = cls;
    w.shape = std::move(shape);
    w.dtype = dtype;
    // The requested format, by the quantizer's rules for an F16 source.
    w.dtype = target_dtype(w, o_.weights, o_.embeddings, c_.tied_embeddings);
    try {
      w.bytes = stored_bytes(w.dtype, w.shape);
    } catch (const Error& e) {
      throw Error(cat(c_.name, ": weight ", name, ": ", e.what()));
    }
    t_.weights.push_back(std::move(w));
    return static_cast<int64_t>(t_.weights.size() - 1);
  }

  // Tensor order of a GGUF written by llama.cpp's converter (and scripts/capture/make_gguf.py); OPT in the
  // order and with the names of its PyTorch parameters, every tensor in the model dtype.
  void weights() {
    if (opt())
      weights_opt();
    else
      weights_llama();
    assign_offsets(t_.weights);
  }

  void weights_llama() {
    const uint64_t D = c_.hidden, F = c_.intermediate, V = c_.vocab;
    const uint64_t qd = uint64_t{c_.heads} * c_.head_dim, kvd = uint64_t{c_.kv_heads} * c_.head_dim;
    tok_embd_ = add_weight("token_embd.weight", "embedding", {D, V}, "F16");
    blocks_.resize(c_.layers);
    for (uint32_t i = 0; i < c_.layers; ++i) {
      const std::string p = cat("blk.", i, ".");
      BlockIds& b = blocks_[i];
      b.attn_norm = add_weight(p + "attn_norm.weight", "norm", {D}, "F32");
      if (mla()) {
        mla_weights(p, b);
      } else {
        attention_weights(p, b, qd, kvd);
      }
      b.ffn_norm = add_weight(p + "ffn_norm.weight", "norm", {D}, "F32");
      if (moe_block(i)) {
        moe_weights(p, b);
        continue;
      }
      b.gate = add_weight(p + "ffn_gate.weight", "ffn_gate", {D, F}, "F16");
      b.up = add_weight(p + "ffn_up.weight", "ffn_up", {D, F}, "F16");
      b.down = add_weight(p + "ffn_down.weight", "ffn_down", {F, D}, "F16");
    }
    out_norm_ = add_weight("output_norm.weight", "norm", {D}, "F32");
    output_ = c_.tied_embeddings ? tok_embd_ : add_weight("output.weight", "lm_head", {D, V}, "F16");
  }

  void attention_weights(const std::string& p, BlockIds& b, uint64_t qd, uint64_t kvd) {
    const uint64_t D = c_.hidden;
    b.q = add_weight(p + "attn_q.weight", "attn_q", {D, qd}, "F16");
    if (c_.qkv_bias) b.qb = add_weight(p + "attn_q.bias", "bias", {qd}, "F32");
    b.k = add_weight(p + "attn_k.weight", "attn_k", {D, kvd}, "F16");
    if (c_.qkv_bias) b.kb = add_weight(p + "attn_k.bias", "bias", {kvd}, "F32");
    b.v = add_weight(p + "attn_v.weight", "attn_v", {D, kvd}, "F16");
    if (c_.qkv_bias) b.vb = add_weight(p + "attn_v.bias", "bias", {kvd}, "F32");
    b.o = add_weight(p + "attn_output.weight", "attn_o", {qd, D}, "F16");
  }

  // DeepSeek's multi-head latent attention as llama.cpp's deepseek2 GGUF stores it: the query projection
  // (low-rank through attn_q_a and its norm when q_lora_rank is set), the compressed KV with the RoPE key
  // (attn_kv_a_mqa, kv_lora_rank + rope dims) and its norm, the key and value up-projections per head
  // (attn_k_b: nope x kv_lora_rank x heads, attn_v_b: kv_lora_rank x v x heads), the output projection.
  void mla_weights(const std::string& p, BlockIds& b) {
    const uint64_t D = c_.hidden, H = c_.heads, r = c_.kv_lora_rank, dr = c_.qk_rope_dim, dn = c_.qk_nope_dim,
                   dv = c_.v_head_dim, qk = H * (dn + dr);
    if (c_.q_lora_rank) {
      b.q_a = add_weight(p + "attn_q_a.weight", "attn_q_a", {D, c_.q_lora_rank}, "F16");
      b.q_a_norm = add_weight(p + "attn_q_a_norm.weight", "norm", {c_.q_lora_rank}, "F32");
      b.q_b = add_weight(p + "attn_q_b.weight", "attn_q_b", {c_.q_lora_rank, qk}, "F16");
    } else {
      b.q = add_weight(p + "attn_q.weight", "attn_q", {D, qk}, "F16");
    }
    b.kv_a = add_weight(p + "attn_kv_a_mqa.weight", "attn_kv_a_mqa", {D, r + dr}, "F16");
    b.kv_a_norm = add_weight(p + "attn_kv_a_norm.weight", "norm", {r}, "F32");
    b.k_b = add_weight(p + "attn_k_b.weight", "attn_k_b", {dn, r, H}, "F16");
    b.v_b = add_weight(p + "attn_v_b.weight", "attn_v_b", {r, dv, H}, "F16");
    b.o = add_weight(p + "attn_output.weight", "attn_o", {H * dv, D}, "F16");
  }

  // A MoE block's FFN tensors as llama.cpp names them: the router (kept F32, as the GGUF converter stores
  // ffn_gate_inp), one 3-D tensor per projection holding every expert (in, out, experts), the shared experts'
  // projections and, for Qwen-MoE, their sigmoid gate.
  void moe_weights(const std::string& p, BlockIds& b) {
    const uint64_t D = c_.hidden, E = c_.experts, Fe = c_.expert_intermediate, Fs = c_.shared_intermediate;
    b.router = add_weight(p + "ffn_gate_inp.weight", "router", {D, E}, "F32");
    b.gate_x = add_weight(p + "ffn_gate_exps.weight", "ffn_gate_exps", {D, Fe, E}, "F16");
    b.down_x = add_weight(p + "ffn_down_exps.weight", "ffn_down_exps", {Fe, D, E}, "F16");
    b.up_x = add_weight(p + "ffn_up_exps.weight", "ffn_up_exps", {D, Fe, E}, "F16");
    if (Fs == 0) return;
    if (c_.shared_expert_gate)
      b.gate_inp_sh = add_weight(p + "ffn_gate_inp_shexp.weight", "router", {D}, "F32");
    b.gate_sh = add_weight(p + "ffn_gate_shexp.weight", "ffn_gate_shexp", {D, Fs}, "F16");
    b.down_sh = add_weight(p + "ffn_down_shexp.weight", "ffn_down_shexp", {Fs, D}, "F16");
    b.up_sh = add_weight(p + "ffn_up_shexp.weight", "ffn_up_shexp", {D, Fs}, "F16");
  }

  void weights_opt() {
    const uint64_t D = c_.hidden, F = c_.intermediate, V = c_.vocab;
    const uint64_t qd = uint64_t{c_.heads} * c_.head_dim, kvd = uint64_t{c_.kv_heads} * c_.head_dim;
    const std::string f16 = "F16";
    tok_embd_ = add_weight("decoder.embed_tokens.weight", "embedding", {D, V}, f16);
    // OPT's learned positions start at offset 2: max_position + 2 rows.
    pos_embd_ = add_weight("decoder.embed_positions.weight", "pos_embedding",
                           {D, uint64_t{c_.max_position} + 2}, f16);
    blocks_.resize(c_.layers);
    for (uint32_t i = 0; i < c_.layers; ++i) {
      const std::string p = cat("decoder.layers.", i, ".");
      BlockIds& b = blocks_[i];
      b.attn_norm = add_weight(p + "self_attn_layer_norm.weight", "norm", {D}, f16);
      b.attn_norm_b = add_weight(p + "self_attn_layer_norm.bias", "norm", {D}, f16);
      b.q = add_weight(p + "self_attn.q_proj.weight", "attn_q", {D, qd}, f16);
      b.qb = add_weight(p + "self_attn.q_proj.bias", "bias", {qd}, f16);
      b.k = add_weight(p + "self_attn.k_proj.weight", "attn_k", {D, kvd}, f16);
      b.kb = add_weight(p + "self_attn.k_proj.bias", "bias", {kvd}, f16);
      b.v = add_weight(p + "self_attn.v_proj.weight", "attn_v", {D, kvd}, f16);
      b.vb = add_weight(p + "self_attn.v_proj.bias", "bias", {kvd}, f16);
      b.o = add_weight(p + "self_attn.out_proj.weight", "attn_o", {qd, D}, f16);
      b.ob = add_weight(p + "self_attn.out_proj.bias", "bias", {D}, f16);
      b.ffn_norm = add_weight(p + "final_layer_norm.weight", "norm", {D}, f16);
      b.ffn_norm_b = add_weight(p + "final_layer_norm.bias", "norm", {D}, f16);
      b.up = add_weight(p + "fc1.weight", "ffn_up", {D, F}, f16);
      b.upb = add_weight(p + "fc1.bias", "bias", {F}, f16);
      b.down = add_weight(p + "fc2.weight", "ffn_down", {F, D}, f16);
      b.downb = add_weight(p + "fc2.bias", "bias", {D}, f16);
    }
    out_norm_ = add_weight("decoder.final_layer_norm.weight", "norm", {D}, f16);
    out_norm_b_ = add_weight("decoder.final_layer_norm.bias", "norm", {D}, f16);
    output_ = c_.tied_embeddings ? tok_embd_ : add_weight("lm_head.weight", "lm_head", {D, V}, f16);
  }

  uint64_t act(uint64_t elems) const { return (elems * a_bits_ + 7) / 8; }
  uint64_t wbytes(int64_t id) const { return id < 0 ? 0 : t_.weights[static_cast<size_t>(id)].bytes; }

  Op& push(OpKind kind, const char* engine_op, uint64_t m, uint64_t n, uint64_t k) {
    Op o;
    o.step = step_;
    o.phase = phase_;
    o.layer = layer_;
    o.kind = kind;
    o.engine_op = engine_op;
    o.m = m;
    o.n = n;
    o.k = k;
    o.context_len = ctx_;
    t_.ops.push_back(std::move(o));
    return t_.ops.back();
  }

  // A weight-streaming matmul of M rows: N outputs, K reduction, optional bias read by the same op.
  void matmul(OpKind kind, const char* engine_op, uint64_t M, uint64_t N, uint64_t K, int64_t w,
              int64_t bias = -1) {
    Op& o = push(kind, engine_op, M, N, K);
    o.weight_id = w;
    o.weight_id2 = bias;
    o.weight_bytes = wbytes(w) + wbytes(bias);
    o.act_in_bytes = act(M * K);
    o.act_out_bytes = act(M * N);
    o.flops = 2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K) +
              (bias >= 0 ? static_cast<double>(M * N) : 0.0);
  }
  // A projection of the experts `tokens` tokens were routed to (rows = tokens x k token-expert pairs): it
  // reads the expected distinct experts' slices of the expert tensor (moe.h).
  void expert_matmul(OpKind kind, uint64_t tokens, uint64_t N, uint64_t K, int64_t w) {
    const uint64_t M = tokens * c_.experts_per_token;
    matmul(kind, "MUL_MAT_ID", M, N, K, w);
    t_.ops.back().weight_bytes =
        expert_read_bytes(t_.weights[static_cast<size_t>(w)], c_.experts_per_token, tokens);
  }
  // An op over rows x width elements with `flops_per` operations per output element and `inputs` inputs of
  // the same size (a weight vector, when given, is broadcast and read once).
  void vec(OpKind kind, const char* engine_op, uint64_t rows, uint64_t width, double flops_per,
           uint64_t inputs, int64_t w = -1, int64_t w2 = -1) {
    Op& o = push(kind, engine_op, rows, width, 0);
    o.weight_id = w;
    o.weight_id2 = w2;
    o.weight_bytes = wbytes(w) + wbytes(w2);
    o.act_in_bytes = act(rows * width) * inputs;
    o.act_out_bytes = act(rows * width);
    o.flops = flops_per * static_cast<double>(rows * width);
  }
  void embedding(const char* engine_op, int64_t w, uint64_t T) {
    const WeightInfo& wi = t_.weights[static_cast<size_t>(w)];
    Op& o = push(OpKind::embedding, engine_op, T, c_.hidden, 0);
    o.weight_id = w;
    o.weight_bytes = T * row_bytes(wi.dtype, wi.shape[0]);
    o.act_out_bytes = act(T * c_.hidden);
  }
  void kv_write(const char* engine_op, uint64_t T) {
    const uint64_t kvd = uint64_t{c_.kv_heads} * c_.head_dim;
    Op& o = push(OpKind::kv_write, engine_op, T, kvd, 0);
    o.kv_write_bytes = T * kv_row_;
    o.act_in_bytes = act(T * kvd);
  }
  // Keys a step of n tokens per sequence attends over at context L: all of them, or with a sliding window of
  // W the ones its queries see (the last n + W - 1).
  uint64_t span(uint64_t n) const {
    const uint64_t L = ctx_, W = c_.sliding_window;
    return W ? std::min<uint64_t>(L, W + n - 1) : L;
  }

  // Q.K^T, softmax and P.V over the context of each sequence (T query tokens in all).
  void attention(uint64_t T, const char* mm, const char* softmax, bool mask_add) {
    const uint64_t H = c_.heads, d = c_.head_dim, L = span(T / o_.batch), B = o_.batch;
    const uint64_t rows = T * H;
    Op& s = push(OpKind::attention_score, mm, rows, L, d);
    s.kv_read_bytes = B * L * kv_row_;
    s.act_in_bytes = act(rows * d);
    s.act_out_bytes = act(rows * L);
    s.flops = 2.0 * static_cast<double>(rows) * static_cast<double>(L) * static_cast<double>(d);
    if (mask_add) {  // scores + the causal mask (n_tokens x L per sequence, broadcast over the heads)
      vec(OpKind::elementwise, "aten::add", rows, L, 1, 1);
      t_.ops.back().act_in_bytes += act(T * L);
    }
    Op& sm = push(OpKind::softmax, softmax, rows, L, 0);
    sm.act_in_bytes = act(rows * L);
    sm.act_out_bytes = act(rows * L);
    sm.flops = 5.0 * static_cast<double>(rows * L);
    Op& v = push(OpKind::attention_value, mm, rows, d, L);
    v.kv_read_bytes = B * L * kv_row_;
    v.act_in_bytes = act(rows * L);
    v.act_out_bytes = act(rows * d);
    v.flops = 2.0 * static_cast<double>(rows) * static_cast<double>(L) * static_cast<double>(d);
  }

  // Fused attention (FLASH_ATTN_EXT): score, softmax and value in one op, K and V read once each.
  void fused_attention(uint64_t T) {
    const uint64_t H = c_.heads, d = c_.head_dim, L = span(T / o_.batch), B = o_.batch;
    const uint64_t rows = T * H;
    Op& a = push(OpKind::attention, "FLASH_ATTN_EXT", rows, L, d);
    a.kv_read_bytes = 2 * B * L * kv_row_;
    a.act_in_bytes = act(rows * d);
    a.act_out_bytes = act(rows * d);
    a.flops = 4.0 * static_cast<double>(rows) * static_cast<double>(L) * static_cast<double>(d) +
              5.0 * static_cast<double>(rows * L);
  }

  void step(uint32_t s, Phase phase, uint32_t n_tokens, uint32_t ctx) {
    step_ = s;
    phase_ = phase;
    ctx_ = ctx;
    if (opt())
      step_opt(n_tokens);
    else
      step_llama(n_tokens);
  }

  // llama.cpp's llama graph (src/models/llama.cpp), node by node as the eval callback sees them, views
  // dropped.
  void step_llama(uint32_t n_tokens) {
    const uint64_t B = o_.batch, T = B * n_tokens, R = B;
    const uint64_t D = c_.hidden, F = c_.intermediate, H = c_.heads, Hk = c_.kv_heads, d = c_.head_dim;
    const uint64_t qd = H * d, kvd = Hk * d;
    layer_ = -1;
    embedding("GET_ROWS", tok_embd_, T);
    for (uint32_t i = 0; i < c_.layers; ++i) {
      const BlockIds& b = blocks_[i];
      layer_ = static_cast<int32_t>(i);
      const bool last = i + 1 == c_.layers;
      vec(OpKind::norm, "RMS_NORM", T, D, 3, 1);
      vec(OpKind::norm, "MUL", T, D, 1, 1, b.attn_norm);
      if (mla())
        mla_attention(T, b);
      else
        attention_block(T, b, qd, kvd);
      // Only the rows whose logits are wanted (each sequence's last token) go on after the last block's
      // attention: llama.cpp selects them with GET_ROWS on the attention output and on the residual.
      const uint64_t rows = last ? R : T;
      if (last) {
        vec(OpKind::copy, "GET_ROWS", R, D, 0, 1);
        vec(OpKind::copy, "GET_ROWS", R, D, 0, 1);
      }
      vec(OpKind::residual, "ADD", rows, D, 1, 2);
      vec(OpKind::norm, "RMS_NORM", rows, D, 3, 1);
      vec(OpKind::norm, "MUL", rows, D, 1, 1, b.ffn_norm);
      if (moe_block(i)) {
        moe_ffn(rows, b);
      } else {
        matmul(OpKind::matmul_gate, "MUL_MAT", rows, F, D, b.gate);
        matmul(OpKind::matmul_up, "MUL_MAT", rows, F, D, b.up);
        glu(rows, F);
        matmul(OpKind::matmul_down, "MUL_MAT", rows, D, F, b.down);
      }
      vec(OpKind::residual, "ADD", rows, D, 1, 2);
    }
    layer_ = -1;
    vec(OpKind::norm, "RMS_NORM", R, D, 3, 1);
    vec(OpKind::norm, "MUL", R, D, 1, 1, out_norm_);
    matmul(OpKind::lm_head, "MUL_MAT", R, c_.vocab, D, output_);
  }

  void attention_block(uint64_t T, const BlockIds& b, uint64_t qd, uint64_t kvd) {
    const uint64_t D = c_.hidden;
    matmul(OpKind::matmul_q, "MUL_MAT", T, qd, D, b.q);
    if (b.qb >= 0) vec(OpKind::elementwise, "ADD", T, qd, 1, 1, b.qb);
    vec(OpKind::rope, "ROPE", T, qd, 3, 1);
    matmul(OpKind::matmul_v, "MUL_MAT", T, kvd, D, b.v);
    if (b.vb >= 0) vec(OpKind::elementwise, "ADD", T, kvd, 1, 1, b.vb);
    matmul(OpKind::matmul_k, "MUL_MAT", T, kvd, D, b.k);
    if (b.kb >= 0) vec(OpKind::elementwise, "ADD", T, kvd, 1, 1, b.kb);
    vec(OpKind::rope, "ROPE", T, kvd, 3, 1);
    kv_write("SET_ROWS", T);
    kv_write("SET_ROWS", T);
    if (o_.flash_attn) {
      fused_attention(T);
    } else {
      attention(T, "MUL_MAT", "SOFT_MAX", false);
      vec(OpKind::copy, "CONT", T, qd, 0, 1);
    }
    matmul(OpKind::matmul_o, "MUL_MAT", T, D, qd, b.o);
  }

  // llama.cpp's deepseek2 graph with the absorption optimisation (multi-head latent attention as MQA over
  // the compressed cache): the query (low-rank when q_lora_rank is set), the compressed KV and RoPE key,
  // RoPE on both, the KV norm, each head's no-RoPE query taken into the latent space (attn_k_b), Q and K
  // concatenated, one cache row per token (latent + RoPE key: kv_lora_rank + rope elements, the value being
  // its latent part), scores over the row, softmax, P.V over the latent part, each head's value back out of
  // the latent space (attn_v_b), the head merge and the output projection.
  void mla_attention(uint64_t T, const BlockIds& b) {
    const uint64_t D = c_.hidden, H = c_.heads, r = c_.kv_lora_rank, dr = c_.qk_rope_dim, dn = c_.qk_nope_dim,
                   dv = c_.v_head_dim, qk = H * (dn + dr), row = r + dr, B = o_.batch;
    if (c_.q_lora_rank) {
      matmul(OpKind::matmul_q, "MUL_MAT", T, c_.q_lora_rank, D, b.q_a);
      vec(OpKind::norm, "RMS_NORM", T, c_.q_lora_rank, 3, 1);
      vec(OpKind::norm, "MUL", T, c_.q_lora_rank, 1, 1, b.q_a_norm);
      matmul(OpKind::matmul_q, "MUL_MAT", T, qk, c_.q_lora_rank, b.q_b);
    } else {
      matmul(OpKind::matmul_q, "MUL_MAT", T, qk, D, b.q);
    }
    matmul(OpKind::matmul_k, "MUL_MAT", T, row, D, b.kv_a);
    vec(OpKind::rope, "ROPE", T, H * dr, 3, 1);
    vec(OpKind::rope, "ROPE", T, dr, 3, 1);
    vec(OpKind::norm, "RMS_NORM", T, r, 3, 1);
    vec(OpKind::norm, "MUL", T, r, 1, 1, b.kv_a_norm);
    matmul(OpKind::matmul_q, "MUL_MAT", T * H, r, dn, b.k_b);
    vec(OpKind::copy, "CONCAT", T * H, row, 0, 1);
    vec(OpKind::copy, "CONCAT", T, row, 0, 1);
    kv_write("SET_ROWS", T);
    const uint64_t L = span(T / B), rows = T * H;
    Op& s = push(OpKind::attention_score, "MUL_MAT", rows, L, row);
    s.kv_read_bytes = B * L * kv_row_;
    s.act_in_bytes = act(rows * row);
    s.act_out_bytes = act(rows * L);
    s.flops = 2.0 * static_cast<double>(rows) * static_cast<double>(L) * static_cast<double>(row);
    Op& sm = push(OpKind::softmax, "SOFT_MAX", rows, L, 0);
    sm.act_in_bytes = sm.act_out_bytes = act(rows * L);
    sm.flops = 5.0 * static_cast<double>(rows * L);
    Op& v = push(OpKind::attention_value, "MUL_MAT", rows, r, L);
    v.kv_read_bytes = B * L * row_bytes(t_.header.kv_dtype, r);
    v.act_in_bytes = act(rows * L);
    v.act_out_bytes = act(rows * r);
    v.flops = 2.0 * static_cast<double>(rows) * static_cast<double>(L) * static_cast<double>(r);
    matmul(OpKind::matmul_v, "MUL_MAT", rows, dv, r, b.v_b);
    vec(OpKind::copy, "CONT", T, H * dv, 0, 1);
    matmul(OpKind::matmul_o, "MUL_MAT", T, D, H * dv, b.o);
  }

  void glu(uint64_t rows, uint64_t F) {
    if (c_.activation == "silu")
      vec(OpKind::activation, "SWIGLU", rows, F, 5, 2);
    else
      vec(OpKind::activation, "GEGLU", rows, F, 9, 2);
  }

  // llama.cpp's build_moe_ffn on `rows` tokens, then the shared experts (qwen2moe.cpp, deepseek2.cpp): the
  // router's logits, their softmax, the top-k (ARGSORT, int32 ids), the selected weights (GET_ROWS),
  // renormalised (SUM_ROWS, DIV) or scaled when the model says so; the experts' up, gate and down
  // projections over the token-expert pairs, weighted (MUL) and summed over the k experts (k - 1 ADDs);
  // the shared experts as a dense FFN, gated by a sigmoid for Qwen-MoE, added to the routed output.
  void moe_ffn(uint64_t rows, const BlockIds& b) {
    const uint64_t D = c_.hidden, E = c_.experts, k = c_.experts_per_token, Fe = c_.expert_intermediate;
    const uint64_t pairs = rows * k;
    matmul(OpKind::router, "MUL_MAT", rows, E, D, b.router);
    vec(OpKind::expert_select, "SOFT_MAX", rows, E, 5, 1);
    vec(OpKind::expert_select, "ARGSORT", rows, E, std::ceil(std::log2(static_cast<double>(E))), 1);
    t_.ops.back().act_out_bytes = 4 * rows * E;
    vec(OpKind::expert_select, "GET_ROWS", rows, k, 0, 1);
    if (c_.norm_topk) {
      vec(OpKind::expert_select, "SUM_ROWS", rows, k, 1, 1);
      t_.ops.back().act_out_bytes = act(rows);
      vec(OpKind::expert_select, "DIV", rows, k, 1, 1);
    }
    if (c_.scale_routed) vec(OpKind::expert_select, "SCALE", rows, k, 1, 1);
    expert_matmul(OpKind::expert_up, rows, Fe, D, b.up_x);
    expert_matmul(OpKind::expert_gate, rows, Fe, D, b.gate_x);
    glu(pairs, Fe);
    expert_matmul(OpKind::expert_down, rows, D, Fe, b.down_x);
    vec(OpKind::elementwise, "MUL", pairs, D, 1, 1);
    for (uint64_t e = 1; e < k; ++e) vec(OpKind::elementwise, "ADD", rows, D, 1, 2);
    if (k == 1) vec(OpKind::copy, "CONT", rows, D, 0, 1);
    if (b.up_sh < 0) return;
    const uint64_t Fs = c_.shared_intermediate;
    matmul(OpKind::matmul_up, "MUL_MAT", rows, Fs, D, b.up_sh);
    matmul(OpKind::matmul_gate, "MUL_MAT", rows, Fs, D, b.gate_sh);
    glu(rows, Fs);
    matmul(OpKind::matmul_down, "MUL_MAT", rows, D, Fs, b.down_sh);
    if (b.gate_inp_sh >= 0) {
      matmul(OpKind::router, "MUL_MAT", rows, 1, D, b.gate_inp_sh);
      vec(OpKind::expert_select, "SIGMOID", rows, 1, 4, 1);
      vec(OpKind::elementwise, "MUL", rows, D, 1, 1);
    }
    vec(OpKind::elementwise, "ADD", rows, D, 1, 2);
  }

  // OPT as scripts/capture/torch_capture.py runs it, op by op as its converter records the aten calls above
  // autograd (views dropped): positions from arange, a causal mask built for prompts, pre-LayerNorm blocks,
  // q scaled after its projection, static KV cache written by copy_, matmul attention, ReLU FFN, and logits
  // for each sequence's last token only.
  void step_opt(uint32_t n_tokens) {
    const uint64_t B = o_.batch, T = B * n_tokens, R = B, n = n_tokens, L = ctx_;
    const uint64_t D = c_.hidden, F = c_.intermediate, H = c_.heads, d = c_.head_dim;
    const uint64_t qd = H * d, kvd = uint64_t{c_.kv_heads} * d;
    layer_ = -1;
    embedding("aten::embedding", tok_embd_, T);
    Op& pos = push(OpKind::other, "aten::arange", B, n, 0);  // position ids, int64, one row per sequence
    pos.act_out_bytes = 8 * T;
    embedding("aten::embedding", pos_embd_, T);
    vec(OpKind::elementwise, "aten::add", T, D, 1, 2);
    if (n > 1) {
      // The causal mask (n x L per sequence, in the model dtype), filled then cut to a triangle.
      Op& full = push(OpKind::other, "aten::full", T, L, 0);
      full.act_out_bytes = act(T * L);
      vec(OpKind::other, "aten::triu", T, L, 0, 1);
    }
    for (uint32_t i = 0; i < c_.layers; ++i) {
      const BlockIds& b = blocks_[i];
      layer_ = static_cast<int32_t>(i);
      vec(OpKind::norm, "aten::layer_norm", T, D, 7, 1, b.attn_norm, b.attn_norm_b);
      matmul(OpKind::matmul_q, "aten::linear", T, qd, D, b.q, b.qb);
      vec(OpKind::elementwise, "aten::mul", T, qd, 1, 1);
      matmul(OpKind::matmul_k, "aten::linear", T, kvd, D, b.k, b.kb);
      matmul(OpKind::matmul_v, "aten::linear", T, kvd, D, b.v, b.vb);
      kv_write("aten::copy_", T);
      kv_write("aten::copy_", T);
      attention(T, "aten::matmul", "aten::softmax", n > 1);
      // The head-merging reshape copies only when a sequence has more than one token.
      if (n > 1) vec(OpKind::copy, "aten::reshape", T, qd, 0, 1);
      matmul(OpKind::matmul_o, "aten::linear", T, D, qd, b.o, b.ob);
      vec(OpKind::residual, "aten::add", T, D, 1, 2);
      vec(OpKind::norm, "aten::layer_norm", T, D, 7, 1, b.ffn_norm, b.ffn_norm_b);
      matmul(OpKind::matmul_up, "aten::linear", T, F, D, b.up, b.upb);
      if (c_.activation == "relu")
        vec(OpKind::activation, "aten::relu", T, F, 1, 1);
      else
        vec(OpKind::activation, "aten::gelu", T, F, 8, 1);
      matmul(OpKind::matmul_down, "aten::linear", T, D, F, b.down, b.downb);
      vec(OpKind::residual, "aten::add", T, D, 1, 2);
    }
    layer_ = -1;
    vec(OpKind::norm, "aten::layer_norm", R, D, 7, 1, out_norm_, out_norm_b_);
    matmul(OpKind::lm_head, "aten::linear", R, c_.vocab, D, output_);
  }

  const ModelConfig& c_;
  const GenOptions& o_;
  Trace t_;
  uint32_t a_bits_ = 32;
  uint64_t kv_row_ = 0;
  int64_t tok_embd_ = -1, pos_embd_ = -1, out_norm_ = -1, out_norm_b_ = -1, output_ = -1;
  std::vector<BlockIds> blocks_;
  uint32_t step_ = 0;
  Phase phase_ = Phase::decode;
  int32_t layer_ = -1;
  uint32_t ctx_ = 0;
};

}  // namespace

namespace {

template <typename T>
T get_or(const YAML::Node& n, const char* key, T fallback, const std::string& where) {
  const YAML::Node v = n[key];
  if (!v || v.IsNull()) return fallback;
  return get<T>(n, key, where);
}

}  // namespace

std::vector<ModelConfig> load_model_configs(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw Error(cat(path, ": cannot read model configs: ", e.what()));
  }
  if (!root.IsMap())
    throw Error(cat(path, ":1: (top level): model configs must be a map with a 'models' list"));
  const YAML::Node models = root["models"];
  if (!models || !models.IsSequence())
    throw Error(cat(path, ":", root.Mark().line + 1, ": models: missing, or not a list of models"));
  std::vector<ModelConfig> out;
  for (size_t i = 0; i < models.size(); ++i) {
    const YAML::Node m = models[i];
    const std::string where = cat(path, ":", m.Mark().line + 1, ":", m.Mark().column + 1, ": models[", i, "]");
    ModelConfig c;
    c.name = get<std::string>(m, "name", where);
    c.architecture = get<std::string>(m, "architecture", where);
    c.hidden = get<uint32_t>(m, "hidden", where);
    c.intermediate = get<uint32_t>(m, "intermediate", where);
    c.layers = get<uint32_t>(m, "layers", where);
    c.heads = get<uint32_t>(m, "heads", where);
    c.kv_heads = get<uint32_t>(m, "kv_heads", where);
    c.head_dim = get<uint32_t>(m, "head_dim", where);
    c.vocab = get<uint32_t>(m, "vocab", where);
    c.max_position = get<uint32_t>(m, "max_position", where);
    c.tied_embeddings = get<bool>(m, "tied_embeddings", where);
    c.activation = get<std::string>(m, "activation", where);
    c.qkv_bias = get<bool>(m, "qkv_bias", where);
    c.sliding_window = get_or<uint32_t>(m, "sliding_window", 0, where);
    c.experts = get_or<uint32_t>(m, "experts", 0, where);
    c.experts_per_token = get_or<uint32_t>(m, "experts_per_token", 0, where);
    c.expert_intermediate = get_or<uint32_t>(m, "expert_intermediate", 0, where);
    c.shared_experts = get_or<uint32_t>(m, "shared_experts", 0, where);
    c.shared_intermediate = get_or<uint32_t>(m, "shared_intermediate", 0, where);
    c.dense_layers = get_or<uint32_t>(m, "dense_layers", 0, where);
    c.norm_topk = get_or<bool>(m, "norm_topk", false, where);
    c.shared_expert_gate = get_or<bool>(m, "shared_expert_gate", false, where);
    c.scale_routed = get_or<bool>(m, "scale_routed", false, where);
    c.kv_lora_rank = get_or<uint32_t>(m, "kv_lora_rank", 0, where);
    c.q_lora_rank = get_or<uint32_t>(m, "q_lora_rank", 0, where);
    c.qk_rope_dim = get_or<uint32_t>(m, "qk_rope_dim", 0, where);
    c.qk_nope_dim = get_or<uint32_t>(m, "qk_nope_dim", 0, where);
    c.v_head_dim = get_or<uint32_t>(m, "v_head_dim", 0, where);
    for (const auto& kv : m) {
      // clang-format off
      static const char* const known[] = {
          "name", "architecture", "hidden", "intermediate", "layers", "heads", "kv_heads", "head_dim", "vocab",
          "max_position", "tied_embeddings", "activation", "qkv_bias", "sliding_window", "experts",
          "experts_per_token", "expert_intermediate", "shared_experts", "shared_intermediate", "dense_layers",
          "norm_topk", "shared_expert_gate", "scale_routed", "kv_lora_rank", "q_lora_rank", "qk_rope_dim",
          "qk_nope_dim", "v_head_dim", "about"};
      // clang-format on
      const std::string key = kv.first.as<std::string>();
      if (std::find(std::begin(known), std::end(known), key) == std::end(known))
        throw Error(cat(path, ":", kv.first.Mark().line + 1, ":", kv.first.Mark().column + 1, ": models[", i,
                        "]: unknown field '", key, "'"));
    }
    try {
      validate(c);
    } catch (const Error& e) {
      throw Error(cat(where, ": ", e.what()));
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string default_model_configs_path() {
#ifdef LLMX_SOURCE_DIR
  return std::string(LLMX_SOURCE_DIR) + "/traces/model_configs.json";
#else
  return "traces/model_configs.json";
#endif
}

ModelConfig find_model(const std::vector<ModelConfig>& models, const std::string& name) {
  std::string known;
  for (const ModelConfig& m : models) {
    if (lower(m.name) == lower(name)) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw Error(cat("unknown model '", name, "' (known: ", known, ")"));
}

namespace {

// config.json fields that change the architecture in ways the generator does not model, by the first
// model_type that has them: present (and not null, false or empty), the config is refused by the field.
struct UnmodelledField {
  const char* field;
  const char* what;
};
const UnmodelledField kUnmodelled[] = {
    {"kv_lora_rank", "multi-head latent attention (DeepSeek MLA) is not modelled"},
    {"q_lora_rank", "multi-head latent attention (DeepSeek MLA) is not modelled"},
    {"use_sliding_window", "Qwen2's per-layer sliding window is not modelled"},
    {"mlp_bias", "biases on the MLP projections are not modelled"},
    {"mlp_only_layers", "dense blocks between MoE blocks are not modelled"},
    {"num_nextn_predict_layers", "multi-token prediction layers are not modelled"},
    {"moe_layer_freq", "MoE blocks other than every block after the first dense ones are not modelled"},
    {"decoder_sparse_step", "MoE blocks other than every block are not modelled"},
    {"layer_types", "per-layer attention types are not modelled"},
};

bool is_set(const YAML::Node& v) {
  if (!v || v.IsNull()) return false;
  if (v.IsSequence() || v.IsMap()) return v.size() > 0;
  const std::string s = v.as<std::string>();
  return s != "false" && s != "0" && s != "null";
}

void refuse_unmodelled(const YAML::Node& n, const std::string& type, const std::string& path) {
  for (const UnmodelledField& f : kUnmodelled) {
    const YAML::Node v = n[f.field];
    if (!is_set(v)) continue;
    const std::string field = f.field;
    if (type == "deepseek_v2" && (field == "kv_lora_rank" || field == "q_lora_rank")) continue;
    // Fields whose value is the one case the generator models.
    const std::string s = v.IsScalar() ? v.as<std::string>() : "";
    if ((std::string(f.field) == "decoder_sparse_step" || std::string(f.field) == "moe_layer_freq") &&
        s == "1")
      continue;
    throw Error(cat(path, ": ", f.field, ": ", f.what));
  }
}

const char* const kModelTypes[] = {"llama", "mistral", "qwen2", "mixtral", "qwen2_moe", "deepseek_v2", "opt"};

}  // namespace

ModelConfig read_hf_config(const std::string& path) {
  YAML::Node n;
  try {
    n = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw Error(cat(path, ": cannot read config: ", e.what()));
  }
  if (!n.IsMap()) throw Error(cat(path, ": not a config.json object"));
  if (!n["model_type"]) throw Error(cat(path, ": missing 'model_type'"));
  const std::string type = get<std::string>(n, "model_type", path);
  if (std::find(std::begin(kModelTypes), std::end(kModelTypes), type) == std::end(kModelTypes)) {
    std::string known;
    for (const char* t : kModelTypes) known += (known.empty() ? "" : ", ") + std::string(t);
    throw Error(
        cat(path, ": model_type: '", type, "' is not an architecture the generator models (", known, ")"));
  }
  refuse_unmodelled(n, type, path);
  if (type == "deepseek_v2") {
    const std::string scoring = get_or<std::string>(n, "scoring_func", "softmax", path);
    if (scoring != "softmax")
      throw Error(cat(path, ": scoring_func: '", scoring, "' routing is not modelled"));
  }
  ModelConfig c;
  c.name = n["_name_or_path"] ? n["_name_or_path"].as<std::string>() : path;
  c.architecture = type == "opt" ? "opt" : "llama";
  c.hidden = get<uint32_t>(n, "hidden_size", path);
  c.intermediate =
      n["ffn_dim"] ? get<uint32_t>(n, "ffn_dim", path) : get<uint32_t>(n, "intermediate_size", path);
  c.layers = get<uint32_t>(n, "num_hidden_layers", path);
  c.heads = get<uint32_t>(n, "num_attention_heads", path);
  c.kv_heads = n["num_key_value_heads"] ? get<uint32_t>(n, "num_key_value_heads", path) : c.heads;
  c.head_dim = n["head_dim"] ? get<uint32_t>(n, "head_dim", path) : (c.heads ? c.hidden / c.heads : 0);
  c.vocab = get<uint32_t>(n, "vocab_size", path);
  if (!n["max_position_embeddings"]) throw Error(cat(path, ": missing 'max_position_embeddings'"));
  c.max_position = get<uint32_t>(n, "max_position_embeddings", path);
  // transformers' default for tie_word_embeddings is true; llama-family configs set it explicitly.
  c.tied_embeddings = n["tie_word_embeddings"] ? get<bool>(n, "tie_word_embeddings", path) : true;
  std::string act = n["hidden_act"]            ? n["hidden_act"].as<std::string>()
                    : n["activation_function"] ? n["activation_function"].as<std::string>()
                                               : (c.architecture == "opt" ? "relu" : "silu");
  if (act.rfind("gelu", 0) == 0) act = "gelu";
  c.activation = act;
  c.qkv_bias = c.architecture == "opt" || type == "qwen2" || type == "qwen2_moe" ||
               (n["attention_bias"] && get<bool>(n, "attention_bias", path));
  if (type == "mistral" || type == "mixtral")
    c.sliding_window = get_or<uint32_t>(n, "sliding_window", 0, path);
  if (type == "mixtral") {
    c.experts = get<uint32_t>(n, "num_local_experts", path);
    c.experts_per_token = get<uint32_t>(n, "num_experts_per_tok", path);
    c.expert_intermediate = c.intermediate;  // Mixtral's intermediate_size is one expert's
    c.norm_topk = true;                      // Mixtral renormalises its top-2 weights
  } else if (type == "deepseek_v2") {
    c.architecture = "deepseek2";
    c.kv_lora_rank = get<uint32_t>(n, "kv_lora_rank", path);
    c.q_lora_rank = get_or<uint32_t>(n, "q_lora_rank", 0, path);
    c.qk_rope_dim = get<uint32_t>(n, "qk_rope_head_dim", path);
    c.qk_nope_dim = get<uint32_t>(n, "qk_nope_head_dim", path);
    c.v_head_dim = get<uint32_t>(n, "v_head_dim", path);
    c.kv_heads = 1;  // absorbed MLA: one cached row of latent + RoPE key per token, shared by every head
    c.head_dim = c.kv_lora_rank + c.qk_rope_dim;
    c.experts = get_or<uint32_t>(n, "n_routed_experts", 0, path);
    if (c.experts) {
      c.experts_per_token = get<uint32_t>(n, "num_experts_per_tok", path);
      c.expert_intermediate = get<uint32_t>(n, "moe_intermediate_size", path);
      c.shared_experts = get_or<uint32_t>(n, "n_shared_experts", 0, path);
      c.shared_intermediate = c.shared_experts * c.expert_intermediate;
      c.dense_layers = get_or<uint32_t>(n, "first_k_dense_replace", 0, path);
      c.norm_topk = get_or<bool>(n, "norm_topk_prob", false, path);
      c.scale_routed = true;  // llama.cpp's deepseek2 scales the routed weights (routed_scaling_factor)
    }
  } else if (type == "qwen2_moe") {
    c.experts = get<uint32_t>(n, "num_experts", path);
    c.experts_per_token = get<uint32_t>(n, "num_experts_per_tok", path);
    c.expert_intermediate = get<uint32_t>(n, "moe_intermediate_size", path);
    c.shared_intermediate = get_or<uint32_t>(n, "shared_expert_intermediate_size", 0, path);
    c.shared_experts = c.shared_intermediate ? 1 : 0;
    c.shared_expert_gate = c.shared_intermediate > 0;
    c.norm_topk = get_or<bool>(n, "norm_topk_prob", false, path);
  }
  try {
    validate(c);
  } catch (const Error& e) {
    throw Error(cat(path, ": ", e.what()));
  }
  return c;
}

void validate(const ModelConfig& c) {
  auto positive = [&](uint32_t v, const char* what) {
    if (v == 0) throw Error(cat(c.name, ": ", what, " must be positive"));
  };
  positive(c.hidden, "hidden");
  positive(c.intermediate, "intermediate");
  positive(c.layers, "layers");
  positive(c.heads, "heads");
  positive(c.kv_heads, "kv_heads");
  positive(c.head_dim, "head_dim");
  positive(c.vocab, "vocab");
  if (c.heads % c.kv_heads != 0)
    throw Error(cat(c.name, ": heads (", c.heads, ") must be a multiple of kv_heads (", c.kv_heads, ")"));
  if (c.architecture != "llama" && c.architecture != "opt" && c.architecture != "deepseek2")
    throw Error(cat(c.name, ": architecture '", c.architecture, "' (llama, deepseek2 or opt)"));
  if (c.architecture == "deepseek2") {
    positive(c.kv_lora_rank, "kv_lora_rank");
    positive(c.qk_rope_dim, "qk_rope_dim");
    positive(c.qk_nope_dim, "qk_nope_dim");
    positive(c.v_head_dim, "v_head_dim");
    if (c.kv_heads != 1 || c.head_dim != c.kv_lora_rank + c.qk_rope_dim)
      throw Error(cat(c.name,
                      ": multi-head latent attention caches one row of kv_lora_rank + qk_rope_dim per "
                      "token: kv_heads 1, head_dim ",
                      c.kv_lora_rank + c.qk_rope_dim));
  } else if (c.kv_lora_rank || c.q_lora_rank || c.qk_rope_dim || c.qk_nope_dim || c.v_head_dim) {
    throw Error(cat(c.name, ": multi-head latent attention fields need architecture deepseek2"));
  }
  if (c.activation != "silu" && c.activation != "gelu" && c.activation != "relu")
    throw Error(cat(c.name, ": activation '", c.activation, "' (silu, gelu or relu)"));
  if (c.architecture == "opt") {
    positive(c.max_position, "max_position");
    if (c.kv_heads != c.heads) throw Error(cat(c.name, ": OPT has as many KV heads as heads"));
    if (c.experts || c.sliding_window) throw Error(cat(c.name, ": OPT has no experts and no sliding window"));
  }
  if (c.experts) {
    positive(c.experts_per_token, "experts_per_token");
    positive(c.expert_intermediate, "expert_intermediate");
    if (c.experts_per_token > c.experts)
      throw Error(
          cat(c.name, ": experts_per_token (", c.experts_per_token, ") exceeds experts (", c.experts, ")"));
    if (c.dense_layers >= c.layers) throw Error(cat(c.name, ": dense_layers leaves no MoE block"));
    if ((c.shared_experts > 0) != (c.shared_intermediate > 0))
      throw Error(cat(c.name, ": shared_experts and shared_intermediate go together"));
  } else if (c.experts_per_token || c.expert_intermediate || c.shared_experts || c.dense_layers) {
    throw Error(cat(c.name, ": MoE fields without experts"));
  }
}

Trace generate_trace(const ModelConfig& config, const GenOptions& options) {
  validate(config);
  if (options.batch == 0) throw Error("batch must be at least 1");
  // Byte counts are batch x context x row: a batch beyond a million sequences would overflow them.
  if (options.batch > (1u << 20)) throw Error(cat("batch ", options.batch, " beyond 1048576 sequences"));
  if (options.prompt_len == 0 && options.decode_steps == 0)
    throw Error("nothing to generate: no prompt and no decode steps");
  BlockLayout l;
  if (!dtype_layout(options.kv_dtype, l)) throw Error(cat("unknown KV dtype '", options.kv_dtype, "'"));
  GenOptions o = options;
  if (o.act_dtype.empty()) o.act_dtype = config.architecture == "opt" ? "F16" : "F32";
  act_bits(o.act_dtype);
  if (!o.weights.empty()) dtype_layout(o.weights);
  if (o.flash_attn && config.kv_lora_rank)
    throw Error(cat(config.name, ": flash attention is not modelled for multi-head latent attention"));
  return Builder(config, o).build();
}

}  // namespace llmx::trace
