// `explorer energy drampower`: see cmd_energy.h.
#include "explorer/cmd_energy.h"

#include <cstdio>
#include <filesystem>

#include "explorer/config/loader.h"
#include "explorer/energy/drampower_export.h"
#include "models/core/error.h"
#include "models/core/params.h"

namespace llmx {

namespace {

const char* kUsage =
    "usage: explorer energy drampower <memory.yaml> --out <dir> [--pattern sequential|random]\n"
    "           [--accesses N] [--write-share F] [--seed N] [--set key=value]...\n"
    "  writes memspec.json, commands.csv (DRAMPower v5.1's command-line tool) and explorer.csv (the\n"
    "  explorer's energy by kind for the same commands); scripts/drampower_compare.py compares them\n";

double number(const std::string& flag, const std::string& text) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (...) {
  }
  throw Error(cat("energy drampower: ", flag, " needs a number, got '", text, "'"));
}

}  // namespace

int cmd_energy(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "drampower")
    throw Error(cat("energy: unknown or missing subcommand\n", kUsage));
  std::string preset, out;
  std::vector<std::string> sets;
  DrampowerExportRequest req;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw Error(cat("energy drampower: ", a, " needs a value"));
      return args[++i];
    };
    if (a == "--out")
      out = value();
    else if (a == "--set")
      sets.push_back(value());
    else if (a == "--pattern")
      req.pattern = value();
    else if (a == "--accesses")
      req.accesses = uint64_t(number(a, value()));
    else if (a == "--write-share")
      req.write_share = number(a, value());
    else if (a == "--seed")
      req.seed = uint64_t(number(a, value()));
    else if (!a.empty() && a[0] == '-')
      throw Error(cat("energy drampower: unknown option '", a, "'\n", kUsage));
    else if (preset.empty())
      preset = a;
    else
      throw Error(cat("energy drampower: more than one preset given ('", preset, "', '", a, "')"));
  }
  if (preset.empty() || out.empty())
    throw Error(cat("energy drampower: a preset and --out are needed\n", kUsage));
  if (req.pattern != "sequential" && req.pattern != "random")
    throw Error(cat("energy drampower: --pattern is sequential or random, got '", req.pattern, "'"));
  if (req.write_share < 0 || req.write_share > 1)
    throw Error(cat("energy drampower: --write-share lies in [0, 1], got ", req.write_share));
  if (req.accesses < 1) throw Error("energy drampower: --accesses must be at least 1");
  auto root = load_config(preset, sets);
  Params p(root, "", nullptr);
  p.claim("type");
  p.claim("count");
  const dram::DramSpec spec = dram::read_dram_spec(p);
  p.finish();
  std::filesystem::create_directories(out);
  const auto r = export_drampower(spec, req, out);
  std::printf("%s: %llu commands over %.0f ns -> %s/{memspec.json,commands.csv,explorer.csv}\n",
              spec.standard.c_str(), static_cast<unsigned long long>(r.commands), r.elapsed_ns, out.c_str());
  return 0;
}

}  // namespace llmx
