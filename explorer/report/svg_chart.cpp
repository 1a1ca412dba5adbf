// SVG charts; see svg_chart.h.
#include "explorer/report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace llmx {
namespace {

constexpr double kWidth = 720, kTitlePx = 15, kAxisPx = 13, kTickPx = 12, kLegendPx = 12, kLabelPx = 11;
const char* kFont = "DejaVu Sans, sans-serif";

// Advance widths of ASCII 32..126 in 1/1000 em (DejaVu Sans and DejaVu Sans Bold, from their hmtx tables).
const short kBook[95] = {318,  401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
                         636,  636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
                         1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
                         603,  787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
                         500,  613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
                         635,  635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838};
const short kBold[95] = {348,  456, 521, 838, 696, 1002, 872, 306,  457, 457, 523, 838, 380, 415,  380, 365,
                         696,  696, 696, 696, 696, 696,  696, 696,  696, 696, 400, 400, 838, 838,  838, 580,
                         1000, 774, 762, 734, 830, 683,  683, 821,  837, 372, 372, 775, 637, 995,  837, 850,
                         733,  850, 770, 720, 682, 812,  774, 1103, 771, 724, 725, 457, 365, 457,  838, 500,
                         500,  675, 716, 593, 716, 678,  435, 716,  712, 343, 343, 665, 343, 1042, 712, 687,
                         716,  716, 493, 595, 478, 712,  652, 924,  645, 652, 582, 712, 365, 712,  838};

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string text(double x, double y, const std::string& s, double px, const std::string& cls,
                 const std::string& anchor = "start", const std::string& extra = "") {
  return "<text class='" + cls + "' x='" + num(x) + "' y='" + num(y) + "' font-size='" + num(px) +
         "' text-anchor='" + anchor + "'" + extra + ">" + html_escape(s) + "</text>";
}

std::string tick_label(double v) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  char b[32];
  if (a >= 1e4 && a < 1e15) {
    const char* suffix[] = {"k", "M", "G", "T"};
    int i = 0;
    double s = v / 1e3;
    while (std::fabs(s) >= 1e3 && i < 3) s /= 1e3, ++i;
    std::snprintf(b, sizeof b, "%g%s", std::round(s * 100) / 100, suffix[i]);
  } else if (a < 1e-3 || a >= 1e15) {
    std::snprintf(b, sizeof b, "%.0e", v);
  } else {
    std::snprintf(b, sizeof b, "%.4g", v);
  }
  return b;
}

struct Scale {
  double lo = 0, hi = 1;
  bool log = false;
  double a = 0, b = 1;  // pixel range
  double operator()(double v) const {
    const double t =
        log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
    return a + (b - a) * t;
  }
};

// 1-2-5 steps covering [lo, hi].
std::vector<double> linear_ticks(double lo, double hi, int target = 6) {
  const double raw = (hi - lo) / target;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * p;
  for (double m : {1.0, 2.0, 5.0})
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi * (1 + 1e-12) + step * 1e-9; v += step)
    t.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return t;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> t;
  const int d0 = int(std::round(std::log10(lo))), d1 = int(std::round(std::log10(hi)));
  const int every = d1 - d0 > 8 ? 2 : 1;
  for (int d = d0; d <= d1; d += every) t.push_back(std::pow(10.0, d));
  if (d1 - d0 <= 2)  // few decades: 2 and 5 between them
    for (int d = d0; d < d1; ++d)
      for (double m : {2.0, 5.0}) t.push_back(m * std::pow(10.0, d));
  std::sort(t.begin(), t.end());
  return t;
}

