// The checked-in captured traces (traces/captured/, recorded from llama.cpp and PyTorch by scripts/capture/)
// against their architecture: the weight bytes of every decode step re-derived from the header's config numbers
// and the file type's storage rule, KV bytes growing by one token per step, and the op records of every block.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "explorer/trace/trace.h"
#include "tests/support.h"

using namespace llmx::trace;

namespace {

std::string captured(const std::string& name) { return llmx::test::source_dir() + "/traces/captured/" + name; }

// Stored bytes of a K x N matrix (K innermost) in a GGUF block type.
uint64_t mat(uint64_t k, uint64_t n, const std::string& dtype) {
  if (dtype == "F16" || dtype == "BF16") return k * n * 2;
  if (dtype == "Q8_0") return n * (k / 32) * 34;
  if (dtype == "Q4_0") return n * (k / 32) * 18;
  if (dtype == "Q6_K") return n * (k / 256) * 210;
  FAIL("no storage rule for " << dtype);
  return 0;
}

// Weight bytes one llama decode step reads (batch 1): every block matrix and norm scale, the output matrix
// (Q6_K in a Q4_0 file, as llama-quantize assigns it), the final norm, and one row of the token embedding.
uint64_t llama_step_weight_bytes(const Header& h) {
  const std::string t = h.weight_format;
  const uint64_t d = h.hidden, f = h.intermediate, q = uint64_t(h.heads) * h.head_dim,
                 kv = uint64_t(h.kv_heads) * h.head_dim;
  const uint64_t block = mat(d, q, t) + 2 * mat(d, kv, t) + mat(q, d, t) + 3 * mat(d, f, t) + 2 * d * 4;
  const std::string out = t == "Q4_0" ? "Q6_K" : t;
  return h.layers * block + mat(d, h.vocab, out) + d * 4 + mat(d, 1, t);
}

// OPT (2-byte weights, biases, LayerNorm scale+shift, tied lm_head read in full, one row of the token and the
// position tables).
uint64_t opt_step_weight_bytes(const Header& h) {
  const uint64_t d = h.hidden, f = h.intermediate;
  const uint64_t block = 4 * (d * d + d) * 2 + (d * f + f) * 2 + (f * d + d) * 2 + 2 * (2 * d) * 2;
  return h.layers * block + 2 * d * 2 + h.vocab * d * 2 + 2 * d * 2;
}

struct StepSums {
  uint64_t weight = 0, kv_read = 0, kv_write = 0, ops = 0;
  uint32_t context = 0;
  std::map<int32_t, int> per_layer;
};

void check_trace(const std::string& file, int ops_per_block, int ops_last_block, int ops_outside) {
  INFO(file);
  std::map<uint32_t, StepSums> steps;
  const Trace t = read_trace_streaming(captured(file), [&](const Op& op) {
    auto& s = steps[op.step];
    s.weight += op.weight_bytes;
    s.kv_read += op.kv_read_bytes;
    s.kv_write += op.kv_write_bytes;
    s.context = op.context_len;
    ++s.ops;
    if (op.phase == Phase::decode) ++s.per_layer[op.layer];
  });
  const Header& h = t.header;
  REQUIRE(h.prompt_len == 32);
  REQUIRE(h.decode_steps == 128);
  REQUIRE(steps.size() == 129);
  const uint64_t expect = h.architecture == "opt" ? opt_step_weight_bytes(h) : llama_step_weight_bytes(h);
  const uint64_t kv_token = 2ull * h.layers * h.kv_heads * h.head_dim * 2;  // K and V, F16/BF16
  for (uint32_t step = 1; step <= 128; ++step) {
    const StepSums& s = steps.at(step);
    INFO("step " << step);
    CHECK(s.context == 32 + step);
    CHECK(s.weight == expect);
    CHECK(s.kv_read == kv_token * s.context);
    CHECK(s.kv_write == kv_token);
    for (uint32_t l = 0; l < h.layers; ++l)
      CHECK(s.per_layer.at(int32_t(l)) == (l + 1 == h.layers ? ops_last_block : ops_per_block));
    CHECK(s.per_layer.at(-1) == ops_outside);
  }
}

}  // namespace

TEST_CASE("captured llama.cpp traces: weight bytes per step from the architecture", "[capture]") {
  // Llama-2-7B Q4_0: 3,825,065,984 B of GGUF tensors, of which a decode step reads all but 73,728,000 - 2,304
  // of the token embedding (one row looked up).
  Trace t = read_trace_streaming(captured("llama-2-7b-q4_0.lxt.gz"), [](const Op&) {});
  CHECK(t.total_weight_bytes() == 3825065984ull);
  CHECK(llama_step_weight_bytes(t.header) == 3751340288ull);
  for (const char* model : {"tinyllama-1.1b", "llama-2-7b", "llama-3-8b"})
    for (const char* type : {"f16", "q8_0", "q4_0"})
      check_trace(std::string(model) + "-" + type + ".lxt.gz", 22, 24, 4);
  // flash attention: one FLASH_ATTN_EXT instead of kq, softmax, kqv and the CONT
  check_trace("tinyllama-1.1b-q4_0-fa.lxt.gz", 19, 21, 4);
}

TEST_CASE("captured PyTorch OPT trace: weight bytes per step from the architecture", "[capture]") {
  check_trace("opt-6.7b-f16-torch.lxt.gz", 17, 17, 6);  // outside: 2 embeddings, arange, add, norm, lm_head
}
