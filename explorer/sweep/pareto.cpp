// Pareto marking of results.csv; see pareto.h.
#include "explorer/sweep/pareto.h"

#include <charconv>
#include <cmath>

#include "explorer/run/csv.h"
#include "models/core/error.h"

namespace llmx {
namespace {

std::string join(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_quote(cells[i]);
  return out;
}

}  // namespace

std::string mark_pareto(const std::string& csv, const std::vector<ParetoObjective>& objectives,
                        const std::string& origin) {
  if (objectives.empty()) throw Error(cat(origin, ": no objectives given (--max COLUMN / --min COLUMN)"));
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string::npos) end = csv.size();
    rows.push_back(split_csv_line(csv.substr(start, end - start)));
    start = end + 1;
  }
  if (rows.empty()) throw Error(cat(origin, ":1: empty file, expected a results.csv header"));
  std::vector<std::string>& header = rows[0];
  // Replace an earlier marking.
  if (!header.empty() && header.back() == "pareto") {
    const size_t width = header.size();  // header is rows[0]: take its width before popping it
    for (auto& r : rows)
      if (r.size() == width) r.pop_back();
  }
  auto column = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw Error(cat(origin, ":1: no column '", name, "' to optimise"));
  };
  const size_t status = column("status");
  std::vector<size_t> cols;
  for (const auto& o : objectives) cols.push_back(column(o.column));

  // Objective values of finished points, signed so that larger is better.
  std::vector<std::vector<double>> value(rows.size());
  std::vector<bool> ok(rows.size(), false);
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != header.size())
      throw Error(cat(origin, ":", r + 1, ": ", rows[r].size(), " cells for ", header.size(), " columns"));
    if (rows[r][status] != "ok") continue;
    ok[r] = true;
    for (size_t k = 0; k < cols.size(); ++k) {
      const std::string& cell = rows[r][cols[k]];
      double v = 0;
      const auto res = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (res.ec != std::errc() || res.ptr != cell.data() + cell.size() || !std::isfinite(v))
        throw Error(
            cat(origin, ":", r + 1, ": column ", objectives[k].column, ": '", cell, "' is not a number"));
      value[r].push_back(objectives[k].maximize ? v : -v);
    }
  }
  header.push_back("pareto");
  for (size_t r = 1; r < rows.size(); ++r) {
    if (!ok[r]) {
      rows[r].push_back("");
      continue;
    }
    bool dominated = false;
    for (size_t q = 1; q < rows.size() && !dominated; ++q) {
      if (q == r || !ok[q]) continue;
      bool all = true, strict = false;
      for (size_t k = 0; k < cols.size(); ++k) {
        all = all && value[q][k] >= value[r][k];
        strict = strict || value[q][k] > value[r][k];
      }
      dominated = all && strict;
    }
    rows[r].push_back(dominated ? "0" : "1");
  }
  std::string out;
  for (const auto& r : rows) out += join(r) + "\n";
  return out;
}

}  // namespace llmx
