// What a system costs to build, from its parts and the cost inputs of cost_spec.h.
//
// Modelled: the memory (bits at a price per GiB, and per package or stack its base die and stacking), the
// logic die (its blocks' area: MAC arrays by precision, dequantizer, LUT-GEMM and vector lanes, SRAM per MiB,
// the PHYs the memory channels and host link add, and the uncore share; dies per 300 mm wafer by de Vries'
// formula with edge exclusion and scribe; die yield by a Poisson, Murphy or negative-binomial model of the
// defect density; die cost = wafer price / good dies), the package (substrate, assembly, test) and, for
// memory on a silicon interposer, the interposer (stacks and logic die on it) and the bonding of each stack.
// Each item is priced at the nominal figures and at the ends of their ranges. Left out: non-recurring
// engineering (masks, design, IP licences), the board, power delivery and cooling, harvesting of partly
// defective dies, volume discounts, and margins beyond the prices the inputs quote.
#pragma once

#include <string>
#include <vector>

#include "explorer/cost/cost_spec.h"
#include "explorer/run/csv.h"

namespace llmx {

class System;

enum class CostCategory { memory, compute, sram, packaging, host_link, count };
const char* cost_category_name(CostCategory c);

struct CostItem {
  std::string component;  // instance name ("dram", "pe"), or "die" / "package" / "interposer"
  std::string item;       // what is priced ("memory bits", "MAC arrays", ...)
  CostCategory category;
  double quantity = 0;  // at nominal figures
  std::string unit;
  double usd[3] = {0, 0, 0};  // by CostCorner: nominal, low, high
};

struct SystemCost {
  bool priced = false;
  std::string process;
  double die_area_mm2 = 0, dies_per_wafer = 0, die_yield = 0;  // nominal
  std::vector<CostItem> items;
  double total(CostCorner c) const;
  double category_total(CostCategory cat, CostCorner c) const;
};

// Whole dies of `area_mm2` on a wafer (de Vries: pi d^2 / 4S - pi d / sqrt(2S) on the usable diameter d,
// S the die's site with its scribe line), and the share of them without a killer defect.
double dies_per_wafer(double area_mm2, double wafer_diameter_mm, double edge_exclusion_mm, double scribe_mm);
double die_yield(YieldModel model, double area_mm2, double defect_density_per_cm2, double clustering_alpha);

// Prices `sys` by `spec` and the modules' cost maps; an unpriced SystemCost when spec is absent. Throws
// llmx::Error naming the module when a priced system has a PE or memory module without a cost map.
SystemCost price_system(const SystemCostSpec& spec, const System& sys);

// The cost columns of summary.csv (cost_usd, its range and breakdown, tokens_per_s_per_usd, tokens_per_j) and
// a row's cells for them; an unpriced system leaves its cost cells empty.
std::vector<std::string> cost_summary_columns();
std::vector<std::string> with_cost_columns(std::vector<std::string> columns);  // `columns` + the cost columns
void add_cost_summary_cells(CsvTable::Row& row, const SystemCost& cost, double tokens_per_s,
                            double j_per_token);
// cost.csv: one row per priced item, with the nominal cost and its range.
std::string cost_csv(const SystemCost& cost);

}  // namespace llmx
