// Strict CSV records; see csv_records.h.
#include "explorer/validate/csv_records.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "explorer/run/csv.h"
#include "models/core/error.h"

namespace llmx {

CsvRecords::CsvRecords(const std::string& path, const std::vector<std::string>& required) : path_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(cat(path, ": cannot open"));
  std::string line;
  int line_no = 0;
  size_t width = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells = split_csv_line(line);
    if (width == 0) {
      width = cells.size();
      for (size_t i = 0; i < cells.size(); ++i)
        if (!columns_.emplace(cells[i], i).second)
          throw Error(cat(path, ":", line_no, ": column '", cells[i], "' appears twice"));
      for (const auto& c : required)
        if (!columns_.count(c)) throw Error(cat(path, ":", line_no, ": missing column '", c, "'"));
      continue;
    }
    if (cells.size() != width)
      throw Error(cat(path, ":", line_no, ": ", cells.size(), " cells, the header has ", width));
    rows_.push_back(std::move(cells));
    lines_.push_back(line_no);
  }
  if (width == 0) throw Error(cat(path, ": no header line"));
}

const std::string& CsvRecords::cell(size_t row, const std::string& column) const {
  const auto it = columns_.find(column);
  if (it == columns_.end()) throw Error(cat(path_, ": no column '", column, "'"));
  return rows_.at(row)[it->second];
}

std::string CsvRecords::where(size_t row, const std::string& column) const {
  return cat(path_, ":", lines_.at(row), ": ", column);
}

std::string CsvRecords::text(size_t row, const std::string& column) const {
  const std::string& v = cell(row, column);
  if (v.empty()) throw Error(cat(where(row, column), ": empty"));
  return v;
}

double CsvRecords::number(size_t row, const std::string& column) const {
  const std::string v = text(row, column);
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(v.c_str(), &end);
  if (*end != '\0' || errno != 0 || !std::isfinite(x))
    throw Error(cat(where(row, column), ": '", v, "' is not a number"));
  return x;
}

}  // namespace llmx
