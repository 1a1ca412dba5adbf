// Generates a decode trace from a model's public config (config.json numbers), op for op as llama.cpp's
// graph runs a llama-architecture model (traces/FORMAT.md, "Mapping llama.cpp graph nodes"), and for OPT as
// the PyTorch capture runs it (pre-LayerNorm blocks, biased linears, ReLU, learned positions, tied lm_head).
// Sliding-window attention (Mistral): a step attends over the keys its queries can see, at most the window
// plus the step's tokens less one. Mixture-of-experts FFN blocks (Mixtral, Qwen-MoE, DeepSeek's routed and
// shared experts) as llama.cpp's build_moe_ffn runs them: router projection, probabilities, top-k, the
// selected experts' projections (reading the expected distinct experts under uniform routing, moe.h),
// weighting and the sum over the k experts, then the shared experts. Leaves out: any engine other than the
// two above. Multi-head latent attention (DeepSeek-V2, architecture deepseek2) as llama.cpp's deepseek2 graph
// runs it with the absorption optimisation: one cached row of kv_lora_rank + rope elements per token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/trace/trace.h"

namespace llmx::trace {

struct ModelConfig {
  std::string name;
  std::string architecture = "llama";  // llama | deepseek2 | opt
  uint32_t hidden = 0, intermediate = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, vocab = 0;
  uint32_t max_position = 0;
  bool tied_embeddings = false;
  std::string activation = "silu";  // silu | gelu | relu
  bool qkv_bias = false;            // biases on the q/k/v projections (Qwen2); OPT has biases everywhere
  uint32_t sliding_window = 0;      // attention window in tokens (Mistral), 0 = full attention
  // Mixture of experts (experts = 0: every block has a dense FFN of `intermediate`).
  uint32_t experts = 0;              // routed experts per MoE block
  uint32_t experts_per_token = 0;    // top-k
  uint32_t expert_intermediate = 0;  // intermediate size of one routed expert
  uint32_t shared_experts = 0;       // experts every token passes
  uint32_t shared_intermediate = 0;  // intermediate size of the shared experts together
  uint32_t dense_layers = 0;         // leading blocks with a dense FFN of `intermediate` (DeepSeek)
  bool norm_topk = false;            // the top-k weights renormalised to sum 1 (Mixtral)
  bool shared_expert_gate = false;   // a sigmoid gate scales the shared experts' output (Qwen-MoE)
  bool scale_routed = false;         // the routed weights scaled by a constant (DeepSeek)
  // Multi-head latent attention (architecture deepseek2; kv_heads 1 and head_dim kv_lora_rank + qk_rope_dim:
  // the one cached row per token that every head attends over).
  uint32_t kv_lora_rank = 0;  // compressed KV dimension
  uint32_t q_lora_rank = 0;   // compressed query dimension, 0 = a full query projection
  uint32_t qk_rope_dim = 0, qk_nope_dim = 0, v_head_dim = 0;  // per head
};

// Reads traces/model_configs.json (an object with a "models" array of objects with the fields above; the
// sliding window and the MoE fields are optional, absent = 0 / false).
std::vector<ModelConfig> load_model_configs(const std::string& path);
// The repository's traces/model_configs.json.
std::string default_model_configs_path();
// Looks a model up by name (case-insensitive); the error lists the known names.
ModelConfig find_model(const std::vector<ModelConfig>& models, const std::string& name);
// Reads a Hugging Face config.json (hidden_size, intermediate_size or ffn_dim, num_hidden_layers,
// num_attention_heads, num_key_value_heads, head_dim, vocab_size, tie_word_embeddings, hidden_act or
// activation_function, max_position_embeddings, sliding_window; MoE: num_local_experts / num_experts,
// num_experts_per_tok, moe_intermediate_size, shared_expert_intermediate_size, n_shared_experts,
// first_k_dense_replace, norm_topk_prob; MLA: kv_lora_rank, q_lora_rank, qk_rope_head_dim, qk_nope_head_dim,
// v_head_dim). `model_type` must be one the generator models (llama, mistral, qwen2, mixtral, qwen2_moe,
// deepseek_v2, opt); another, or a field whose architecture it does not model (multi-head
// latent attention, Qwen2's per-layer sliding window, MLP biases, ...), throws llmx::Error naming it.
ModelConfig read_hf_config(const std::string& path);
// Checks the numbers (positive, heads divisible by kv heads, ...); throws llmx::Error naming the field.
void validate(const ModelConfig& config);

struct GenOptions {
  std::string weights = "F16";  // weight format (traces/FORMAT.md dtypes; Q4_0 etc. as llama.cpp file types)
  std::string embeddings = "auto";  // see target_dtype in quantize.h
  std::string kv_dtype = "F16";
  std::string act_dtype;  // "" = the engine's: F32 for llama (llama.cpp on the CPU), F16 for OPT (PyTorch)
  uint32_t batch = 1;
  uint32_t prompt_len = 16;  // 0 = no prefill step
  uint32_t decode_steps = 8;
  bool flash_attn = false;  // llama: one fused FLASH_ATTN_EXT per block instead of score/softmax/value + CONT
};

Trace generate_trace(const ModelConfig& config, const GenOptions& options);

}  // namespace llmx::trace
