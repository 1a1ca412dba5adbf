// Generates a decode trace from a model's public config (config.json numbers), op for op as llama.cpp's
// graph runs a llama-architecture model (traces/FORMAT.md, "Mapping llama.cpp graph nodes"), and for OPT as
// the PyTorch capture runs it (pre-LayerNorm blocks, biased linears, ReLU, learned positions, tied lm_head).
// Leaves out: sliding-window attention (Mistral) and any engine other than the two above.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/trace/trace.h"

namespace llmx::trace {

struct ModelConfig {
  std::string name;
  std::string architecture = "llama";  // llama | opt
  uint32_t hidden = 0, intermediate = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, vocab = 0;
  uint32_t max_position = 0;
  bool tied_embeddings = false;
  std::string activation = "silu";  // silu | gelu | relu
  bool qkv_bias = false;            // biases on the q/k/v projections (Qwen2); OPT has biases everywhere
};

// Reads traces/model_configs.json (an object with a "models" array of objects with the fields above).
std::vector<ModelConfig> load_model_configs(const std::string& path);
// The repository's traces/model_configs.json.
std::string default_model_configs_path();
// Looks a model up by name (case-insensitive); the error lists the known names.
ModelConfig find_model(const std::vector<ModelConfig>& models, const std::string& name);
// Reads a Hugging Face config.json (hidden_size, intermediate_size or ffn_dim, num_hidden_layers,
// num_attention_heads, num_key_value_heads, head_dim, vocab_size, tie_word_embeddings, hidden_act or
// activation_function, model_type).
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
