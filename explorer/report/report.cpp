// The HTML report; see report.h.
#include "explorer/report/report.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "explorer/report/report_charts.h"
#include "explorer/report/report_data.h"
#include "explorer/report/report_study.h"
#include "explorer/report/report_verdict.h"
#include "explorer/report/svg_chart.h"
#include "explorer/run/csv.h"
#include "explorer/run/results_dir.h"
#include "explorer/sweep/pareto.h"
#include "models/core/error.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

using report::figure;
using report::fmt;
using report::number_or;
using report::Point;
using report::Row;

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

const char* kStyle =
    "<style>body{font-family:'DejaVu Sans',sans-serif;margin:24px;color:#222;font-size:14px;max-width:1500px}"
    "figure{margin:8px 0}table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid "
    "#ccc;"
    "padding:3px 6px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}</style>";

// A swept value as the report names it: a file by its name alone.
std::string short_value(std::string v) {
  if (v.find('/') != std::string::npos) v = v.substr(v.rfind('/') + 1);
  for (const char* ext : {".lxt.gz", ".lxt", ".yaml"})
    if (v.size() > std::strlen(ext) && v.compare(v.size() - std::strlen(ext), std::string::npos, ext) == 0)
      v.resize(v.size() - std::strlen(ext));
  return v;
}

// The finished points of a sweep directory, Pareto-marked (tokens/s up, J/token down) when results.csv is
// not.
std::vector<Point> load_sweep(const fs::path& dir, size_t& total, size_t& failed,
                              std::vector<std::string>& swept) {
  const std::string results = (dir / "results.csv").string();
  const std::string text = report::read_file(dir / "results.csv");
  std::vector<Row> rows = report::parse_csv(text, results);
  bool any_ok = false;
  for (const Row& r : rows) any_ok = any_ok || r.at("status") == "ok";
  if (any_ok && !rows[0].count("pareto"))
    rows = report::parse_csv(mark_pareto(text, {{"tokens_per_s", true}, {"j_per_token", false}}, results),
                             results);
  swept.clear();  // the columns between point_key and status
  bool in = false;
  for (const auto& h : split_csv_line(text.substr(0, text.find('\n')))) {
    if (h == "status") break;
    if (in) swept.push_back(h);
    if (h == "point_key") in = true;
  }
  std::vector<Point> points;
  total = rows.size(), failed = 0;
  for (const Row& r : rows) {
    if (r.at("status") != "ok") {
      ++failed;
      continue;
    }
    Point p = report::load_point(dir / "points" / r.at("point_key"), r, results);
    for (const auto& k : swept) p.swept[k] = short_value(r.at(k));
    p.pareto = r.count("pareto") && r.at("pareto") == "1";
    points.push_back(std::move(p));
  }
  return points;
}

// One representative point per value of the colour dimension (per system), for per-system charts.
std::vector<const Point*> one_per_color(const std::vector<Point>& points, const report::Encoding& e,
                                        std::vector<std::string>& names) {
  std::vector<const Point*> out;
  for (const auto& p : points) {
    const std::string name = e.color ? report::value_of(p, e.color->key) : p.summary.at("system");
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    names.push_back(name);
    out.push_back(&p);
  }
  return out;
}

std::string summary_section(const std::vector<Point>& points) {
  size_t best_tps = 0, best_j = 0, best_usd = points.size();
  double best_per_usd = 0;
  std::string frontier;
  size_t n_frontier = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].tps > points[best_tps].tps) best_tps = i;
    if (points[i].jpt < points[best_j].jpt) best_j = i;
    const double per_usd = number_or(points[i].summary, "tokens_per_s_per_usd", 0);
    if (per_usd > best_per_usd) best_per_usd = per_usd, best_usd = i;
    if (points[i].pareto) frontier += (n_frontier++ ? "; " : "") + points[i].label;
  }
  std::string s = "<h2>Summary</h2><ul>";
  s += "<li>Highest decode throughput: " + html_escape(points[best_tps].label) + " at " +
       fmt(points[best_tps].tps) + " tokens/s (" + fmt(points[best_tps].jpt) + " J/token).</li>";
  s += "<li>Lowest energy: " + html_escape(points[best_j].label) + " at " + fmt(points[best_j].jpt) +
       " J/token (" + fmt(points[best_j].tps) + " tokens/s).</li>";
  if (best_usd < points.size())
    s += "<li>Most tokens/s per dollar of build cost: " + html_escape(points[best_usd].label) + " at " +
         fmt(best_per_usd, "%.3g") + " (cost $" +
         fmt(number_or(points[best_usd].summary, "cost_usd", 0), "%.0f") + ", range $" +
         fmt(number_or(points[best_usd].summary, "cost_low_usd", 0), "%.0f") + "-" +
         fmt(number_or(points[best_usd].summary, "cost_high_usd", 0), "%.0f") + ").</li>";
  s += "<li>Pareto frontier (tokens/s up, J/token down): " + std::to_string(n_frontier) + " of " +
       std::to_string(points.size()) + " points: " + html_escape(frontier) + ".</li></ul>";
  return s;
}

