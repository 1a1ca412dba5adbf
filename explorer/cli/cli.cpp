// The explorer's command tree and the error boundary of the program.
#include "explorer/cli/cli.h"

#include <cstdio>
#include <iostream>

#include "explorer/cmd_energy.h"
#include "explorer/cmd_memtrace.h"
#include "explorer/cmd_report.h"
#include "explorer/cmd_run.h"
#include "explorer/cmd_sweep.h"
#include "explorer/cmd_trace.h"
#include "explorer/cmd_types.h"
#include "explorer/cmd_validate.h"

namespace llmx {

CommandLine make_command_line() {
  CommandLine cli;
  add_run_command(cli);
  add_types_command(cli);
  add_trace_commands(cli);
  add_memtrace_command(cli);
  add_energy_commands(cli);
  add_sweep_commands(cli);
  add_report_command(cli);
  add_validate_commands(cli);
  return cli;
}

int run_explorer(const std::vector<std::string>& args) {
  CommandLine cli = make_command_line();
  return cli.run(args);
}

// An error is one line: control characters a message carries from its input (a parser quoting the byte it
// stopped at) are shown escaped, trailing ones dropped.
static std::string printable(std::string message) {
  while (!message.empty() && static_cast<unsigned char>(message.back()) < 0x20) message.pop_back();
  std::string out;
  for (char c : message) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", u);
      out += b;
    } else {
      out += c;
    }
  }
  return out;
}

int explorer_main(const std::vector<std::string>& args) {
  auto fail = [](const char* message, int code) {
    std::fflush(stdout);
    std::cout.flush();
    std::cerr << "explorer: " << printable(message) << "\n";
    return code;
  };
  try {
    if (args.empty()) {  // a first look: the commands, on stderr (nothing was asked for)
      std::cerr << make_command_line().root().help();
      return 2;
    }
    return run_explorer(args);
  } catch (const UsageError& e) {
    return fail(e.what(), 2);
  } catch (const std::exception& e) {
    return fail(e.what(), 1);
  }
}

}  // namespace llmx
