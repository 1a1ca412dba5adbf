// Cost inputs read from the configuration; see cost_spec.h.
#include "explorer/cost/cost_spec.h"

#include "models/core/error.h"
#include "models/core/work_share.h"

namespace llmx {

CostFigure read_cost_figure(Params& p, const std::string& key, const std::string& description) {
  CostFigure f;
  f.nominal = p.required<double>(key, description, Bound::non_negative());
  f.low = p.optional<double>(key + "_low", f.nominal, "low end of the published range of " + key,
                             Bound::non_negative());
  f.high = p.optional<double>(key + "_high", f.nominal, "high end of the published range of " + key,
                              Bound::non_negative());
  if (f.low > f.nominal || f.high < f.nominal)
    p.fail(key, cat(f.nominal, " lies outside its range [", f.low, ", ", f.high, "]; set ", key, "_low and ",
                    key, "_high with it"));
  return f;
}

CostFigure read_optional_cost_figure(Params& p, const std::string& key, const std::string& description) {
  if (!p.has(key)) {
    for (const char* end : {"_low", "_high"})
      if (p.has(key + end)) p.fail(key + end, cat("a range without its nominal value: set ", key, " too"));
    return {};
  }
  return read_cost_figure(p, key, description);
}

namespace {

void read_memory_cost(Params& c, ModuleCost& m) {
  m.usd_per_gib = read_cost_figure(c, "usd_per_gib", "price of the memory bits, US$ per GiB");
  m.channels_per_package = c.required<double>(
      "channels_per_package", "channels in one package or stack (LPDDR5X x64 package: 4 x16; HBM3 stack: 16)",
      Bound::positive());
  m.base_die_usd_per_package =
      read_optional_cost_figure(c, "base_die_usd_per_package", "a stack's base (logic) die, US$");
  m.stacking_usd_per_package = read_optional_cost_figure(
      c, "stacking_usd_per_package", "TSVs, thinning, stacking and stack test of one package, US$");
  m.interposer_mm2_per_package = read_optional_cost_figure(
      c, "interposer_mm2_per_package", "silicon-interposer area one package takes, with its spacing, mm^2");
  if (m.interposer_mm2_per_package.nominal > 0) {
    m.interposer_usd_per_mm2 =
        read_cost_figure(c, "interposer_usd_per_mm2", "silicon interposer and 2.5D assembly, US$ per mm^2");
    m.bonding_usd_per_package =
        read_cost_figure(c, "bonding_usd_per_package", "bonding one package to the interposer, US$");
  }
}

}  // namespace

ModuleCost read_module_cost(Params& module, const std::string& type) {
  ModuleCost m;
  if (!module.has("cost")) return m;
  Params c = module.required_child("cost", "what one element costs (explorer/cost/cost_spec.h)");
  m.present = true;
  m.kind = type == "dram" || type == "ideal_memory" ? ModuleCost::Kind::memory
           : type == "pe"                           ? ModuleCost::Kind::pe
                                                    : ModuleCost::Kind::other;
  m.die_mm2 =
      read_optional_cost_figure(c, "die_mm2", "logic-die area one element adds (PHY, controller), mm^2");
  m.usd = read_optional_cost_figure(c, "usd", "bought with each element, US$");
  if (m.kind == ModuleCost::Kind::memory) read_memory_cost(c, m);
  if (m.kind == ModuleCost::Kind::pe)
    m.shared_mac_array = c.choice("mac_arrays", {"shared", "separate"}, std::nullopt,
                                  "shared: one array computes every precision (area of the largest); "
                                  "separate: one array per precision (areas add up)") == "shared";
  return m;
}

namespace {

void read_process(Params& c, SystemCostSpec& s) {
  s.process = c.required<std::string>("process", "logic process the device is made in (its name)");
  s.wafer_usd = read_cost_figure(c, "wafer_usd", "foundry price of one processed wafer, US$");
  s.wafer_diameter_mm = c.optional<double>("wafer_diameter_mm", 300, "wafer diameter", Bound::positive());
  s.edge_exclusion_mm =
      c.optional<double>("edge_exclusion_mm", 3, "unusable rim of the wafer", Bound::non_negative());
  s.scribe_mm = c.optional<double>("scribe_mm", 0.1, "scribe line between dies", Bound::non_negative());
  s.defect_density_per_cm2 =
      read_cost_figure(c, "defect_density_per_cm2", "killer defects per cm^2 (D0) of the process");
  const std::string model =
      c.choice("yield_model", {"poisson", "murphy", "negative_binomial"}, std::nullopt,
               "die yield from D0 and area: poisson exp(-AD), murphy ((1-exp(-AD))/AD)^2, "
               "negative_binomial (1+AD/alpha)^-alpha");
  s.yield_model = model == "poisson"  ? YieldModel::poisson
                  : model == "murphy" ? YieldModel::murphy
                                      : YieldModel::negative_binomial;
  if (s.yield_model == YieldModel::negative_binomial)
    s.clustering_alpha = c.required<double>("clustering_alpha", "defect clustering of the negative binomial",
                                            Bound::positive());
}

void read_areas(Params& c, SystemCostSpec& s) {
  Params macs =
      c.required_child("mac_um2", "area of one MAC of each precision, um^2: {fp16: ..., int8: ...}");
  s.mac_um2_path = macs.path();
  for (const std::string& key : macs.keys()) {
    auto ends_with = [&](const std::string& end) {
      return key.size() > end.size() && key.compare(key.size() - end.size(), end.size(), end) == 0;
    };
    if (ends_with("_low") || ends_with("_high")) continue;  // a range, read with its figure
    Precision prec;
    if (!parse_precision(key, prec))
      macs.fail(key, "unknown precision (known: fp32, fp16, bf16, fp8, int8, int4)");
    s.mac_um2[key] = read_cost_figure(macs, key, "area of one " + key + " multiply-accumulate, um^2");
  }
  s.dequant_um2_per_lane = read_cost_figure(
      c, "dequant_um2_per_lane", "area of one weight-dequantizer lane (per weight per cycle), um^2");
  s.lut_um2_per_lookup =
      read_cost_figure(c, "lut_um2_per_lookup", "area of one LUT-GEMM lookup lane (table + adder), um^2");
  s.vector_um2_per_lane = read_cost_figure(c, "vector_um2_per_lane", "area of one vector-unit lane, um^2");
  s.sram_mm2_per_mib = read_cost_figure(c, "sram_mm2_per_mib", "area of one MiB of on-chip SRAM, mm^2");
  s.uncore_fraction =
      read_cost_figure(c, "uncore_fraction",
                       "share of the die outside the modelled blocks (control, network, clocks, I/O ring)");
  if (s.uncore_fraction.high >= 0.95) c.fail("uncore_fraction", "must stay below 0.95 (of the whole die)");
  s.die_area_mm2 = c.optional<double>("die_area_mm2", 0,
                                      "the die's known area (a product); 0: the sum of its modelled blocks",
                                      Bound::non_negative());
}

}  // namespace

SystemCostSpec read_system_cost(Params& root) {
  SystemCostSpec s;
  if (!root.has("cost")) return s;
  Params c =
      root.required_child("cost", "the logic process and package the system is priced by (configs/cost/)");
  s.present = true;
  s.origin = c.location_of("process").str();
  read_process(c, s);
  read_areas(c, s);
  s.package_usd =
      read_cost_figure(c, "package_usd", "the device's package: substrate, assembly and test, US$");
  return s;
}

}  // namespace llmx
