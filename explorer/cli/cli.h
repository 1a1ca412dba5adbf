// The `explorer` program's commands, assembled into one command line (explorer/cli/command_line.h):
//   run, types, trace info|gen|quantize, memtrace, energy drampower, sweep [merge|pareto], report, validate [systems].
// A new command adds itself in make_command_line() (cli.cpp) from an add_*_command function of its own file.
#pragma once

#include <string>
#include <vector>

#include "explorer/cli/command_line.h"

namespace llmx {

// Every command of the explorer, ready to parse.
CommandLine make_command_line();

// Runs the command line `args` (without the program name) and returns its exit code. Throws UsageError for
// bad command-line use and llmx::Error for bad input, each a one-line message.
int run_explorer(const std::vector<std::string>& args);

// run_explorer with errors printed as one line "explorer: <message>" on stderr: exit code 2 for bad
// command-line use, 1 for any other error. The program's main().
int explorer_main(const std::vector<std::string>& args);

}  // namespace llmx
