// `explorer report`: the command line of the HTML report; the report itself is explorer/report/report.h.
#include "explorer/cmd_report.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include "explorer/cli/command_line.h"
#include "explorer/report/report.h"

namespace fs = std::filesystem;

namespace llmx {

void add_report_command(CommandLine& cli) {
  struct Options {
    std::string dir, out;
    bool require_fit = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App& cmd = cli.add(
      cli.root(), "report",
      "Write an HTML report (charts, roofline, Pareto frontier) and its text summary for a run or sweep.",
      "explorer report results/sweep", [o] {
        const std::string out = o->out.empty() ? (fs::path(o->dir) / "report.html").string() : o->out;
        write_report(o->dir, out, o->require_fit);
        std::printf(
            "wrote %s and %s\n", out.c_str(),
            (fs::path(out).parent_path() / (fs::path(out).stem().string() + ".txt")).string().c_str());
        return 0;
      });
  cmd.add_option("dir", o->dir, "a run directory (summary.csv) or a sweep directory (results.csv)")
      ->type_name("DIR")
      ->required();
  cmd.add_option("--out", o->out, "HTML file to write; default <dir>/report.html")->type_name("FILE");
  cmd.add_flag("--require-fit", o->require_fit,
               "fail when a point streams weights over the host link (offloaded_weight_bytes > 0)");
}

}  // namespace llmx