// The axis range that holds `values` (nice ends), linear from 0 when all are positive.
Scale make_scale(const std::vector<double>& values, bool log, bool from_zero) {
  Scale s;
  s.log = log;
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values)
    if (std::isfinite(v) && (!log || v > 0)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(hi >= lo)) lo = log ? 1 : 0, hi = log ? 10 : 1;
  if (log) {
    s.lo = std::pow(10.0, std::floor(std::log10(lo) + 1e-9));
    s.hi = std::pow(10.0, std::ceil(std::log10(hi) - 1e-9));
    if (s.hi <= s.lo) s.hi = s.lo * 10;
  } else {
    if (from_zero) lo = std::min(lo, 0.0);
    if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::fabs(lo));
    const auto t = linear_ticks(lo, hi);
    s.lo = std::min(lo, t.front());
    s.hi = std::max(hi, t.back());
    const double step = t.size() > 1 ? t[1] - t[0] : 1;
    if (s.hi < hi + step * 1e-9) s.hi = t.back();
    if (t.back() < hi) s.hi = t.back() + step;
    if (t.front() > lo) s.lo = t.front() - step;
  }
  return s;
}

std::vector<double> ticks_of(const Scale& s) {
  return s.log ? log_ticks(s.lo, s.hi) : linear_ticks(s.lo, s.hi);
}

// Ticks whose labels, centred at their positions (horizontal axis), keep a gap to the previous label.
std::vector<double> spaced_x_ticks(const Scale& s) {
  std::vector<double> kept;
  double last_right = -INFINITY;
  for (double t : ticks_of(s)) {
    const double w = text_width_px(tick_label(t), kTickPx), x = s(t);
    if (x - w / 2 < last_right + 8) continue;
    kept.push_back(t);
    last_right = x + w / 2;
  }
  return kept;
}

// Ticks on a vertical axis at least a line apart.
std::vector<double> spaced_y_ticks(const Scale& s) {
  std::vector<double> kept;
  double last = INFINITY;
  for (double t : ticks_of(s)) {
    const double y = s(t);
    if (std::fabs(last - y) < kTickPx * 1.4) continue;
    kept.push_back(t);
    last = y;
  }
  return kept;
}

std::string marker(Shape shape, double x, double y, double r, const std::string& color,
                   const std::string& tip) {
  const std::string style = "' fill='" + color + "' stroke='#222222' stroke-width='0.6'>";
  const std::string title = tip.empty() ? "" : "<title>" + html_escape(tip) + "</title>";
  auto poly = [&](std::vector<std::pair<double, double>> pts) {
    std::string p;
    for (auto [dx, dy] : pts) p += num(x + dx * r) + "," + num(y + dy * r) + " ";
    return "<polygon points='" + p + style + title + "</polygon>";
  };
  switch (shape) {
    case Shape::square:
      return "<rect x='" + num(x - r * 0.85) + "' y='" + num(y - r * 0.85) + "' width='" + num(1.7 * r) +
             "' height='" + num(1.7 * r) + style + title + "</rect>";
    case Shape::triangle:
      return poly({{0, -1.15}, {1, 0.75}, {-1, 0.75}});
    case Shape::triangle_down:
      return poly({{0, 1.15}, {1, -0.75}, {-1, -0.75}});
    case Shape::diamond:
      return poly({{0, -1.2}, {1.2, 0}, {0, 1.2}, {-1.2, 0}});
    case Shape::cross:
      return poly({{-0.35, -1},
                   {0.35, -1},
                   {0.35, -0.35},
                   {1, -0.35},
                   {1, 0.35},
                   {0.35, 0.35},
                   {0.35, 1},
                   {-0.35, 1},
                   {-0.35, 0.35},
                   {-1, 0.35},
                   {-1, -0.35},
                   {-0.35, -0.35}});
    default:
      return "<circle cx='" + num(x) + "' cy='" + num(y) + "' r='" + num(r) + style + title + "</circle>";
  }
}

struct LegendEntry {
  std::string name, color;
  enum { box, mark, line, dashed } kind;
  Shape shape = Shape::circle;
};

