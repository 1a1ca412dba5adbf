// The report's inputs; see report_data.h.
#include "explorer/report/report_data.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "explorer/run/csv.h"
#include "models/core/error.h"

namespace fs = std::filesystem;

namespace llmx::report {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(cat(p.string(), ": cannot open"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& Row::at(const std::string& column) const {
  const auto it = find(column);
  if (it == end()) throw Error(cat(origin.empty() ? "report" : origin, ": no column '", column, "'"));
  return it->second;
}

std::vector<Row> parse_csv(const std::string& text, const std::string& origin) {
  std::vector<Row> rows;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw Error(cat(origin, ":1: empty CSV"));
  const auto header = split_csv_line(line);
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    const auto cells = split_csv_line(line);
    if (cells.size() != header.size())
      throw Error(cat(origin, ":", n, ": ", cells.size(), " cells for ", header.size(), " columns"));
    Row r;
    r.origin = cat(origin, ":", n);
    for (size_t i = 0; i < header.size(); ++i) r[header[i]] = cells[i];
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<Row> read_csv(const fs::path& p) {
  return parse_csv(read_file(p), p.string());
}

double number(const Row& r, const std::string& key, const std::string& origin) {
  auto it = r.find(key);
  if (it == r.end()) throw Error(cat(origin, ": no column '", key, "'"));
  try {
    size_t used = 0;
    const double v = std::stod(it->second, &used);
    if (used != it->second.size()) throw std::invalid_argument("");
    return v;
  } catch (const std::exception&) {
    throw Error(cat(origin, ": column ", key, ": '", it->second, "' is not a number"));
  }
}

double number_or(const Row& r, const std::string& key, double fallback) {
  auto it = r.find(key);
  if (it == r.end() || it->second.empty()) return fallback;
  return number(r, key, "report");
}

namespace {

bool ends_with(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

// "pe_3" -> "pe": the instance an element belongs to.
std::string instance_of(const std::string& element) {
  const size_t u = element.rfind('_');
  if (u == std::string::npos || u + 1 == element.size()) return element;
  for (size_t i = u + 1; i < element.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(element[i]))) return element;
  return element.substr(0, u);
}

void load_components(const fs::path& dir, Point& p) {
  const std::string origin = (dir / "components.csv").string();
  std::map<std::string, std::pair<double, int>> busy;
  for (const Row& c : read_csv(dir / "components.csv")) {
    const std::string inst = instance_of(c.at("component"));
    for (const auto& [key, value] : c) {
      if (key.rfind("energy_", 0) != 0 || key == "energy_total_j" || ends_with(key, "_max_j")) continue;
      const double j = number(c, key, origin);
      const std::string kind = key.substr(7, key.size() - 9);
      p.energy_by_kind[kind] += j;
      if (j > 0) p.energy_by_instance[inst][kind] += j;
    }
    p.instance_type[inst] = c.at("type");
    if (inst != "driver") {
      busy[inst].first += number(c, "utilization", origin);
      busy[inst].second += 1;
    }
  }
  for (const auto& [inst, b] : busy) p.busy_share[inst] = b.first / b.second;
}

void load_metrics(const fs::path& dir, Point& p) {
  const std::string origin = (dir / "component_metrics.csv").string();
  for (const Row& m : read_csv(dir / "component_metrics.csv")) {
    const std::string& metric = m.at("metric");
    if (metric.rfind("peak_gops_", 0) == 0) p.peak_gops[metric.substr(10)] += number(m, "value", origin);
    if (metric == "peak_gbps") p.host_gbps = std::max(p.host_gbps, number(m, "value", origin));
  }
}

std::vector<Row> optional_csv(const fs::path& p) {
  return fs::exists(p) ? read_csv(p) : std::vector<Row>{};
}

}  // namespace

bool Point::system_names(const char* memory) const {
  std::string name = summary.at("system");
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  return name.find(memory) != std::string::npos;
}

double Point::dram_energy_j() const {
  double j = 0;
  for (const auto& [inst, by_kind] : energy_by_instance) {
    auto t = instance_type.find(inst);
    if (t != instance_type.end() && (t->second == "dram" || t->second == "ideal_memory"))
      for (const auto& [kind, e] : by_kind) j += e;
  }
  return j;
}

Point load_point(const fs::path& dir, const Row& summary, const std::string& origin) {
  Point p;
  p.dir = dir.string();
  p.summary = summary;
  load_components(dir, p);
  load_metrics(dir, p);
  p.op_kinds = read_csv(dir / "op_kinds.csv");
  for (const Row& k : p.op_kinds) p.gflop += number(k, "gflop", (dir / "op_kinds.csv").string());
  p.layers = read_csv(dir / "layers.csv");
  p.tokens = read_csv(dir / "tokens.csv");
  p.cost = optional_csv(dir / "cost.csv");
  p.tps = number(summary, "tokens_per_s", origin);
  p.jpt = number(summary, "j_per_token", origin);
  return p;
}

std::string value_of(const Point& p, const std::string& key) {
  if (key == "system" || key == "model" || key == "weight_format" || key == "batch") return p.summary.at(key);
  auto it = p.swept.find(key);
  return it == p.swept.end() ? "" : it->second;
}

namespace {

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

Dimension dimension(const std::vector<Point>& points, const std::string& key, const std::string& title) {
  Dimension d{key, title, true, {}};
  for (const auto& p : points) {
    const std::string v = value_of(p, key);
    if (std::find(d.values.begin(), d.values.end(), v) == d.values.end()) d.values.push_back(v);
    d.numeric = d.numeric && is_number(v);
  }
  if (d.numeric)
    std::sort(d.values.begin(), d.values.end(),
              [](const std::string& a, const std::string& b) { return std::stod(a) < std::stod(b); });
  return d;
}

}  // namespace

std::vector<Dimension> varying_dimensions(const std::vector<Point>& points,
                                          const std::vector<std::string>& swept_order) {
  std::vector<Dimension> dims;
  for (const auto& [key, title] : std::vector<std::pair<std::string, std::string>>{
           {"system", "system"}, {"model", "model"}, {"weight_format", "weights"}, {"batch", "batch"}}) {
    Dimension d = dimension(points, key, title);
    if (key == "system") d.numeric = false;
    if (d.values.size() > 1) dims.push_back(d);
  }
  std::vector<std::string> deciding{"system", "model", "weight_format", "batch"};
  for (const std::string& key : swept_order) {
    // A swept key the dimensions before it already decide (the system's memory preset, the trace, a zipped
    // key) adds nothing.
    std::map<std::string, std::set<std::string>> by_base;
    for (const auto& p : points) {
      std::string base;
      for (const auto& k : deciding) base += value_of(p, k) + "|";
      by_base[base].insert(value_of(p, key));
    }
    bool decided = true;
    for (const auto& [base, values] : by_base) decided = decided && values.size() == 1;
    if (decided) continue;
    deciding.push_back(key);
    Dimension d = dimension(points, key, key.rfind("modules.", 0) == 0 ? key.substr(8) : key);
    if (d.values.size() > 1) dims.push_back(d);
  }
  return dims;
}

std::string dim_value(const Dimension& d, const Point& p) {
  const std::string v = value_of(p, d.key);
  return d.key == "batch" ? "batch " + v : d.numeric ? d.title + " " + v : v;
}

std::string describe(const Point& p, const std::vector<Dimension>& dims) {
  std::string out;
  for (const auto& d : dims) out += (out.empty() ? "" : ", ") + dim_value(d, p);
  return out.empty() ? p.summary.at("system") : out;
}

const char* palette(size_t i) {
  static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                 "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
  return colors[i % 10];
}

Shape shape_for(size_t i) {
  static const Shape shapes[] = {Shape::circle,  Shape::square, Shape::triangle,
                                 Shape::diamond, Shape::cross,  Shape::triangle_down};
  return shapes[i % 6];
}

const char* energy_kind_color(const std::string& kind) {
  static const std::map<std::string, const char*> colors{
      {"act_pre", "#1f77b4"}, {"read_array", "#aec7e8"}, {"write_array", "#ff7f0e"},
      {"io", "#ffbb78"},      {"refresh", "#2ca02c"},    {"background", "#98df8a"},
      {"compute", "#d62728"}, {"transfer", "#9467bd"},   {"static", "#8c564b"}};
  auto it = colors.find(kind);
  return it == colors.end() ? "#7f7f7f" : it->second;
}

const char* cost_category_color(const std::string& category) {
  static const std::map<std::string, const char*> colors{{"memory", "#1f77b4"},
                                                         {"compute", "#d62728"},
                                                         {"sram", "#2ca02c"},
                                                         {"packaging", "#ff7f0e"},
                                                         {"host_link", "#9467bd"}};
  auto it = colors.find(category);
  return it == colors.end() ? "#7f7f7f" : it->second;
}

std::string fmt(double v, const char* f) {
  char b[40];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string figure(const std::string& svg) {
  return "<figure>" + svg + "</figure>";
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string s = "<table><tr>";
  for (const auto& h : header) s += "<th>" + html_escape(h) + "</th>";
  s += "</tr>";
  for (const auto& r : rows) {
    s += "<tr>";
    for (const auto& c : r) s += "<td>" + html_escape(c) + "</td>";
    s += "</tr>";
  }
  return s + "</table>";
}

}  // namespace llmx::report
