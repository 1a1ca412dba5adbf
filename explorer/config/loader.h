// Loading a configuration: YAML files read into a located ConfigNode tree, includes merged, command-line
// overrides applied.
//
// Composition rules
//  - Any map may hold `include: <path>` or `include: [<path>, ...]`. Each included file (a map at its top
//    level) is loaded, its own includes resolved, and merged in order as the base of that map; the map's own
//    keys then override, recursively for nested maps (sequences and scalars are replaced whole). Paths are
//    relative to the including file. Cycles are errors.
//  - Overrides `a.b.c=value` (from --set) go into the top file's own keys before includes are merged, so they
//    win over every preset; `--set modules.host.include=configs/host/cxl2-x16.yaml` swaps a preset (a path
//    given on the command line is relative to the working directory). The value is parsed as YAML; the key
//    path must lead through maps; a new leaf key is allowed (it is then checked like any other key).
// Errors are one line, "file:line:column: key.path: message".
#pragma once

#include <string>
#include <vector>

#include "models/core/config_tree.h"

namespace llmx {

// Parses one YAML file into a tree without resolving includes.
ConfigNodePtr parse_yaml_file(const std::string& path);
// Parses YAML text (for tests and --set values); `origin` names it in locations.
ConfigNodePtr parse_yaml_text(const std::string& text, const std::string& origin);

// Loads `path`, resolves includes, applies overrides ("a.b=value" each).
ConfigNodePtr load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// Applies one override "a.b.c=value" to a tree.
void apply_override(ConfigNode& root, const std::string& assignment);

}  // namespace llmx
