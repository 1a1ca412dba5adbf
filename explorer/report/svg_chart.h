// Small SVG chart writer for the HTML report: bar charts (plain or stacked) and scatter plots on linear or
// log axes, with ticks and labels. Output is a self-contained <svg> element: no scripts, no external fonts,
// styles inline. Leaves out: interactivity, legends beyond a key row, anything a static report does not need.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace llmx {

struct BarSeries {
  std::string name;
  std::string color;
  std::vector<double> values;  // one per category
};

// Bars per category; several series are stacked.
std::string svg_bar_chart(const std::string& title, const std::string& y_label,
                          const std::vector<std::string>& categories, const std::vector<BarSeries>& series);

struct ScatterSeries {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;
  bool line = false;                // join the points (in the given order) instead of marking them
  bool emphasis = false;            // larger markers
  std::vector<std::string> labels;  // optional, one per point
};

std::string svg_scatter(const std::string& title, const std::string& x_label, const std::string& y_label,
                        const std::vector<ScatterSeries>& series, bool log_x, bool log_y);

std::string html_escape(const std::string& text);

}  // namespace llmx
