// Pricing a system; see cost_model.h.
#include "explorer/cost/cost_model.h"

#include <algorithm>
#include <cmath>

#include "explorer/elab/elaborator.h"
#include "models/compute/processing_element.h"
#include "models/core/error.h"
#include "models/core/work_share.h"

namespace llmx {

const char* cost_category_name(CostCategory c) {
  switch (c) {
    case CostCategory::memory:
      return "memory";
    case CostCategory::compute:
      return "compute";
    case CostCategory::sram:
      return "sram";
    case CostCategory::packaging:
      return "packaging";
    case CostCategory::host_link:
      return "host_link";
    default:
      return "?";
  }
}

double SystemCost::total(CostCorner c) const {
  double sum = 0;
  for (const auto& i : items) sum += i.usd[static_cast<int>(c)];
  return sum;
}

double SystemCost::category_total(CostCategory cat, CostCorner c) const {
  double sum = 0;
  for (const auto& i : items)
    if (i.category == cat) sum += i.usd[static_cast<int>(c)];
  return sum;
}

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0, kMiB = 1024.0 * 1024.0;

// One line of the bill at one corner.
struct Line {
  std::string component, item;
  CostCategory category;
  double quantity;
  std::string unit;
  double usd;
};

// A block of the logic die.
struct Block {
  std::string component, item;
  CostCategory category;
  double mm2;
};

// Good dies per wafer: de Vries' dies-per-wafer formula on the usable diameter, times the die yield.
struct DieEconomics {
  double dies_per_wafer = 0, yield = 0;
};

DieEconomics die_economics(const SystemCostSpec& s, double area_mm2, CostCorner c) {
  DieEconomics e;
  e.dies_per_wafer = dies_per_wafer(area_mm2, s.wafer_diameter_mm, s.edge_exclusion_mm, s.scribe_mm);
  if (e.dies_per_wafer < 1)
    throw Error(cat(s.origin, ": cost: a die of ", area_mm2, " mm^2 does not fit a ", s.wafer_diameter_mm,
                    " mm wafer"));
  e.yield = die_yield(s.yield_model, area_mm2, s.defect_density_per_cm2.at(c), s.clustering_alpha);
  return e;
}

[[noreturn]] void unpriced_module(const Instance& inst) {
  throw Error(cat(inst.where.str(), ": ", inst.path,
                  ": the system is priced (it has a top-level cost: map), but this ", inst.type,
                  " module has no cost: map (see configs/cost/)"));
}

double mac_area_um2(const SystemCostSpec& s, const ProcessingElement::Inventory& inv, bool shared,
                    CostCorner c) {
  double largest = 0, sum = 0;
  for (int p = 0; p < static_cast<int>(Precision::count); ++p) {
    if (inv.macs_per_cycle[p] <= 0) continue;
    const std::string name = precision_name(Precision(p));
    auto it = s.mac_um2.find(name);
    if (it == s.mac_um2.end())
      throw Error(cat(s.origin, ": ", s.mac_um2_path, ": no area for ", name, " MACs, which a PE has"));
    const double a = inv.macs_per_cycle[p] * it->second.at(c);
    largest = std::max(largest, a), sum += a;
  }
  return shared ? largest : sum;
}

void pe_blocks(const SystemCostSpec& s, const Instance& inst, CostCorner c, std::vector<Block>& blocks) {
  const auto* pe = dynamic_cast<const ProcessingElement*>(inst.elements[0]);
  if (!pe) return;
  const ProcessingElement::Inventory inv = pe->inventory();
  const double n = static_cast<double>(inst.elements.size());
  const std::pair<const char*, double> parts[] = {
      {"MAC arrays", mac_area_um2(s, inv, inst.cost.shared_mac_array, c)},
      {"weight dequantizer", inv.dequant_per_cycle * s.dequant_um2_per_lane.at(c)},
      {"LUT-GEMM unit", inv.lut_lookups_per_cycle * s.lut_um2_per_lookup.at(c)},
      {"vector unit", inv.vector_ops_per_cycle * s.vector_um2_per_lane.at(c)}};
  for (const auto& [item, um2] : parts)
    if (um2 > 0) blocks.push_back({inst.name, item, CostCategory::compute, n * um2 * 1e-6});
}

CostCategory category_of(const Instance& inst) {
  if (inst.cost.kind == ModuleCost::Kind::memory) return CostCategory::memory;
  if (inst.type == "host_link") return CostCategory::host_link;
  return CostCategory::compute;
}

std::vector<Block> die_blocks(const SystemCostSpec& s, const System& sys, CostCorner c) {
  std::vector<Block> blocks;
  for (const std::string& name : sys.instance_order) {
    const Instance& inst = sys.instances.at(name);
    if (name == "driver") continue;
    const bool needs_cost = inst.type == "pe" || inst.type == "dram" || inst.type == "ideal_memory";
    if (needs_cost && !inst.cost.present) unpriced_module(inst);
    const double n = static_cast<double>(inst.elements.size());
    if (inst.type == "pe") pe_blocks(s, inst, c, blocks);
    auto* mem = dynamic_cast<const MemoryDevice*>(inst.elements[0]);
    if (mem && !mem->is_dram())
      blocks.push_back({name, "SRAM", CostCategory::sram,
                        n * static_cast<double>(mem->capacity_bytes()) / kMiB * s.sram_mm2_per_mib.at(c)});
    if (inst.cost.die_mm2.at(c) > 0)
      blocks.push_back({name,
                        inst.cost.kind == ModuleCost::Kind::memory ? "PHY and controller" : "on-die area",
                        category_of(inst), n * inst.cost.die_mm2.at(c)});
  }
  return blocks;
}

// The logic die's blocks, its uncore, and their share of the die's cost.
double die_lines(const SystemCostSpec& s, const System& sys, CostCorner c, std::vector<Line>& lines,
                 SystemCost& out) {
  const std::vector<Block> blocks = die_blocks(s, sys, c);
  double blocks_mm2 = 0;
  for (const auto& b : blocks) blocks_mm2 += b.mm2;
  const double area = s.die_area_mm2 > 0 ? s.die_area_mm2 : blocks_mm2 / (1 - s.uncore_fraction.at(c));
  if (area < blocks_mm2 * (1 - 1e-12))
    throw Error(cat(s.origin, ": cost.die_area_mm2: ", area,
                    " mm^2 is smaller than the die's modelled blocks (", blocks_mm2, " mm^2)"));
  if (!(area > 0)) throw Error(cat(s.origin, ": cost: the die has no area (no PE, SRAM or PHY is priced)"));
  const DieEconomics e = die_economics(s, area, c);
  const double usd_per_mm2 = s.wafer_usd.at(c) / (e.dies_per_wafer * e.yield) / area;
  for (const auto& b : blocks)
    lines.push_back({b.component, b.item, b.category, b.mm2, "mm2", b.mm2 * usd_per_mm2});
  lines.push_back({"die", "uncore (control/network/clocks/I-O ring)", CostCategory::compute,
                   area - blocks_mm2, "mm2", (area - blocks_mm2) * usd_per_mm2});
  if (c == CostCorner::nominal) {
    out.die_area_mm2 = area;
    out.dies_per_wafer = e.dies_per_wafer;
    out.die_yield = e.yield;
  }
  return area;
}

void memory_lines(const System& sys, double die_mm2, CostCorner c, std::vector<Line>& lines) {
  double interposer_mm2 = 0, interposer_usd_per_mm2 = 0;
  for (const std::string& name : sys.instance_order) {
    const Instance& inst = sys.instances.at(name);
    const ModuleCost& m = inst.cost;
    const double n = static_cast<double>(inst.elements.size());
    if (m.usd.at(c) > 0) lines.push_back({name, "parts", category_of(inst), n, "element", n * m.usd.at(c)});
    if (m.kind != ModuleCost::Kind::memory || !m.present) continue;
    double gib = 0;
    for (const Component* e : inst.elements)
      if (auto* mem = dynamic_cast<const MemoryDevice*>(e))
        gib += static_cast<double>(mem->capacity_bytes()) / kGiB;
    lines.push_back({name, "memory bits", CostCategory::memory, gib, "GiB", gib * m.usd_per_gib.at(c)});
    const double packages = std::ceil(n / m.channels_per_package - 1e-9);
    if (m.base_die_usd_per_package.at(c) > 0)
      lines.push_back({name, "base dies", CostCategory::memory, packages, "package",
                       packages * m.base_die_usd_per_package.at(c)});
    if (m.stacking_usd_per_package.at(c) > 0)
      lines.push_back({name, "TSV stacking and stack test", CostCategory::memory, packages, "package",
                       packages * m.stacking_usd_per_package.at(c)});
    if (m.interposer_mm2_per_package.at(c) > 0) {
      interposer_mm2 += packages * m.interposer_mm2_per_package.at(c);
      interposer_usd_per_mm2 = std::max(interposer_usd_per_mm2, m.interposer_usd_per_mm2.at(c));
      lines.push_back({name, "bonding to the interposer", CostCategory::packaging, packages, "package",
                       packages * m.bonding_usd_per_package.at(c)});
    }
  }
  if (interposer_mm2 > 0) {
    const double area = interposer_mm2 + die_mm2;  // the logic die sits on the interposer too
    lines.push_back({"interposer", "silicon interposer (memory and logic die)", CostCategory::packaging, area,
                     "mm2", area * interposer_usd_per_mm2});
  }
}

std::vector<Line> bill(const SystemCostSpec& s, const System& sys, CostCorner c, SystemCost& out) {
  std::vector<Line> lines;
  const double die_mm2 = die_lines(s, sys, c, lines, out);
  memory_lines(sys, die_mm2, c, lines);
  lines.push_back({"package", "device package (substrate/assembly/test)", CostCategory::packaging, 1,
                   "package", s.package_usd.at(c)});
  return lines;
}

}  // namespace

