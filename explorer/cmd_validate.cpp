// Command-line front end of `explorer validate`; see cmd_validate.h.
#include "explorer/cmd_validate.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "explorer/validate/machine_rule.h"
#include "explorer/validate/validate.h"
#include "models/core/error.h"

namespace llmx {
namespace {

const char* kValidateUsage =
    "usage:\n"
    "  explorer validate [-j N] [--out FILE.csv] [--steps N] [--only ID]... [--rows FILE] [--root DIR]\n"
    "                    [--keep DIR] [--max-median FRACTION] [--max-worst FRACTION]\n"
    "      predict every measured row of validation/measured.csv (one process per row, N at once) and print\n"
    "      measured vs predicted tokens/s, the signed error, and the median and worst absolute error;\n"
    "      --out writes the table as CSV; --max-median/--max-worst exit 3 when a bound is exceeded\n"
    "  explorer validate systems [--write] [--root DIR]\n"
    "      check (or rewrite) configs/validation/*.yaml against the machine rule applied to\n"
    "      validation/machines.csv (docs/VALIDATION.md)\n";

double parse_number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0))
    throw Error(cat("validate: ", flag, ": '", text, "' is not a number >= 0"));
  return v;
}

int cmd_systems(const std::vector<std::string>& args) {
  bool write = false;
  std::string root = ".";
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--write")
      write = true;
    else if (args[i] == "--root" && i + 1 < args.size())
      root = args[++i];
    else
      throw Error(cat("validate systems: unknown option '", args[i], "'\n", kValidateUsage));
  }
  const auto changed = sync_validation_systems(root, write);
  for (const auto& f : changed) std::printf("%s %s\n", write ? "wrote" : "differs from the rule:", f.c_str());
  return write || changed.empty() ? 0 : 1;
}

}  // namespace

int cmd_validate(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(kValidateUsage, stdout);
    return 0;
  }
  if (!args.empty() && args[0] == "systems") return cmd_systems(args);
  ValidateOptions o;
  o.root = ".";
  std::string out;
  double max_median = -1, max_worst = -1;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(cat("validate: ", a, " needs a value"));
      return args[++i];
    };
    if (a == "-j")
      o.jobs = static_cast<int>(parse_number(a, value()));
    else if (a == "--out")
      out = value();
    else if (a == "--steps")
      o.decode_steps = static_cast<uint32_t>(parse_number(a, value()));
    else if (a == "--only")
      o.only.push_back(value());
    else if (a == "--root")
      o.root = value();
    else if (a == "--rows")
      o.set_path = value();
    else if (a == "--keep")
      o.points_dir = value();
    else if (a == "--max-median")
      max_median = parse_number(a, value());
    else if (a == "--max-worst")
      max_worst = parse_number(a, value());
    else
      throw Error(cat("validate: unknown argument '", a, "'\n", kValidateUsage));
  }
  if (o.jobs < 1) throw Error("validate: -j needs at least 1");
  if (o.decode_steps < 1) throw Error("validate: --steps needs at least 1");
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

}  // namespace llmx
