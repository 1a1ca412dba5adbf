// SVG charts for the HTML report: x-y charts (markers, lines, rooflines) and bar charts (grouped or stacked,
// horizontal with named categories or vertical with thinned numeric ones), on linear or log axes, each with a
// title, axis titles (which carry the unit) and a legend naming every series. Text is laid out with the
// advance widths of DejaVu Sans (the font the charts name), so tick labels, legend entries and labels are
// placed not to overlap: a tick label that would touch its neighbour is left out, legend rows wrap. Output is
// a self-contained <svg> element: no scripts, no external fonts, styles inline. Every text carries a class
// (title, axis-title, tick, legend, label) for tests. Leaves out: interactivity, anything a static report
// does not need.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace llmx {

// Width in px of `text` at `font_px` in DejaVu Sans (bold or book).
double text_width_px(const std::string& text, double font_px, bool bold = false);
std::string html_escape(const std::string& text);

struct Axis {
  std::string title;  // with the unit: "decode throughput (tokens/s)"
  bool log = false;
};
// A log axis reads values that span more than 30x (all positive).
bool wants_log(const std::vector<double>& values);

enum class Shape { circle, square, triangle, diamond, cross, triangle_down };

struct XYSeries {
  std::string name;
  std::string color;
  Shape shape = Shape::circle;
  std::vector<std::pair<double, double>> points;
  std::vector<std::string> tips;  // hover text per point (optional)
  bool markers = true;
  bool line = false;  // join the points in order
  bool dashed = false;
  bool legend = true;
  std::string end_label;  // written at the right end of a line (a roof's name)
};

std::string svg_xy_chart(const std::string& title, const Axis& x, const Axis& y,
                         const std::vector<XYSeries>& series);

struct BarSeries {
  std::string name;
  std::string color;
  std::vector<double> values;  // one per category
};

struct BarChart {
  std::string title;
  Axis value_axis;
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  bool stacked = false;        // else grouped side by side
  bool horizontal = true;      // categories down the left (named); false: along the bottom, labels thinned
  std::string category_title;  // axis title of the categories (vertical charts)
};

std::string svg_bar_chart(const BarChart& chart);

}  // namespace llmx
