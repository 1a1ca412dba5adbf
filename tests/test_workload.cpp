// The workload stage's shape parameters (explorer/workload, explorer/trace/reshape): one captured trace
// taken to other batches, prompts and contexts gives, step by step, the bytes and FLOPs the generator
// computes for those shapes from the model's config (within 0.5%: what llama.cpp records and what the
// generator counts differ by less); the trace's own shape gives its steps exactly as recorded; a sliding
// window bounds the KV read; contexts beyond the model's positions are refused by key. End-to-end runs at
// other shapes: test_run.cpp's conventions, here with batch and context set on the command line.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "explorer/trace/generator.h"
#include "explorer/trace/reshape.h"
#include "explorer/workload/workload.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::trace;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

struct Sums {
  double weight = 0, kv = 0, act = 0, flops = 0;
  uint32_t context = 0;
  size_t ops = 0;
};

Sums sums(const std::vector<Op>& ops) {
  Sums s;
  for (const Op& op : ops) {
    s.weight += static_cast<double>(op.weight_bytes);
    s.kv += static_cast<double>(op.kv_read_bytes + op.kv_write_bytes);
    s.act += static_cast<double>(op.act_in_bytes + op.act_out_bytes);
    s.flops += op.flops;
    s.context = std::max(s.context, op.context_len);
    ++s.ops;
  }
  return s;
}

std::map<uint32_t, Sums> trace_steps(const Trace& t) {
  std::map<uint32_t, std::vector<Op>> steps;
  for (const Op& op : t.ops) steps[op.step].push_back(op);
  std::map<uint32_t, Sums> out;
  for (const auto& [s, ops] : steps) out[s] = sums(ops);
  return out;
}

bool within(double a, double b, double rel) {
  return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

void require_close(const Sums& got, const Sums& want, double rel) {
  INFO("weight " << got.weight << " vs " << want.weight << ", kv " << got.kv << " vs " << want.kv << ", act "
                 << got.act << " vs " << want.act << ", flops " << got.flops << " vs " << want.flops);
  REQUIRE(got.context == want.context);
  REQUIRE(got.ops == want.ops);
  REQUIRE(within(got.weight, want.weight, rel));
  REQUIRE(within(got.kv, want.kv, rel));
  REQUIRE(within(got.act, want.act, rel));
  REQUIRE(within(got.flops, want.flops, rel));
}

const std::vector<ModelConfig>& models() {
  static const auto m = load_model_configs(default_model_configs_path());
  return m;
}

const Trace& captured(const std::string& name) {
  static std::map<std::string, Trace> cache;
  auto it = cache.find(name);
  if (it == cache.end())
    it = cache.emplace(name, read_trace(test::source_dir() + "/traces/captured/" + name)).first;
  return it->second;
}

Trace generated(const std::string& model, const std::string& weights, uint32_t batch, uint32_t prompt,
                uint32_t steps) {
  GenOptions o;
  o.weights = weights;
  o.batch = batch;
  o.prompt_len = prompt;
  o.decode_steps = steps;
  return generate_trace(find_model(models(), model), o);
}

WorkloadSpec shape(uint32_t batch, uint32_t prompt, uint32_t context, uint32_t steps, bool prefill) {
  WorkloadSpec s;
  s.batch = batch;
  s.prompt_tokens = prompt;
  s.context_tokens = context;
  s.decode_steps = steps;
  s.include_prefill = prefill;
  return s;
}

}  // namespace

TEST_CASE("workload: the trace's own shape gives its steps exactly as recorded", "[workload]") {
  const Trace& t = captured("tinyllama-1.1b-q4_0.lxt.gz");
  const Workload w = build_workload(t, shape(0, 0, 0, 3, true));
  REQUIRE_FALSE(w.reshaped);
  REQUIRE(w.steps.size() == 4);
  size_t at = 0;
  for (const WorkloadStep& s : w.steps)
    for (const Op& op : s.ops) {
      const Op& o = t.ops[at++];
      REQUIRE((op.step == o.step && op.m == o.m && op.weight_bytes == o.weight_bytes &&
               op.kv_read_bytes == o.kv_read_bytes && op.flops == o.flops &&
               op.act_in_bytes == o.act_in_bytes));
    }
  // Setting the trace's own values is the same as leaving them at 0.
  const Workload same = build_workload(t, shape(1, 32, 32, 3, true));
  REQUIRE_FALSE(same.reshaped);
  REQUIRE(same.steps.size() == w.steps.size());
}

