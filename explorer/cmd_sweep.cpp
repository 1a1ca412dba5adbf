// Command-line front end of `explorer sweep`, `explorer sweep merge` and `explorer sweep pareto`: option parsing
// only; the work is in explorer/sweep/runner.h and pareto.h. Leaves out: anything Slurm-specific (scripts/slurm/).
#include "explorer/cmd_sweep.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "explorer/sweep/pareto.h"
#include "explorer/sweep/runner.h"
#include "models/core/error.h"

namespace llmx {
namespace {

const char* kSweepUsage =
    "usage:\n"
    "  explorer sweep <spec.yaml> [-j N] [--out DIR] [--shard i/n] [--list]\n"
    "      run every point of the sweep (N processes at once; re-running resumes), writing DIR/results.csv;\n"
    "      --shard i/n runs points i, i+n, i+2n, ... (0-based) of the sweep's order; --list prints the "
    "points\n"
    "  explorer sweep merge <dir>... --out DIR\n"
    "      merge the output directories of a sweep's shards into DIR/results.csv\n"
    "  explorer sweep pareto <results.csv> (--max COLUMN | --min COLUMN)... [--out FILE]\n"
    "      mark the Pareto frontier over the given objectives in a `pareto` column (in place unless --out)\n";

size_t parse_count(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0')
    throw Error(cat("sweep: ", what, ": '", text, "' is not a count"));
  return static_cast<size_t>(v);
}

int cmd_pareto(const std::vector<std::string>& args) {
  std::string in, out;
  std::vector<ParetoObjective> objectives;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(cat("sweep pareto: ", a, " needs a value"));
      return args[++i];
    };
    if (a == "--max" || a == "--min") objectives.push_back({value(), a == "--max"});
    else if (a == "--out") out = value();
    else if (!a.empty() && a[0] == '-') throw Error(cat("sweep pareto: unknown option '", a, "'\n", kSweepUsage));
    else if (in.empty()) in = a;
    else throw Error(cat("sweep pareto: more than one results file given ('", in, "', '", a, "')"));
  }
  if (in.empty()) throw Error(cat("sweep pareto: no results.csv given\n", kSweepUsage));
  std::ifstream file(in, std::ios::binary);
  if (!file) throw Error(cat(in, ": cannot open"));
  std::stringstream text;
  text << file.rdbuf();
  const std::string marked = mark_pareto(text.str(), objectives, in);
  // Written whole to a temporary file and renamed: never half a results file.
  const std::string target = out.empty() ? in : out;
  const std::string tmp = target + ".partial";
  {
    std::ofstream o(tmp, std::ios::binary);
    o << marked;
    if (!o) throw Error(cat(tmp, ": cannot write"));
  }
  std::filesystem::rename(tmp, target);
  return 0;
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(kSweepUsage, stdout);
    return 0;
  }
  if (!args.empty() && args[0] == "pareto") return cmd_pareto(args);
  const bool merge = !args.empty() && args[0] == "merge";
  SweepOptions options;
  std::vector<std::string> dirs;
  bool out_given = false;
  for (size_t i = merge ? 1 : 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> std::string {
      if (i + 1 >= args.size()) throw Error(cat("sweep: ", flag, " needs a value"));
      return args[++i];
    };
    if (a == "--out") {
      options.out_dir = value("--out");
      out_given = true;
    } else if (!merge && (a == "-j" || a == "--jobs")) {
      const size_t j = parse_count(value("-j"), "-j");
      if (j < 1 || j > 4096) throw Error("sweep: -j: need between 1 and 4096 processes");
      options.jobs = static_cast<int>(j);
    } else if (!merge && a.size() > 2 && a.rfind("-j", 0) == 0) {
      const size_t j = parse_count(a.substr(2), "-j");
      if (j < 1 || j > 4096) throw Error("sweep: -j: need between 1 and 4096 processes");
      options.jobs = static_cast<int>(j);
    } else if (!merge && a == "--shard") {
      const std::string s = value("--shard");
      const auto slash = s.find('/');
      if (slash == std::string::npos) throw Error(cat("sweep: --shard '", s, "': expected i/n, e.g. 0/4"));
      options.shard_index = parse_count(s.substr(0, slash), "--shard");
      options.shard_count = parse_count(s.substr(slash + 1), "--shard");
      if (options.shard_count == 0 || options.shard_index >= options.shard_count)
        throw Error(cat("sweep: --shard '", s, "': need 0 <= i < n"));
    } else if (!merge && a == "--list") {
      options.list_only = true;
    } else if (!a.empty() && a[0] == '-') {
      throw Error(cat("sweep: unknown option '", a, "'\n", kSweepUsage));
    } else if (merge) {
      dirs.push_back(a);
    } else if (options.spec_path.empty()) {
      options.spec_path = a;
    } else {
      throw Error(cat("sweep: more than one spec given ('", options.spec_path, "', '", a, "')"));
    }
  }
  if (merge) {
    if (dirs.empty()) throw Error(cat("sweep merge: no shard directories given\n", kSweepUsage));
    if (!out_given) throw Error("sweep merge: --out DIR is required");
    merge_sweeps(dirs, options.out_dir);
    return 0;
  }
  if (options.spec_path.empty()) throw Error(cat("sweep: no sweep spec given\n", kSweepUsage));
  if (!out_given && !options.list_only) options.out_dir = "results/sweep";
  return run_sweep(options);
}

}  // namespace llmx
