// Quantization and run-shape transforms on traces: captured F16 -> Q4_0 against the captured Q4_0 trace,
// weight formats (INT, BCQ) against hand-derived bytes, KV and activation precision, batch and decode-step
// changes against freshly generated traces, and the errors for impossible requests. Not covered: the file
// format (test_trace_format.cpp).
#include <catch2/catch.hpp>

#include <map>

#include "explorer/trace/dtype.h"
#include "explorer/trace/generator.h"
#include "explorer/trace/quantize.h"
#include "explorer/trace/trace.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::trace;
using Catch::Matchers::Contains;

namespace {

const std::vector<ModelConfig>& models() {
  static const std::vector<ModelConfig> m = load_model_configs(default_model_configs_path());
  return m;
}

Trace gen(const std::string& model, const std::string& weights, uint32_t prompt, uint32_t steps,
          uint32_t batch = 1) {
  GenOptions o;
  o.weights = weights;
  o.prompt_len = prompt;
  o.decode_steps = steps;
  o.batch = batch;
  return generate_trace(find_model(models(), model), o);
}

struct Sums {
  uint64_t weight = 0, kv = 0, act = 0;
  double flops = 0;
};
std::map<uint32_t, Sums> per_step(const Trace& t) {
  std::map<uint32_t, Sums> s;
  for (const Op& o : t.ops) {
    Sums& x = s[o.step];
    x.weight += o.weight_bytes;
    x.kv += o.kv_read_bytes + o.kv_write_bytes;
    x.act += o.act_in_bytes + o.act_out_bytes;
    x.flops += o.flops;
  }
  return s;
}

// Traces equal op for op (the header's transform note aside).
void require_same_ops(const Trace& a, const Trace& b) {
  REQUIRE(a.ops.size() == b.ops.size());
  for (size_t i = 0; i < a.ops.size(); ++i) {
    INFO("op " << i);
    const Op& x = a.ops[i];
    const Op& y = b.ops[i];
    REQUIRE(x.step == y.step);
    REQUIRE(x.kind == y.kind);
    REQUIRE(x.m == y.m);
    REQUIRE(x.n == y.n);
    REQUIRE(x.k == y.k);
    REQUIRE(x.weight_bytes == y.weight_bytes);
    REQUIRE(x.context_len == y.context_len);
    REQUIRE(x.kv_read_bytes == y.kv_read_bytes);
    REQUIRE(x.kv_write_bytes == y.kv_write_bytes);
    REQUIRE(x.act_in_bytes == y.act_in_bytes);
    REQUIRE(x.act_out_bytes == y.act_out_bytes);
    REQUIRE(x.flops == Approx(y.flops).epsilon(1e-12));
  }
  REQUIRE(a.weights.size() == b.weights.size());
  for (size_t i = 0; i < a.weights.size(); ++i) {
    REQUIRE(a.weights[i].dtype == b.weights[i].dtype);
    REQUIRE(a.weights[i].bytes == b.weights[i].bytes);
    REQUIRE(a.weights[i].offset == b.weights[i].offset);
  }
}

}  // namespace

TEST_CASE("quantize: captured F16 -> Q4_0 gives the captured Q4_0 weight bytes", "[trace]") {
  const std::string dir = test::source_dir() + "/traces/captured/";
  for (const char* model : {"tinyllama-1.1b", "llama-2-7b", "llama-3-8b"}) {
    INFO(model);
    const Trace f16 = read_trace(dir + model + "-f16.lxt.gz");
    const Trace q4 = read_trace(dir + model + "-q4_0.lxt.gz");
    TransformSpec spec;
    spec.weights = "Q4_0";
    const Trace t = transform_trace(f16, spec);
    REQUIRE(t.header.weight_format == "Q4_0");
    REQUIRE(header_extra(t.header, "transform") == "weights=Q4_0");
    REQUIRE(t.total_weight_bytes() == q4.total_weight_bytes());
    const auto a = per_step(t);
    const auto b = per_step(q4);
    REQUIRE(a.size() == b.size());
    for (const auto& [step, x] : a) {
      REQUIRE(std::abs(static_cast<double>(x.weight) - static_cast<double>(b.at(step).weight)) <=
              0.005 * static_cast<double>(b.at(step).weight));
      REQUIRE(x.kv == b.at(step).kv);
    }
    // And to Q8_0 likewise (output.weight stays Q8_0 there).
    spec.weights = "Q8_0";
    REQUIRE(transform_trace(f16, spec).total_weight_bytes() ==
            read_trace_streaming(dir + model + "-q8_0.lxt.gz", nullptr).total_weight_bytes());
  }
}

