// Maximum energy bound of on-chip components; see energy_band.h.
#include "models/core/energy_band.h"

#include "models/core/param_schema.h"

namespace llmx {

EnergyBreakdown EnergyBand::maximum(const EnergyBreakdown& typical) const {
  EnergyBreakdown m = typical;
  for (int k = 0; k < kEnergyKinds; ++k)
    m.joules[k] *= static_cast<EnergyKind>(k) == EnergyKind::static_power ? stat : dynamic;
  return m;
}

void EnergyBand::fill(ComponentStats& s) const {
  if (given) s.energy_max = maximum(s.energy);
}

EnergyBand read_energy_band(Params& p) {
  EnergyBand b;
  if (!p.has("maximum_over_typical")) return b;
  Params m = p.required_child("maximum_over_typical", energy_band_key().description);
  static const ParamSchema band{"maximum_over_typical", "", {energy_band_section("")}};
  m.bind(band, "maximum_over_typical");  // also when the module's own map is read unbound (tests)
  b.given = true;
  b.dynamic = m.get<double>("dynamic");
  b.stat = m.get<double>("static");
  return b;
}

ParamDecl energy_band_key() {
  return section("maximum_over_typical", false,
                 "maximum energy bound over the typical figures (absent: the maximum is the typical)");
}

ParamSection energy_band_section(const std::string& parent) {
  return {
      parent.empty() ? "maximum_over_typical" : parent + ".maximum_over_typical",
      "",
      {number("dynamic", kRequired, Bound::range(1, 4), "per-operation energies: (1 + supply tolerance)^2"),
       number("static", kRequired, Bound::range(1, 100), "static power at the hot corner over typical")}};
}

}  // namespace llmx
