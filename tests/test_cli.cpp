// The command line (explorer/cli/): every command and subcommand answers --help (exit 0: usage, options with
// defaults, an example) and --version; an unknown option is one line naming the command and the flag, exit 2;
// no output carries SystemC's banner, whatever the environment. The command list comes from the command tree,
// so a command added later is covered without editing this file.
#include <catch2/catch.hpp>

#include "explorer/cli/cli.h"
#include "tests/support.h"

using namespace llmx;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// The explorer binary without the variable that silences SystemC's banner in the test environment.
test::CommandResult bare_explorer(const std::string& args) {
  return test::run_command("env -u SYSTEMC_DISABLE_COPYRIGHT_MESSAGE '" + test::explorer_bin() + "' " + args);
}

bool has_banner(const std::string& out) {
  return out.find("Copyright") != std::string::npos || out.find("SystemC 2.3") != std::string::npos;
}

}  // namespace

TEST_CASE("cli: every command has --help with usage, defaults and an example, and --version", "[cli]") {
  auto paths = make_command_line().command_paths();
  REQUIRE(paths.size() >=
          10);  // run, types, trace (info, gen, quantize), memtrace, sweep (merge, pareto), report
  paths.insert(paths.begin(), std::vector<std::string>{});  // the explorer itself
  for (const auto& path : paths) {
    const std::string words = joined(path);
    INFO("explorer " << words);
    const auto help = bare_explorer(words + " --help");
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Contains("Usage: explorer" + (words.empty() ? "" : " " + words)));
    CHECK_THAT(help.out, Contains("Example:\n  explorer "));
    CHECK_FALSE(has_banner(help.out));
    const auto version = bare_explorer(words + " --version");
    CHECK(version.exit_code == 0);
    CHECK_THAT(version.out, StartsWith("explorer "));
    CHECK(test::count_lines(version.out) == 1);
  }
  CHECK_THAT(bare_explorer("run --help").out, Contains("--out DIR=results/run"));
  CHECK_THAT(bare_explorer("trace gen --help").out, Contains("--steps N=8"));
  CHECK_THAT(bare_explorer("help sweep pareto").out, Contains("Usage: explorer sweep pareto"));
}

TEST_CASE("cli: an unknown option or a missing value is one line naming command and flag, exit 2", "[cli]") {
  for (const auto& path : make_command_line().command_paths()) {
    const std::string words = joined(path);
    INFO("explorer " << words);
    const auto r = bare_explorer(words + " --no-such-flag x");
    CHECK(r.exit_code == 2);
    CHECK(test::count_lines(r.out) == 1);
    CHECK(r.out ==
          "explorer: " + words + ": unknown option '--no-such-flag' (explorer " + words + " --help)\n");
  }
  const auto missing = bare_explorer("run configs/systems/default.yaml --out");
  CHECK(missing.exit_code == 2);
  CHECK(missing.out == "explorer: run: --out: 1 required DIR missing (explorer run --help)\n");
  const auto bad = bare_explorer("sweep spec.yaml -j 0");
  CHECK(bad.exit_code == 2);
  CHECK(bad.out ==
        "explorer: sweep: --jobs: must be a number between 1 and 4096, got '0' (explorer sweep --help)\n");
  CHECK(test::count_lines(bad.out) == 1);
  const auto unknown = bare_explorer("frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out == "explorer: unknown command 'frobnicate' (explorer --help)\n");
  // Nothing asked for: the command list, on stderr, exit 2.
  const auto nothing = bare_explorer("");
  CHECK(nothing.exit_code == 2);
  CHECK_THAT(nothing.out, Contains("Usage: explorer"));
}

TEST_CASE("cli: no SystemC banner in the output of a command that works or fails", "[cli]") {
  const auto types = bare_explorer("types");
  CHECK(types.exit_code == 0);
  CHECK_THAT(types.out, Contains("dram"));
  CHECK_FALSE(has_banner(types.out));
  const auto fails = bare_explorer("run /nonexistent/system.yaml --out /nonexistent/out");
  CHECK(fails.exit_code == 1);
  CHECK(test::count_lines(fails.out) == 1);
  CHECK_FALSE(has_banner(fails.out));
}
