// The HTML report; see report.h.
#include "explorer/report/report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "explorer/report/svg_chart.h"
#include "explorer/run/csv.h"
#include "explorer/run/results_dir.h"
#include "explorer/sweep/pareto.h"
#include "models/core/error.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

using Row = std::map<std::string, std::string>;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(cat(p.string(), ": cannot open"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
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

struct Point {
  std::string label;   // short, for charts: "#3" (sweep) or the system name (run)
  std::string detail;  // long, for text and table: "#3 pe.count=4, mem.bandwidth_gbps=17.066"
  Row summary;
  std::map<std::string, double> energy_j;  // by kind, over all components
  double peak_gflops = 0;                  // PEs' peak
  double gflop = 0;                        // decode work
  bool pareto = false;
};

const char* kKindColors[][2] = {{"act_pre", "#1f77b4"}, {"read_array", "#aec7e8"}, {"write_array", "#ff7f0e"},
                                {"io", "#ffbb78"},      {"refresh", "#2ca02c"},    {"background", "#98df8a"},
                                {"compute", "#d62728"}, {"transfer", "#9467bd"},   {"static", "#8c564b"}};
const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                          "#9467bd", "#8c564b", "#e377c2", "#17becf"};

Point load_point(const fs::path& dir, const std::string& label, const std::string& detail,
                 const Row& summary) {
  Point p;
  p.label = label;
  p.detail = detail;
  p.summary = summary;
  for (const Row& c : read_csv(dir / "components.csv"))
    for (const auto& [key, value] : c) {
      const bool max_bound = key.size() > 6 && key.compare(key.size() - 6, 6, "_max_j") == 0;
      if (key.rfind("energy_", 0) == 0 && key != "energy_total_j" && !max_bound)
        p.energy_j[key.substr(7, key.size() - 9)] += number(c, key, (dir / "components.csv").string());
    }
  for (const Row& m : read_csv(dir / "component_metrics.csv"))
    if (m.at("metric") == "peak_gflops")
      p.peak_gflops += number(m, "value", (dir / "component_metrics.csv").string());
  for (const Row& k : read_csv(dir / "op_kinds.csv"))
    p.gflop += number(k, "gflop", (dir / "op_kinds.csv").string());
  return p;
}

std::string fmt(double v, const char* f = "%.4g") {
  char b[40];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string lower(std::string t) {
  for (char& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

bool compressed(const std::string& format) {
  return format != "F16" && format != "BF16" && format != "F32";
}

// The LPDDR-vs-HBM claim, checked per model and batch: does the LPDDR system with its best compressed weight
// format match (within 5%) or beat the HBM system with FP16 weights on tokens/s, at lower J/token? Present
// only when the points include an LPDDR and an HBM system.
std::string claim_section(const std::vector<Point>& points, const std::string& origin) {
  struct Group {
    const Point* hbm_fp16 = nullptr;
    const Point* lpddr_best = nullptr;
  };
  std::map<std::pair<std::string, int>, Group> groups;
  bool any_lpddr = false, any_hbm = false;
  for (const auto& p : points) {
    const std::string sys = lower(p.summary.at("system"));
    const bool lp = sys.find("lpddr") != std::string::npos, hbm = sys.find("hbm") != std::string::npos;
    any_lpddr = any_lpddr || lp;
    any_hbm = any_hbm || hbm;
    Group& g = groups[{p.summary.at("model"), int(number(p.summary, "batch", origin))}];
    const std::string fmt_name = p.summary.at("weight_format");
    if (hbm && (fmt_name == "F16" || fmt_name == "BF16")) g.hbm_fp16 = &p;
    if (lp && compressed(fmt_name) &&
        (!g.lpddr_best ||
         number(p.summary, "tokens_per_s", origin) > number(g.lpddr_best->summary, "tokens_per_s", origin)))
      g.lpddr_best = &p;
  }
  if (!any_lpddr || !any_hbm) return "";
  std::string rows, holds, breaks;
  int n_holds = 0, n = 0;
  for (const auto& [key, g] : groups) {
    if (!g.hbm_fp16 || !g.lpddr_best) continue;
    ++n;
    const Row& h = g.hbm_fp16->summary;
    const Row& l = g.lpddr_best->summary;
    const double th = number(h, "tokens_per_s", origin), tl = number(l, "tokens_per_s", origin);
    const double jh = number(h, "j_per_token", origin), jl = number(l, "j_per_token", origin);
    const double oh = number(h, "offloaded_weight_bytes", origin),
                 ol = number(l, "offloaded_weight_bytes", origin);
    const double sh = number(h, "dram_bandwidth_share", origin);
    const double bh = (number(h, "dram_read_bytes", origin) + number(h, "dram_write_bytes", origin)) /
                      std::max(1.0, number(h, "tokens", origin));
    const double bl = (number(l, "dram_read_bytes", origin) + number(l, "dram_write_bytes", origin)) /
                      std::max(1.0, number(l, "tokens", origin));
    const bool faster = tl >= 0.95 * th, cheaper = jl < jh;
    std::string why;
    if (oh > 0 && ol > 0)
      why = "both exceed device memory and stream weights over the host link (" + fmt(oh / 1e9) + " GB vs " +
            fmt(ol / 1e9) +
            " GB per step): the link, not the DRAM, sets the pace, and fewer bits mean less to stream";
    else if (oh > 0)
      why = "FP16 weights do not fit the HBM system's memory: " + fmt(oh / 1e9) +
            " GB stream over the host link every step, while the compressed model fits the LPDDR system";
    else if (sh < 0.5)
      why = "the HBM system is compute-bound here (its DRAM at " + fmt(100 * sh, "%.0f") +
            "% of peak): batching amortises the weights, and the compressed format's cheaper arithmetic "
            "decides";
    else
      why = "both are memory-bound: per token the LPDDR system moves " + fmt(bl / 1e9) + " GB at " +
            fmt(number(l, "dram_peak_gbps", origin)) + " GB/s peak, the HBM system " + fmt(bh / 1e9) +
            " GB at " + fmt(number(h, "dram_peak_gbps", origin)) + " GB/s: compression (" +
            fmt(bh / bl, "%.2f") + "x fewer bytes) " + (faster ? "covers" : "does not cover") +
            " the bandwidth gap (" +
            fmt(number(h, "dram_peak_gbps", origin) / number(l, "dram_peak_gbps", origin), "%.2f") + "x)";
    const std::string verdict = faster && cheaper ? "holds"
                                : faster          ? "breaks: as fast, not cheaper"
                                : cheaper         ? "breaks: cheaper, not as fast"
                                                  : "breaks";
    if (faster && cheaper) ++n_holds;
    const std::string line = key.first + " batch " + std::to_string(key.second) + ": LPDDR " +
                             l.at("weight_format") + " " + fmt(tl) + " tokens/s, " + fmt(jl) +
                             " J/token vs HBM F16 " + fmt(th) + " tokens/s, " + fmt(jh) + " J/token; " + why +
                             ".";
    (faster && cheaper ? holds : breaks) += "<li>" + html_escape(line) + "</li>";
    rows += "<tr><td>" + html_escape(key.first) + "</td><td>" + std::to_string(key.second) + "</td><td>" +
            fmt(th) + "</td><td>" + fmt(jh) + "</td><td>" + fmt(number(h, "avg_power_w", origin)) +
            "</td><td>" + html_escape(l.at("weight_format")) + "</td><td>" + fmt(tl) + "</td><td>" + fmt(jl) +
            "</td><td>" + fmt(number(l, "avg_power_w", origin)) + "</td><td>" + verdict + "</td></tr>";
  }
  if (n == 0) return "";
  std::string out = "<h2>Does LPDDR with compressed weights match HBM with FP16 weights?</h2>";
  out +=
      "<p>Per model and batch, the LPDDR system's fastest compressed format against the HBM system with FP16 "
      "weights. The claim holds where LPDDR is within 5% of HBM's tokens/s or faster, at lower J/token: in " +
      std::to_string(n_holds) + " of " + std::to_string(n) + " cases.</p>";
  if (!holds.empty()) out += "<p>Where it holds:</p><ul>" + holds + "</ul>";
  if (!breaks.empty()) out += "<p>Where it breaks:</p><ul>" + breaks + "</ul>";
  out +=
      "<table><tr><th>model</th><th>batch</th><th>HBM F16 tokens/s</th><th>J/token</th><th>avg W</th>"
      "<th>LPDDR format</th><th>tokens/s</th><th>J/token</th><th>avg W</th><th>claim</th></tr>" +
      rows + "</table>";
  return out;
}

// Plain text of an HTML fragment: headings and paragraphs on their own lines, list items as "- ", table rows
// as tab-separated lines, entities decoded.
std::string plain_text(const std::string& html) {
  std::string out;
  for (size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      const size_t end = html.find('>', i);
      const std::string tag = html.substr(i + 1, end - i - 1);
      if (tag == "li")
        out += "\n  - ";
      else if (tag == "/h1" || tag == "/h2" || tag == "/p" || tag == "/tr" || tag == "/ul")
        out += "\n";
      else if (tag == "h2")
        out += "\n";
      else if (tag == "/td" || tag == "/th")
        out += "\t";
      i = end + 1;
      continue;
    }
    if (html[i] == '&') {
      const size_t end = html.find(';', i);
      const std::string e = html.substr(i, end - i + 1);
      out += e == "&lt;"     ? "<"
             : e == "&gt;"   ? ">"
             : e == "&amp;"  ? "&"
             : e == "&#39;"  ? "'"
             : e == "&quot;" ? "\""
                             : e;
      i = end + 1;
      continue;
    }
    out += html[i++];
  }
  return out;
}

const char* kHtmlHead =
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>LLM inference explorer report";
const char* kTextHead = "LLM inference explorer report\n";

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// The HTML report at `out` and its text beside it (out with .txt). In a results directory (a run's) they
// join its manifest; elsewhere they replace only earlier reports.
void write_report_files(const fs::path& out, const std::string& html, const std::string& text) {
  const fs::path txt = out.parent_path() / (out.stem().string() + ".txt");
  if (out.extension() == ".txt")
    throw Error(cat(out.string(), ": the report's text summary goes beside it as ", txt.filename().string(),
                    "; give the HTML report another name (e.g. report.html)"));
  auto ours_html = [](const std::string& head) { return starts_with(head, kHtmlHead); };
  auto ours_text = [](const std::string& head) { return starts_with(head, kTextHead); };
  for (const auto& [path, ours, what] :
       {std::make_tuple(out, +ours_html, "HTML report"), std::make_tuple(txt, +ours_text, "report text")})
    check_output_file(path, what, ours);
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  if (is_results_dir(dir)) {
    add_to_results_dir(dir, {{out.filename().string(), html}, {txt.filename().string(), text}});
    return;
  }
  write_output_file(out, html, "HTML report", ours_html);
  write_output_file(txt, text, "report text", ours_text);
}

}  // namespace

void write_report(const std::string& dir_text, const std::string& out_path) {
  const fs::path dir(dir_text);
  std::vector<Point> points;
  std::string subject;
  if (fs::exists(dir / "results.csv")) {
    const std::string results = (dir / "results.csv").string();
    std::string text = read_file(dir / "results.csv");
    std::vector<Row> rows = parse_csv(text, results);
    const bool marked = !rows.empty() && rows[0].count("pareto");
    if (!marked) {
      bool any_ok = false;
      for (const Row& r : rows) any_ok = any_ok || r.at("status") == "ok";
      if (any_ok)
        rows =
            parse_csv(mark_pareto(text, {{"tokens_per_s", true}, {"j_per_token", false}}, results), results);
    }
    // Swept keys: the columns between point_key and status.
    std::vector<std::string> swept;
    {
      const auto header = split_csv_line(text.substr(0, text.find('\n')));
      bool in = false;
      for (const auto& h : header) {
        if (h == "status") break;
        if (in) swept.push_back(h);
        if (h == "point_key") in = true;
      }
    }
    size_t failed = 0;
    for (const Row& r : rows) {
      if (r.at("status") != "ok") {
        ++failed;
        continue;
      }
      const std::string label = "#" + r.at("point");
      std::string detail;
      for (const auto& k : swept) {
        // File values (traces, presets) by their name alone.
        std::string v = r.at(k);
        if (v.find('/') != std::string::npos) v = v.substr(v.rfind('/') + 1);
        for (const char* ext : {".lxt.gz", ".lxt", ".yaml"})
          if (v.size() > std::strlen(ext) &&
              v.compare(v.size() - std::strlen(ext), std::string::npos, ext) == 0)
            v.resize(v.size() - std::strlen(ext));
        detail += (detail.empty() ? "" : ", ") + (k.rfind("modules.", 0) == 0 ? k.substr(8) : k) + "=" + v;
      }
      Point p = load_point(dir / "points" / r.at("point_key"), label, label + " (" + detail + ")", r);
      p.pareto = r.count("pareto") && r.at("pareto") == "1";
      points.push_back(std::move(p));
    }
    subject = cat("sweep ", dir.filename().string(), ": ", rows.size(), " points, ", failed, " failed");
  } else if (fs::exists(dir / "summary.csv")) {
    const auto rows = read_csv(dir / "summary.csv");
    if (rows.size() != 1) throw Error(cat((dir / "summary.csv").string(), ": expected one row"));
    points.push_back(load_point(dir, rows[0].at("system"), rows[0].at("system"), rows[0]));
    points.back().pareto = true;
    subject = cat("run of ", rows[0].at("system"));
  } else {
    throw Error(cat(dir_text, ": neither a run (summary.csv) nor a sweep (results.csv) directory"));
  }
  if (points.empty()) throw Error(cat(dir_text, ": no finished point to report"));

  const std::string origin = dir_text;
  std::vector<std::string> labels;
  std::vector<double> tps, jpt, share;
  for (const auto& p : points) {
    labels.push_back(p.label);
    tps.push_back(number(p.summary, "tokens_per_s", origin));
    jpt.push_back(number(p.summary, "j_per_token", origin));
    share.push_back(100 * number(p.summary, "dram_bandwidth_share", origin));
  }

  std::string html =
      std::string(kHtmlHead) +
      "</title>"
      "<style>body{font-family:sans-serif;margin:24px;color:#222}figure{margin:16px 0}table{border-collapse:"
      "collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px "
      "6px;text-align:right}th{background:#f3f3f3}"
      "td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}</style>"
      "</head><body>";
  html += "<h1>LLM inference explorer report</h1><p>" + html_escape(subject) + ".</p>";

  // Written summary.
  const size_t best_tps = size_t(std::max_element(tps.begin(), tps.end()) - tps.begin());
  const size_t best_j = size_t(std::min_element(jpt.begin(), jpt.end()) - jpt.begin());
  std::string frontier;
  size_t n_frontier = 0;
  for (const auto& p : points)
    if (p.pareto) frontier += (n_frontier++ ? "; " : "") + p.detail;
  html += "<h2>Summary</h2><ul>";
  html += "<li>Highest decode throughput: " + html_escape(points[best_tps].detail) + " at " +
          fmt(tps[best_tps]) + " tokens/s (" + fmt(jpt[best_tps]) + " J/token).</li>";
  html += "<li>Lowest energy: " + html_escape(points[best_j].detail) + " at " + fmt(jpt[best_j]) +
          " J/token (" + fmt(tps[best_j]) + " tokens/s).</li>";
  html += "<li>Pareto frontier (tokens/s up, J/token down): " + std::to_string(n_frontier) + " of " +
          std::to_string(points.size()) + " points: " + html_escape(frontier) + ".</li>";
  html += "</ul>";

  html += claim_section(points, origin);
  const std::string text = plain_text(html.substr(html.find("<h1>")));
  html += "<h2>Charts</h2><div class='charts'>";
  html += "<figure>" +
          svg_bar_chart("Decode throughput", "tokens/s", labels, {{"tokens/s", "#1f77b4", tps}}) +
          "</figure>";
  html += "<figure>" + svg_bar_chart("Energy per token", "J/token", labels, {{"J/token", "#d62728", jpt}}) +
          "</figure>";
  std::vector<BarSeries> kinds;
  for (const auto& kc : kKindColors) {
    BarSeries s{kc[0], kc[1], {}};
    bool any = false;
    for (const auto& p : points) {
      const double tokens = number(p.summary, "tokens", origin);
      auto it = p.energy_j.find(kc[0]);
      const double v = it == p.energy_j.end() || tokens <= 0 ? 0.0 : it->second / tokens;
      any = any || v > 0;
      s.values.push_back(v);
    }
    if (any) kinds.push_back(s);
  }
  html += "<figure>" + svg_bar_chart("Energy per token by kind (all components)", "J/token", labels, kinds) +
          "</figure>";
  html += "<figure>" +
          svg_bar_chart("DRAM bandwidth use", "% of peak", labels, {{"share of peak", "#2ca02c", share}}) +
          "</figure>";

  // Roofline: achieved GFLOP/s against arithmetic intensity, with each system's roof.
  std::vector<ScatterSeries> roof;
  std::map<std::pair<double, double>, size_t> roofs;  // (peak GB/s, peak GFLOP/s) -> palette index
  ScatterSeries pts{"points", "#333333", {}, false, false, {}};
  double xmin = INFINITY, xmax = 0;
  for (const auto& p : points) {
    const double bytes =
        number(p.summary, "dram_read_bytes", origin) + number(p.summary, "dram_write_bytes", origin);
    const double seconds = number(p.summary, "decode_time_s", origin);
    if (bytes <= 0 || seconds <= 0 || p.gflop <= 0) continue;
    const double x = p.gflop * 1e9 / bytes, y = p.gflop / seconds;
    pts.points.push_back({x, y});
    pts.labels.push_back(p.detail + ": " + fmt(x) + " FLOP/B, " + fmt(y) + " GFLOP/s");
    xmin = std::min(xmin, x), xmax = std::max(xmax, x);
    roofs.emplace(std::make_pair(number(p.summary, "dram_peak_gbps", origin), p.peak_gflops), roofs.size());
  }
  if (!pts.points.empty()) {
    const double lo = xmin / 10, hi = xmax * 10;
    for (const auto& [peaks, index] : roofs) {
      const auto [bw, flops] = peaks;
      ScatterSeries r{"roof " + fmt(bw) + " GB/s, " + fmt(flops / 1000) + " TFLOP/s",
                      kPalette[(index + 1) % 8],
                      {},
                      true,
                      false,
                      {}};
      for (int i = 0; i <= 40; ++i) {
        const double x = lo * std::pow(hi / lo, i / 40.0);
        r.points.push_back({x, std::min(flops, bw * x)});
      }
      roof.push_back(r);
    }
    roof.push_back(pts);
    html += "<figure>" +
            svg_scatter("Roofline (decode)", "arithmetic intensity, FLOP per DRAM byte", "GFLOP/s", roof,
                        true, true) +
            "</figure>";
  }

  // Pareto frontier: tokens/s against J/token.
  ScatterSeries all{"points", "#9e9e9e", {}, false, false, {}},
      front{"Pareto frontier", "#d62728", {}, false, true, {}};
  std::vector<std::pair<double, double>> frontier_pts;
  for (size_t i = 0; i < points.size(); ++i) {
    (points[i].pareto ? front : all).points.push_back({jpt[i], tps[i]});
    (points[i].pareto ? front : all).labels.push_back(points[i].detail);
    if (points[i].pareto) frontier_pts.push_back({jpt[i], tps[i]});
  }
  std::sort(frontier_pts.begin(), frontier_pts.end());
  std::vector<ScatterSeries> pareto_series{all, front};
  if (frontier_pts.size() > 1)
    pareto_series.push_back({"frontier", "#d62728", frontier_pts, true, false, {}});
  html += "<figure>" +
          svg_scatter("Throughput against energy", "J/token", "tokens/s", pareto_series, false, false) +
          "</figure>";
  html += "</div>";

  // Table.
  html +=
      "<h2>Points</h2><table><tr><th>point</th><th>system</th><th>model</th><th>weights</th><th>batch</th>"
      "<th>tokens/s</th><th>ms/token</th><th>J/token</th><th>avg W</th><th>DRAM % of peak</th>"
      "<th>offloaded bytes</th><th>Pareto</th></tr>";
  for (size_t i = 0; i < points.size(); ++i) {
    const Row& s = points[i].summary;
    html += "<tr><td>" + html_escape(points[i].detail) + "</td><td>" + html_escape(s.at("system")) +
            "</td><td>" + html_escape(s.at("model")) + "</td><td>" + html_escape(s.at("weight_format")) +
            "</td><td>" + html_escape(s.at("batch")) + "</td><td>" + fmt(tps[i]) + "</td><td>" +
            fmt(number(s, "ms_per_token", origin)) + "</td><td>" + fmt(jpt[i]) + "</td><td>" +
            fmt(number(s, "avg_power_w", origin)) + "</td><td>" + fmt(share[i], "%.1f") + "</td><td>" +
            html_escape(s.at("offloaded_weight_bytes")) + "</td><td>" + (points[i].pareto ? "yes" : "") +
            "</td></tr>";
  }
  html += "</table></body></html>\n";

  write_report_files(output_path(out_path), html, text);
}

}  // namespace llmx
