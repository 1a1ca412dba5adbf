// What the report reads: a run directory's CSV files (summary, components, metrics, op kinds, layers, tokens,
// cost) as rows of cells, the points of a sweep with what varies among them (system, model, weight format,
// batch, and each swept key that the others do not already decide), and the small HTML pieces the report's
// sections share. Leaves out: any figure the run files do not hold (the report computes nothing the
// simulation should have).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "explorer/report/svg_chart.h"

namespace llmx::report {

// One CSV row, column -> cell; at() on a column the file lacks is one line naming the file and the column.
struct Row : std::map<std::string, std::string> {
  using std::map<std::string, std::string>::map;
  std::string origin;  // the file (and line) it came from
  const std::string& at(const std::string& column) const;
};

std::vector<Row> parse_csv(const std::string& text, const std::string& origin);
std::vector<Row> read_csv(const std::filesystem::path& p);
std::string read_file(const std::filesystem::path& p);
// A cell as a number; throws llmx::Error naming the file and column. `number_or` gives `fallback` for an
// empty cell (an unpriced system's cost) or a missing column.
double number(const Row& r, const std::string& key, const std::string& origin);
double number_or(const Row& r, const std::string& key, double fallback);

// One finished run: its summary row and what its files say.
struct Point {
  std::string dir;                               // its run directory
  Row summary;                                   // its summary.csv row (a sweep's results.csv row)
  std::map<std::string, std::string> swept;      // swept key -> value (short: file names without path)
  std::map<std::string, double> energy_by_kind;  // J over all components
  std::map<std::string, std::map<std::string, double>> energy_by_instance;  // instance -> kind -> J
  std::map<std::string, double> busy_share;          // instance -> mean utilization of its elements
  std::map<std::string, std::string> instance_type;  // instance -> module type (pe, dram, ...)
  double dram_energy_j() const;                      // the DRAM and ideal-memory instances' energy
  bool system_names(const char* memory) const;       // its system's name holds `memory` ("lpddr", "hbm"),
                                                     // case aside
  std::map<std::string, double> peak_gops;           // precision -> the PEs' summed peak
  double host_gbps = 0;                              // host link peak per direction
  double gflop = 0;                                  // decode work
  std::vector<Row> op_kinds, layers, tokens, cost;
  bool pareto = false;
  std::string label;  // what varies, e.g. "lpddr5x-accel, Llama-2-7B, F16, batch 8"
  double tps = 0, jpt = 0;
};

Point load_point(const std::filesystem::path& dir, const Row& summary, const std::string& origin);

// A dimension along which the points differ.
struct Dimension {
  std::string key;    // "system", "model", "weight_format", "batch", or a swept key
  std::string title;  // "system", "weights", "batch", "pe.count"
  bool numeric = false;
  std::vector<std::string> values;  // distinct, in order of first appearance (numeric: ascending)
};

std::string value_of(const Point& p, const std::string& key);
// The dimensions that vary among `points`: system, model, weights, batch (from the summaries), then each
// swept key (in `swept_order`) whose value the dimensions before it do not already decide (a zipped key).
std::vector<Dimension> varying_dimensions(const std::vector<Point>& points,
                                          const std::vector<std::string>& swept_order);
std::string describe(const Point& p, const std::vector<Dimension>& dims);  // "a, b, batch 8"
std::string dim_value(const Dimension& d, const Point& p);                 // "batch 8", "pe.count 4", "F16"

// Colours and shapes for the values of a dimension.
const char* palette(size_t i);
Shape shape_for(size_t i);
const char* energy_kind_color(const std::string& kind);
const char* cost_category_color(const std::string& category);

std::string fmt(double v, const char* f = "%.4g");
std::string figure(const std::string& svg);  // <figure>svg</figure>
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace llmx::report
