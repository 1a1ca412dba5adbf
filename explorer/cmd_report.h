// `explorer report <dir> [--out FILE]`: the HTML report of a run or sweep directory
// (explorer/report/report.h).
#pragma once

namespace llmx {

class CommandLine;
void add_report_command(CommandLine& cli);

}  // namespace llmx
