// `explorer validate`: the measured-system validation (explorer/validate/validate.h) and `explorer validate
// systems`, which writes or checks the validation system configs (explorer/validate/machine_rule.h).
// Option parsing only.
#pragma once

namespace llmx {

class CommandLine;
void add_validate_commands(CommandLine& cli);

}  // namespace llmx
