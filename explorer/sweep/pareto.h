// The Pareto frontier of a sweep's results: over chosen objectives (summary columns, each maximised or
// minimised), a finished point is on the frontier when no other finished point is at least as good on every
// objective and better on one. Works on any results.csv (a single run, a shard, or merged shards), so the
// frontier of a merged sweep is computed over all its points. Leaves out: plotting (the report does that).
#pragma once

#include <string>
#include <vector>

namespace llmx {

struct ParetoObjective {
  std::string column;  // a numeric column of results.csv, e.g. tokens_per_s
  bool maximize = true;
};

// Returns `csv` with a last column `pareto`: 1 on the frontier, 0 for other points with status ok, empty for
// failed points; an existing `pareto` column is replaced. `origin` names the file in errors ("file:line:
// ...").
std::string mark_pareto(const std::string& csv, const std::vector<ParetoObjective>& objectives,
                        const std::string& origin);

}  // namespace llmx
