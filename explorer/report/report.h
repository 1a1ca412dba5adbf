// `explorer report <dir> [--out <file.html>]`: a self-contained HTML report of a run directory (summary.csv)
// or a sweep directory (results.csv with points/<key>/): tokens/s and J/token per point, energy per token by
// kind, DRAM bandwidth use, a roofline with the points on it, and the Pareto frontier of tokens/s against
// J/token, with a written summary and a table. Charts are inline SVG; the page has no scripts, fonts or
// links to fetch, so it opens offline. The summary (and the LPDDR-vs-HBM claim check, when the points hold
// both kinds of system) is also written as plain text beside it (report.txt). Leaves out: interactive zoom
// and filtering.
#pragma once

#include <string>
#include <vector>

namespace llmx {

// Writes the report for `dir` to `out_path`; throws llmx::Error on unreadable or inconsistent input, and,
// with `require_fit`, when a sweep's point streams weights over the host link (the LPDDR-vs-HBM study).
void write_report(const std::string& dir, const std::string& out_path, bool require_fit = false);

}  // namespace llmx
