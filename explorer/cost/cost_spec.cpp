// Cost inputs read from the configuration; see cost_spec.h.
#include "explorer/cost/cost_spec.h"

#include "models/core/error.h"
#include "models/core/param_schema.h"
#include "models/core/work_share.h"

namespace llmx {

namespace {

// A cost figure's three declarations: the nominal `key` and its `key_low` / `key_high` range.
void add_figure(std::vector<ParamDecl>& keys, const std::string& key, bool required, const std::string& unit,
                const std::string& description, const std::string& when = "") {
  ParamDecl nominal =
      number(key, required ? kRequired : std::optional<std::string>("0"), Bound::non_negative(), description);
  if (!unit.empty()) nominal = with_unit(nominal, unit);
  const std::string u = unit_of(nominal);
  std::vector<ParamDecl> ds{nominal,
                            with_unit(number(key + "_low", "= " + key, Bound::non_negative(),
                                             "low end of the published range of " + key),
                                      u),
                            with_unit(number(key + "_high", "= " + key, Bound::non_negative(),
                                             "high end of the published range of " + key),
                                      u)};
  for (auto& d : ds) keys.push_back(when.empty() ? d : only_when(d, when));
}

std::vector<ParamDecl> system_cost_keys() {
  std::vector<ParamDecl> k{text("process", kRequired, "logic process the device is made in (its name)")};
  add_figure(k, "wafer_usd", true, "", "foundry price of one processed wafer");
  k.push_back(number("wafer_diameter_mm", "300", Bound::positive(), "wafer diameter"));
  k.push_back(number("edge_exclusion_mm", "3", Bound::non_negative(), "unusable rim of the wafer"));
  k.push_back(number("scribe_mm", "0.1", Bound::non_negative(), "scribe line between dies"));
  add_figure(k, "defect_density_per_cm2", true, "1/cm^2", "killer defects per cm^2 (D0) of the process");
  k.push_back(choice("yield_model", {"poisson", "murphy", "negative_binomial"}, kRequired,
                     "die yield from D0 and area: poisson exp(-AD), murphy ((1-exp(-AD))/AD)^2, "
                     "negative_binomial (1+AD/alpha)^-alpha"));
  k.push_back(only_when(
      number("clustering_alpha", kRequired, Bound::positive(), "defect clustering of the negative binomial"),
      "yield_model: negative_binomial"));
  k.push_back(section("mac_um2", true, "area of one MAC of each precision: {fp16: ..., int8: ...}"));
  add_figure(k, "dequant_um2_per_lane", true, "",
             "area of one weight-dequantizer lane (per weight per cycle)");
  add_figure(k, "lut_um2_per_lookup", true, "", "area of one LUT-GEMM lookup lane (table + adder)");
  add_figure(k, "vector_um2_per_lane", true, "", "area of one vector-unit lane");
  add_figure(k, "sram_mm2_per_mib", true, "", "area of one MiB of on-chip SRAM");
  add_figure(
      k, "uncore_fraction", true, "",
      "share of the die outside the modelled blocks (control, network, clocks, I/O ring); its high end "
      "below 0.95");
  k.push_back(number("die_area_mm2", "0", Bound::non_negative(),
                     "the die's known area (a product); 0: the sum of its modelled blocks"));
  add_figure(k, "package_usd", true, "", "the device's package: substrate, assembly and test");
  return k;
}

std::vector<ParamDecl> mac_keys() {
  std::vector<ParamDecl> k;
  for (int i = 0; i < static_cast<int>(Precision::count); ++i) {
    const std::string name = precision_name(static_cast<Precision>(i));
    add_figure(k, name, false, "um^2", "area of one " + name + " multiply-accumulate");
  }
  return k;
}

std::vector<ParamDecl> module_cost_keys() {
  std::vector<ParamDecl> k;
  const std::string memory = "type: dram or ideal_memory";
  add_figure(k, "die_mm2", false, "", "logic-die area one element adds (PHY, controller)");
  add_figure(k, "usd", false, "USD", "bought with each element");
  add_figure(k, "usd_per_gib", true, "", "price of the memory bits", memory);
  k.push_back(
      only_when(number("channels_per_package", kRequired, Bound::positive(),
                       "channels in one package or stack (LPDDR5X x64 package: 4 x16; HBM3 stack: 16)"),
                memory));
  add_figure(k, "base_die_usd_per_package", false, "", "a stack's base (logic) die", memory);
  add_figure(k, "stacking_usd_per_package", false, "",
             "TSVs, thinning, stacking and stack test of one package", memory);
  add_figure(k, "interposer_mm2_per_package", false, "",
             "silicon-interposer area one package takes, with its spacing", memory);
  const std::string interposer = memory + ", interposer_mm2_per_package > 0";
  add_figure(k, "interposer_usd_per_mm2", true, "", "silicon interposer and 2.5D assembly", interposer);
  add_figure(k, "bonding_usd_per_package", true, "", "bonding one package to the interposer", interposer);
  k.push_back(only_when(choice("mac_arrays", {"shared", "separate"}, kRequired,
                               "shared: one array computes every precision (area of the largest); separate: "
                               "one array per precision (areas add up)"),
                        "type: pe"));
  return k;
}

const ParamSchema& cost_schema() {
  static const ParamSchema s{
      "cost",
      "what a system costs (docs/COST.md): the system's top-level `cost:` (configs/cost/process-*.yaml) and "
      "each module's `cost:` (configs/cost/memory/, configs/cost/host/); a figure's _low/_high default to it",
      {{"", "", system_cost_keys()},
       {"mac_um2", "area of one MAC by precision", mac_keys()},
       {"<module>.cost", "a module's cost (modules.NAME.cost or a preset's cost:)", module_cost_keys()}}};
  return s;
}

const ParamSchemaRegistrar cost_schema_registrar(&cost_schema);

}  // namespace

CostFigure read_cost_figure(Params& p, const std::string& key) {
  CostFigure f;
  f.nominal = p.get<double>(key);
  f.low = p.get<double>(key + "_low", f.nominal);
  f.high = p.get<double>(key + "_high", f.nominal);
  if (f.low > f.nominal || f.high < f.nominal)
    p.fail(key, cat(f.nominal, " lies outside its range [", f.low, ", ", f.high, "]; set ", key, "_low and ",
                    key, "_high with it"));
  return f;
}

CostFigure read_optional_cost_figure(Params& p, const std::string& key) {
  if (!p.has(key)) {
    for (const char* end : {"_low", "_high"})
      if (p.has(key + end)) p.fail(key + end, cat("a range without its nominal value: set ", key, " too"));
    return {};
  }
  return read_cost_figure(p, key);
}

namespace {

void read_memory_cost(Params& c, ModuleCost& m) {
  m.usd_per_gib = read_cost_figure(c, "usd_per_gib");
  m.channels_per_package = c.get<double>("channels_per_package");
  m.base_die_usd_per_package = read_optional_cost_figure(c, "base_die_usd_per_package");
  m.stacking_usd_per_package = read_optional_cost_figure(c, "stacking_usd_per_package");
  m.interposer_mm2_per_package = read_optional_cost_figure(c, "interposer_mm2_per_package");
  if (m.interposer_mm2_per_package.nominal > 0) {
    m.interposer_usd_per_mm2 = read_cost_figure(c, "interposer_usd_per_mm2");
    m.bonding_usd_per_package = read_cost_figure(c, "bonding_usd_per_package");
  }
}

}  // namespace

ModuleCost read_module_cost(Params& module, const std::string& type) {
  ModuleCost m;
  if (!module.has("cost")) return m;
  Params c = module.required_child("cost", "what one element costs (explorer/cost/cost_spec.h)");
  c.bind(cost_schema(), "<module>.cost");
  m.present = true;
  m.kind = type == "dram" || type == "ideal_memory" ? ModuleCost::Kind::memory
           : type == "pe"                           ? ModuleCost::Kind::pe
                                                    : ModuleCost::Kind::other;
  m.die_mm2 = read_optional_cost_figure(c, "die_mm2");
  m.usd = read_optional_cost_figure(c, "usd");
  if (m.kind == ModuleCost::Kind::memory) read_memory_cost(c, m);
  if (m.kind == ModuleCost::Kind::pe) m.shared_mac_array = c.get<std::string>("mac_arrays") == "shared";
  return m;
}

namespace {

void read_process(Params& c, SystemCostSpec& s) {
  s.process = c.get<std::string>("process");
  s.wafer_usd = read_cost_figure(c, "wafer_usd");
  s.wafer_diameter_mm = c.get<double>("wafer_diameter_mm");
  s.edge_exclusion_mm = c.get<double>("edge_exclusion_mm");
  s.scribe_mm = c.get<double>("scribe_mm");
  s.defect_density_per_cm2 = read_cost_figure(c, "defect_density_per_cm2");
  const std::string model = c.get<std::string>("yield_model");
  s.yield_model = model == "poisson"  ? YieldModel::poisson
                  : model == "murphy" ? YieldModel::murphy
                                      : YieldModel::negative_binomial;
  if (s.yield_model == YieldModel::negative_binomial) s.clustering_alpha = c.get<double>("clustering_alpha");
}

void read_areas(Params& c, SystemCostSpec& s) {
  Params macs = c.child("mac_um2");
  s.mac_um2_path = macs.path();
  for (const std::string& key : macs.keys()) {
    auto ends_with = [&](const std::string& end) {
      return key.size() > end.size() && key.compare(key.size() - end.size(), end.size(), end) == 0;
    };
    if (ends_with("_low") || ends_with("_high")) continue;  // a range, read with its figure
    Precision prec;
    if (!parse_precision(key, prec))
      macs.fail(key, "unknown precision (known: fp32, fp16, bf16, fp8, int8, int4)");
    s.mac_um2[key] = read_cost_figure(macs, key);
  }
  s.dequant_um2_per_lane = read_cost_figure(c, "dequant_um2_per_lane");
  s.lut_um2_per_lookup = read_cost_figure(c, "lut_um2_per_lookup");
  s.vector_um2_per_lane = read_cost_figure(c, "vector_um2_per_lane");
  s.sram_mm2_per_mib = read_cost_figure(c, "sram_mm2_per_mib");
  s.uncore_fraction = read_cost_figure(c, "uncore_fraction");
  if (s.uncore_fraction.high >= 0.95) c.fail("uncore_fraction", "must stay below 0.95 (of the whole die)");
  s.die_area_mm2 = c.get<double>("die_area_mm2");
}

}  // namespace

SystemCostSpec read_system_cost(Params& root) {
  SystemCostSpec s;
  if (!root.has("cost")) return s;
  Params c =
      root.required_child("cost", "the logic process and package the system is priced by (configs/cost/)");
  c.bind(cost_schema());
  s.present = true;
  s.origin = c.location_of("process").str();
  read_process(c, s);
  read_areas(c, s);
  s.package_usd = read_cost_figure(c, "package_usd");
  return s;
}

}  // namespace llmx
