// Golden results: every CSV (and the resolved config) of a fixed set of runs is pinned byte for byte under
// tests/golden/<run>/, so that a change meant to be invisible (speed, refactoring) cannot move a result
// unnoticed. A change meant to move results regenerates them with `scripts/update-golden.sh` and says why in
// its commit. The set covers the shipped kinds of system: LPDDR5X and HBM3 accelerators, the GPU-like system,
// 16 PEs, weights offloaded over the host link, LUT-GEMM on binary-coded weights, the ideal roofline, prefill,
// overlapped dispatch and the KV cache on chip.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

#include "explorer/run/csv.h"
#include "explorer/run/results_dir.h"
#include "tests/support.h"

namespace fs = std::filesystem;
using namespace llmx;

namespace {

struct GoldenRun {
  const char* name;
  const char* config;  // relative to the source tree
  const char* args;    // further command-line arguments; {src} stands for the source tree
};

const GoldenRun kRuns[] = {
    {"lpddr5x-7b-q4_0", "configs/systems/lpddr5x-accel.yaml",
     "--set workload.decode_steps=2 --set workload.per_op_csv=true"},
    {"hbm3-7b-q4_0", "configs/systems/hbm3-accel.yaml",
     "--set workload.decode_steps=2 --set workload.per_op_csv=true"},
    {"gpu-hbm3-7b-f16", "configs/systems/gpu-hbm3.yaml", "--set workload.decode_steps=1"},
    {"lpddr5x-16pe-7b-q8_0", "configs/systems/lpddr5x-accel.yaml",
     "--trace {src}/traces/captured/llama-2-7b-q8_0.lxt.gz --set workload.decode_steps=1 "
     "--set modules.pe.count=16 --set modules.buf.count=16"},
    {"hbm3-offload-tinyllama-f16", "configs/systems/hbm3-accel.yaml",
     "--trace {src}/traces/captured/tinyllama-1.1b-f16.lxt.gz --set workload.decode_steps=2 "
     "--set modules.dram.count=1"},
    {"fpga-lutgemm-7b-bcq3", "configs/systems/fpga-lpddr-lutgemm.yaml", "--set workload.decode_steps=1"},
    {"ideal-prefill-tinyllama-q4_0", "configs/systems/ideal-roofline.yaml",
     "--trace {src}/traces/captured/tinyllama-1.1b-q4_0.lxt.gz --set workload.decode_steps=3 "
     "--set workload.include_prefill=true --set workload.per_op_csv=true"},
    {"gpu-overlap-kv-on-chip-tinyllama-q8_0", "configs/systems/gpu-hbm3.yaml",
     "--trace {src}/traces/captured/tinyllama-1.1b-q8_0.lxt.gz --set workload.decode_steps=2 "
     "--set driver.dispatch_overlap=true --set driver.kv_cache=auto --set modules.pe.tile_bytes=262144"},
};

std::string substitute(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
  return text;
}

// The files of a result directory as golden text: the source tree's path replaced by a marker, so the
// golden files hold in every checkout. The manifest (hashes of the files, bookkeeping) is left out.
std::map<std::string, std::string> result_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != llmx::kManifestName)
      files[entry.path().filename().string()] =
          substitute(test::read_text(entry.path()), test::source_dir(), "{src}");
  return files;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The first difference between two versions of a file, named by line and (for CSV) column.
std::string first_difference(const std::string& file, const std::string& want, const std::string& got) {
  const auto a = lines_of(want), b = lines_of(got);
  const std::vector<std::string> header = a.empty() ? std::vector<std::string>{} : split_csv_line(a[0]);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "<no line>", y = i < b.size() ? b[i] : "<no line>";
    if (x == y) continue;
    std::ostringstream s;
    s << file << ":" << i + 1 << ": ";
    const auto cx = split_csv_line(x), cy = split_csv_line(y);
    if (i > 0 && file.size() > 4 && file.substr(file.size() - 4) == ".csv" && cx.size() == cy.size()) {
      for (size_t c = 0; c < cx.size(); ++c)
        if (cx[c] != cy[c]) s << (c < header.size() ? header[c] : "?") << " " << cx[c] << " -> " << cy[c] << "; ";
    } else {
      s << "'" << x << "' -> '" << y << "'";
    }
    return s.str();
  }
  return "";
}

void check_golden(const GoldenRun& run) {
  const fs::path dir = test::scratch_dir(std::string("golden-") + run.name);
  const std::string args = substitute(run.args, "{src}", test::source_dir());
  const auto r = test::explorer("run '" + test::source_dir() + "/" + run.config + "' " + args + " --out '" +
                                (dir / "out").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto got = result_files(dir / "out");
  const fs::path golden = fs::path(test::source_dir()) / "tests" / "golden" / run.name;
  if (std::getenv("LLMX_UPDATE_GOLDEN")) {
    fs::remove_all(golden);
    for (const auto& [file, text] : got) test::write_text(golden / file, text);
    WARN("golden files rewritten: " << golden.string());
    return;
  }
  REQUIRE(fs::is_directory(golden));
  const auto want = result_files(golden);
  std::vector<std::string> names;
  for (const auto& [file, text] : want) names.push_back(file);
  for (const auto& [file, text] : got)
    if (!want.count(file)) names.push_back(file);
  for (const auto& file : names) {
    const std::string w = want.count(file) ? want.at(file) : "", g = got.count(file) ? got.at(file) : "";
    INFO("results changed (scripts/update-golden.sh rewrites tests/golden/ when that is intended)");
    CHECK(first_difference(file, w, g) == "");
  }
  fs::remove_all(dir);
}

}  // namespace

TEST_CASE("golden: LPDDR5X accelerator / Llama-2-7B Q4_0 / per-op rows", "[golden]") { check_golden(kRuns[0]); }
TEST_CASE("golden: HBM3 accelerator / Llama-2-7B Q4_0 / per-op rows", "[golden]") { check_golden(kRuns[1]); }
TEST_CASE("golden: GPU-like HBM3 system / Llama-2-7B F16 / serial dispatch", "[golden]") { check_golden(kRuns[2]); }
TEST_CASE("golden: 16 PEs on LPDDR5X / Llama-2-7B Q8_0", "[golden]") { check_golden(kRuns[3]); }
TEST_CASE("golden: weights offloaded over the host link / TinyLlama F16 on one HBM3 channel", "[golden]") {
  check_golden(kRuns[4]);
}
TEST_CASE("golden: FPGA LUT-GEMM system / Llama-2-7B BCQ3", "[golden]") { check_golden(kRuns[5]); }
TEST_CASE("golden: ideal roofline with prefill / TinyLlama Q4_0 / per-op rows", "[golden]") { check_golden(kRuns[6]); }
TEST_CASE("golden: GPU-like system / overlapped dispatch / KV cache on chip / TinyLlama Q8_0", "[golden]") {
  check_golden(kRuns[7]);
}
