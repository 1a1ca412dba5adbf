// Mixture-of-experts (explorer/trace/moe.h, the generator's MoE blocks, format version 2): the expected
// number of distinct experts a step reaches under uniform routing (against a sampled routing), the expert
// bytes a Mixtral-8x7B decode step reads at batch 1 and 64, the presets' parameter counts against the
// published ones, the format round trip and its checks, the quantizer and the workload stage on MoE traces,
// each PE's share of an expert projection, and config.json files the generator models or refuses by name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "explorer/plan/plan.h"
#include "explorer/trace/generator.h"
#include "explorer/trace/moe.h"
#include "explorer/trace/quantize.h"
#include "explorer/workload/workload.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::trace;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const std::vector<ModelConfig>& models() {
  static const auto m = load_model_configs(default_model_configs_path());
  return m;
}

Trace moe_trace(const std::string& model, const std::string& weights, uint32_t batch, uint32_t prompt = 4,
                uint32_t steps = 2) {
  GenOptions o;
  o.weights = weights;
  o.batch = batch;
  o.prompt_len = prompt;
  o.decode_steps = steps;
  return generate_trace(find_model(models(), model), o);
}

bool is_expert_tensor(const WeightInfo& w) {
  return w.shape.size() == 3;
}

struct StepWeights {
  uint64_t expert = 0, other = 0;
};

StepWeights step_weights(const std::vector<Op>& ops, const Trace& t, uint32_t step) {
  StepWeights s;
  for (const Op& op : ops) {
    if (op.step != step || op.weight_id < 0) continue;
    (is_expert_tensor(t.weights[static_cast<size_t>(op.weight_id)]) ? s.expert : s.other) += op.weight_bytes;
  }
  return s;
}

}  // namespace

TEST_CASE("moe: expected distinct experts under uniform routing agree with sampled routing", "[moe]") {
  REQUIRE(expected_experts(8, 2, 1) == Approx(2.0).epsilon(1e-12));
  REQUIRE(expected_experts(8, 2, 64) == Approx(8.0).epsilon(1e-6));
  REQUIRE(expected_experts(60, 4, 1) == Approx(4.0).epsilon(1e-12));
  // Sampled: each token draws k distinct experts of E uniformly (fixed seed).
  std::mt19937 rng(12345);
  for (auto [E, k, T] : {std::tuple{8u, 2u, 4u}, std::tuple{60u, 4u, 8u}, std::tuple{64u, 6u, 16u},
                         std::tuple{256u, 8u, 32u}}) {
    std::vector<uint32_t> ids(E);
    double total = 0;
    const int trials = 4000;
    for (int n = 0; n < trials; ++n) {
      std::set<uint32_t> reached;
      for (uint32_t t = 0; t < T; ++t) {
        for (uint32_t i = 0; i < E; ++i) ids[i] = i;
        std::shuffle(ids.begin(), ids.end(), rng);
        reached.insert(ids.begin(), ids.begin() + k);
      }
      total += static_cast<double>(reached.size());
    }
    INFO("E " << E << " k " << k << " T " << T);
    REQUIRE(total / trials == Approx(expected_experts(E, k, T)).epsilon(0.01));
  }
}

