// The maximum energy bound of an on-chip component (PE, SRAM) from its typical figures: dynamic energy per
// operation scales with C V^2, so a supply at the top of its tolerance raises it by (1 + tolerance)^2; static
// (leakage) power at the hot corner is a multiple of the typical one. Read from an optional
// `maximum_over_typical: {dynamic, static}` map; without it the component has one bound (the typical figures
// stand for both, ComponentStats::energy_at). Left out: process-corner spread of capacitance, temperature
// dependence of dynamic energy.
#pragma once

#include <string>

#include "models/core/params.h"
#include "models/core/stats.h"

namespace llmx {

struct EnergyBand {
  bool given = false;
  double dynamic = 1;  // maximum over typical, per-operation energies
  double stat = 1;     // maximum over typical, static power

  // The maximum bound of `typical`: static_power kind by `stat`, every other kind by `dynamic`.
  EnergyBreakdown maximum(const EnergyBreakdown& typical) const;
  // Sets s.energy_max from s.energy when a maximum is given.
  void fill(ComponentStats& s) const;
};

EnergyBand read_energy_band(Params& p);
// Its declarations (param_schema.h), for the schema of each module that reads it: the key in the module's map
// and the section under `parent` ("" for the instance map).
struct ParamDecl;
struct ParamSection;
ParamDecl energy_band_key();
ParamSection energy_band_section(const std::string& parent);

}  // namespace llmx
