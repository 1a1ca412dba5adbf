// Decode traces in memory: what one LLM inference run does, op by op, as captured from a real engine
// (llama.cpp, PyTorch) or generated from a model's public config. The on-disk format is specified in
// traces/FORMAT.md (versioned, gzip-compressed text, read as a stream). This header is the contract between
// the trace tools (capture, generation, quantization, `explorer trace`) and the simulator's decode driver.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace llmx::trace {

enum class Phase { prefill, decode };

// What an op does, independent of the engine's own op name.
enum class OpKind {
  embedding,    // token embedding lookup (reads batch rows of the embedding table)
  norm,         // RMSNorm / LayerNorm
  matmul_q, matmul_k, matmul_v, matmul_qkv, matmul_o,  // attention projections
  matmul_gate, matmul_up, matmul_down,                   // FFN projections
  lm_head,      // output projection to the vocabulary
  rope,         // rotary position embedding
  kv_write,     // append K/V of the new token(s) to the cache
  attention_score,  // Q x K^T over the context
  softmax,
  attention_value,  // P x V over the context
  attention,    // a fused attention op (score + softmax + value) when the engine fuses them
  activation,   // SiLU / GELU / ReLU
  elementwise,  // gating multiply, scale, add of bias, etc.
  residual,     // residual add
  copy,         // layout changes that move data (cont, cpy, permute materialised)
  other,
  // Mixture of experts (format version 2)
  router,         // the gating projection: token rows x experts logits (streams the router weight)
  expert_select,  // expert probabilities, top-k selection and the weights' normalisation
  expert_gate, expert_up, expert_down  // projections of the selected experts (reads only those experts)
};
const char* op_kind_name(OpKind kind);
bool parse_op_kind(const std::string& name, OpKind& out);
bool is_matmul(OpKind kind);  // kinds that stream a weight matrix
bool is_expert_matmul(OpKind kind);  // expert_gate, expert_up, expert_down

struct WeightInfo {
  uint32_t id = 0;
  std::string name;             // engine's tensor name, e.g. "blk.0.attn_q.weight"
  std::string tensor_class;     // attn_q, attn_k, attn_v, attn_o, ffn_gate, ffn_up, ffn_down, embedding, lm_head, norm
  std::vector<uint64_t> shape;  // logical shape, innermost first as in GGUF
  std::string dtype;            // F32, F16, BF16, Q8_0, Q4_0, Q4_K, INT4_G128, BCQ3_G128, ...
  uint64_t bytes = 0;           // stored bytes, exactly as the format lays them out
  uint64_t offset = 0;          // byte offset in the model's weight image
};

struct Op {
  uint32_t step = 0;       // 0-based: prefill is step 0 when present, then one step per generated token
  Phase phase = Phase::decode;
  int32_t layer = -1;      // transformer block, -1 for ops outside blocks
  OpKind kind = OpKind::other;
  std::string engine_op;   // the engine's own op name (e.g. MUL_MAT, RMS_NORM, aten::mm)
  uint64_t m = 0, n = 0, k = 0;  // matmul dims (M rows of activations, N outputs, K reduction); 0 if n/a
  int64_t weight_id = -1;  // -1 when the op reads no weight
  int64_t weight_id2 = -1; // a second weight the same op reads (a linear's bias, a LayerNorm's shift), or -1
  uint64_t weight_bytes = 0;     // stored weight bytes this op reads
  uint32_t context_len = 0;      // logical context length (tokens in the KV cache incl. this step's)
  uint64_t kv_read_bytes = 0;
  uint64_t kv_write_bytes = 0;
  uint64_t act_in_bytes = 0;
  uint64_t act_out_bytes = 0;
  double flops = 0;        // floating-point (or integer MAC x2) operations
};