TEST_CASE("workload: one captured trace at batch 1..64 and context 128..8k matches the generator's bytes",
          "[workload]") {
  // Llama-3-8B Q4_0 captured from llama.cpp at batch 1 after a 32-token prompt; decoding at another batch
  // and context re-derives its first decode step. The generator computes the same shapes from config.json.
  const Trace& t = captured("llama-3-8b-q4_0.lxt.gz");
  for (uint32_t batch : {1u, 4u, 16u, 64u}) {
    for (uint32_t context : {128u, 1024u, 8000u}) {
      INFO("batch " << batch << ", context " << context);
      const Workload w = build_workload(t, shape(batch, 0, context, 2, false));
      REQUIRE(w.reshaped);
      REQUIRE(w.steps.size() == 2);
      const auto want = trace_steps(generated("Llama-3-8B", "Q4_0", batch, context, 2));
      for (const WorkloadStep& s : w.steps) {
        INFO("step " << s.index);
        REQUIRE(s.context_len == context + s.index);
        REQUIRE(s.tokens_in == batch);
        require_close(sums(s.ops), want.at(s.index), 0.005);
      }
    }
  }
  // Weights are read once per step whatever the batch; KV and FLOPs grow with batch x context.
  const auto one = sums(build_workload(t, shape(1, 0, 1024, 1, false)).steps[0].ops);
  const auto many = sums(build_workload(t, shape(64, 0, 1024, 1, false)).steps[0].ops);
  REQUIRE(within(many.weight, one.weight, 0.001));
  REQUIRE(within(many.kv, 64 * one.kv, 1e-9));
}

TEST_CASE("workload: the prefill at another prompt length and batch matches the generator's", "[workload]") {
  for (const char* file :
       {"llama-3-8b-q4_0.lxt.gz", "tinyllama-1.1b-q4_0.lxt.gz", "opt-6.7b-f16-torch.lxt.gz"}) {
    const Trace& t = captured(file);
    const std::string model = t.header.model;
    for (uint32_t batch : {1u, 3u}) {
      for (uint32_t prompt : {2u, 200u, 2000u}) {
        INFO(file << ": batch " << batch << ", prompt " << prompt);
        const Workload w = build_workload(t, shape(batch, prompt, 0, 1, true));
        REQUIRE(w.steps.size() == 2);
        REQUIRE(w.steps[0].phase == Phase::prefill);
        REQUIRE(w.steps[0].tokens_in == uint64_t{batch} * prompt);
        const auto want = trace_steps(generated(model, t.header.weight_format, batch, prompt, 1));
        require_close(sums(w.steps[0].ops), want.at(0), 0.005);
        require_close(sums(w.steps[1].ops), want.at(1), 0.005);
      }
    }
  }
}

TEST_CASE("workload: a prompt after a cached prefix attends over the whole context", "[workload]") {
  const Trace& t = captured("tinyllama-1.1b-q4_0.lxt.gz");
  // 100 new prompt tokens on a cache of 900: the prefill computes 100 tokens (their projections and FFN)
  // attending over 1000, and decoding starts at 1000.
  const Workload w = build_workload(t, shape(2, 100, 1000, 1, true));
  const Workload fresh = build_workload(t, shape(2, 100, 0, 1, true));
  const Sums p = sums(w.steps[0].ops), f = sums(fresh.steps[0].ops);
  REQUIRE(p.context == 1000);
  REQUIRE(w.steps[0].tokens_in == 200);
  REQUIRE(w.steps[1].context_len == 1001);
  REQUIRE(p.weight == f.weight);
  REQUIRE(p.kv > 5 * f.kv);  // reads 1000 cached keys instead of 100, writes the same 100
  uint64_t read = 0, written = 0;
  for (const Op& op : w.steps[0].ops) {
    read += op.kv_read_bytes;
    written += op.kv_write_bytes;
  }
  const uint64_t row = 4 * 64 * 2;             // TinyLlama: 4 KV heads x 64, F16
  REQUIRE(read == 22 * 2 * 2 * 1000 * row);    // K and V of 1000 tokens, 2 sequences, 22 layers
  REQUIRE(written == 22 * 2 * 2 * 100 * row);  // K and V of the 100 new tokens
}

TEST_CASE("workload: a sliding window bounds the KV read (Mistral-7B)", "[workload]") {
  const Trace t = generated("Mistral-7B", "Q4_0", 1, 32, 2);
  REQUIRE(t.header.sliding_window == 4096);
  auto kv_read = [&](uint32_t context) {
    uint64_t bytes = 0;
    const Workload w = build_workload(t, shape(1, 0, context, 1, false));
    for (const Op& op : w.steps[0].ops) bytes += op.kv_read_bytes;
    return bytes;
  };
  const uint64_t row = 8 * 128 * 2;  // 8 KV heads x 128, F16
  REQUIRE(kv_read(2000) == 32 * 2 * 2001 * row);
  REQUIRE(kv_read(4095) == 32 * 2 * 4096 * row);
  REQUIRE(kv_read(8000) == 32 * 2 * 4096 * row);  // the window, not the 8001 tokens of context
  REQUIRE(kv_read(30000) == kv_read(8000));
  // The generator at the same context counts the same.
  const auto want = trace_steps(generated("Mistral-7B", "Q4_0", 1, 8000, 1));
  require_close(sums(build_workload(t, shape(1, 0, 8000, 1, false)).steps[0].ops), want.at(1), 1e-9);
  REQUIRE(attended_keys(10000, 1, 4096) == 4096);
  REQUIRE(attended_keys(10000, 300, 4096) == 4395);  // a prompt step: the window behind each query
  REQUIRE(attended_keys(100, 300, 0) == 100);
}