double dies_per_wafer(double area_mm2, double wafer_diameter_mm, double edge_exclusion_mm, double scribe_mm) {
  const double side = std::sqrt(area_mm2) + scribe_mm;
  const double site = side * side;
  const double d = wafer_diameter_mm - 2 * edge_exclusion_mm;
  return std::max(0.0, std::floor(M_PI * d * d / (4 * site) - M_PI * d / std::sqrt(2 * site)));
}

double die_yield(YieldModel model, double area_mm2, double d0_per_cm2, double alpha) {
  const double ad = area_mm2 / 100.0 * d0_per_cm2;
  if (ad <= 0) return 1.0;
  switch (model) {
    case YieldModel::poisson:
      return std::exp(-ad);
    case YieldModel::murphy: {
      const double f = (1 - std::exp(-ad)) / ad;
      return f * f;
    }
    default:
      return std::pow(1 + ad / alpha, -alpha);
  }
}

SystemCost price_system(const SystemCostSpec& spec, const System& sys) {
  SystemCost out;
  if (!spec.present) return out;
  out.priced = true;
  out.process = spec.process;
  const std::vector<Line> nominal = bill(spec, sys, CostCorner::nominal, out);
  const std::vector<Line> low = bill(spec, sys, CostCorner::low, out);
  const std::vector<Line> high = bill(spec, sys, CostCorner::high, out);
  for (size_t i = 0; i < nominal.size(); ++i) {
    const Line& l = nominal[i];
    CostItem item{l.component, l.item, l.category, l.quantity, l.unit, {l.usd, 0, 0}};
    // The three bills list the same items unless a figure's range crosses zero (an item that vanishes at the
    // low end); match by name.
    for (const auto& [corner, lines] : {std::make_pair(1, &low), std::make_pair(2, &high)})
      for (const Line& o : *lines)
        if (o.component == l.component && o.item == l.item) item.usd[corner] = o.usd;
    out.items.push_back(item);
  }
  return out;
}

