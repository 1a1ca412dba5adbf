// The report's charts; see report_charts.h.
#include "explorer/report/report_charts.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace llmx::report {
namespace {

size_t index_in(const std::vector<std::string>& values, const std::string& v) {
  return size_t(std::find(values.begin(), values.end(), v) - values.begin());
}

template <typename T>
void add_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// The unit of a numeric dimension, from its key's unit suffix (bandwidth_gbps -> GB/s).
std::string unit_of(const Dimension& d) {
  if (d.key == "batch") return "sequences per step";
  if (d.key.find("context") != std::string::npos) return "tokens";
  static const std::vector<std::pair<std::string, std::string>> units{
      {"_gbps", "GB/s"},   {"_mhz", "MHz"}, {"_kib", "KiB"}, {"_mib", "MiB"},
      {"_gib", "GiB"},     {"_ns", "ns"},   {"_us", "us"},   {"_mtps", "MT/s"},
      {"_bytes", "bytes"}, {"_mw", "mW"},   {"_usd", "US$"}, {"_pj", "pJ"}};
  for (const auto& [suffix, unit] : units)
    if (d.key.size() > suffix.size() &&
        d.key.compare(d.key.size() - suffix.size(), suffix.size(), suffix) == 0)
      return unit;
  return "count";
}

}  // namespace

std::string Encoding::series_name(const Point& p) const {
  std::string s = color ? dim_value(*color, p) : "";
  if (shape) s += (s.empty() ? "" : " · ") + dim_value(*shape, p);
  return s.empty() ? p.summary.at("system") : s;
}

std::string Encoding::group_name(const Point& p) const {
  std::string s;
  for (const Dimension* d : groups) s += (s.empty() ? "" : ", ") + dim_value(*d, p);
  return s.empty() ? "all points" : s;
}

std::string Encoding::color_of(const Point& p) const {
  return color ? palette(index_in(color->values, value_of(p, color->key))) : palette(0);
}

Shape Encoding::shape_of(const Point& p) const {
  return shape ? shape_for(index_in(shape->values, value_of(p, shape->key))) : Shape::circle;
}

Encoding encode(const std::vector<Dimension>& dims) {
  Encoding e;
  for (const auto& d : dims)
    if (d.key == "system") e.color = &d;
  for (const auto& d : dims)
    if (!e.color && !d.numeric && d.key != "weight_format") e.color = &d;
  for (const auto& d : dims)
    if (d.key == "weight_format" && &d != e.color) e.shape = &d;
  if (!e.color && !e.shape && !dims.empty()) e.color = &dims[0];
  for (const auto& d : dims)
    if (&d != e.color && &d != e.shape) e.groups.push_back(&d);
  return e;
}

std::string throughput_energy_chart(const std::vector<Point>& points, const Encoding& e) {
  std::vector<XYSeries> series;
  std::vector<double> xs, ys;
  for (const auto& p : points) {
    const std::string name = e.series_name(p);
    auto it = std::find_if(series.begin(), series.end(), [&](const XYSeries& s) { return s.name == name; });
    if (it == series.end()) {
      series.push_back({name, e.color_of(p), e.shape_of(p), {}, {}, true, false, false, true, ""});
      it = series.end() - 1;
    }
    it->points.push_back({p.jpt, p.tps});
    it->tips.push_back(p.label + ": " + fmt(p.tps) + " tokens/s, " + fmt(p.jpt) + " J/token");
    xs.push_back(p.jpt), ys.push_back(p.tps);
  }
  std::vector<std::pair<double, double>> frontier;
  for (const auto& p : points)
    if (p.pareto) frontier.push_back({p.jpt, p.tps});
  std::sort(frontier.begin(), frontier.end());
  if (frontier.size() > 1)
    series.push_back({"Pareto frontier (more tokens/s, fewer J/token)",
                      "#555555",
                      Shape::circle,
                      frontier,
                      {},
                      false,
                      true,
                      true,
                      true,
                      ""});
  return svg_xy_chart("Decode throughput against energy per token",
                      {"energy per token (J/token)", wants_log(xs)},
                      {"decode throughput (tokens/s)", wants_log(ys)}, series);
}

