// Benchmark (prints figures; not a timed test): host CPU time of a sweep, in points per CPU-minute.
//   bench_sweep [system.yaml] [trace] [points=8] [decode_steps=64] [jobs=2]
// Default: Llama-2-7B F16 on the LPDDR5X accelerator preset, 8 points of 64 decode steps, 2 jobs. The sweep
// is a PE-clock axis (points values from 800 MHz up in 25 MHz steps: the same DRAM traffic per point), run by
// the explorer's own sweep runner in this process, which forks one process per point. CPU time is this
// process's (spec expansion, trace reading before the fork) plus its children's (getrusage RUSAGE_CHILDREN:
// every point, user + system); the peak RSS is the largest point's (ru_maxrss of the children). Also prints
// the wall time and what 100 points would take on 2 cores at this CPU cost per point. The DRAM calibration
// cache (build/calibration-cache) is used as a sweep uses it: a point finds it warm when an earlier run of
// this binary filled it.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

#include <systemc>

#include "bench/bench_args.h"
#include "build_paths.h"
#include "explorer/sweep/runner.h"
#include "models/memory/dram/service_model.h"

namespace fs = std::filesystem;

namespace {

double cpu_s(const struct rusage& ru) {
  return double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) * 1e-6 + double(ru.ru_stime.tv_sec) +
         double(ru.ru_stime.tv_usec) * 1e-6;
}

// Rows of results.csv whose status column says ok.
int ok_rows(const fs::path& results) {
  std::ifstream in(results);
  std::string header, line;
  std::getline(in, header);
  std::stringstream h(header);
  std::string cell;
  int status_col = -1;
  for (int i = 0; std::getline(h, cell, ','); ++i)
    if (cell == "status") status_col = i;
  int ok = 0;
  while (std::getline(in, line)) {
    std::stringstream r(line);
    for (int i = 0; std::getline(r, cell, ','); ++i)
      if (i == status_col && cell == "ok") ++ok;
  }
  return ok;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  const std::string root = LLMX_SOURCE_DIR;
  const std::string system =
      fs::absolute(argc > 1 ? argv[1] : root + "/configs/systems/lpddr5x-accel.yaml").string();
  const std::string trace =
      fs::absolute(argc > 2 ? argv[2] : root + "/traces/captured/llama-2-7b-f16.lxt.gz").string();
  const int points = llmx::bench_count_arg(argc, argv, 3, "points", 8);
  const int steps = llmx::bench_count_arg(argc, argv, 4, "decode_steps", 64);
  const int jobs = llmx::bench_count_arg(argc, argv, 5, "jobs", 2);
  const fs::path dir = fs::temp_directory_path() / ("llmx-bench-sweep-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream spec(dir / "sweep.yaml");
    spec << "base: " << system << "\nset:\n  workload.decode_steps: " << steps
         << "\n  workload.trace: " << trace << "\naxes:\n  - key: modules.pe.clock_mhz\n    values: [";
    for (int i = 0; i < points; ++i) spec << (i ? ", " : "") << 800 + 25 * i;
    spec << "]\n";
  }
  llmx::SweepOptions options;
  options.spec_path = (dir / "sweep.yaml").string();
  options.out_dir = (dir / "out").string();
  options.jobs = jobs;
  const auto wall0 = std::chrono::steady_clock::now();
  int code = 1;
  try {
    code = llmx::run_sweep(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sweep: %s\n", e.what());
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  struct rusage self {
  }, children{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  const int ok = ok_rows(dir / "out" / "results.csv");
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (code != 0 || ok != points) {
    std::fprintf(stderr, "bench_sweep: %d of %d points ok (sweep exit %d)\n", ok, points, code);
    return 1;
  }
  const double cpu = cpu_s(self) + cpu_s(children);
  const double per_point = cpu / points;
  std::printf("system   %s\ntrace    %s\n", system.c_str(), trace.c_str());
  std::printf(
      "points %d x %d decode steps, %d jobs; calibration cache %s\n", points, steps, jobs,
      llmx::dram::calibration_cache_dir().empty() ? "off" : llmx::dram::calibration_cache_dir().c_str());
  std::printf("CPU s                       %.2f (points %.2f, sweep process %.2f); wall s %.1f\n", cpu,
              cpu_s(children), cpu_s(self), wall);
  std::printf("CPU s per point             %.2f\n", per_point);
  std::printf("points per CPU-minute       %.2f\n", 60.0 / per_point);
  std::printf("peak RSS of a point         %.0f MB\n", double(children.ru_maxrss) / 1024.0);
  std::printf("100 points on 2 cores       %.1f min (CPU s per point x 100 / 2)\n", per_point * 100 / 2 / 60);
  return 0;
}
