// `explorer sweep`: run a sweep spec's design points (one process per point, -j at once, resumable,
// shardable) or merge the output directories of shards. Format and directory layout: docs/SWEEPS.md.
// Leaves out: the points' simulation itself (explorer/run/run.h) and reports over the results.
#pragma once

#include <string>
#include <vector>

namespace llmx {

// args: everything after `sweep`. Returns the exit code; user errors throw llmx::Error.
int cmd_sweep(const std::vector<std::string>& args);

}  // namespace llmx
