// Deterministic CSV text: fixed number formatting (%.10g for reals), RFC 4180 quoting where needed; and the
// reader of one line, for the tools that read our CSV back (sweeps, reports).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmx {

class CsvTable {
 public:
  explicit CsvTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  class Row {
   public:
    Row& add(const std::string& v);
    Row& add(const char* v) { return add(std::string(v)); }
    Row& add(double v);
    Row& add(uint64_t v);
    Row& add(int64_t v);
    Row& add(uint32_t v) { return add(static_cast<uint64_t>(v)); }
    Row& add(int v) { return add(static_cast<int64_t>(v)); }

   private:
    friend class CsvTable;
    std::vector<std::string> cells_;
  };
  Row& row();
  // Adds named real columns to a table of one row (a summary), the values to that row.
  void append_columns(const std::vector<std::pair<std::string, double>>& cells);
  void append_column(const std::string& name, const std::string& value);
  std::string text() const;  // throws if a row's width differs from the header's
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

std::string format_real(double v);
// One CSV line into its cells (RFC 4180 quoting; no line breaks inside cells, as in every file we write).
std::vector<std::string> split_csv_line(const std::string& line);
// A cell, quoted when it must be.
std::string csv_quote(const std::string& cell);

}  // namespace llmx
