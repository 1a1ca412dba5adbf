// The declarations of every key a DRAM preset or `dram` instance may hold (param_schema.h): organisation,
// speed bins, timing (each JEDEC timing as name_ns, name_ck or both), energy (per-operation figures or IDD
// currents, interface parameters, typical/maximum ratios), controller and address mapping. The readers
// (dram_spec.cpp, timing_reader.cpp, dram_energy.cpp) read through these declarations only.
// Left out: the `cost:` map, read by the cost model (explorer/cost/), which is declared there.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/core/param_schema.h"

namespace llmx::dram {

// A JEDEC timing read as name_ns, name_ck or both; `fallback` is the rule when neither is given (none:
// required).
struct TimingName {
  const char* name;
  const char* description;
  const char* fallback;  // nullptr: required
};
const std::vector<TimingName>& timing_names();
// Timings a speed bin may fix in clocks (name_ck).
const std::vector<std::string>& bin_keys();

const ParamSchema& dram_schema();

}  // namespace llmx::dram
