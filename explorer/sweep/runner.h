// Running a sweep: each design point in its own forked process (the parent never elaborates SystemC), up to
// `jobs` at once, with resume, failure isolation, sharding, progress on stderr and an atomically rewritten
// results.csv; and merging the output directories of shards into one.
//
// Output directory layout:
//   sweep.txt      manifest: sweep identity (hash of the columns and every point key in order), number of
//                  points, shard i/n, the leading columns of results.csv
//   results.csv    one row per finished point of this shard, in point order:
//                  point, point_key, <swept keys in axis order>, status (ok|error), error, <summary.csv
//                  columns> (temp file + rename after completed points, at most once a second, and at the
//                  end)
//   points/<key>/  a finished point: the `explorer run` files, or error.txt (one line) for a point whose
//                  inputs were rejected
//   logs/<key>.log what the point's process printed (kept only when non-empty)
//   runs.log       one line per point this directory ran, appended as each finishes: index key status (a
//                  point a kill took before it was logged is logged by the next run, marked logged-on-resume)
// A point is done when points/<key>/ holds summary.csv or error.txt; a re-run skips done points. A point
// whose process died (signal, crash) gets an error row but no error.txt, so a re-run retries it.
// The sweep writes into a new or empty directory, an earlier sweep's (sweep.txt), or one holding none of the
// names above; point directories are results directories (explorer/run/results_dir.h), removed only by
// their manifests.
// Leaves out: scheduling on a cluster (scripts/slurm/), HTML reports.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace llmx {

struct SweepOptions {
  std::string spec_path;
  std::string out_dir;
  int jobs = 1;
  size_t shard_index = 0;  // this run takes points with index % shard_count == shard_index
  size_t shard_count = 1;
  bool list_only = false;  // print the points (CSV on stdout) instead of running them
};

// Returns the exit code: 0 when every point of the shard has a row (ok or error). Sweep-level problems (bad
// spec, unwritable directory, another sweep running in it) throw llmx::Error before any point runs.
int run_sweep(const SweepOptions& options);

// Merges shard directories of one sweep into `out_dir` (results.csv, sweep.txt, points/ as hard links or
// copies). Refuses shards of different sweeps, duplicated or missing shards, and shards with missing points.
void merge_sweeps(const std::vector<std::string>& shard_dirs, const std::string& out_dir);

}  // namespace llmx