TEST_CASE("moe: Mixtral-8x7B reads 2/8 of its experts per step at batch 1 and nearly all at batch 64",
          "[moe]") {
  const Trace one = moe_trace("Mixtral-8x7B", "Q4_0", 1);
  uint64_t expert_total = 0, other_total = 0;
  for (const WeightInfo& w : one.weights) {
    if (is_expert_tensor(w))
      expert_total += w.bytes;
    else if (w.tensor_class != "embedding")
      other_total += w.bytes;
  }
  const StepWeights b1 = step_weights(one.ops, one, 1);
  // Every non-expert tensor once (the embedding only its row), and two of the eight experts of each layer.
  const uint64_t embedding_row = 4096 / 32 * 18;
  REQUIRE(b1.other == other_total + embedding_row);
  REQUIRE(static_cast<double>(b1.expert) == Approx(expert_total * 2.0 / 8.0).epsilon(0.02));
  const Trace many = moe_trace("Mixtral-8x7B", "Q4_0", 64);
  const StepWeights b64 = step_weights(many.ops, many, 1);
  REQUIRE(static_cast<double>(b64.expert) > 0.999 * expert_total);
  REQUIRE(b64.expert <= expert_total);
  // The prefill's 4 tokens reach 8 (1 - 0.75^4) = 5.47 experts in each block but the last, where only each
  // sequence's last token goes on (llama.cpp's row selection) and reaches 2.
  const StepWeights prefill = step_weights(one.ops, one, 0);
  const double per_layer = expert_total / 32.0 / 8.0;
  REQUIRE(static_cast<double>(prefill.expert) ==
          Approx(per_layer * (31 * expected_experts(8, 2, 4) + expected_experts(8, 2, 1))).epsilon(1e-9));
  // The workload stage takes the batch-1 trace to batch 64 and reads what the generator reads there.
  WorkloadSpec spec;
  spec.batch = 64;
  spec.decode_steps = 1;
  const Workload w = build_workload(one, spec);
  const StepWeights r = step_weights(w.steps[0].ops, one, 1);
  REQUIRE(r.expert == b64.expert);
  REQUIRE(r.other == b64.other);
}

TEST_CASE("moe: preset parameter counts match the published totals and active parameters", "[moe]") {
  // Total: every weight; active per token: what a batch-1 decode step reads, with the whole embedding table
  // (Mistral and Qwen count it) or without it (DeepSeek's "activated" parameters leave the lookup out).
  struct Published {
    const char* model;
    double total, active;
    bool with_embedding;
  };
  for (const Published& p :
       {Published{"Mixtral-8x7B", 46.7e9, 12.9e9, true}, Published{"Qwen1.5-MoE-A2.7B", 14.3e9, 2.7e9, true},
        Published{"DeepSeek-V2-Lite", 15.7e9, 2.4e9, false}}) {
    INFO(p.model);
    const Trace t = moe_trace(p.model, "F16", 1);
    double total = 0, embedding = 0;
    for (const WeightInfo& w : t.weights) {
      double n = 1;
      for (uint64_t d : w.shape) n *= static_cast<double>(d);
      total += n;
      if (w.tensor_class == "embedding") embedding = n;
    }
    double read = 0;
    for (const Op& op : t.ops)
      if (op.step == 1 && op.kind != OpKind::embedding) read += static_cast<double>(op.weight_bytes);
    // F16 matrices (2 bytes); the norms and routers are F32 but few.
    const double active = read / 2 + (p.with_embedding ? embedding : 0.0);
    REQUIRE(total == Approx(p.total).epsilon(0.01));
    REQUIRE(active == Approx(p.active).epsilon(0.03));  // published to two digits (DeepSeek: 2.45 counted)
  }
}

TEST_CASE("moe: a MoE trace round-trips in format version 2, and bad MoE records are refused",
          "[moe][trace]") {
  const fs::path dir = test::scratch_dir("moe-format");
  const Trace t = moe_trace("Qwen1.5-MoE-A2.7B", "Q8_0", 2);
  REQUIRE(t.header.moe.experts == 60);
  REQUIRE(t.header.moe.shared_intermediate == 5632);
  const std::string text = render_trace(t);
  REQUIRE(text.rfind("LXT\t2\n", 0) == 0);
  REQUIRE_THAT(text, Contains("h\texperts\t60\n") && Contains("h\texperts_per_token\t4\n") &&
                         Contains("h\tmoe_routing\tuniform\n") && Contains("\trouter\tMUL_MAT\t") &&
                         Contains("\texpert_up\tMUL_MAT_ID\t"));
  write_trace(t, (dir / "q.lxt.gz").string());
  const Trace back = read_trace((dir / "q.lxt.gz").string());
  REQUIRE(render_trace(back) == text);
  REQUIRE(back.header.moe.experts_per_token == 4);
  // An expert op in a trace without experts, and top-k above the experts, are refused with the record.
  std::string no_experts = text;
  no_experts.erase(no_experts.find("h\texperts\t60\n"), std::string("h\texperts\t60\n").size());
  const std::string end = no_experts.substr(no_experts.rfind("end\t"));
  test::write_text(dir / "bad.lxt", no_experts);
  REQUIRE_THROWS_WITH(read_trace((dir / "bad.lxt").string()), Contains("MoE keys without 'experts'"));
  std::string topk = text;
  const std::string k4 = "h\texperts_per_token\t4\n";
  topk.replace(topk.find(k4), k4.size(), "h\texperts_per_token\t99\n");
  test::write_text(dir / "topk.lxt", topk);
  REQUIRE_THROWS_WITH(read_trace((dir / "topk.lxt").string()),
                      Contains("experts_per_token 99 outside 1..experts"));
  // A dense trace stays version 1 when it carries no version-2 key.
  Trace dense = moe_trace("TinyLlama-1.1B", "Q4_0", 1);
  dense.header.max_position = 0;
  REQUIRE(render_trace(dense).rfind("LXT\t1\n", 0) == 0);
}

