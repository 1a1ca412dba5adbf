// Cost inputs as configuration: what a system's parts cost, read into plain structs and validated like every
// other parameter. A module may carry a `cost:` map (memory presets carry their price per GiB and per package
// or stack, PE presets how their MAC arrays share area, host links their PHY area); the system's top-level
// `cost:` map (configs/cost/) carries the logic process: wafer price, defect density and yield model, area
// per MAC of each precision, per MiB of SRAM, per vector lane, and the device package. A system without a
// top-level `cost:` map is not priced; a priced system needs a `cost:` map on every PE and memory module.
//
// Every figure is a nominal value with an optional range: `usd_per_gib: 4.0`, `usd_per_gib_low: 2.0`,
// `usd_per_gib_high: 6.0` (both default to the nominal; the nominal must lie inside). The model prices a
// system at the nominal figures and at the two ends of every range (all low, all high): each figure is one
// whose increase raises the cost, so the ends bound it.
#pragma once

#include <map>
#include <string>

#include "models/core/params.h"

namespace llmx {

enum class CostCorner { nominal, low, high };

struct CostFigure {
  double nominal = 0, low = 0, high = 0;
  double at(CostCorner c) const {
    return c == CostCorner::low ? low : c == CostCorner::high ? high : nominal;
  }
};

// `key` with its `key_low` / `key_high` range, read through the declarations of the `cost` parameter schema
// (`explorer types cost`) that `p` is bound to.
CostFigure read_cost_figure(Params& p, const std::string& key);
// As above, zero (with no range) when the key is absent.
CostFigure read_optional_cost_figure(Params& p, const std::string& key);

// A module's `cost:` map. Which keys it takes depends on the module's kind.
struct ModuleCost {
  enum class Kind { memory, pe, other };
  bool present = false;
  Kind kind = Kind::other;
  CostFigure die_mm2;  // logic-die area each element adds (a memory channel's PHY, a host link's PHY)
  CostFigure usd;      // bought with each element (a part not made on the logic die)
  // Memory: the bits, and the package or stack that holds `channels_per_package` channels.
  CostFigure usd_per_gib;
  double channels_per_package = 1;
  CostFigure base_die_usd_per_package, stacking_usd_per_package;
  // Memory on a silicon interposer (HBM): the interposer area each package takes, the interposer's price per
  // mm^2 (the logic die sits on it too), and bonding each package to it.
  CostFigure interposer_mm2_per_package, interposer_usd_per_mm2, bonding_usd_per_package;
  // PE: whether its MAC arrays of several precisions are one array (area of the largest) or separate arrays.
  bool shared_mac_array = true;
};

// Reads `cost:` of a module map of the given `type` (dram, ideal_memory, pe, ...); an empty ModuleCost when
// the map has none.
ModuleCost read_module_cost(Params& module, const std::string& type);

enum class YieldModel { poisson, murphy, negative_binomial };

// The system's `cost:` map: the logic process and the device package.
struct SystemCostSpec {
  bool present = false;
  std::string process;
  CostFigure wafer_usd;
  double wafer_diameter_mm = 300, edge_exclusion_mm = 3, scribe_mm = 0.1;
  CostFigure defect_density_per_cm2;
  YieldModel yield_model = YieldModel::murphy;
  double clustering_alpha = 2;
  std::map<std::string, CostFigure> mac_um2;  // by precision name
  CostFigure dequant_um2_per_lane, lut_um2_per_lookup, vector_um2_per_lane;
  CostFigure sram_mm2_per_mib;
  CostFigure uncore_fraction;  // of the die: control, on-chip network, clocking, I/O ring
  double die_area_mm2 = 0;     // when the die's area is known (a product), its area instead of the model's
  CostFigure package_usd;      // the device's package: substrate, assembly, test
  std::string origin;          // file:line of the map, for messages
  std::string mac_um2_path;    // key path of mac_um2, for messages
};

SystemCostSpec read_system_cost(Params& root);

}  // namespace llmx
