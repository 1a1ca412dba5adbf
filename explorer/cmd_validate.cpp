// Command line of `explorer validate` and `explorer validate systems`; see cmd_validate.h.
#include "explorer/cmd_validate.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "explorer/cli/command_line.h"
#include "explorer/validate/machine_rule.h"
#include "explorer/validate/validate.h"
#include "models/core/error.h"

namespace llmx {
namespace {

int validate_systems(const std::string& root, bool write) {
  const auto changed = sync_validation_systems(root, write);
  for (const auto& f : changed) std::printf("%s %s\n", write ? "wrote" : "differs from the rule:", f.c_str());
  return write || changed.empty() ? 0 : 1;
}

struct ValidateCommand {
  ValidateOptions options;
  std::string out;
  double max_median = -1, max_worst = -1;
};

int validate(const ValidateCommand& a) {
  const ValidateOptions& o = a.options;
  const std::string& out = a.out;
  const double max_median = a.max_median, max_worst = a.max_worst;
  if (!out.empty()) {  // before the rows run, so a bad --out costs no simulation
    const auto dir = std::filesystem::absolute(out).parent_path();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
      throw Error(cat("validate: --out ", out, ": cannot create ", dir.string()));
  }
  const auto results = run_validation(o);
  std::fputs(results_text(results).c_str(), stdout);
  if (!out.empty()) {
    const std::string tmp = out + ".partial";
    {
      std::ofstream f(tmp, std::ios::binary);
      f << results_csv(results);
      if (!f) throw Error(cat(tmp, ": cannot write"));
    }
    std::filesystem::rename(tmp, out);
  }
  std::vector<const ValidationResult*> all;
  bool failed = false;
  for (const auto& r : results) all.push_back(&r), failed |= !r.ok;
  if (failed) return 1;
  const ErrorSummary s = summarize(all);
  if ((max_median >= 0 && s.median > max_median) || (max_worst >= 0 && s.worst > max_worst)) {
    std::fprintf(stderr, "explorer: validate: median |error| %.1f%%, worst %.1f%% exceed the bounds given\n",
                 100 * s.median, 100 * s.worst);
    return 3;
  }
  return 0;
}

}  // namespace

void add_validate_commands(CommandLine& cli) {
  auto a = std::make_shared<ValidateCommand>();
  a->options.root = ".";
  ValidateOptions& o = a->options;
  CLI::App& cmd =
      cli.add(cli.root(), "validate",
              "Predict the measured systems of validation/ and report measured vs predicted "
              "tokens/s, the signed error, median and worst (docs/VALIDATION.md).",
              "explorer validate -j 2 --out results/validation.csv", [a] { return validate(*a); });
  cmd.add_option("-j,--jobs", o.jobs, "rows simulated at once")->type_name("N")->check(between(1, 4096));
  cmd.add_option("--out", a->out, "also write the table as CSV")->type_name("FILE");
  cmd.add_option("--steps", o.decode_steps, "decode steps simulated per row")
      ->type_name("N")
      ->check(at_least(1));
  cmd.add_option("--only", o.only, "run only rows with this id or id prefix (repeatable)")
      ->type_name("ID")
      ->allow_extra_args(false)
      ->default_str("");
  cmd.add_option("--rows", o.set_path, "measured rows; default <root>/validation/measured.csv")
      ->type_name("FILE");
  cmd.add_option("--root", o.root, "repository holding configs/, traces/ and validation/")->type_name("DIR");
  cmd.add_option("--keep", o.points_dir, "keep each row's run directory here")->type_name("DIR");
  cmd.add_option("--max-median", a->max_median, "exit 3 when the median |error| exceeds this")
      ->type_name("FRACTION")
      ->check(at_least(0))
      ->default_str("");
  cmd.add_option("--max-worst", a->max_worst, "exit 3 when the worst |error| exceeds this")
      ->type_name("FRACTION")
      ->check(at_least(0))
      ->default_str("");

  struct SystemsCommand {
    std::string root = ".";
    bool write = false;
  };
  auto sys = std::make_shared<SystemsCommand>();
  CLI::App& systems =
      cli.add(cmd, "systems",
              "Check (or rewrite) configs/validation/*.yaml against the machine rule applied to "
              "validation/machines.csv.",
              "explorer validate systems --write", [sys] { return validate_systems(sys->root, sys->write); });
  systems.add_flag("--write", sys->write, "rewrite the files instead of checking them")->default_str("");
  systems.add_option("--root", sys->root, "repository holding configs/ and validation/")->type_name("DIR");
}

}  // namespace llmx