TEST_CASE("moe: quantizing a MoE trace and changing its batch equal generating it so", "[moe][trace]") {
  const Trace f16 = moe_trace("Mixtral-8x7B", "F16", 1, 4, 2);
  TransformSpec spec;
  spec.weights = "Q4_0";
  spec.batch = 8;
  const Trace q = transform_trace(f16, spec);
  const Trace want = moe_trace("Mixtral-8x7B", "Q4_0", 8, 4, 2);
  REQUIRE(q.ops.size() == want.ops.size());
  for (size_t i = 0; i < q.ops.size(); ++i) {
    INFO("op " << i << " " << op_kind_name(q.ops[i].kind));
    REQUIRE(q.ops[i].weight_bytes == want.ops[i].weight_bytes);
    REQUIRE(q.ops[i].m == want.ops[i].m);
    REQUIRE(q.ops[i].flops == Approx(want.ops[i].flops).epsilon(1e-12));
  }
}

TEST_CASE("moe: the PEs' shares of an expert projection dequantize every expert it reads",
          "[moe][decode-path]") {
  const Trace t = moe_trace("Mixtral-8x7B", "Q4_0", 1, 4, 1);
  WorkloadSpec spec;
  spec.decode_steps = 1;
  const Workload w = build_workload(t, spec);
  const Plan plan = make_plan(w, {{uint64_t{64} << 30, 4}}, PlanConfig{}, "test");
  size_t seen = 0;
  for (size_t i = 0; i < w.steps[0].ops.size(); ++i) {
    const Op& op = w.steps[0].ops[i];
    if (!is_expert_matmul(op.kind)) continue;
    ++seen;
    double elements = 0, weight = 0;
    for (const WorkShare& s : split_op(plan, 0, op, plan.steps[0].ops[i])) {
      elements += s.weight_elements;
      for (const MemoryStream& m : s.loads)
        if (m.kind == StreamKind::weight) weight += static_cast<double>(m.bytes);
    }
    REQUIRE(weight == static_cast<double>(op.weight_bytes));
    REQUIRE(elements == Approx(2.0 * static_cast<double>(op.n) * static_cast<double>(op.k)).epsilon(1e-9));
  }
  REQUIRE(seen == 3 * 32);
}

