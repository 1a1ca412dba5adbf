// The `explorer` command line. libsystemc.so defines main() and calls sc_main.
//
//   explorer run <system.yaml> [--trace <trace>] [--out <dir>] [--set key.path=value]... [--in-process]
//   explorer types
//   explorer trace info|gen|quantize ...       (explorer/cmd_trace.h)
//   explorer memtrace <memory.yaml> <trace>    (explorer/cmd_memtrace.h)
//   explorer energy drampower <memory.yaml>    (explorer/cmd_energy.h)
//   explorer sweep <spec.yaml> ...             (explorer/cmd_sweep.h)
//   explorer report <dir>                      (explorer/report/report.h)
//   explorer validate ...                      (explorer/cmd_validate.h)
//
// Every user error prints one line "explorer: <file:line:column: key: message>" and exits 1.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <systemc>

#include "explorer/cmd_energy.h"
#include "explorer/cmd_memtrace.h"
#include "explorer/cmd_sweep.h"
#include "explorer/cmd_trace.h"
#include "explorer/cmd_validate.h"
#include "explorer/report/report.h"
#include "explorer/run/process.h"
#include "explorer/run/run.h"
#include "models/core/error.h"
#include "models/core/registry.h"

namespace {

const char* kUsage =
    "usage:\n"
    "  explorer run <system.yaml> [--trace <trace>] [--out <dir>] [--set key.path=value]... [--in-process]\n"
    "      simulate one design point; writes summary.csv, tokens.csv, components.csv, resolved_config.yaml\n"
    "  explorer types\n"
    "      list the module types a config can name with `type:`\n"
    "  explorer trace info|gen|quantize ...\n"
    "      inspect, generate and transform decode traces (explorer trace --help)\n"
    "  explorer memtrace <memory.yaml> <trace> [--out <file.csv>] [--set key=value]...\n"
    "      replay a DRAMSys (.stl) or Ramulator 2 memory trace on the channel model\n"
    "  explorer energy drampower <memory.yaml> --out <dir> [--pattern sequential|random]\n"
    "      inputs for a side-by-side energy check against DRAMPower v5.1 (docs/ENERGY.md)\n"
    "  explorer report <run or sweep dir> [--out file.html]\n"
    "      self-contained HTML report: throughput, energy, bandwidth, roofline, Pareto frontier\n"
    "  explorer sweep <spec.yaml> [-j N] [--out DIR] [--shard i/n] | explorer sweep merge <dir>... --out DIR\n"
    "      run a sweep of design points, one process each, resumable (explorer sweep --help)\n"
    "  explorer validate [-j N] [--out FILE.csv] | explorer validate systems [--write]\n"
    "      predict the measured systems of validation/ and report the error (explorer validate --help)\n";

int cmd_run(const std::vector<std::string>& args) {
  llmx::RunRequest req;
  req.out_dir = "results/run";
  bool in_process = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> std::string {
      if (i + 1 >= args.size()) throw llmx::Error(llmx::cat(flag, " needs a value"));
      return args[++i];
    };
    if (a == "--trace") req.trace_path = value("--trace");
    else if (a == "--out") req.out_dir = value("--out");
    else if (a == "--set") req.overrides.push_back(value("--set"));
    else if (a.rfind("--set=", 0) == 0) req.overrides.push_back(a.substr(6));
    else if (a == "--in-process") in_process = true;
    else if (!a.empty() && a[0] == '-') throw llmx::Error(llmx::cat("run: unknown option '", a, "'\n", kUsage));
    else if (req.config_path.empty()) req.config_path = a;
    else throw llmx::Error(llmx::cat("run: more than one config given ('", req.config_path, "', '", a, "')"));
  }
  if (req.config_path.empty()) throw llmx::Error(llmx::cat("run: no system config given\n", kUsage));
  auto body = [&] {
    llmx::run_point(req);
    return 0;
  };
  // The parent never elaborates: the point runs in a child process (one SystemC design per process).
  return in_process ? body() : llmx::run_in_child(body);
}

int cmd_types() {
  for (const auto& [name, type] : llmx::Registry::instance().types())
    std::printf("%-14s %s\n", name.c_str(), type.description.c_str());
  return 0;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "run") return cmd_run(rest);
    if (command == "types") return cmd_types();
    if (command == "trace") return llmx::trace::cmd_trace(rest);
    if (command == "sweep") return llmx::cmd_sweep(rest);
    if (command == "memtrace") return llmx::cmd_memtrace(rest);
    if (command == "energy") return llmx::cmd_energy(rest);
    if (command == "report") return llmx::cmd_report(rest);
    if (command == "validate") return llmx::cmd_validate(rest);
    std::fprintf(stderr, "explorer: unknown command '%s'\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "explorer: %s\n", e.what());
    return 1;
  }
}