TEST_CASE("workload: beyond the model's positions, or a context before the prompt, is refused by key",
          "[workload][errors]") {
  const Trace& t =
      captured("tinyllama-1.1b-q4_0.lxt.gz");  // a version-1 trace: 2048 positions from the table
  REQUIRE(t.header.max_position == 0);
  REQUIRE(max_positions(t.header) == 2048);
  REQUIRE_NOTHROW(build_workload(t, shape(1, 0, 2040, 8, false)));
  REQUIRE_THROWS_WITH(build_workload(t, shape(1, 0, 2041, 8, false)),
                      Contains("workload.context_tokens") && Contains("2049 tokens") && Contains("(2048)"));
  REQUIRE_THROWS_WITH(
      build_workload(t, shape(1, 4096, 0, 1, false)),
      Contains("workload.prompt_tokens") && Contains("beyond TinyLlama-1.1B's maximum positions"));
  REQUIRE_THROWS_WITH(build_workload(t, shape(1, 0, 0, 2100, false)), Contains("workload.decode_steps"));
  REQUIRE_THROWS_WITH(build_workload(t, shape(1, 64, 32, 1, false)),
                      Contains("workload.context_tokens") && Contains("less than the prompt"));
  // A trace with no prefill cannot be asked for one.
  const Trace decode_only = [] {
    GenOptions o;
    o.prompt_len = 0;
    o.decode_steps = 2;
    return generate_trace(find_model(models(), "TinyLlama-1.1B"), o);
  }();
  REQUIRE_THROWS_WITH(build_workload(decode_only, shape(0, 0, 0, 0, true)),
                      Contains("workload.include_prefill") && Contains("no prefill step"));
  // A model the table does not know, in a trace that does not say: the context cannot be checked.
  Trace unknown = generated("TinyLlama-1.1B", "Q4_0", 1, 4, 1);
  unknown.header.model = "Private-1B";
  unknown.header.max_position = 0;
  REQUIRE_THROWS_WITH(build_workload(unknown, shape(2, 0, 0, 1, false)),
                      Contains("does not give Private-1B's maximum positions"));
}

TEST_CASE("workload: batch and context from the command line, the error located at --set",
          "[workload][run]") {
  const fs::path dir = test::scratch_dir("workload-run");
  const std::string config = test::source_dir() + "/configs/systems/ideal-roofline.yaml";
  const std::string trace = test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz";
  auto run = [&](const std::string& args, const std::string& out) {
    return test::explorer("run '" + config + "' --trace '" + trace + "' --set workload.decode_steps=2 " +
                          args + " --out '" + (dir / out).string() + "'");
  };
  auto summary = [&](const std::string& out) {
    const std::string text = test::read_text(dir / out / "summary.csv");
    const auto lines =
        std::vector<std::string>{text.substr(0, text.find('\n')), text.substr(text.find('\n') + 1)};
    std::map<std::string, std::string> row;
    std::stringstream h(lines[0]), v(lines[1]);
    for (std::string k, x; std::getline(h, k, ',') && std::getline(v, x, ',');) row[k] = x;
    return row;
  };
  REQUIRE(run("", "b1").exit_code == 0);
  REQUIRE(run("--set workload.batch=8", "b8").exit_code == 0);
  REQUIRE(run("--set workload.batch=8 --set workload.context_tokens=1800", "b8c1800").exit_code == 0);
  const auto b1 = summary("b1"), b8 = summary("b8"), b8c = summary("b8c1800");
  REQUIRE(b8.at("batch") == "8");
  // Bandwidth-bound decode: 8 sequences share each weight read, so throughput rises nearly 8x at a short
  // context; at 1800 tokens of context the KV reads take a large share back.
  const double t1 = std::stod(b1.at("tokens_per_s")), t8 = std::stod(b8.at("tokens_per_s")),
               t8c = std::stod(b8c.at("tokens_per_s"));
  CHECK(t8 > 7.0 * t1);
  CHECK(t8 < 8.0 * t1);
  CHECK(t8c < 0.7 * t8);
  const auto bad = run("--set workload.context_tokens=4000", "bad");
  REQUIRE(bad.exit_code == 1);
  REQUIRE_THAT(bad.out, Contains("--set workload.context_tokens=4000: workload.context_tokens:") &&
                            Contains("maximum positions (2048)"));
  REQUIRE_FALSE(fs::exists(dir / "bad"));
}
