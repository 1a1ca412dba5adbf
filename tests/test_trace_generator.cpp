// The trace generator against the architecture and against the captured traces: per-step weight bytes
// re-derived by hand from the config numbers and the GGUF block sizes, KV bytes linear in the context, op
// counts per block, public parameter counts, and every checked-in capture (traces/captured/) reproduced
// within 0.5% per step (weight and KV bytes) with exactly its op count per layer. Not covered: the file
// format itself (test_trace_format.cpp).
#include <catch2/catch.hpp>

#include <map>

#include "explorer/trace/dtype.h"
#include "explorer/trace/generator.h"
#include "explorer/trace/trace.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::trace;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const std::vector<ModelConfig>& models() {
  static const std::vector<ModelConfig> m = load_model_configs(default_model_configs_path());
  return m;
}

struct StepSums {
  uint64_t weight = 0, kv_read = 0, kv_write = 0, ops = 0;
  uint32_t context = 0;
  std::map<int32_t, uint64_t> ops_per_layer;
};

std::map<uint32_t, StepSums> per_step(const Trace& t) {
  std::map<uint32_t, StepSums> s;
  for (const Op& o : t.ops) {
    StepSums& x = s[o.step];
    x.weight += o.weight_bytes;
    x.kv_read += o.kv_read_bytes;
    x.kv_write += o.kv_write_bytes;
    x.context = o.context_len;
    ++x.ops;
    ++x.ops_per_layer[o.layer];
  }
  return s;
}

GenOptions options(const std::string& weights, uint32_t prompt, uint32_t steps) {
  GenOptions o;
  o.weights = weights;
  o.prompt_len = prompt;
  o.decode_steps = steps;
  return o;
}

std::vector<fs::path> captured_traces() {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(test::source_dir()) / "traces" / "captured";
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().string().size() > 7 && e.path().string().substr(e.path().string().size() - 7) == ".lxt.gz")
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

bool within(double a, double b, double rel) {
  return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

}  // namespace

TEST_CASE("generator: Llama-2-7B Q4_0 decode step reads the GGUF's tensor bytes, re-derived by hand",
          "[trace]") {
  const ModelConfig c = find_model(models(), "Llama-2-7B");
  const Trace t = generate_trace(c, options("Q4_0", 32, 4));
  // By hand: per block q, k, v, o (4096 x 4096) and gate, up, down (4096 x 11008) in Q4_0 (18 bytes per 32),
  // two F32 norm scales; the output matrix 32000 x 4096 in Q6_K (210 per 256); the final norm; one row of
  // token_embd in Q4_0 (GET_ROWS reads only the batch's rows).
  const uint64_t D = 4096, F = 11008, V = 32000, layers = 32;
  const uint64_t block = (4 * D * D + 3 * D * F) / 32 * 18 + 2 * D * 4;
  const uint64_t expect = layers * block + V * D / 256 * 210 + D * 4 + D / 32 * 18;
  const auto steps = per_step(t);
  for (uint32_t s = 1; s <= 4; ++s) REQUIRE(steps.at(s).weight == expect);
  REQUIRE(expect > 3.7e9);
  REQUIRE(expect < 3.8e9);  // "about 3.7 GB"
  // The whole file less the embedding table but one row.
  REQUIRE(expect == t.total_weight_bytes() - uint64_t{V} * D / 32 * 18 + D / 32 * 18);
  // Prefill reads 32 embedding rows instead of one.
  REQUIRE(steps.at(0).weight == expect + 31 * (D / 32 * 18));
}