TEST_CASE("quantize: INT and BCQ formats store exactly the group formula", "[trace]") {
  const Trace f16 = gen("Llama-2-7B", "F16", 4, 1);
  const uint64_t D = 4096, F = 11008, V = 32000, layers = 32;
  const uint64_t per_layer_weights = 4 * D * D + 3 * D * F;
  // bytes per weight group of 128 along each row; norms stay F32, embeddings and lm_head stay F16.
  struct Case {
    const char* format;
    uint64_t group_bytes;
  };
  for (const Case& c : {Case{"INT8_G128", 128 + 4}, Case{"INT4_G128", 64 + 4}, Case{"INT3_G128", 48 + 4},
                        Case{"INT2_G128", 32 + 4}, Case{"INT4S_G128", 64 + 2}, Case{"BCQ4_G128", 4 * 16 + 8},
                        Case{"BCQ3_G128", 3 * 16 + 6}, Case{"BCQ2_G128", 2 * 16 + 4}}) {
    INFO(c.format);
    TransformSpec spec;
    spec.weights = c.format;
    const Trace t = transform_trace(f16, spec);
    const uint64_t expect =
        layers * (per_layer_weights / 128 * c.group_bytes + 2 * D * 4) + V * D * 2 + D * 4 + D * 2;
    REQUIRE(per_step(t).at(1).weight == expect);
    for (const WeightInfo& w : t.weights) {
      if (w.tensor_class == "norm") REQUIRE(w.dtype == "F32");
      if (w.tensor_class == "embedding" || w.tensor_class == "lm_head") REQUIRE(w.dtype == "F16");
    }
  }
  // Group size 64 with --embeddings same quantizes the output matrix as well.
  TransformSpec spec;
  spec.weights = weight_format_name("int4", 64);
  spec.embeddings = "same";
  REQUIRE(spec.weights == "INT4_G64");
  const Trace t = transform_trace(f16, spec);
  const uint64_t expect =
      layers * (per_layer_weights / 64 * 36 + 2 * D * 4) + V * D / 64 * 36 + D * 4 + D / 64 * 36;
  REQUIRE(per_step(t).at(1).weight == expect);
  // GGUF formats follow llama-quantize: the output matrix in Q6_K below 8 bits, also when it is the tied
  // token embedding (OPT).
  spec = TransformSpec{};
  spec.weights = "Q4_0";
  const Trace opt = transform_trace(gen("OPT-6.7B", "F16", 2, 1), spec);
  REQUIRE(opt.weights[0].tensor_class == "embedding");
  REQUIRE(opt.weights[0].dtype == "Q6_K");
  REQUIRE(opt.weights[1].dtype == "Q4_0");  // learned positions
  REQUIRE(opt.weights[2].dtype == "F16");   // LayerNorm scale
  REQUIRE(weight_format_name("bcq3", 0) == "BCQ3_G128");
  REQUIRE(weight_format_name("q4_k", 0) == "Q4_K");
  REQUIRE_THROWS_WITH(weight_format_name("INT9", 128), Contains("unknown weight format"));
}

TEST_CASE("quantize: KV-cache and activation precision", "[trace]") {
  const Trace base = gen("Llama-3-8B", "Q4_0", 16, 4);
  const auto b = per_step(base);
  for (const auto& [kv, bytes_per_32] : std::vector<std::pair<std::string, uint64_t>>{
           {"FP8", 32}, {"INT8", 34}, {"INT4", 20}, {"Q4_0", 18}, {"F32", 128}}) {
    INFO(kv);
    TransformSpec spec;
    spec.kv_dtype = kv;
    const auto t = per_step(transform_trace(base, spec));
    for (uint32_t s = 1; s <= 4; ++s) {
      // 2 (K, V) x 32 layers x (context read + 1 written) x 1024 elements per token.
      REQUIRE(t.at(s).kv == 2ull * 32 * (16 + s + 1) * (1024 / 32 * bytes_per_32));
      REQUIRE(t.at(s).weight == b.at(s).weight);
      REQUIRE(t.at(s).flops == b.at(s).flops);
    }
  }
  TransformSpec act;
  act.act_dtype = "F16";
  const auto h = per_step(transform_trace(base, act));
  for (uint32_t s = 0; s <= 4; ++s) REQUIRE(2 * h.at(s).act == b.at(s).act);
  act.act_dtype = "F12";
  REQUIRE_THROWS_WITH(transform_trace(base, act), Contains("unknown activation dtype"));
}

