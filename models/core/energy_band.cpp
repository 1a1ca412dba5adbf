// Maximum energy bound of on-chip components; see energy_band.h.
#include "models/core/energy_band.h"

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
  Params m = p.required_child("maximum_over_typical", "maximum energy bound over the typical figures");
  b.given = true;
  b.dynamic =
      m.required<double>("dynamic", "per-operation energies: (1 + supply tolerance)^2", Bound::range(1, 4));
  b.stat = m.required<double>("static", "static power at the hot corner over typical", Bound::range(1, 100));
  return b;
}

}  // namespace llmx
