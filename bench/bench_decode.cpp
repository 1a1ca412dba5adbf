// Benchmark (prints figures; not a timed test): host time to simulate decode tokens end to end.
//   bench_decode [system.yaml] [trace] [decode_steps]
// Default: one Llama-2-7B F16 batch-1 decode token on the LPDDR5X accelerator preset (issue 5's figure:
// at most 2 s per token on one core). Prints host wall and CPU seconds per simulated token and the rate of
// simulated DRAM traffic.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <systemc>

#include "build_paths.h"
#include "explorer/run/run.h"
#include "models/core/error.h"

int sc_main(int argc, char* argv[]) {
  const std::string root = LLMX_SOURCE_DIR;
  llmx::RunRequest req;
  req.config_path = argc > 1 ? argv[1] : root + "/configs/systems/lpddr5x-accel.yaml";
  req.trace_path = argc > 2 ? argv[2] : root + "/traces/captured/llama-2-7b-f16.lxt.gz";
  const std::string steps = argc > 3 ? argv[3] : "1";
  req.overrides = {"workload.decode_steps=" + steps};
  req.out_dir = (std::filesystem::temp_directory_path() / ("llmx-bench-decode-" + std::to_string(::getpid()))).string();
  const auto wall0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  try {
    llmx::run_point(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_decode: %s\n", e.what());
    return 1;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;

  // tokens and DRAM bytes from the summary
  std::ifstream in(req.out_dir + "/summary.csv");
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  auto field = [&](const std::string& name) {
    std::stringstream h(header), r(row);
    std::string hc, rc;
    while (std::getline(h, hc, ',') && std::getline(r, rc, ','))
      if (hc == name) return std::stod(rc);
    return 0.0;
  };
  const double tokens = field("tokens"), bytes = field("dram_read_bytes") + field("dram_write_bytes");
  std::printf("system   %s\ntrace    %s\n", req.config_path.c_str(), req.trace_path.c_str());
  std::printf("tokens simulated            %.0f (ms/token simulated %.3f)\n", tokens, field("ms_per_token"));
  std::printf("host wall s (incl. load)    %.3f\n", wall);
  std::printf("host CPU s per token        %.3f\n", tokens > 0 ? cpu / tokens : 0.0);
  std::printf("simulated DRAM GB per host CPU s  %.2f\n", cpu > 0 ? bytes / 1e9 / cpu : 0.0);
  std::filesystem::remove_all(req.out_dir);
  return 0;
}