TEST_CASE("quantize: batch and decode steps re-derive what the generator computes", "[trace]") {
  // Batch 1 -> 4 equals generating batch 4; F16 -> Q4_0 equals generating Q4_0.
  const Trace one = gen("TinyLlama-1.1B", "F16", 8, 3);
  TransformSpec spec;
  spec.batch = 4;
  require_same_ops(transform_trace(one, spec), gen("TinyLlama-1.1B", "F16", 8, 3, 4));
  spec = TransformSpec{};
  spec.weights = "Q4_0";
  require_same_ops(transform_trace(one, spec), gen("TinyLlama-1.1B", "Q4_0", 8, 3));
  // More decode steps: the context keeps growing; fewer: steps are dropped.
  spec = TransformSpec{};
  spec.decode_steps = 9;
  require_same_ops(transform_trace(one, spec), gen("TinyLlama-1.1B", "F16", 8, 9));
  spec.decode_steps = 1;
  require_same_ops(transform_trace(one, spec), gen("TinyLlama-1.1B", "F16", 8, 1));
  // Same for OPT, and all at once.
  spec = TransformSpec{};
  spec.batch = 2;
  spec.decode_steps = 5;
  spec.weights = "INT4_G128";
  require_same_ops(transform_trace(gen("OPT-6.7B", "F16", 4, 2), spec),
                   gen("OPT-6.7B", "INT4_G128", 4, 5, 2));
  // A batch of 4 reads the weights once per step for 4 tokens: 4x the FLOPs, the same matrix bytes.
  spec = TransformSpec{};
  spec.batch = 4;
  const auto a = per_step(one);
  const auto b4 = per_step(transform_trace(one, spec));
  REQUIRE(b4.at(2).flops == Approx(4 * a.at(2).flops).epsilon(1e-12));
  REQUIRE(b4.at(2).kv == 4 * a.at(2).kv);
  REQUIRE(b4.at(2).weight - a.at(2).weight == 3 * (2048 * 2));  // three more F16 embedding rows
}

TEST_CASE("quantize: impossible requests are errors", "[trace]") {
  ModelConfig odd = find_model(models(), "TinyLlama-1.1B");
  odd.name = "odd";
  odd.hidden = 3000;  // not a multiple of Q4_K's 256-weight super-block
  odd.head_dim = 3000 / 32;
  odd.intermediate = 5632;
  GenOptions o;
  o.prompt_len = 2;
  o.decode_steps = 1;
  o.weights = "F16";
  const Trace t = generate_trace(odd, o);
  TransformSpec spec;
  spec.weights = "Q4_0";
  REQUIRE_THROWS_WITH(transform_trace(t, spec), Contains("multiple of 32"));
  // A K-quant takes llama-quantize's fallback where a row is no multiple of 256: Q5_0, or F16 when the row
  // is no multiple of 32 either (3000 here), while the 5632-wide rows of ffn_down (22 x 256) keep Q4_K.
  spec.weights = "Q4_K";
  const Trace k = transform_trace(t, spec);
  for (const WeightInfo& w : k.weights) {
    if (w.name == "blk.0.attn_q.weight") REQUIRE(w.dtype == "F16");
    if (w.name == "blk.0.ffn_down.weight") REQUIRE(w.dtype == "Q4_K");
  }
  spec.weights = "Q7_7";
  REQUIRE_THROWS_WITH(transform_trace(t, spec), Contains("unknown dtype"));
  spec = TransformSpec{};
  spec.kv_dtype = "Q4_0";  // kv row 4 x 93 = 372 elements: not a multiple of 32
  REQUIRE_THROWS_WITH(transform_trace(t, spec), Contains("multiple of 32"));
}