std::string points_table(const std::vector<Point>& points) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : points) {
    const Row& s = p.summary;
    const bool is_priced = number_or(s, "cost_usd", NAN) == number_or(s, "cost_usd", NAN);
    rows.push_back({p.label, s.at("system"), s.at("model"), s.at("weight_format"), s.at("batch"), fmt(p.tps),
                    fmt(number_or(s, "ms_per_token", 0)), fmt(p.jpt), fmt(number_or(s, "avg_power_w", 0)),
                    fmt(100 * number_or(s, "dram_bandwidth_share", 0), "%.1f"),
                    is_priced ? fmt(number_or(s, "cost_usd", 0), "%.0f") : "-",
                    is_priced ? fmt(number_or(s, "tokens_per_s_per_usd", 0), "%.3g") : "-",
                    fmt(number_or(s, "offloaded_weight_bytes", 0) / 1e9, "%.3g"), p.pareto ? "yes" : ""});
  }
  return "<h2>Points</h2>" + report::table({"point", "system", "model", "weights", "batch", "tokens/s",
                                            "ms/token", "J/token", "avg W", "DRAM % of peak", "cost $",
                                            "tokens/s per $", "GB over the host link per step", "Pareto"},
                                           rows);
}

std::string sweep_charts(const std::vector<Point>& points, const std::vector<report::Dimension>& dims,
                         const report::Encoding& e) {
  std::string c = "<h2>Charts</h2><p>Colour: " + (e.color ? e.color->title : std::string("-")) +
                  (e.shape ? "; marker shape (and bar shade): " + e.shape->title : "") +
                  (e.groups.empty() ? "" : "; bars grouped by the rest") + ".</p><div class='charts'>";
  c += figure(report::throughput_energy_chart(points, e));
  c += figure(
      report::metric_bars(points, e, "tokens_per_s", "Decode throughput", "decode throughput (tokens/s)"));
  c +=
      figure(report::metric_bars(points, e, "j_per_token", "Energy per token", "energy per token (J/token)"));
  const std::string per_usd =
      report::metric_bars(points, e, "tokens_per_s_per_usd", "Throughput per dollar of build cost",
                          "throughput per build cost (tokens/s per US$)");
  if (!per_usd.empty()) c += figure(per_usd);
  std::vector<std::string> names;
  const auto reps = one_per_color(points, e, names);
  const std::string bill = report::cost_breakdown_chart(reps, names);
  if (!bill.empty()) c += figure(bill);
  std::vector<const Point*> all;
  for (const auto& p : points) all.push_back(&p);
  c += figure(report::roofline_chart(all, &e, false));
  const report::Dimension* facet = nullptr;
  for (const auto& d : dims)
    if (d.key == "model") facet = &d;
  for (const auto& d : dims) {
    if (!d.numeric || d.key == "system") continue;
    const bool context = d.key.find("context") != std::string::npos;
    for (const auto& svg : report::curves(
             points, e, d, facet == &d ? nullptr : facet, context ? "ms_per_token" : "tokens_per_s",
             context ? "time per decode step (ms/token)" : "decode throughput (tokens/s)"))
      c += figure(svg);
  }
  c += "</div>";
  // One run in detail: the fastest point.
  size_t best = 0;
  for (size_t i = 0; i < points.size(); ++i)
    if (points[i].tps > points[best].tps) best = i;
  c += "<h2>One run in detail: " + html_escape(points[best].label) +
       " (the fastest point)</h2><div class='charts'>";
  c += figure(report::op_kind_latency_chart(points[best], ""));
  std::vector<const Point*> reps_energy = reps;
  c += figure(report::energy_by_component_chart({&points[best]}, {points[best].label},
                                                "Energy per token by component and kind"));
  if (reps_energy.size() > 1)
    c += figure(report::energy_by_component_chart(reps_energy, names,
                                                  "Energy per token by component, one point per " +
                                                      (e.color ? e.color->title : std::string("system"))));
  return c + "</div>";
}

