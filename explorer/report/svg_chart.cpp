// SVG charts; see svg_chart.h.
#include "explorer/report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace llmx {
namespace {

constexpr double kW = 760, kH = 340, kLeft = 80, kRight = 20, kTop = 40, kBottom = 90;

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string tick_label(double v) {
  char b[32];
  const double a = std::fabs(v);
  if (v == 0) return "0";
  if (a >= 1e6 || a < 1e-3)
    std::snprintf(b, sizeof b, "%.0e", v);
  else
    std::snprintf(b, sizeof b, "%g", v);
  return b;
}

// 1-2-5 ticks covering [0, hi].
std::vector<double> linear_ticks(double hi) {
  if (!(hi > 0)) return {0, 1};
  const double raw = hi / 5;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = p;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) {
      step = m * p;
      break;
    }
  std::vector<double> t;
  for (double v = 0; v <= hi * (1 + 1e-9) + step * 0.999; v += step) t.push_back(v);
  return t;
}

std::string frame(const std::string& title) {
  return "<svg width='" + num(kW) + "' height='" + num(kH) + "' viewBox='0 0 " + num(kW) + " " + num(kH) +
         "' role='img' font-family='sans-serif' font-size='11'>" +
         "<rect width='100%' height='100%' fill='#ffffff'/>" + "<text x='" + num(kW / 2) +
         "' y='20' text-anchor='middle' font-size='14' font-weight='bold'>" + html_escape(title) + "</text>";
}

}  // namespace

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

std::string svg_bar_chart(const std::string& title, const std::string& y_label,
                          const std::vector<std::string>& categories, const std::vector<BarSeries>& series) {
  std::string s = frame(title);
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  double hi = 0;
  for (size_t c = 0; c < categories.size(); ++c) {
    double stack = 0;
    for (const auto& ser : series) stack += c < ser.values.size() ? std::max(0.0, ser.values[c]) : 0;
    hi = std::max(hi, stack);
  }
  const auto ticks = linear_ticks(hi);
  const double top = ticks.back() > 0 ? ticks.back() : 1;
  auto y = [&](double v) { return kTop + plot_h * (1 - v / top); };
  for (double t : ticks) {
    s += "<line x1='" + num(kLeft) + "' x2='" + num(kW - kRight) + "' y1='" + num(y(t)) + "' y2='" +
         num(y(t)) + "' stroke='#dddddd'/>";
    s += "<text x='" + num(kLeft - 6) + "' y='" + num(y(t) + 4) + "' text-anchor='end'>" + tick_label(t) +
         "</text>";
  }
  s += "<text transform='translate(16," + num(kTop + plot_h / 2) + ") rotate(-90)' text-anchor='middle'>" +
       html_escape(y_label) + "</text>";
  const double slot = categories.empty() ? plot_w : plot_w / double(categories.size());
  const double bar = std::max(2.0, slot * 0.7);
  for (size_t c = 0; c < categories.size(); ++c) {
    const double x = kLeft + slot * double(c) + (slot - bar) / 2;
    double base = 0;
    for (const auto& ser : series) {
      const double v = c < ser.values.size() ? std::max(0.0, ser.values[c]) : 0;
      if (v > 0)
        s += "<rect x='" + num(x) + "' y='" + num(y(base + v)) + "' width='" + num(bar) + "' height='" +
             num(y(base) - y(base + v)) + "' fill='" + ser.color + "'><title>" + html_escape(categories[c]) +
             ": " + html_escape(ser.name) + " " + tick_label(v) + "</title></rect>";
      base += v;
    }
    s += "<text transform='translate(" + num(x + bar / 2) + "," + num(kTop + plot_h + 10) +
         ") rotate(35)' text-anchor='start'>" + html_escape(categories[c]) + "</text>";
  }
  s += "<line x1='" + num(kLeft) + "' x2='" + num(kW - kRight) + "' y1='" + num(y(0)) + "' y2='" + num(y(0)) +
       "' stroke='#333333'/>";
  if (series.size() > 1) {
    double lx = kLeft;
    for (const auto& ser : series) {
      s += "<rect x='" + num(lx) + "' y='" + num(kH - 14) + "' width='10' height='10' fill='" + ser.color +
           "'/>";
      s += "<text x='" + num(lx + 14) + "' y='" + num(kH - 5) + "'>" + html_escape(ser.name) + "</text>";
      lx += 20 + 7.0 * double(ser.name.size());
    }
  }
  return s + "</svg>";
}

