// Bottleneck analysis of one run; see bottleneck.h.
#include "explorer/run/bottleneck.h"

#include <algorithm>
#include <map>

#include "explorer/elab/elaborator.h"
#include "models/core/component.h"

namespace llmx {
namespace {

// The resource class of a component type; "" for those that are not a resource (the driver).
std::string resource_of(const std::string& type) {
  static const std::map<std::string, std::string> classes{{"dram", "dram_bandwidth"},
                                                          {"ideal_memory", "dram_bandwidth"},
                                                          {"system_cache", "sram"},
                                                          {"pe", "pe_compute"},
                                                          {"sram", "sram"},
                                                          {"crossbar", "crossbar"},
                                                          {"host_link", "host_link"},
                                                          {"chip_link", "chip_link"},
                                                          {"link_switch", "chip_link"}};
  auto it = classes.find(type);
  return it == classes.end() ? std::string() : it->second;
}

const std::vector<std::string>& resource_order() {
  static const std::vector<std::string> order{
      "dram_bandwidth", "pe_compute", "sram", "crossbar", "host_link", "chip_link", "runtime_dispatch"};
  return order;
}

}  // namespace

std::vector<ResourceUse> resource_uses(const System& sys, const sc_core::sc_time& end, double runtime_share) {
  const double elapsed = end.to_seconds();
  std::map<std::string, ResourceUse> by_class;
  for (const auto& c : sys.components) {
    const std::string resource = resource_of(c->type_name());
    if (resource.empty()) continue;
    const double u = elapsed > 0 ? c->stats(end).busy.to_seconds() / elapsed : 0.0;
    ResourceUse& r = by_class[resource];
    r.resource = resource;
    r.utilization += u;
    ++r.instances;
    if (r.busiest.empty() || u > r.busiest_utilization) {
      r.busiest = c->name();
      r.busiest_utilization = u;
    }
  }
  by_class["runtime_dispatch"] = {"runtime_dispatch", runtime_share, "", runtime_share, 0};
  std::vector<ResourceUse> out;
  for (const auto& name : resource_order()) {
    auto it = by_class.find(name);
    if (it == by_class.end()) continue;
    ResourceUse r = it->second;
    if (r.instances > 0) r.utilization /= r.instances;
    out.push_back(r);
  }
  return out;
}

double runtime_dispatch_share(const std::vector<std::pair<std::string, double>>& runtime_cells) {
  double share = 0;
  for (const auto& [name, value] : runtime_cells)
    if (name == "runtime_host_share" || name == "runtime_launch_share" || name == "runtime_min_kernel_share")
      share += value;
  return share;
}

ResourceUse bounding_resource(const std::vector<ResourceUse>& uses) {
  ResourceUse best;
  for (const auto& u : uses)
    if (best.resource.empty() || u.utilization > best.utilization) best = u;
  return best;
}

std::string bottleneck_csv(const std::vector<ResourceUse>& uses) {
  CsvTable t({"resource", "instances", "utilization", "busiest", "busiest_utilization", "bounds"});
  const std::string bound = bounding_resource(uses).resource;
  for (const auto& u : uses)
    t.row()
        .add(u.resource)
        .add(static_cast<int64_t>(u.instances))
        .add(u.utilization)
        .add(u.busiest)
        .add(u.busiest_utilization)
        .add(u.resource == bound ? "yes" : "no");
  return t.text();
}

}  // namespace llmx