TEST_CASE("moe: config.json files the generator models, and the ones it refuses by name", "[moe][trace]") {
  const fs::path dir = test::scratch_dir("moe-hf");
  // Mixtral-8x7B's public config.json gives the preset's trace.
  const fs::path mixtral = test::write_text(dir / "mixtral.json", R"({
    "_name_or_path": "Mixtral-8x7B", "architectures": ["MixtralForCausalLM"], "model_type": "mixtral",
    "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000,
    "max_position_embeddings": 32768, "sliding_window": null, "rope_theta": 1000000.0,
    "tie_word_embeddings": false, "hidden_act": "silu", "router_aux_loss_coef": 0.02})");
  GenOptions o;
  o.prompt_len = 2;
  o.decode_steps = 1;
  REQUIRE(render_trace(generate_trace(read_hf_config(mixtral.string()), o)) ==
          render_trace(generate_trace(find_model(models(), "Mixtral-8x7B"), o)));
  const fs::path qwen = test::write_text(dir / "qwen.json", R"({
    "_name_or_path": "Qwen1.5-MoE-A2.7B", "model_type": "qwen2_moe", "hidden_size": 2048,
    "intermediate_size": 5632, "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16,
    "vocab_size": 151936, "max_position_embeddings": 32768, "num_experts": 60, "num_experts_per_tok": 4,
    "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632, "norm_topk_prob": false,
    "decoder_sparse_step": 1, "mlp_only_layers": [], "use_sliding_window": false, "sliding_window": 32768,
    "tie_word_embeddings": false, "hidden_act": "silu"})");
  REQUIRE(render_trace(generate_trace(read_hf_config(qwen.string()), o)) ==
          render_trace(generate_trace(find_model(models(), "Qwen1.5-MoE-A2.7B"), o)));
  // DeepSeek-V2-Lite's public config.json (multi-head latent attention, 64 routed + 2 shared experts, one
  // dense block first) gives the preset's trace.
  const fs::path lite = test::write_text(dir / "deepseek-v2-lite.json", R"({
    "_name_or_path": "DeepSeek-V2-Lite", "architectures": ["DeepseekV2ForCausalLM"], "model_type": "deepseek_v2",
    "hidden_size": 2048, "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27,
    "num_attention_heads": 16, "num_key_value_heads": 16, "n_routed_experts": 64, "n_shared_experts": 2,
    "num_experts_per_tok": 6, "first_k_dense_replace": 1, "moe_layer_freq": 1, "norm_topk_prob": false,
    "routed_scaling_factor": 1.0, "scoring_func": "softmax", "topk_method": "greedy", "kv_lora_rank": 512,
    "q_lora_rank": null, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
    "vocab_size": 102400, "max_position_embeddings": 163840, "tie_word_embeddings": false, "hidden_act": "silu",
    "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096}})");
  REQUIRE(render_trace(generate_trace(read_hf_config(lite.string()), o)) ==
          render_trace(generate_trace(find_model(models(), "DeepSeek-V2-Lite"), o)));
  // DeepSeek-V3 (deepseek-ai/DeepSeek-V3 config.json, abridged): refused by its model_type.
  const fs::path v3 = test::write_text(dir / "deepseek-v3.json", R"({
    "architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3", "hidden_size": 7168,
    "intermediate_size": 18432, "moe_intermediate_size": 2048, "num_hidden_layers": 61,
    "num_attention_heads": 128, "num_key_value_heads": 128, "n_routed_experts": 256, "n_shared_experts": 1,
    "num_experts_per_tok": 8, "first_k_dense_replace": 3, "kv_lora_rank": 512, "q_lora_rank": 1536,
    "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "n_group": 8, "topk_group": 4,
    "scoring_func": "sigmoid", "topk_method": "noaux_tc", "num_nextn_predict_layers": 1,
    "vocab_size": 129280, "max_position_embeddings": 163840, "tie_word_embeddings": false})");
  REQUIRE_THROWS_WITH(read_hf_config(v3.string()),
                      Contains("model_type: 'deepseek_v3' is not an architecture the generator models"));
  // A modelled model_type with a field the generator cannot model is refused by that field.
  const fs::path mla = test::write_text(dir / "mla.json", R"({"model_type": "llama", "hidden_size": 2048,
    "intermediate_size": 5632, "num_hidden_layers": 2, "num_attention_heads": 16, "vocab_size": 1000,
    "max_position_embeddings": 4096, "kv_lora_rank": 512})");
  REQUIRE_THROWS_WITH(read_hf_config(mla.string()), Contains("kv_lora_rank: multi-head latent attention"));
  const fs::path swa = test::write_text(dir / "swa.json", R"({"model_type": "qwen2", "hidden_size": 2048,
    "intermediate_size": 5632, "num_hidden_layers": 2, "num_attention_heads": 16, "vocab_size": 1000,
    "max_position_embeddings": 4096, "use_sliding_window": true})");
  REQUIRE_THROWS_WITH(read_hf_config(swa.string()),
                      Contains("use_sliding_window: Qwen2's per-layer sliding window"));
  const fs::path none = test::write_text(dir / "none.json", R"({"hidden_size": 2048})");
  REQUIRE_THROWS_WITH(read_hf_config(none.string()), Contains("missing 'model_type'"));
}

