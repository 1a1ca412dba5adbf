// A CSV file of records with named columns, read strictly for the validation data: every line as wide as the
// header, every required column present, each cell fetched by column name with file:line errors. Blank lines
// and lines starting with '#' are comments.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace llmx {

class CsvRecords {
 public:
  // Reads `path`; `required` columns must all be in the header.
  CsvRecords(const std::string& path, const std::vector<std::string>& required);

  size_t size() const { return rows_.size(); }
  // The cell of row `row` in `column` (must be a header column); `where(row)` names the file and line.
  const std::string& cell(size_t row, const std::string& column) const;
  std::string where(size_t row, const std::string& column) const;
  // Typed access; an empty or malformed cell is an error naming file:line and the column.
  double number(size_t row, const std::string& column) const;
  std::string text(size_t row, const std::string& column) const;  // must not be empty
  bool has_column(const std::string& column) const { return columns_.count(column) > 0; }

 private:
  std::string path_;
  std::map<std::string, size_t> columns_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> lines_;
};

}  // namespace llmx
