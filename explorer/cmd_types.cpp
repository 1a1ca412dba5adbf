// `explorer types`: the registry's module types with their descriptions.
#include "explorer/cmd_types.h"

#include <cstdio>

#include "explorer/cli/command_line.h"
#include "models/core/registry.h"

namespace llmx {

void add_types_command(CommandLine& cli) {
  cli.add(cli.root(), "types", "List the module types a system config can name with `type:`.",
          "explorer types", [] {
            for (const auto& [name, type] : Registry::instance().types())
              std::printf("%-14s %s\n", name.c_str(), type.description.c_str());
            return 0;
          });
}

}  // namespace llmx