// Legend rows from `top`, wrapped at the chart width; returns the SVG and the height used.
std::pair<std::string, double> legend(const std::vector<LegendEntry>& entries, double left, double top) {
  std::string s;
  double x = left, y = top + kLegendPx;
  for (const auto& e : entries) {
    const double w = 22 + text_width_px(e.name, kLegendPx) + 16;
    if (x + w > kWidth - 10 && x > left) x = left, y += kLegendPx * 1.6;
    const double cy = y - kLegendPx * 0.35;
    if (e.kind == LegendEntry::box)
      s += "<rect x='" + num(x) + "' y='" + num(cy - 5) + "' width='12' height='10' fill='" + e.color + "'/>";
    else if (e.kind == LegendEntry::mark)
      s += marker(e.shape, x + 6, cy, 5, e.color, "");
    else
      s += "<line x1='" + num(x) + "' x2='" + num(x + 16) + "' y1='" + num(cy) + "' y2='" + num(cy) +
           "' stroke='" + e.color + "' stroke-width='2.5'" +
           (e.kind == LegendEntry::dashed ? " stroke-dasharray='5 3'" : "") + "/>";
    s += text(x + 22, y, e.name, kLegendPx, "legend");
    x += w;
  }
  return {s, entries.empty() ? 0.0 : y - top + 6};
}

std::string frame(const std::string& title, double height, const std::string& body, const char* kind) {
  return "<svg class='" + std::string(kind) + "' width='" + num(kWidth) + "' height='" + num(height) +
         "' viewBox='0 0 " + num(kWidth) + " " + num(height) + "' role='img' font-family='" + kFont +
         "'><rect width='100%' height='100%' fill='#ffffff'/>" +
         text(kWidth / 2, 22, title, kTitlePx, "title", "middle", " font-weight='bold'") + body + "</svg>";
}

double max_tick_width(const std::vector<double>& ticks) {
  double w = 0;
  for (double t : ticks) w = std::max(w, text_width_px(tick_label(t), kTickPx));
  return w;
}

// Grid, tick labels and axis titles of a plot area [x0, x1] x [y0, y1].
std::string axes(const Scale& xs, const Scale& ys, const Axis& x, const Axis& y, double y_title_x) {
  std::string s;
  for (double t : spaced_y_ticks(ys))
    s += "<line x1='" + num(xs.a) + "' x2='" + num(xs.b) + "' y1='" + num(ys(t)) + "' y2='" + num(ys(t)) +
         "' stroke='#e0e0e0'/>" +
         text(xs.a - 6, ys(t) + kTickPx * 0.35, tick_label(t), kTickPx, "tick", "end");
  for (double t : spaced_x_ticks(xs))
    s += "<line x1='" + num(xs(t)) + "' x2='" + num(xs(t)) + "' y1='" + num(ys.b) + "' y2='" + num(ys.a) +
         "' stroke='#eeeeee'/>" + text(xs(t), ys.a + kTickPx + 9, tick_label(t), kTickPx, "tick", "middle");
  s += "<rect x='" + num(xs.a) + "' y='" + num(ys.b) + "' width='" + num(xs.b - xs.a) + "' height='" +
       num(ys.a - ys.b) + "' fill='none' stroke='#888888'/>";
  s += text((xs.a + xs.b) / 2, ys.a + kTickPx + 13 + kAxisPx + 4, x.title + (x.log ? " (log scale)" : ""),
            kAxisPx, "axis-title", "middle");
  s += text(0, 0, y.title + (y.log ? " (log scale)" : ""), kAxisPx, "axis-title", "middle",
            " transform='translate(" + num(y_title_x) + "," + num((ys.a + ys.b) / 2) + ") rotate(-90)'");
  return s;
}

}  // namespace

double text_width_px(const std::string& s, double font_px, bool bold) {
  double em = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 32 && c < 127) {
      em += (bold ? kBold : kBook)[c - 32];
    } else if (c >= 0xC0) {  // a multi-byte UTF-8 character: count it once, wide
      em += 838;
      while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) ++i;
    }
  }
  return em / 1000.0 * font_px;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool wants_log(const std::vector<double>& values) {
  double lo = INFINITY, hi = 0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v <= 0) return false;
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
  return hi > 0 && hi / lo > 30;
}