// Mixture-of-experts numbers of a model (all 0 for a dense model).
struct MoeShape {
  uint32_t experts = 0;              // routed experts per MoE block (E)
  uint32_t experts_per_token = 0;    // experts each token is routed to (top-k)
  uint32_t shared_experts = 0;       // experts every token passes (DeepSeek, Qwen-MoE), 0 = none
  uint32_t expert_intermediate = 0;  // intermediate size of one routed expert
  uint32_t shared_intermediate = 0;  // intermediate size of the shared experts together
  uint32_t dense_layers = 0;         // leading blocks with a dense FFN instead (DeepSeek first_k_dense_replace)
  bool routing_recorded = false;     // the expert ops' weight bytes are what the engine read (else uniform)
  bool any() const { return experts > 0; }
};

// Multi-head latent attention numbers (all 0 without MLA): the cache holds one row of kv_lora_rank +
// rope_head_dim elements per token (the header's kv_heads 1 x head_dim).
struct MlaShape {
  uint32_t kv_lora_rank = 0, q_lora_rank = 0, rope_head_dim = 0, nope_head_dim = 0, v_head_dim = 0;
  bool any() const { return kv_lora_rank > 0; }
};

struct Header {
  int version = 1;
  std::string source_engine;    // "llama.cpp", "pytorch", "generator"
  std::string source_version;
  std::string model;            // e.g. "Llama-2-7B"
  std::string architecture;     // e.g. "llama", "opt"
  // architecture numbers (config.json)
  uint32_t hidden = 0, intermediate = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, vocab = 0;
  bool tied_embeddings = false;
  std::string activation;       // silu, gelu, relu
  std::string weight_format;    // summary, e.g. "Q4_0" or "mixed"
  std::string kv_dtype;         // F16, F8, INT8, INT4
  std::string act_dtype;
  uint32_t batch = 1;
  uint32_t prompt_len = 0;
  uint32_t decode_steps = 0;
  // Version 2 (optional keys; 0 = not given).
  uint32_t max_position = 0;    // the model's maximum positions (max_position_embeddings)
  uint32_t sliding_window = 0;  // attention window in tokens (Mistral); 0 = full attention
  MoeShape moe;
  MlaShape mla;
  std::vector<std::pair<std::string, std::string>> extra;  // further key/values, kept verbatim
  uint64_t records = 0;         // op records the file holds (filled by the readers; the writer writes ops.size())
};

struct Trace {
  Header header;
  std::vector<WeightInfo> weights;
  std::vector<Op> ops;
  uint64_t total_weight_bytes() const;  // sum of the weight table
};

// The format version a trace needs: 2 when it carries any version-2 key, else 1.
int format_version(const Header& header);

// Name of an op's phase as written in a trace ("prefill", "decode").
const char* phase_name(Phase phase);
// Value of a header key from `extra`, or "" when absent.
std::string header_extra(const Header& header, const std::string& key);

// Reads a whole trace. Errors (missing file, truncated, wrong version, unknown op kind, negative or
// malformed numbers) throw llmx::Error "path: record N: message".
Trace read_trace(const std::string& path);
// The same, kept for the life of the process (and of processes forked after it: a sweep reads each trace
// once, before it forks its points). A kept trace is used while the file's size, modification time and
// inode are those it was read with; otherwise it is read again.
const Trace& read_trace_cached(const std::string& path);
// Streams ops to `on_op` without keeping them; returns header and weights.
Trace read_trace_streaming(const std::string& path, const std::function<void(const Op&)>& on_op);
// Writes gzip-compressed; deterministic bytes for the same Trace; replaces an existing file only when it is a
// trace. Checks what the reader checks (weight ids,
// layers, dtypes) and throws llmx::Error "path: record N: message" for an op or weight it would reject.
void write_trace(const Trace& trace, const std::string& path);
// Whether a file's first bytes are a trace's (gzip-compressed or plain): write_trace replaces only a trace.
bool looks_like_trace(const std::string& head);
// The uncompressed text write_trace compresses (tests and tools that want plain text).
std::string render_trace(const Trace& trace);

}  // namespace llmx::trace
