// Energy ledger arithmetic.
#include "models/core/stats.h"

namespace llmx {

const char* energy_kind_name(EnergyKind kind) {
  switch (kind) {
    case EnergyKind::act_pre: return "act_pre";
    case EnergyKind::read_array: return "read_array";
    case EnergyKind::write_array: return "write_array";
    case EnergyKind::io: return "io";
    case EnergyKind::refresh: return "refresh";
    case EnergyKind::background: return "background";
    case EnergyKind::compute: return "compute";
    case EnergyKind::transfer: return "transfer";
    case EnergyKind::static_power: return "static";
    case EnergyKind::count: break;
  }
  return "?";
}

double EnergyBreakdown::total() const {
  double sum = 0;
  for (double j : joules) sum += j;
  return sum;
}

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& other) {
  for (int i = 0; i < kEnergyKinds; ++i) joules[i] += other.joules[i];
  return *this;
}

EnergyBreakdown EnergyBreakdown::operator-(const EnergyBreakdown& other) const {
  EnergyBreakdown out = *this;
  for (int i = 0; i < kEnergyKinds; ++i) out.joules[i] -= other.joules[i];
  return out;
}

}  // namespace llmx