TEST_CASE("moe: DeepSeek-V2-Lite caches one latent row per token and scales like any trace",
          "[moe][workload]") {
  const Trace t = moe_trace("DeepSeek-V2-Lite", "Q8_0", 1, 16, 2);
  REQUIRE(t.header.mla.kv_lora_rank == 512);
  REQUIRE(t.header.moe.dense_layers == 1);
  const fs::path dir = test::scratch_dir("moe-mla");
  write_trace(t, (dir / "ds.lxt.gz").string());
  const Trace back = read_trace((dir / "ds.lxt.gz").string());
  REQUIRE(render_trace(back) == render_trace(t));
  REQUIRE((back.header.mla.rope_head_dim == 64 && back.header.mla.nope_head_dim == 128 &&
           back.header.mla.v_head_dim == 128 && back.header.kv_heads == 1 && back.header.head_dim == 576));
  // Multi-head latent attention: each token appends kv_lora_rank + rope = 576 F16 elements per layer, one
  // row that all 16 heads read (as MHA the heads would cache 16 x (192 + 128) elements).
  uint64_t written = 0, read = 0;
  for (const Op& op : t.ops)
    if (op.step == 1) {
      written += op.kv_write_bytes;
      read += op.kv_read_bytes;
    }
  REQUIRE(written == 27 * 576 * 2);
  REQUIRE(read == 27 * 17 * (576 + 512) * 2);  // scores over the whole row, values over its latent part
  // Taken to batch 8 at a 4k context it counts what the generator counts there.
  WorkloadSpec spec;
  spec.batch = 8;
  spec.context_tokens = 4096;
  spec.decode_steps = 1;
  const Workload w = build_workload(t, spec);
  const Trace want = moe_trace("DeepSeek-V2-Lite", "Q8_0", 8, 4096, 1);
  double got_kv = 0, want_kv = 0, got_w = 0, want_w = 0, got_f = 0, want_f = 0;
  for (const Op& op : w.steps[0].ops) {
    got_kv += static_cast<double>(op.kv_read_bytes + op.kv_write_bytes);
    got_w += static_cast<double>(op.weight_bytes);
    got_f += op.flops;
  }
  for (const Op& op : want.ops)
    if (op.step == 1) {
      want_kv += static_cast<double>(op.kv_read_bytes + op.kv_write_bytes);
      want_w += static_cast<double>(op.weight_bytes);
      want_f += op.flops;
    }
  REQUIRE(got_kv == Approx(want_kv).epsilon(1e-9));
  REQUIRE(got_w == Approx(want_w).epsilon(1e-9));
  REQUIRE(got_f == Approx(want_f).epsilon(1e-9));
  // The plan holds one latent row per token and layer (the scores and the values read the same rows), the
  // appends placed after the rows read, inside the layer's region.
  const Plan plan = make_plan(w, {{uint64_t{64} << 30, 4}}, PlanConfig{}, "test");
  const MemoryLayout& m = plan.devices[0].memory;
  // (the rows read include the step's own token, as without latent attention; the append comes on top)
  REQUIRE(m.kv_bytes == uint64_t{27} * 8 * (4096 + 1 + 1) * 576 * 2);
  for (const PlannedOp& p : plan.steps[0].ops) {
    const Op& op = w.steps[0].ops[p.op];
    if (op.layer < 0) continue;
    const size_t l = static_cast<size_t>(op.layer);
    CHECK(p.kv_read_address + op.kv_read_bytes <= m.kv_base[l] + m.kv_size[l]);
    CHECK(p.kv_write_address + op.kv_write_bytes <= m.kv_base[l] + m.kv_size[l]);
    if (op.kv_write_bytes) CHECK(p.kv_write_address >= m.kv_base[l] + uint64_t{8} * 4096 * 576 * 2);
  }
}
