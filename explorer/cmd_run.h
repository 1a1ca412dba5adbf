// `explorer run <system.yaml> [--trace FILE] [--out DIR] [--set key.path=value]... [--in-process]`: one
// design point (explorer/run/run.h), simulated in a child process (one SystemC design per process).
#pragma once

namespace llmx {

class CommandLine;
void add_run_command(CommandLine& cli);

}  // namespace llmx