std::string svg_xy_chart(const std::string& title, const Axis& x, const Axis& y,
                         const std::vector<XYSeries>& series) {
  std::vector<double> xv, yv;
  for (const auto& s : series)
    for (auto [px, py] : s.points) xv.push_back(px), yv.push_back(py);
  Scale ys = make_scale(yv, y.log, !y.log);
  Scale xs = make_scale(xv, x.log, false);
  const double left = 30 + max_tick_width(ticks_of(ys)), right = kWidth - 20, top = 40, plot_h = 300;
  xs.a = left, xs.b = right, ys.a = top + plot_h, ys.b = top;
  std::string body = axes(xs, ys, x, y, 16);
  // Lines first, markers over them, end labels last (shifted apart so that they never overlap).
  std::vector<std::pair<double, std::string>> end_labels;
  for (const auto& s : series) {
    std::string path;
    double last_x = 0, last_y = 0;
    for (auto [px, py] : s.points) {
      if ((x.log && !(px > 0)) || (y.log && !(py > 0)) || !std::isfinite(px) || !std::isfinite(py)) continue;
      path += (path.empty() ? "M" : " L") + num(xs(px)) + " " + num(ys(py));
      last_x = xs(px), last_y = ys(py);
    }
    if (s.line && !path.empty())
      body += "<path d='" + path + "' fill='none' stroke='" + s.color + "' stroke-width='2'" +
              (s.dashed ? " stroke-dasharray='6 4'" : "") + "/>";
    if (!s.end_label.empty() && !path.empty()) end_labels.push_back({last_y, s.end_label + "|" + s.color});
    (void)last_x;
  }
  for (const auto& s : series) {
    if (!s.markers) continue;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const auto [px, py] = s.points[i];
      if ((x.log && !(px > 0)) || (y.log && !(py > 0)) || !std::isfinite(px) || !std::isfinite(py)) continue;
      body += marker(s.shape, xs(px), ys(py), 5, s.color, i < s.tips.size() ? s.tips[i] : s.name);
    }
  }
  std::sort(end_labels.begin(), end_labels.end());
  double next_free = -INFINITY;
  for (auto& [ly, label] : end_labels) {
    const double yy = std::max(ly - 4, next_free + kLabelPx * 1.25);
    const std::string name = label.substr(0, label.rfind('|')), color = label.substr(label.rfind('|') + 1);
    body += text(right - 4, yy, name, kLabelPx, "label", "end", " fill='" + color + "'");
    next_free = yy;
  }
  std::vector<LegendEntry> entries;
  for (const auto& s : series)
    if (s.legend)
      entries.push_back({s.name, s.color,
                         s.markers  ? LegendEntry::mark
                         : s.dashed ? LegendEntry::dashed
                                    : LegendEntry::line,
                         s.shape});
  const double legend_top = top + plot_h + kTickPx + 13 + kAxisPx + 16;
  const auto [legend_svg, legend_h] = legend(entries, left, legend_top);
  return frame(title, legend_top + legend_h + 10, body + legend_svg, "chart xy");
}

