// `explorer run`: the command line of one design point; the point itself is explorer/run/run.h.
#include "explorer/cmd_run.h"

#include <memory>

#include "explorer/cli/command_line.h"
#include "explorer/run/process.h"
#include "explorer/run/run.h"

namespace llmx {

void add_run_command(CommandLine& cli) {
  auto request = std::make_shared<RunRequest>();
  auto in_process = std::make_shared<bool>(false);
  request->out_dir = "results/run";
  CLI::App& cmd = cli.add(
      cli.root(), "run", "Simulate one design point; write its CSVs and resolved config to a directory.",
      "explorer run configs/systems/hbm3-accel.yaml --set workload.decode_steps=8 --out results/hbm3",
      [request, in_process] {
        auto body = [request] {
          run_point(*request);
          return 0;
        };
        // The parent never elaborates: the point runs in a child (one SystemC design per process).
        return *in_process ? body() : run_in_child(body);
      });
  cmd.add_option("system.yaml", request->config_path, "system config (configs/systems/)")
      ->type_name("FILE")
      ->required();
  cmd.add_option("--trace", request->trace_path, "decode trace; replaces the config's workload.trace")
      ->type_name("FILE");
  cmd.add_option("--out", request->out_dir, "output directory (replaced if it holds an earlier result)")
      ->type_name("DIR");
  cmd.add_option("--set", request->overrides, "override a config key, e.g. modules.pe.count=16 (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false)
      ->default_str("");
  cmd.add_flag("--in-process", *in_process, "simulate in this process instead of a child (debugging)")
      ->default_str("");
}

}  // namespace llmx
