// Deterministic CSV tables.
#include "explorer/run/csv.h"

#include <cstdio>

#include "models/core/error.h"

namespace llmx {

std::string format_real(double v) {
  if (v == 0) return "0";  // also folds -0
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        cells.back() += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cells.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

CsvTable::Row& CsvTable::Row::add(const std::string& v) {
  cells_.push_back(csv_quote(v));
  return *this;
}
CsvTable::Row& CsvTable::Row::add(double v) {
  cells_.push_back(format_real(v));
  return *this;
}
CsvTable::Row& CsvTable::Row::add(uint64_t v) {
  cells_.push_back(std::to_string(v));
  return *this;
}
CsvTable::Row& CsvTable::Row::add(int64_t v) {
  cells_.push_back(std::to_string(v));
  return *this;
}

CsvTable::Row& CsvTable::row() {
  rows_.emplace_back();
  return rows_.back();
}

void CsvTable::append_columns(const std::vector<std::pair<std::string, double>>& cells) {
  if (rows_.size() != 1) throw Error("append_columns: the table must have exactly one row");
  for (const auto& [name, value] : cells) {
    columns_.push_back(name);
    rows_[0].add(value);
  }
}

void CsvTable::append_column(const std::string& name, const std::string& value) {
  if (rows_.size() != 1) throw Error("append_column: the table must have exactly one row");
  columns_.push_back(name);
  rows_[0].add(value);
}

std::string CsvTable::text() const {
  std::string out;
  for (size_t i = 0; i < columns_.size(); ++i) out += (i ? "," : "") + csv_quote(columns_[i]);
  out += "\n";
  for (const auto& r : rows_) {
    if (r.cells_.size() != columns_.size())
      throw Error(cat("internal: CSV row has ", r.cells_.size(), " cells for ", columns_.size(), " columns"));
    for (size_t i = 0; i < r.cells_.size(); ++i) out += (i ? "," : "") + r.cells_[i];
    out += "\n";
  }
  return out;
}

}  // namespace llmx
