// `explorer sweep`: run a sweep spec's design points (one process per point, -j at once, resumable,
// shardable), merge the output directories of shards (`sweep merge`), or mark the Pareto frontier of results
// (`sweep pareto`). Format and directory layout: docs/SWEEPS.md. Leaves out: the points' simulation itself
// (explorer/run/run.h) and reports over the results.
#pragma once

namespace llmx {

class CommandLine;
void add_sweep_commands(CommandLine& cli);

}  // namespace llmx
