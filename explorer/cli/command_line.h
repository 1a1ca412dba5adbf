// The explorer's command line, on CLI11: a tree of commands, each with `--help` (usage, options with their
// defaults, an example) and `--version`, and an action that runs when it is the command given. Flags are
// named alike across commands (`--out` for what a command writes, `--set key.path=value` for overrides).
// Bad command-line use throws UsageError, one line naming the command and the flag; help and version go to
// stdout. Leaves out: the commands themselves (explorer/cmd_*.cpp add them) and printing errors (cli.h).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/core/error.h"

namespace llmx {

// Bad command-line use (unknown option, missing or malformed value): exit code 2, where bad input in files
// (llmx::Error) exits 1.
class UsageError : public Error {
 public:
  using Error::Error;
};

class CommandLine {
 public:
  CommandLine();
  CLI::App& root() { return *root_; }

  // A command under `parent` (root() or another command's App). `action` runs when this is the command given
  // and returns the exit code; a command without action is a group that needs one of its subcommands.
  CLI::App& add(CLI::App& parent, const std::string& name, const std::string& description,
                const std::string& example, std::function<int()> action);

  // Parses `args` (without the program name) and runs the selected command: its exit code; 0 after printing
  // help or version. Throws UsageError for bad command-line use; the action's own errors pass through.
  int run(std::vector<std::string> args);

  // Every command as its words (e.g. {"trace", "gen"}), groups included, in the order added.
  std::vector<std::vector<std::string>> command_paths() const;

 private:
  std::unique_ptr<CLI::App> root_;
  std::map<const CLI::App*, std::function<int()>> actions_;
};

// Option checks with one-line messages (CLI11 prefixes the flag: "--batch: must be at least 1").
CLI::Validator positive_number();
CLI::Validator at_least(double minimum);
CLI::Validator between(double minimum, double maximum);
CLI::Validator one_of(const std::vector<std::string>& allowed);

}  // namespace llmx