std::string metric_bars(const std::vector<Point>& points, const Encoding& e, const std::string& metric,
                        const std::string& title, const std::string& axis_title) {
  BarChart c;
  c.title = title;
  std::vector<std::string> series_names;
  for (const auto& p : points) {
    if (number_or(p.summary, metric, NAN) != number_or(p.summary, metric, NAN)) continue;  // unpriced
    add_unique(c.categories, e.group_name(p));
    const std::string s = e.series_name(p);
    if (std::find(series_names.begin(), series_names.end(), s) == series_names.end()) {
      series_names.push_back(s);
      c.series.push_back({s, e.color_of(p), {}});
    }
  }
  if (c.categories.empty()) return "";
  std::vector<double> all;
  for (auto& s : c.series) s.values.assign(c.categories.size(), 0);
  for (const auto& p : points) {
    const double v = number_or(p.summary, metric, NAN);
    if (v != v) continue;
    auto& s = c.series[index_in(series_names, e.series_name(p))];
    double& cell = s.values[index_in(c.categories, e.group_name(p))];
    if (cell == 0) cell = v, all.push_back(v);
  }
  // Shapes cannot tell formats apart in bars: lighten the colour per shape value.
  if (e.shape)
    for (size_t k = 0; k < c.series.size(); ++k) {
      const Point* any = nullptr;
      for (const auto& p : points)
        if (e.series_name(p) == c.series[k].name) any = &p;
      const size_t shade = any ? index_in(e.shape->values, value_of(*any, e.shape->key)) : 0;
      static const char* tints[] = {"", "cc", "99", "66", "44", "33"};
      if (shade > 0) c.series[k].color += tints[shade % 6];
    }
  c.value_axis = {axis_title, wants_log(all)};
  c.category_title = e.groups.empty() ? "" : "grouped by " + [&] {
    std::string t;
    for (const Dimension* d : e.groups) t += (t.empty() ? "" : ", ") + d->title;
    return t;
  }();
  return svg_bar_chart(c);
}

std::string roofline_chart(const std::vector<const Point*>& points, const Encoding* e, bool with_op_kinds) {
  std::vector<XYSeries> series, roofs;
  double xmin = INFINITY, xmax = 0;
  for (const Point* p : points) {
    const double bytes =
        number_or(p->summary, "dram_read_bytes", 0) + number_or(p->summary, "dram_write_bytes", 0);
    const double seconds = number_or(p->summary, "decode_time_s", 0);
    if (bytes <= 0 || seconds <= 0 || p->gflop <= 0) continue;
    const double x = p->gflop * 1e9 / bytes, y = p->gflop / seconds;
    const std::string name = e ? e->series_name(*p) : p->summary.at("system") + " (whole decode step)";
    auto it = std::find_if(series.begin(), series.end(), [&](const XYSeries& s) { return s.name == name; });
    if (it == series.end()) {
      series.push_back({name,
                        e ? e->color_of(*p) : "#222222",
                        e ? e->shape_of(*p) : Shape::diamond,
                        {},
                        {},
                        true,
                        false,
                        false,
                        true,
                        ""});
      it = series.end() - 1;
    }
    it->points.push_back({x, y});
    it->tips.push_back(p->label + ": " + fmt(x) + " FLOP/B, " + fmt(y) + " GFLOP/s");
    xmin = std::min(xmin, x), xmax = std::max(xmax, x);
    if (with_op_kinds)
      for (size_t k = 0; k < p->op_kinds.size(); ++k) {
        const Row& r = p->op_kinds[k];
        const double b = number_or(r, "device_bytes", 0), g = number_or(r, "gflop", 0),
                     a = number_or(r, "achieved_gflops", 0);
        if (b <= 0 || g <= 0 || a <= 0) continue;
        series.push_back({"op kind: " + r.at("kind"),
                          palette(k + 1),
                          shape_for(k + 1),
                          {{g * 1e9 / b, a}},
                          {r.at("kind") + ": " + fmt(g * 1e9 / b) + " FLOP/B, " + fmt(a) + " GFLOP/s"},
                          true,
                          false,
                          false,
                          true,
                          ""});
        xmin = std::min(xmin, g * 1e9 / b), xmax = std::max(xmax, g * 1e9 / b);
      }
  }
  if (series.empty()) return "";
  double ridge = 0;  // the roofs bend where bandwidth x intensity meets the peak: show every bend
  for (const Point* p : points)
    for (const auto& [prec, gops] : p->peak_gops)
      ridge = std::max(ridge, gops / std::max(1e-9, number_or(p->summary, "dram_peak_gbps", 1)));
  const double lo = xmin / 4, hi = std::max(xmax * 20, ridge * 4);
  std::set<std::string> labelled;
  auto roof = [&](const std::string& name, const std::string& color, bool dashed, double cap, double bw) {
    XYSeries r{name, color, Shape::circle, {}, {}, false, true, dashed, false, ""};
    for (int i = 0; i <= 60; ++i) {
      const double x = lo * std::pow(hi / lo, i / 60.0);
      r.points.push_back({x, std::min(cap, bw * x)});
    }
    if (labelled.insert(name).second) r.end_label = name;
    roofs.push_back(r);
  };
  std::set<std::string> seen;
  for (const Point* p : points) {
    const double bw = number_or(p->summary, "dram_peak_gbps", 0);
    const std::string color = e ? e->color_of(*p) : "#1f77b4";
    for (const auto& [prec, gops] : p->peak_gops) {
      const std::string key = fmt(bw) + prec + fmt(gops);
      if (!seen.insert(key).second) continue;
      const bool integer = prec.rfind("int", 0) == 0;
      roof(prec + " MACs: " + fmt(gops / 1000, "%.3g") + (integer ? " TOP/s" : " TFLOP/s"), color, false,
           gops, bw);
    }
    if (p->host_gbps > 0 && seen.insert("host" + fmt(p->host_gbps)).second)
      roof("host link " + fmt(p->host_gbps, "%.3g") + " GB/s", "#7f7f7f", true, INFINITY, p->host_gbps);
  }
  // Roof legend entries: one per memory system's bandwidth.
  std::set<std::string> bws;
  for (const Point* p : points) {
    const std::string label = "DRAM roof " + fmt(number_or(p->summary, "dram_peak_gbps", 0), "%.4g") +
                              " GB/s" + (e && e->color ? " (" + value_of(*p, e->color->key) + ")" : "");
    if (!bws.insert(label).second) continue;
    XYSeries l{label, e ? e->color_of(*p) : "#1f77b4", Shape::circle, {}, {}, false, true, false, true, ""};
    roofs.push_back(l);
  }
  XYSeries host_legend{"host-link roof (weights streamed from the host)",
                       "#7f7f7f",
                       Shape::circle,
                       {},
                       {},
                       false,
                       true,
                       true,
                       true,
                       ""};
  roofs.push_back(host_legend);
  roofs.insert(roofs.end(), series.begin(), series.end());
  return svg_xy_chart("Roofline: a roof per MAC precision, the DRAM and host-link slopes",
                      {"arithmetic intensity (FLOP per byte moved)", true},
                      {"achieved GFLOP/s (GOP/s for integer MACs)", true}, roofs);
}

