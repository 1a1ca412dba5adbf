// Bottleneck analysis of one run: for each resource class (DRAM bandwidth, PE compute, SRAM, crossbar, host
// link, chip-to-chip link, runtime/dispatch), its utilization over the simulated time, and the class that
// bounds the run (the highest utilization). A class's utilization is the mean over its instances of busy
// time / simulated time (each instance's busy time is that of its busiest port or direction, so it never
// exceeds the elapsed time); the busiest instance is named beside it. Runtime/dispatch is the share of decode
// time spent in host work, launches and minimum kernel durations (explorer/run/runtime_columns.h).
// Leaves out: which resource bounds each op individually (ops.csv says memory or compute per op).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <systemc>

#include "explorer/run/csv.h"

namespace llmx {

class System;

struct ResourceUse {
  std::string resource;  // dram_bandwidth, pe_compute, sram, crossbar, host_link, chip_link, runtime_dispatch
  double utilization = 0;  // mean over instances, in [0, 1]
  std::string busiest;     // the busiest instance ("" for runtime_dispatch)
  double busiest_utilization = 0;
  int instances = 0;
};

// Resource classes present in `sys`, in a fixed order; `runtime_share` is the runtime/dispatch share.
std::vector<ResourceUse> resource_uses(const System& sys, const sc_core::sc_time& end, double runtime_share);
// The runtime/dispatch share from the runtime columns: host work, launches and minimum kernel durations.
double runtime_dispatch_share(const std::vector<std::pair<std::string, double>>& runtime_cells);
// The class with the highest utilization (the first on a tie); an empty ResourceUse when `uses` is empty.
ResourceUse bounding_resource(const std::vector<ResourceUse>& uses);
// bottleneck.csv: one row per resource class, with a `bounds` column marking the bounding one.
std::string bottleneck_csv(const std::vector<ResourceUse>& uses);

}  // namespace llmx
