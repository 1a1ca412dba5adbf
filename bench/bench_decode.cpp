// Benchmark (prints figures; not a timed test): host CPU time to simulate decode tokens, start-up excluded.
//   bench_decode [system.yaml] [trace] [decode_steps] [override ...]
// Default: Llama-2-7B F16 batch 1 on the LPDDR5X accelerator preset, 4 steps. Each figure comes from two
// child processes (SystemC elaborates once per process): one simulating 1 decode step, one simulating
// 1 + decode_steps; the CPU seconds per token are the difference of their CPU times (getrusage of the
// child: user + system) over the extra tokens, so configuration, trace loading, elaboration and DRAM
// calibration cancel out (a first, unmeasured child fills the calibration cache). Also prints the
// whole-process CPU time and peak RSS of the longer child.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemc>

#include "bench/bench_args.h"
#include "build_paths.h"
#include "explorer/run/run.h"
#include "models/core/error.h"
#include "models/memory/dram/service_model.h"

namespace {

struct Child {
  double cpu_s = 0, tokens = 0, bytes = 0;
  long max_rss_kb = 0;
  bool ok = false;
};

double field(const std::string& header, const std::string& row, const std::string& name) {
  std::stringstream h(header), r(row);
  std::string hc, rc;
  while (std::getline(h, hc, ',') && std::getline(r, rc, ','))
    if (hc == name) return std::stod(rc);
  return 0.0;
}

Child run_child(llmx::RunRequest req, int steps, const std::vector<std::string>& extra) {
  req.overrides = {"workload.decode_steps=" + std::to_string(steps)};
  req.overrides.insert(req.overrides.end(), extra.begin(), extra.end());
  req.out_dir = (std::filesystem::temp_directory_path() /
                 ("llmx-bench-decode-" + std::to_string(::getpid()) + "-" + std::to_string(steps)))
                    .string();
  Child c;
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      llmx::run_point(req);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_decode: %s\n", e.what());
      ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  struct rusage ru {};
  if (pid < 0 || ::wait4(pid, &status, 0, &ru) != pid) return c;
  c.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  c.cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
  c.max_rss_kb = ru.ru_maxrss;
  std::ifstream in(req.out_dir + "/summary.csv");
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  c.tokens = field(header, row, "tokens");
  c.bytes = field(header, row, "dram_read_bytes") + field(header, row, "dram_write_bytes");
  std::filesystem::remove_all(req.out_dir);
  return c;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  const std::string root = LLMX_SOURCE_DIR;
  llmx::RunRequest req;
  req.config_path = argc > 1 ? argv[1] : root + "/configs/systems/lpddr5x-accel.yaml";
  req.trace_path = argc > 2 ? argv[2] : root + "/traces/captured/llama-2-7b-f16.lxt.gz";
  const int steps = llmx::bench_count_arg(argc, argv, 3, "decode_steps", 4);
  const std::vector<std::string> extra(argv + std::min(argc, 4), argv + argc);
  // The first child fills the DRAM calibration cache (if it is on and cold), so the two measured children
  // start alike; its CPU time less the cached one's is what calibration costs a point.
  const Child cold = run_child(req, 1, extra);
  const Child one = run_child(req, 1, extra);
  const Child many = run_child(req, 1 + steps, extra);
  if (!cold.ok || !one.ok || !many.ok || many.tokens <= one.tokens) {
    std::fprintf(stderr, "bench_decode: a child run failed\n");
    return 1;
  }
  const double extra_tokens = many.tokens - one.tokens;
  const double per_token = (many.cpu_s - one.cpu_s) / extra_tokens;
  std::printf("system   %s\ntrace    %s\n", req.config_path.c_str(), req.trace_path.c_str());
  for (const auto& o : extra) std::printf("override %s\n", o.c_str());
  std::printf("tokens simulated            %.0f and %.0f\n", one.tokens, many.tokens);
  std::printf("process CPU s               %.3f and %.3f (peak RSS %.0f MB)\n", one.cpu_s, many.cpu_s,
              many.max_rss_kb / 1024.0);
  std::printf(
      "start-up CPU s (estimate)   %.3f (first run: %.3f more; calibration cache %s)\n",
      one.cpu_s - per_token * one.tokens, cold.cpu_s - one.cpu_s,
      llmx::dram::calibration_cache_dir().empty() ? "off" : llmx::dram::calibration_cache_dir().c_str());
  std::printf("CPU s per token (excl. start-up)  %.3f\n", per_token);
  std::printf("simulated DRAM GB per CPU s       %.2f\n",
              many.cpu_s > one.cpu_s ? (many.bytes - one.bytes) / 1e9 / (many.cpu_s - one.cpu_s) : 0.0);
  return 0;
}