TEST_CASE("generator: KV bytes grow linearly with the context", "[trace]") {
  for (const char* name : {"Llama-2-7B", "Llama-3-8B", "TinyLlama-1.1B", "OPT-6.7B"}) {
    const ModelConfig c = find_model(models(), name);
    const Trace t = generate_trace(c, options("F16", 20, 12));
    const auto steps = per_step(t);
    // K and V, every layer: 2 bytes x kv_heads x head_dim per token.
    const uint64_t per_token = 2ull * c.layers * c.kv_heads * c.head_dim * 2;
    for (uint32_t s = 1; s <= 12; ++s) {
      INFO(name << " step " << s);
      REQUIRE(steps.at(s).context == 20 + s);
      REQUIRE(steps.at(s).kv_read == per_token * (20 + s));
      REQUIRE(steps.at(s).kv_write == per_token);
      if (s > 1) REQUIRE(steps.at(s).kv_read - steps.at(s - 1).kv_read == per_token);
    }
    REQUIRE(steps.at(0).kv_write == per_token * 20);
  }
  // A quantized cache: INT8 stores 34 bytes per 32 elements.
  const ModelConfig c = find_model(models(), "Llama-3-8B");
  GenOptions o = options("Q4_0", 8, 2);
  o.kv_dtype = "INT8";
  const auto steps = per_step(generate_trace(c, o));
  REQUIRE(steps.at(2).kv_read == 2ull * 32 * 10 * (8 * 128 / 32 * 34));
}

TEST_CASE("generator: op counts per block follow the architecture", "[trace]") {
  // llama (llama.cpp graph, views dropped): 22 per block, 24 in the last (two GET_ROWS of inp_out_ids);
  // outside blocks the embedding, the final norm and its scale, the lm_head.
  for (const char* name : {"TinyLlama-1.1B", "Llama-2-70B", "Mistral-7B"}) {
    const ModelConfig c = find_model(models(), name);
    const auto steps = per_step(generate_trace(c, options("Q4_0", 4, 2)));
    for (uint32_t s : {0u, 1u, 2u}) {
      const auto& l = steps.at(s).ops_per_layer;
      REQUIRE(l.at(-1) == 4);
      for (uint32_t i = 0; i + 1 < c.layers; ++i) REQUIRE(l.at(static_cast<int32_t>(i)) == 22);
      REQUIRE(l.at(static_cast<int32_t>(c.layers - 1)) == 24);
      REQUIRE(steps.at(s).ops == 4 + 22 * c.layers + 2);
    }
  }
  // Qwen2: q, k and v biases add one ADD each.
  const ModelConfig q = find_model(models(), "Qwen2.5-7B");
  REQUIRE(per_step(generate_trace(q, options("Q4_0", 4, 1))).at(1).ops_per_layer.at(0) == 25);
  // OPT (PyTorch): 17 per block in decode, plus the mask add and the head-merging copy in the prompt.
  const ModelConfig opt = find_model(models(), "OPT-30B");
  const auto o = per_step(generate_trace(opt, options("F16", 4, 1)));
  REQUIRE(o.at(1).ops_per_layer.at(0) == 17);
  REQUIRE(o.at(0).ops_per_layer.at(0) == 19);
  REQUIRE(o.at(1).ops_per_layer.at(-1) == 6);
  REQUIRE(o.at(0).ops_per_layer.at(-1) == 8);
}

TEST_CASE("generator: parameter counts match the published ones", "[trace]") {
  // Public parameter counts (llama.cpp's model_n_params for the captured models, model cards otherwise).
  const std::map<std::string, uint64_t> published = {
      {"TinyLlama-1.1B", 1100048384ull}, {"Llama-2-7B", 6738415616ull}, {"Llama-3-8B", 8030261248ull},
      {"Mistral-7B", 7241732096ull},     {"Qwen2.5-7B", 7615616512ull}, {"OPT-6.7B", 6658473984ull},
  };
  for (const auto& [name, params] : published) {
    const Trace t = generate_trace(find_model(models(), name), options("F16", 1, 1));
    uint64_t n = 0;
    for (const WeightInfo& w : t.weights) {
      uint64_t e = 1;
      for (uint64_t d : w.shape) e *= d;
      n += e;
    }
    INFO(name);
    REQUIRE(n == params);
  }
  // Every model of model_configs.json generates in every listed format, offsets laid out without overlap.
  for (const ModelConfig& c : models()) {
    for (const char* f : {"F16", "Q8_0", "Q4_0", "Q4_K", "INT4_G128", "BCQ3_G128"}) {
      INFO(c.name << " " << f);
      const Trace t = generate_trace(c, options(f, 2, 1));
      for (size_t i = 1; i < t.weights.size(); ++i)
        REQUIRE(t.weights[i].offset >= t.weights[i - 1].offset + t.weights[i - 1].bytes);
    }
  }
}