namespace {

std::vector<double> bar_extent(const BarChart& c) {
  std::vector<double> v;
  for (size_t i = 0; i < c.categories.size(); ++i) {
    double stack = 0;
    for (const auto& s : c.series) {
      const double x = i < s.values.size() ? s.values[i] : 0;
      if (c.stacked)
        stack += std::max(0.0, x);
      else
        v.push_back(x);
    }
    if (c.stacked) v.push_back(stack);
  }
  return v;
}

std::string bar_rect(double x, double y, double w, double h, const std::string& color,
                     const std::string& tip) {
  return "<rect x='" + num(x) + "' y='" + num(y) + "' width='" + num(std::max(w, 0.5)) + "' height='" +
         num(std::max(h, 0.5)) + "' fill='" + color + "'><title>" + html_escape(tip) + "</title></rect>";
}

// The bars of category `i` along a band [b0, b0 + band] of the category axis; `vs` maps a value to a pixel.
std::string category_bars(const BarChart& c, size_t i, double b0, double band, const Scale& vs) {
  std::string s;
  const size_t n = c.series.size();
  const double base_px = vs(vs.log ? vs.lo : 0);
  size_t present = 0, slot = 0;
  for (size_t k = 0; k < n; ++k) present += i < c.series[k].values.size() && c.series[k].values[i] > 0;
  double stack = 0;
  for (size_t k = 0; k < n; ++k) {
    const double v = i < c.series[k].values.size() ? c.series[k].values[i] : 0;
    if (!(v > 0) || (vs.log && stack + v <= vs.lo)) {
      if (c.stacked) stack += std::max(0.0, v);
      continue;
    }
    const double from = c.stacked ? (stack > 0 ? vs(std::max(stack, vs.lo)) : base_px) : base_px;
    const double to = vs(c.stacked ? stack + v : v);
    const double thick = c.stacked ? band : band / double(std::max<size_t>(present, 1));
    const double off = c.stacked ? b0 : b0 + thick * double(slot++);
    const std::string tip = c.categories[i] + ": " + c.series[k].name + " " + tick_label(v);
    s += c.horizontal
             ? bar_rect(std::min(from, to), off, std::fabs(to - from), thick * 0.92, c.series[k].color, tip)
             : bar_rect(off, std::min(from, to), thick * 0.92, std::fabs(to - from), c.series[k].color, tip);
    if (c.stacked) stack += v;
  }
  return s;
}

}  // namespace

// `label` broken after its ", " separators into lines no wider than `max_px` (a part wider than that keeps
// a line of its own).
std::vector<std::string> wrap_label(const std::string& label, double max_px) {
  std::vector<std::string> lines{""};
  size_t from = 0;
  while (from <= label.size()) {
    const size_t comma = label.find(", ", from);
    const std::string part =
        label.substr(from, comma == std::string::npos ? std::string::npos : comma + 1 - from);
    const std::string joined = lines.back().empty() ? part : lines.back() + " " + part;
    if (!lines.back().empty() && text_width_px(joined, kTickPx) > max_px)
      lines.push_back(part);
    else
      lines.back() = joined;
    if (comma == std::string::npos) break;
    from = comma + 2;
  }
  return lines;
}

