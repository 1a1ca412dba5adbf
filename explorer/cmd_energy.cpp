// `explorer energy drampower`: see cmd_energy.h.
#include "explorer/cmd_energy.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include "explorer/cli/command_line.h"
#include "explorer/config/loader.h"
#include "explorer/energy/drampower_export.h"
#include "models/core/error.h"
#include "models/core/params.h"

namespace llmx {

namespace {

struct DrampowerCommand {
  std::string preset, out;
  std::vector<std::string> sets;
  DrampowerExportRequest request;
};

int energy_drampower(const DrampowerCommand& a) {
  const std::string& preset = a.preset;
  const std::string& out = a.out;
  const DrampowerExportRequest& req = a.request;
  auto root = load_config(preset, a.sets);
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

}  // namespace

void add_energy_commands(CommandLine& cli) {
  CLI::App& energy =
      cli.add(cli.root(), "energy", "Side-by-side checks of the DRAM energy model (docs/ENERGY.md).",
              "explorer energy drampower configs/memory/lpddr5-6400.yaml --out /tmp/lpddr5", nullptr);
  auto a = std::make_shared<DrampowerCommand>();
  DrampowerExportRequest& r = a->request;
  CLI::App& cmd =
      cli.add(energy, "drampower",
              "Write DRAMPower v5.1 inputs (memspec.json, commands.csv) and the explorer's energy by "
              "kind for the same commands (explorer.csv) for one channel of a DRAM preset.",
              "explorer energy drampower configs/memory/lpddr5-6400.yaml --out /tmp/lpddr5 --pattern random",
              [a] { return energy_drampower(*a); });
  cmd.add_option("memory.yaml", a->preset, "DRAM preset")->type_name("FILE")->required();
  cmd.add_option("--out", a->out, "directory to write")->type_name("DIR")->required();
  cmd.add_option("--pattern", r.pattern, "access pattern")->check(one_of({"sequential", "random"}));
  cmd.add_option("--accesses", r.accesses, "bursts in the stream")->type_name("N")->check(at_least(1));
  cmd.add_option("--write-share", r.write_share, "share of accesses that write")
      ->type_name("FRACTION")
      ->check(between(0, 1));
  cmd.add_option("--seed", r.seed, "seed of the access stream and data")->type_name("N");
  cmd.add_option("--set", a->sets, "override a key of memory.yaml (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false)
      ->default_str("");
}

}  // namespace llmx
