// One design point, end to end: load and resolve the config, read the trace, elaborate, simulate, and write
// the results. Elaborates SystemC in the calling process, so a process runs at most one point (see
// process.h).
//
// Output directory (staged beside it and swapped into place only on success, so a failed run leaves nothing
// behind; an earlier result is replaced only when it holds nothing but the explorer's files, see
// results_dir.h):
//   summary.csv          one row: identity, tokens/s, ms/token, J/token (typical, and the maximum bound),
//                        power, DRAM traffic and bandwidth
//   tokens.csv           one row per simulated step
//   components.csv       one row per component: busy time, bytes, requests, energy by kind and total, in
//                        the typical bound and the maximum bound (_max_j)
//   component_metrics.csv  component-specific figures (long format: component, metric, value)
//   layers.csv, op_kinds.csv  decode time, traffic and memory-bound share per layer and per op kind
//   bottleneck.csv       per resource class: utilization, busiest instance, the class that bounds the run
//   ops.csv              one row per op (only with workload.per_op_csv: true)
//   resolved_config.yaml the fully resolved configuration (defaults included): rerunning it reproduces the
//   run explorer-manifest.txt  the files above with the hash of their bytes: what the explorer may replace
#pragma once

#include <string>
#include <vector>

#include "models/core/config_tree.h"

namespace llmx {

struct RunRequest {
  std::string config_path;
  std::vector<std::string> overrides;  // "a.b=value"
  std::string trace_path;              // optional: overrides workload.trace
  std::string out_dir;
};

// Throws llmx::Error for any problem with the inputs or with out_dir (checked before simulating); writes
// out_dir only on success.
void run_point(const RunRequest& request);

// The trace file a loaded (merged) config names in workload.trace, as the run will open it: relative to the
// file that set it, or to the working directory when the command line set it; "" when there is none.
std::string trace_path_in(const ConfigNode& root);

}  // namespace llmx
