// `explorer types`: the module types a config can name with `type:`.
#pragma once

namespace llmx {

class CommandLine;
void add_types_command(CommandLine& cli);

}  // namespace llmx