std::string run_page(const Point& p) {
  const Row& s = p.summary;
  std::vector<std::vector<std::string>> rows{
      {"decode throughput", fmt(p.tps) + " tokens/s (" + fmt(number_or(s, "ms_per_token", 0)) + " ms/token)"},
      {"energy",
       fmt(p.jpt) + " J/token typical, " + fmt(number_or(s, "j_per_token_max", 0)) + " J/token maximum"},
      {"power", fmt(number_or(s, "avg_power_w", 0)) + " W average, " +
                    fmt(number_or(s, "peak_step_power_w", 0)) + " W peak step"},
      {"DRAM", fmt(number_or(s, "dram_bandwidth_gbps", 0)) + " GB/s of " +
                   fmt(number_or(s, "dram_peak_gbps", 0)) + " GB/s peak (" +
                   fmt(100 * number_or(s, "dram_bandwidth_share", 0), "%.1f") + "%)"},
      {"weights over the host link",
       fmt(number_or(s, "offloaded_weight_bytes", 0) / 1e9, "%.3g") + " GB per step"}};
  if (!p.cost.empty())
    rows.push_back({"build cost", "$" + fmt(number_or(s, "cost_usd", 0), "%.0f") + " (range $" +
                                      fmt(number_or(s, "cost_low_usd", 0), "%.0f") + "-" +
                                      fmt(number_or(s, "cost_high_usd", 0), "%.0f") + "), " +
                                      fmt(number_or(s, "tokens_per_s_per_usd", 0), "%.3g") +
                                      " tokens/s per $"});
  std::string h = "<h2>Summary</h2>" + report::table({"figure", "value"}, rows);
  h += "<h2>Charts</h2><div class='charts'>";
  h += figure(report::op_kind_latency_chart(p, ""));
  h += figure(report::per_layer_chart(p));
  h += figure(report::energy_by_component_chart({&p}, {p.label}, "Energy per token by component and kind"));
  h += figure(report::utilization_chart(p));
  h += figure(report::roofline_chart({&p}, nullptr, true));
  const std::string steps = report::step_latency_chart(p);
  if (!steps.empty()) h += figure(steps);
  if (!p.cost.empty()) h += figure(report::cost_breakdown_chart({&p}, {p.summary.at("system")}));
  h += "</div>";
  if (!p.cost.empty()) {
    std::vector<std::vector<std::string>> bill;
    for (const Row& r : p.cost)
      bill.push_back(
          {r.at("component"), r.at("item"), r.at("category"),
           fmt(number_or(r, "quantity", 0)) + " " + r.at("unit"), fmt(number_or(r, "usd", 0), "%.2f"),
           fmt(number_or(r, "usd_low", 0), "%.2f") + "-" + fmt(number_or(r, "usd_high", 0), "%.2f")});
    h += "<h2>Bill of materials (cost.csv; sources: docs/COST.md)</h2>" +
         report::table({"component", "item", "category", "quantity", "US$", "range US$"}, bill);
  }
  return h;
}

}  // namespace

void write_report(const std::string& dir_text, const std::string& out_path, bool require_fit) {
  const fs::path dir(dir_text);
  std::string html = std::string(kHtmlHead) + "</title>" + kStyle + "</head><body>";
  std::string head, sections, text_extra;
  if (fs::exists(dir / "results.csv")) {
    size_t total = 0, failed = 0;
    std::vector<std::string> swept;
    std::vector<Point> points = load_sweep(dir, total, failed, swept);
    if (points.empty()) throw Error(cat(dir_text, ": no finished point to report"));
    if (require_fit) report::require_fit(points);
    const auto dims = report::varying_dimensions(points, swept);
    for (auto& p : points) p.label = report::describe(p, dims);
    const report::Encoding e = report::encode(dims);
    std::string varies;
    for (const auto& d : dims)
      varies += (varies.empty() ? "" : ", ") + d.title + " (" + std::to_string(d.values.size()) + ")";
    head = "<h1>LLM inference explorer report</h1><p>" +
           html_escape(cat("sweep ", dir.filename().string(), ": ", total, " points, ", failed, " failed")) +
           ". What varies: " + html_escape(varies.empty() ? "nothing" : varies) + ".</p>";
    head += summary_section(points);
    const std::string verdict = report::study_verdict_section(points) + report::claim_section(points) +
                                report::like_for_like_section(points);
    sections = sweep_charts(points, dims, e) + verdict + points_table(points);
    text_extra = verdict;
  } else if (fs::exists(dir / "summary.csv")) {
    const auto rows = report::read_csv(dir / "summary.csv");
    if (rows.size() != 1) throw Error(cat((dir / "summary.csv").string(), ": expected one row"));
    Point p = report::load_point(dir, rows[0], (dir / "summary.csv").string());
    p.label = rows[0].at("system") + ", " + rows[0].at("model") + ", " + rows[0].at("weight_format") +
              ", batch " + rows[0].at("batch");
    p.pareto = true;
    head = "<h1>LLM inference explorer report</h1><p>" + html_escape("run of " + p.label) + ".</p>";
    sections = run_page(p);
  } else {
    throw Error(cat(dir_text, ": neither a run (summary.csv) nor a sweep (results.csv) directory"));
  }
  const std::string text = plain_text(head + text_extra);
  html += head + sections + "</body></html>\n";
  write_report_files(output_path(out_path), html, text);
}

}  // namespace llmx
