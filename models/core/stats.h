// Statistics every component reports, typed and carrying units: busy time, bytes moved, energy by kind in two
// bounds (typical and maximum).
// Energy is cumulative from time zero; background/static energy is included up to the time asked for, so
// the difference of two snapshots is the energy spent between them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

namespace llmx {

// The kinds of energy the ledger keeps. Which component types use which kind:
//   DRAM: act_pre, read_array, write_array, io, refresh, background
//   SRAM: read_array (reads), write_array (writes), static (leakage)
//   PE: compute, static;  interconnect / host link: transfer, static
enum class EnergyKind : int {
  act_pre = 0,   // DRAM row activate + precharge
  read_array,    // DRAM array read / SRAM read access
  write_array,   // DRAM array write / SRAM write access
  io,            // DRAM interface: I/O drivers, termination
  refresh,       // DRAM refresh
  background,    // DRAM background (standby) power
  compute,       // PE arithmetic and dequantisation
  transfer,      // interconnect hops, host-link traffic
  static_power,  // leakage / idle power of non-DRAM components
  count
};
constexpr int kEnergyKinds = static_cast<int>(EnergyKind::count);
const char* energy_kind_name(EnergyKind kind);  // snake_case, used in CSV column names

struct EnergyBreakdown {
  std::array<double, kEnergyKinds> joules{};
  double& operator[](EnergyKind k) { return joules[static_cast<int>(k)]; }
  double operator[](EnergyKind k) const { return joules[static_cast<int>(k)]; }
  double total() const;  // sum of the parts, always
  EnergyBreakdown& operator+=(const EnergyBreakdown& other);
  EnergyBreakdown operator-(const EnergyBreakdown& other) const;
};

struct ComponentStats {
  sc_core::sc_time busy = sc_core::SC_ZERO_TIME;  // time the component was serving requests
  uint64_t bytes_read = 0;                        // bytes it served as reads (or moved inward)
  uint64_t bytes_written = 0;                     // bytes it served as writes (or moved outward)
  uint64_t requests = 0;                          // transactions served
  EnergyBreakdown energy;                         // typical bound
  // Maximum bound (datasheet limits, worst-case figures), when the component's figures have one; otherwise
  // the typical figures stand for both (see energy_at).
  std::optional<EnergyBreakdown> energy_max;
  const EnergyBreakdown& energy_at(bool maximum) const {
    return maximum && energy_max ? *energy_max : energy;
  }
  // Component-specific figures, each named with its unit (e.g. "row_hit_rate", "mean_read_latency_ns").
  std::vector<std::pair<std::string, double>> extra;
};

}  // namespace llmx