std::vector<std::string> cost_summary_columns() {
  std::vector<std::string> cols{"cost_usd", "cost_low_usd", "cost_high_usd"};
  for (int c = 0; c < static_cast<int>(CostCategory::count); ++c)
    cols.push_back(cat("cost_", cost_category_name(CostCategory(c)), "_usd"));
  for (const char* k : {"die_area_mm2", "tokens_per_s_per_usd", "tokens_per_j"}) cols.push_back(k);
  return cols;
}

std::vector<std::string> with_cost_columns(std::vector<std::string> columns) {
  for (std::string& c : cost_summary_columns()) columns.push_back(std::move(c));
  return columns;
}

void add_cost_summary_cells(CsvTable::Row& row, const SystemCost& cost, double tokens_per_s,
                            double j_per_token) {
  if (!cost.priced) {
    for (size_t i = 0; i + 1 < cost_summary_columns().size(); ++i) row.add("");
  } else {
    const double usd = cost.total(CostCorner::nominal);
    row.add(usd).add(cost.total(CostCorner::low)).add(cost.total(CostCorner::high));
    for (int c = 0; c < static_cast<int>(CostCategory::count); ++c)
      row.add(cost.category_total(CostCategory(c), CostCorner::nominal));
    row.add(cost.die_area_mm2).add(usd > 0 ? tokens_per_s / usd : 0.0);
  }
  row.add(j_per_token > 0 ? 1.0 / j_per_token : 0.0);
}

std::string cost_csv(const SystemCost& cost) {
  CsvTable t({"component", "item", "category", "quantity", "unit", "usd", "usd_low", "usd_high"});
  for (const auto& i : cost.items)
    t.row()
        .add(i.component)
        .add(i.item)
        .add(cost_category_name(i.category))
        .add(i.quantity)
        .add(i.unit)
        .add(i.usd[0])
        .add(i.usd[1])
        .add(i.usd[2]);
  return t.text();
}

}  // namespace llmx
