// `explorer validate`: the measured-system validation (explorer/validate/validate.h) and `explorer validate
// systems`, which writes or checks the validation system configs (explorer/validate/machine_rule.h).
// Option parsing only.
#pragma once

#include <string>
#include <vector>

namespace llmx {

// args: everything after `validate`. Returns the exit code; user errors throw llmx::Error.
int cmd_validate(const std::vector<std::string>& args);

}  // namespace llmx
