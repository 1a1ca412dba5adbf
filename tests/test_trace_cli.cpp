// `explorer trace info | gen | quantize` (explorer/cmd_trace.h): the per-step table and CSV with the
// bandwidth roofline re-computed from the trace, gen and quantize writing readable traces, the bundled trace
// in traces/, argument errors, and (through the explorer binary) a bad trace giving one line and exit 1.
// Not covered: the figures themselves (test_trace_generator.cpp, test_trace_quantize.cpp).
#include <catch2/catch.hpp>

#include <cstdio>
#include <sstream>

#include "explorer/cli/cli.h"
#include "explorer/trace/generator.h"
#include "explorer/trace/trace.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::trace;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(test::read_text(p));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream l(line);
    while (std::getline(l, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

int cmd_trace(std::vector<std::string> args) {
  args.insert(args.begin(), "trace");
  return run_explorer(args);
}

}  // namespace

TEST_CASE("trace cli: gen, quantize and info with the roofline", "[trace]") {
  const fs::path dir = test::scratch_dir("trace-cli");
  const std::string g = (dir / "g.lxt.gz").string(), q = (dir / "q.lxt.gz").string();
  REQUIRE(cmd_trace({"gen", "Llama-2-7B", "--weights", "F16", "--prompt", "8", "--steps", "3", "--out", g}) ==
          0);
  REQUIRE(cmd_trace({"quantize", g, "--weights", "Q4_0", "--kv", "Q8_0", "--batch", "2", "--out", q}) == 0);
  const Trace t = read_trace(q);
  REQUIRE(t.header.weight_format == "Q4_0");
  REQUIRE(t.header.kv_dtype == "Q8_0");
  REQUIRE(t.header.batch == 2);
  REQUIRE(header_extra(t.header, "transform") == "weights=Q4_0,kv=Q8_0,batch=2");

  const fs::path csv = dir / "info.csv";
  REQUIRE(cmd_trace({"info", q, "--bandwidth-gbps", "100", "--out", csv.string()}) == 0);
  const auto rows = read_csv(csv);
  REQUIRE(rows.size() == 1 + 4);  // header, prefill, 3 decode steps
  REQUIRE(rows[0][0] == "step");
  REQUIRE(rows[0][10] == "roofline_tokens_per_s");
  for (uint32_t s = 0; s <= 3; ++s) {
    uint64_t weight = 0, kv_read = 0, kv_write = 0;
    double flops = 0;
    for (const Op& o : t.ops) {
      if (o.step != s) continue;
      weight += o.weight_bytes;
      kv_read += o.kv_read_bytes;
      kv_write += o.kv_write_bytes;
      flops += o.flops;
    }
    const auto& r = rows[1 + s];
    INFO("step " << s);
    REQUIRE(r[0] == std::to_string(s));
    REQUIRE(r[1] == (s == 0 ? "prefill" : "decode"));
    REQUIRE(std::stoull(r[4]) == weight);
    REQUIRE(std::stoull(r[5]) == kv_read);
    REQUIRE(std::stoull(r[6]) == kv_write);
    const double bytes = static_cast<double>(weight + kv_read + kv_write);
    REQUIRE(std::stod(r[9]) == Approx(flops / bytes).epsilon(1e-5));
    // tokens per step (2 sequences; the prefill's 8 tokens each) over the step's off-chip bytes at 100 GB/s.
    const double tokens = s == 0 ? 16.0 : 2.0;
    REQUIRE(std::stod(r[10]) == Approx(tokens / (bytes / 100e9)).epsilon(1e-5));
  }
  // Llama-2-7B Q4_0, batch 2: a decode step streams ~3.75 GB, so at 100 GB/s about 2 x 26.6 tokens/s.
  REQUIRE(std::stod(rows[2][10]) > 50);
  REQUIRE(std::stod(rows[2][10]) < 55);
}

TEST_CASE("trace cli: the bundled trace reads and matches a fresh generation", "[trace]") {
  const std::string bundled = test::source_dir() + "/traces/tinyllama-1.1b-q4_0-gen.lxt.gz";
  const Trace t = read_trace(bundled);
  REQUIRE(t.header.model == "TinyLlama-1.1B");
  REQUIRE(t.header.weight_format == "Q4_0");
  REQUIRE(t.header.prompt_len == 16);
  REQUIRE(t.header.decode_steps == 8);
  const fs::path dir = test::scratch_dir("trace-bundled");
  const std::string again = (dir / "again.lxt.gz").string();
  REQUIRE(cmd_trace({"gen", "TinyLlama-1.1B", "--weights", "Q4_0", "--prompt", "16", "--steps", "8", "--out",
                     again}) == 0);
  REQUIRE(test::read_text(again) == test::read_text(bundled));
}

TEST_CASE("trace cli: argument errors", "[trace]") {
  const fs::path dir = test::scratch_dir("trace-cli-errors");
  const std::string out = (dir / "x.lxt.gz").string();
  // Command-line mistakes: UsageError (exit 2), one line naming the command and the flag.
  REQUIRE_THROWS_AS(cmd_trace({"frobnicate"}), UsageError);
  REQUIRE_THROWS_WITH(cmd_trace({"frobnicate"}), StartsWith("trace: unknown command 'frobnicate'"));
  REQUIRE_THROWS_WITH(cmd_trace({"gen", "Llama-2-7B"}), StartsWith("trace gen: --out is required"));
  REQUIRE_THROWS_WITH(cmd_trace({"gen", "Llama-2-7B", "--batch", "-1", "--out", out}),
                      Contains("--batch: must be a number of at least 1, got '-1'"));
  REQUIRE_THROWS_WITH(cmd_trace({"gen", "Llama-2-7B", "--embeddings", "all", "--out", out}),
                      Contains("--embeddings: 'all' is not one of auto|keep|same"));
  REQUIRE_THROWS_WITH(cmd_trace({"info", "a", "b"}), Contains("trace info: unexpected argument 'b'"));
  REQUIRE_THROWS_WITH(cmd_trace({"info", out, "--bandwidth-gbps", "0"}),
                      Contains("--bandwidth-gbps: must be a positive number"));
  REQUIRE_THROWS_WITH(cmd_trace({"info", out, "--color", "red"}),
                      Equals("trace info: unknown option '--color' (explorer trace info --help)"));
  // Bad values that only the work can judge: llmx::Error (exit 1).
  REQUIRE_THROWS_WITH(cmd_trace({"gen", "Llama-2-7B", "--weights", "Q5_5", "--out", out}),
                      Contains("unknown weight format"));
  REQUIRE_THROWS_WITH(cmd_trace({"gen", "Nope-1B", "--out", out}), Contains("unknown model 'Nope-1B'"));
  // A generation beyond the model's positions is refused before any of it is built (4e9 steps used to hang).
  REQUIRE_THROWS_WITH(
      cmd_trace({"gen", "Llama-2-7B", "--steps", "4000000000", "--out", out}),
      Equals("trace gen: --prompt + --steps (4000000016) exceed Llama-2-7B's 4096 positions"));
  REQUIRE_FALSE(fs::exists(out));
}

TEST_CASE("trace cli: explorer trace info on a bad trace prints one line and exits 1", "[trace]") {
  const fs::path dir = test::scratch_dir("trace-cli-exit");
  const fs::path bad = test::write_text(dir / "bad.lxt", "LXT\t7\n");
  const auto r = test::explorer("trace info '" + bad.string() + "'");
  REQUIRE(r.exit_code == 1);
  REQUIRE(r.out == "explorer: " + bad.string() +
                       ": record 1: unsupported trace version 7 (this reader reads versions 1 to 2)\n");
}
