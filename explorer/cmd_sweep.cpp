// Command-line front end of `explorer sweep`, `explorer sweep merge` and `explorer sweep pareto`: option
// parsing only; the work is in explorer/sweep/runner.h and pareto.h. Leaves out: anything Slurm-specific
// (scripts/slurm/).
#include "explorer/cmd_sweep.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "explorer/cli/command_line.h"
#include "explorer/sweep/pareto.h"
#include "explorer/sweep/runner.h"
#include "models/core/error.h"

namespace llmx {
namespace {

// "i/n": this run takes points i, i+n, i+2n, ... (0-based).
CLI::Validator shard_spec() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const auto slash = text.find('/');
        size_t i = 0, n = 0;
        const char* end = text.data() + text.size();
        const bool ok = slash != std::string::npos &&
                        std::from_chars(text.data(), text.data() + slash, i).ptr == text.data() + slash &&
                        std::from_chars(text.data() + slash + 1, end, n).ptr == end && slash > 0 &&
                        slash + 1 < text.size();
        if (!ok) return cat("expected i/n, e.g. 0/4, got '", text, "'");
        if (n == 0 || i >= n) return cat("need 0 <= i < n, got '", text, "'");
        return {};
      },
      "", "shard");
}

struct ParetoCommand {
  std::string in, out;
  std::vector<std::string> max, min;
};

// The objectives in the order given on the command line (--max and --min interleaved).
std::vector<ParetoObjective> objectives_in_order(const CLI::App& cmd, const ParetoCommand& a) {
  std::vector<ParetoObjective> objectives;
  size_t next_max = 0, next_min = 0;
  for (const CLI::Option* opt : cmd.parse_order()) {
    if (opt->get_name() == "--max" && next_max < a.max.size())
      objectives.push_back({a.max[next_max++], true});
    if (opt->get_name() == "--min" && next_min < a.min.size())
      objectives.push_back({a.min[next_min++], false});
  }
  return objectives;
}

int sweep_pareto(const ParetoCommand& a, const std::vector<ParetoObjective>& objectives) {
  const std::string& in = a.in;
  const std::string& out = a.out;
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

void add_sweep_commands(CommandLine& cli) {
  auto o = std::make_shared<SweepOptions>();
  o->out_dir = "results/sweep";
  CLI::App& sweep =
      cli.add(cli.root(), "sweep",
              "Run a sweep's design points in parallel (resumable); write DIR/results.csv (docs/SWEEPS.md).",
              "explorer sweep configs/sweeps/example.yaml -j 2 --out results/sweep", [o] {
                if (o->spec_path.empty())
                  throw UsageError("sweep: spec.yaml is required (explorer sweep --help)");
                return run_sweep(*o);
              });
  sweep.require_subcommand(0, 1);
  sweep.add_option("spec.yaml", o->spec_path, "sweep spec: base config, axes, filters")->type_name("FILE");
  sweep.add_option("-j,--jobs", o->jobs, "points simulated at once")->type_name("N")->check(between(1, 4096));
  sweep.add_option("--out", o->out_dir, "output directory")->type_name("DIR");
  sweep.add_option("--shard", "run points i, i+n, i+2n, ... of the sweep's order (0-based)")
      ->type_name("i/n")
      ->check(shard_spec())
      ->each([o](const std::string& text) {
        const auto slash = text.find('/');
        o->shard_index = std::stoull(text.substr(0, slash));
        o->shard_count = std::stoull(text.substr(slash + 1));
      });
  sweep.add_flag("--list", o->list_only, "print the points as CSV instead of running them")->default_str("");

  struct MergeCommand {
    std::vector<std::string> dirs;
    std::string out;
  };
  auto m = std::make_shared<MergeCommand>();
  CLI::App& merge = cli.add(sweep, "merge", "Merge the output directories of a sweep's shards into one.",
                            "explorer sweep merge results/shard-0 results/shard-1 --out results/sweep", [m] {
                              merge_sweeps(m->dirs, m->out);
                              return 0;
                            });
  merge.add_option("dir", m->dirs, "shard output directories")->type_name("DIR")->required()->default_str("");
  merge.add_option("--out", m->out, "merged output directory")->type_name("DIR")->required();

  auto p = std::make_shared<ParetoCommand>();
  auto pareto_app = std::make_shared<const CLI::App*>(nullptr);
  CLI::App& pareto =
      cli.add(sweep, "pareto",
              "Mark the Pareto frontier over chosen objectives in a results.csv (a `pareto` column).",
              "explorer sweep pareto results/sweep/results.csv --max tokens_per_s --min j_per_token",
              [p, pareto_app] { return sweep_pareto(*p, objectives_in_order(**pareto_app, *p)); });
  *pareto_app = &pareto;
  pareto.add_option("results.csv", p->in, "results of a sweep, a shard or merged shards")
      ->type_name("FILE")
      ->required();
  pareto.add_option("--max", p->max, "an objective to maximise (repeatable)")
      ->type_name("COLUMN")
      ->allow_extra_args(false)
      ->default_str("");
  pareto.add_option("--min", p->min, "an objective to minimise (repeatable)")
      ->type_name("COLUMN")
      ->allow_extra_args(false)
      ->default_str("");
  pareto.add_option("--out", p->out, "file to write; default: results.csv in place")->type_name("FILE");
}

}  // namespace llmx