TEST_CASE("generator: reproduces every captured trace", "[trace]") {
  const auto files = captured_traces();
  REQUIRE(files.size() >= 9);  // TinyLlama, Llama-2-7B, Llama-3-8B x F16, Q8_0, Q4_0, and OPT from PyTorch
  for (const fs::path& f : files) {
    INFO(f.string());
    const Trace cap = read_trace(f.string());
    const Header& h = cap.header;
    GenOptions o;
    o.weights = h.weight_format;
    o.kv_dtype = h.kv_dtype;
    o.act_dtype = h.act_dtype;
    o.batch = h.batch;
    o.prompt_len = h.prompt_len;
    o.decode_steps = h.decode_steps;
    for (const auto& [key, value] : h.extra)
      if (key == "flash_attn") o.flash_attn = value == "1";
    const Trace gen = generate_trace(find_model(models(), h.model), o);
    const auto a = per_step(cap);
    const auto b = per_step(gen);
    REQUIRE(a.size() == b.size());
    for (const auto& [step, x] : a) {
      INFO("step " << step);
      const StepSums& y = b.at(step);
      REQUIRE(within(x.weight, y.weight, 0.005));
      REQUIRE(within(x.kv_read + x.kv_write, y.kv_read + y.kv_write, 0.005));
      REQUIRE(x.ops_per_layer == y.ops_per_layer);
    }
    // Architecture re-derivation on the capture itself: every decode step reads each block matrix once and
    // lm_head in full.
    uint64_t matrices = 0;
    for (const WeightInfo& w : cap.weights)
      if (w.tensor_class != "embedding" && w.tensor_class != "pos_embedding") matrices += w.bytes;
    if (h.tied_embeddings)
      for (const WeightInfo& w : cap.weights)
        if (w.tensor_class == "embedding") matrices += w.bytes;
    uint64_t embedding_rows = 0;
    for (const Op& op : cap.ops)
      if (op.step == 1 && op.kind == OpKind::embedding) embedding_rows += op.weight_bytes;
    REQUIRE(a.at(1).weight == matrices + embedding_rows);
  }
}

TEST_CASE("generator: config errors and Hugging Face config.json", "[trace]") {
  const fs::path dir = test::scratch_dir("trace-gen-config");
  ModelConfig c = find_model(models(), "TinyLlama-1.1B");
  c.kv_heads = 5;
  REQUIRE_THROWS_WITH(generate_trace(c, GenOptions{}), Contains("multiple of kv_heads"));
  REQUIRE_THROWS_WITH(find_model(models(), "Llama-9"), Contains("unknown model 'Llama-9'"));
  c = find_model(models(), "TinyLlama-1.1B");
  GenOptions bad;
  bad.kv_dtype = "F12";
  REQUIRE_THROWS_WITH(generate_trace(c, bad), Contains("unknown KV dtype"));
  // A Hugging Face config.json with TinyLlama's numbers gives the same trace as the table's entry.
  const fs::path cfg = test::write_text(dir / "config.json", R"({
    "_name_or_path": "TinyLlama-1.1B", "model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632,
    "num_hidden_layers": 22, "num_attention_heads": 32, "num_key_value_heads": 4, "vocab_size": 32000,
    "max_position_embeddings": 2048, "tie_word_embeddings": false, "hidden_act": "silu"})");
  const ModelConfig hf = read_hf_config(cfg.string());
  REQUIRE(hf.head_dim == 64);
  REQUIRE(render_trace(generate_trace(hf, options("Q4_0", 3, 2))) ==
          render_trace(generate_trace(c, options("Q4_0", 3, 2))));
}