std::string svg_bar_chart(const BarChart& c) {
  const std::vector<double> extent = bar_extent(c);
  Scale vs = make_scale(extent, c.value_axis.log, !c.value_axis.log);
  if (vs.log) vs.lo = std::min(vs.lo, vs.hi / 10);
  const size_t n = c.categories.size();
  std::string body;
  double bottom;
  if (c.horizontal) {
    const double max_label_w = kWidth * 0.45 - 12, line_px = kTickPx + 3;
    double label_w = 0;
    std::vector<std::vector<std::string>> labels;
    for (const auto& cat : c.categories) {
      labels.push_back(wrap_label(cat, max_label_w));
      for (const auto& line : labels.back()) label_w = std::max(label_w, text_width_px(line, kTickPx));
    }
    const double per_cat = c.stacked ? 22 : std::max(22.0, 7.0 * double(c.series.size()) + 6);
    std::vector<double> slot_top{52};  // each category's slot: tall enough for its label's lines
    for (const auto& lines : labels)
      slot_top.push_back(slot_top.back() + std::max(per_cat, line_px * double(lines.size()) + 6));
    const double left = 12 + std::min(label_w, max_label_w), top = 52,
                 plot_h = n ? slot_top.back() - top : per_cat;
    vs.a = left, vs.b = kWidth - 24;
    Scale ys;
    ys.lo = 0, ys.hi = 1, ys.a = top + plot_h, ys.b = top;
    if (!c.category_title.empty())
      body += text(12, top - 8, c.category_title, kAxisPx, "axis-title", "start");
    for (size_t i = 0; i < n; ++i) {
      const double middle = (slot_top[i] + slot_top[i + 1]) / 2;
      body += category_bars(c, i, middle - (per_cat - 6) / 2, per_cat - 6, vs);
      const double first = middle - line_px * double(labels[i].size() - 1) / 2 + kTickPx * 0.35;
      for (size_t k = 0; k < labels[i].size(); ++k)
        body += text(left - 6, first + line_px * double(k), labels[i][k], kTickPx, "tick", "end");
    }
    for (double t : spaced_x_ticks(vs))
      body += "<line x1='" + num(vs(t)) + "' x2='" + num(vs(t)) + "' y1='" + num(top) + "' y2='" +
              num(top + plot_h) + "' stroke='#e6e6e6'/>" +
              text(vs(t), top + plot_h + kTickPx + 4, tick_label(t), kTickPx, "tick", "middle");
    body += "<line x1='" + num(left) + "' x2='" + num(left) + "' y1='" + num(top) + "' y2='" +
            num(top + plot_h) + "' stroke='#555555'/>";
    body += text((vs.a + vs.b) / 2, top + plot_h + kTickPx + 8 + kAxisPx + 4,
                 c.value_axis.title + (vs.log ? " (log scale)" : ""), kAxisPx, "axis-title", "middle");
    bottom = top + plot_h + kTickPx + 8 + kAxisPx + 16;
  } else {
    const double left = 30 + max_tick_width(ticks_of(vs)), right = kWidth - 20, top = 40, plot_h = 260;
    vs.a = top + plot_h, vs.b = top;
    const double slot = (right - left) / double(std::max<size_t>(n, 1));
    for (size_t i = 0; i < n; ++i)
      body += category_bars(c, i, left + slot * double(i) + slot * 0.08, slot * 0.84, vs);
    double last_right = -INFINITY;
    for (size_t i = 0; i < n; ++i) {  // category labels, thinned so that none touch
      const double x = left + slot * (double(i) + 0.5), w = text_width_px(c.categories[i], kTickPx);
      if (x - w / 2 < last_right + 8) continue;
      body += text(x, top + plot_h + kTickPx + 9, c.categories[i], kTickPx, "tick", "middle");
      last_right = x + w / 2;
    }
    for (double t : spaced_y_ticks(vs))
      body += "<line x1='" + num(left) + "' x2='" + num(right) + "' y1='" + num(vs(t)) + "' y2='" +
              num(vs(t)) + "' stroke='#e6e6e6'/>" +
              text(left - 6, vs(t) + kTickPx * 0.35, tick_label(t), kTickPx, "tick", "end");
    body += "<line x1='" + num(left) + "' x2='" + num(right) + "' y1='" + num(top + plot_h) + "' y2='" +
            num(top + plot_h) + "' stroke='#555555'/>";
    body += text((left + right) / 2, top + plot_h + kTickPx + 13 + kAxisPx + 4, c.category_title, kAxisPx,
                 "axis-title", "middle");
    body += text(0, 0, c.value_axis.title + (vs.log ? " (log scale)" : ""), kAxisPx, "axis-title", "middle",
                 " transform='translate(16," + num(top + plot_h / 2) + ") rotate(-90)'");
    bottom = top + plot_h + kTickPx + 13 + kAxisPx + 16;
  }
  std::vector<LegendEntry> entries;
  for (const auto& s : c.series) entries.push_back({s.name, s.color, LegendEntry::box});
  const auto [legend_svg, legend_h] = legend(entries, 12, bottom);
  return frame(c.title, bottom + legend_h + 10, body + legend_svg,
               c.horizontal ? "chart hbar" : "chart vbar");
}

}  // namespace llmx