std::string svg_scatter(const std::string& title, const std::string& x_label, const std::string& y_label,
                        const std::vector<ScatterSeries>& series, bool log_x, bool log_y) {
  std::string s = frame(title);
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom + 30;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& ser : series)
    for (auto [x, y] : ser.points) {
      if ((log_x && !(x > 0)) || (log_y && !(y > 0)) || !std::isfinite(x) || !std::isfinite(y)) continue;
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  if (!(x1 >= x0)) x0 = log_x ? 1 : 0, x1 = log_x ? 10 : 1;
  if (!(y1 >= y0)) y0 = log_y ? 1 : 0, y1 = log_y ? 10 : 1;
  auto range = [](double& lo, double& hi, bool log) {
    if (log) {
      lo = std::pow(10.0, std::floor(std::log10(lo)));
      hi = std::pow(10.0, std::ceil(std::log10(hi)));
      if (hi <= lo) hi = lo * 10;
    } else {
      lo = std::min(0.0, lo);
      hi = linear_ticks(hi > lo ? hi : lo + 1).back();
    }
  };
  range(x0, x1, log_x);
  range(y0, y1, log_y);
  auto fx = [&](double v) {
    const double t =
        log_x ? (std::log10(v) - std::log10(x0)) / (std::log10(x1) - std::log10(x0)) : (v - x0) / (x1 - x0);
    return kLeft + plot_w * t;
  };
  auto fy = [&](double v) {
    const double t =
        log_y ? (std::log10(v) - std::log10(y0)) / (std::log10(y1) - std::log10(y0)) : (v - y0) / (y1 - y0);
    return kTop + plot_h * (1 - t);
  };
  auto ticks = [](double lo, double hi, bool log) {
    std::vector<double> t;
    if (log)
      for (double v = lo; v <= hi * 1.0001; v *= 10) t.push_back(v);
    else
      t = linear_ticks(hi);
    return t;
  };
  for (double t : ticks(y0, y1, log_y)) {
    if (t < y0) continue;
    s += "<line x1='" + num(kLeft) + "' x2='" + num(kW - kRight) + "' y1='" + num(fy(t)) + "' y2='" +
         num(fy(t)) + "' stroke='#dddddd'/><text x='" + num(kLeft - 6) + "' y='" + num(fy(t) + 4) +
         "' text-anchor='end'>" + tick_label(t) + "</text>";
  }
  for (double t : ticks(x0, x1, log_x)) {
    if (t < x0) continue;
    s += "<line x1='" + num(fx(t)) + "' x2='" + num(fx(t)) + "' y1='" + num(kTop) + "' y2='" +
         num(kTop + plot_h) + "' stroke='#eeeeee'/><text x='" + num(fx(t)) + "' y='" +
         num(kTop + plot_h + 14) + "' text-anchor='middle'>" + tick_label(t) + "</text>";
  }
  s += "<text x='" + num(kLeft + plot_w / 2) + "' y='" + num(kTop + plot_h + 32) + "' text-anchor='middle'>" +
       html_escape(x_label) + "</text>";
  s += "<text transform='translate(16," + num(kTop + plot_h / 2) + ") rotate(-90)' text-anchor='middle'>" +
       html_escape(y_label) + "</text>";
  // Legend rows below the plot, wrapped at the chart's width (the chart grows to fit them).
  double lx = kLeft, ly = kH - 5;
  std::string legend;
  for (const auto& ser : series) {
    const double w = 20 + 6.5 * double(ser.name.size());
    if (lx + w > kW - kRight && lx > kLeft) lx = kLeft, ly += 15;
    legend +=
        "<rect x='" + num(lx) + "' y='" + num(ly - 9) + "' width='10' height='10' fill='" + ser.color + "'/>";
    legend += "<text x='" + num(lx + 14) + "' y='" + num(ly) + "'>" + html_escape(ser.name) + "</text>";
    lx += w;
  }
  for (const auto& ser : series) {
    std::string path;
    for (size_t i = 0; i < ser.points.size(); ++i) {
      const auto [x, y] = ser.points[i];
      if ((log_x && !(x > 0)) || (log_y && !(y > 0))) continue;
      if (ser.line) {
        path += (path.empty() ? "M" : " L") + num(fx(x)) + " " + num(fy(y));
      } else {
        const std::string label = i < ser.labels.size() ? ser.labels[i] : ser.name;
        s += "<circle cx='" + num(fx(x)) + "' cy='" + num(fy(y)) + "' r='" + (ser.emphasis ? "6" : "4") +
             "' fill='" + ser.color + "' stroke='#222222' stroke-width='0.5'><title>" + html_escape(label) +
             "</title></circle>";
      }
    }
    if (ser.line && !path.empty())
      s += "<path d='" + path + "' fill='none' stroke='" + ser.color + "' stroke-width='2'/>";
  }
  s += legend;
  if (ly > kH - 5) {  // taller than the frame: resize it
    const std::string height = num(ly + 8);
    const std::string old_size = "height='" + num(kH) + "' viewBox='0 0 " + num(kW) + " " + num(kH) + "'";
    const size_t at = s.find(old_size);
    if (at != std::string::npos)
      s.replace(at, old_size.size(), "height='" + height + "' viewBox='0 0 " + num(kW) + " " + height + "'");
  }
  return s + "</svg>";
}

}  // namespace llmx