std::string op_kind_latency_chart(const Point& p, const std::string& which) {
  BarChart c;
  c.title = "Decode time by op kind" + which;
  BarSeries mem{"memory-bound ops' share", "#1f77b4", {}}, comp{"compute-bound ops' share", "#d62728", {}};
  std::vector<double> all;
  for (const Row& r : p.op_kinds) {
    const double t = number_or(r, "time_ms", 0), ops = number_or(r, "ops", 0);
    if (t <= 0) continue;
    const double mem_share = ops > 0 ? number_or(r, "memory_bound_ops", 0) / ops : 1;
    c.categories.push_back(r.at("kind"));
    mem.values.push_back(t * mem_share);
    comp.values.push_back(t * (1 - mem_share));
    all.push_back(t);
  }
  if (c.categories.empty()) return "";
  c.series = {mem, comp};
  c.stacked = true;
  c.value_axis = {"time per run, all decode steps (ms)", false};
  c.category_title = "op kind";
  return svg_bar_chart(c);
}

std::string energy_by_component_chart(const std::vector<const Point*>& points,
                                      const std::vector<std::string>& names, const std::string& title) {
  BarChart c;
  c.title = title;
  c.stacked = true;
  std::vector<std::string> kinds;
  for (const Point* p : points)
    for (const auto& [inst, by_kind] : p->energy_by_instance)
      for (const auto& [kind, j] : by_kind) add_unique(kinds, kind);
  for (const auto& k : kinds) c.series.push_back({k, energy_kind_color(k), {}});
  for (size_t i = 0; i < points.size(); ++i) {
    const double tokens = std::max(1.0, number_or(points[i]->summary, "tokens", 1));
    for (const auto& [inst, by_kind] : points[i]->energy_by_instance) {
      c.categories.push_back((points.size() > 1 ? names[i] + ": " : "") + inst);
      for (size_t k = 0; k < kinds.size(); ++k) {
        auto it = by_kind.find(kinds[k]);
        c.series[k].values.push_back(it == by_kind.end() ? 0 : it->second * 1e3 / tokens);
      }
    }
  }
  if (c.categories.empty()) return "";
  c.value_axis = {"energy per generated token (mJ/token)", false};
  c.category_title = "component";
  return svg_bar_chart(c);
}

std::string cost_breakdown_chart(const std::vector<const Point*>& points,
                                 const std::vector<std::string>& names) {
  BarChart c;
  c.title = "What each system costs to build, by part";
  c.stacked = true;
  const char* categories[] = {"memory", "compute", "sram", "packaging", "host_link"};
  for (const char* k : categories) c.series.push_back({k, cost_category_color(k), {}});
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i]->cost.empty()) continue;
    c.categories.push_back(names[i]);
    for (size_t k = 0; k < 5; ++k)
      c.series[k].values.push_back(
          number_or(points[i]->summary, std::string("cost_") + categories[k] + "_usd", 0));
  }
  if (c.categories.empty()) return "";
  c.value_axis = {"build cost (US$, nominal figures)", false};
  c.category_title = "system";
  return svg_bar_chart(c);
}

