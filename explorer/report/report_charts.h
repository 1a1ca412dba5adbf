// The report's charts, built from points (report_data.h): how points are coloured and shaped by what varies,
// the roofline with a roof per MAC precision and the host link's, per-op-kind latency, energy stacked by
// component, the cost bill, metric-by-group bars, throughput against energy, and curves along a numeric
// dimension (batch, context, any swept number). Each returns an <svg> (empty when there is nothing to draw).
#pragma once

#include <string>
#include <vector>

#include "explorer/report/report_data.h"

namespace llmx::report {

// How the points of a sweep are told apart: colour by one dimension (the system when it varies), marker
// shape by another (the weight format), the rest named in the group labels.
struct Encoding {
  const Dimension* color = nullptr;
  const Dimension* shape = nullptr;
  std::vector<const Dimension*> groups;  // the other varying dimensions
  std::string series_name(const Point& p) const;
  std::string group_name(const Point& p) const;
  std::string color_of(const Point& p) const;
  Shape shape_of(const Point& p) const;
};
Encoding encode(const std::vector<Dimension>& dims);

std::string throughput_energy_chart(const std::vector<Point>& points, const Encoding& e);
// `metric` by group (categories) and series (bars), e.g. tokens/s; nothing when no point has the metric.
std::string metric_bars(const std::vector<Point>& points, const Encoding& e, const std::string& metric,
                        const std::string& title, const std::string& axis_title);
std::string roofline_chart(const std::vector<const Point*>& points, const Encoding* e, bool with_op_kinds);
std::string op_kind_latency_chart(const Point& p, const std::string& which);
std::string energy_by_component_chart(const std::vector<const Point*>& points,
                                      const std::vector<std::string>& names, const std::string& title);
std::string cost_breakdown_chart(const std::vector<const Point*>& points,
                                 const std::vector<std::string>& names);
// Curves of `metric` along the numeric dimension `along`, one line per series; one chart per value of `facet`
// (when given).
std::vector<std::string> curves(const std::vector<Point>& points, const Encoding& e, const Dimension& along,
                                const Dimension* facet, const std::string& metric,
                                const std::string& axis_title);
std::string per_layer_chart(const Point& p);
std::string utilization_chart(const Point& p);
std::string step_latency_chart(const Point& p);

}  // namespace llmx::report