std::vector<std::string> curves(const std::vector<Point>& points, const Encoding& e, const Dimension& along,
                                const Dimension* facet, const std::string& metric,
                                const std::string& axis_title) {
  std::vector<std::string> out;
  const std::vector<std::string> facets = facet ? facet->values : std::vector<std::string>{""};
  for (const std::string& fv : facets) {
    std::vector<XYSeries> series;
    std::vector<double> xs, ys;
    for (const auto& p : points) {
      if (facet && value_of(p, facet->key) != fv) continue;
      std::string name;
      for (const Dimension* d : {e.color, e.shape})
        if (d && d != &along && d != facet) name += (name.empty() ? "" : " · ") + dim_value(*d, p);
      for (const Dimension* d : e.groups)
        if (d != &along && d != facet) name += (name.empty() ? "" : ", ") + dim_value(*d, p);
      if (name.empty()) name = p.summary.at("system");
      auto it = std::find_if(series.begin(), series.end(), [&](const XYSeries& s) { return s.name == name; });
      if (it == series.end()) {
        const bool own_color = e.color && e.color != &along && e.color != facet;
        series.push_back({name,
                          own_color ? e.color_of(p) : palette(series.size()),
                          e.shape && e.shape != &along ? e.shape_of(p) : shape_for(series.size()),
                          {},
                          {},
                          true,
                          true,
                          false,
                          true,
                          ""});
        it = series.end() - 1;
      }
      const double x = std::stod(value_of(p, along.key)), y = number_or(p.summary, metric, NAN);
      if (y != y) continue;
      it->points.push_back({x, y});
      it->tips.push_back(p.label + ": " + fmt(y));
      xs.push_back(x), ys.push_back(y);
    }
    for (auto& s : series) {
      std::vector<size_t> order(s.points.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return s.points[a].first < s.points[b].first; });
      auto pts = s.points;
      auto tips = s.tips;
      for (size_t i = 0; i < order.size(); ++i) s.points[i] = pts[order[i]], s.tips[i] = tips[order[i]];
    }
    if (xs.empty()) continue;
    const std::string title =
        axis_title.substr(0, axis_title.find(" (")) + " against " + along.title +
        (facet ? ": " + dim_value(*facet, *std::find_if(
                                              points.begin(), points.end(),
                                              [&](const Point& p) { return value_of(p, facet->key) == fv; }))
               : "");
    out.push_back(svg_xy_chart(title, {along.title + " (" + unit_of(along) + ")", wants_log(xs)},
                               {axis_title, wants_log(ys)}, series));
  }
  return out;
}

std::string per_layer_chart(const Point& p) {
  BarChart c;
  c.title = "Decode time per layer";
  c.horizontal = false;
  BarSeries s{"time", "#1f77b4", {}};
  for (const Row& r : p.layers) {
    c.categories.push_back(r.at("layer") == "outside" ? "other" : r.at("layer"));
    s.values.push_back(number_or(r, "time_ms", 0));
  }
  if (c.categories.empty()) return "";
  s.name = "decode time (all steps)";
  c.series = {s};
  c.value_axis = {"time (ms)", false};
  c.category_title = "layer (other: embedding, final norm, output head)";
  return svg_bar_chart(c);
}

std::string utilization_chart(const Point& p) {
  BarChart c;
  c.title = "Component utilization (busy time over the run)";
  BarSeries s{"mean over the instance's elements", "#2ca02c", {}};
  for (const auto& [inst, u] : p.busy_share) {
    c.categories.push_back(inst);
    s.values.push_back(100 * u);
  }
  if (c.categories.empty()) return "";
  c.series = {s};
  c.value_axis = {"utilization (% of run time)", false};
  c.category_title = "component";
  return svg_bar_chart(c);
}

std::string step_latency_chart(const Point& p) {
  XYSeries s{"step latency", "#1f77b4", Shape::circle, {}, {}, true, true, false, true, ""};
  for (const Row& r : p.tokens) {
    const double ctx = number_or(r, "context_len", 0), lat = number_or(r, "latency_ms", 0);
    s.points.push_back({ctx, lat});
    s.tips.push_back(r.at("phase") + " step " + r.at("step") + ": " + fmt(lat) + " ms at context " +
                     fmt(ctx, "%.0f"));
  }
  if (s.points.size() < 2) return "";
  return svg_xy_chart("Latency of each simulated step", {"context length (tokens)", false},
                      {"step latency (ms)", false}, {s});
}

}  // namespace llmx::report
