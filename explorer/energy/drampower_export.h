// Side-by-side check of the DRAM energy model against DRAMPower v5.1 (tukl-msd/DRAMPower with DRAMUtils
// v1.0): one channel of a preset runs a synthetic access stream on the command-level controller, and the
// run is written three ways: a DRAMPower memspec with the same currents (at the preset's supplies and data
// rate) and interface parameters, the command trace with random data for DRAMPower's command-line tool,
// and the explorer's own energy by kind for the same commands (the bound the currents are given as).
// scripts/drampower_compare.py sets DRAMPower's result beside the explorer's (docs/ENERGY.md).
//
// Mappings, each forced by how DRAMPower v5.1 counts (its source file named beside each in the .cpp):
//  - the export clock is the data clock (2 bits per pin per cycle): DRAMPower's LPDDR5 takes the DQ bit time
//    as tCK / dataRate but a burst as BL / dataRate x tWCK, which agree only when tCK is the WCK period;
//  - command/address and clock lines get no capacitance and an open-circuit resistance (the explorer leaves
//    them out);
//  - DRAMPower counts one strobe pair (DQS, or LPDDR5's WCK) per channel, the explorer strobe_lines_per_byte
//    per byte lane: the pair is given the lumped resistance and capacitance of all the lines;
//  - DRAMPower charges C V^2 / 2 per rising edge, the explorer C VDDQ V_swing: the lines get the
//    capacitance that charges the same (2 C V_swing / VDDQ).
// Supported: LPDDR4/4X, LPDDR5/5X and DDR5 presets with energy.model idd (DRAMPower v5.1's standards).
#pragma once

#include <cstdint>
#include <string>

#include "models/memory/dram/dram_spec.h"

namespace llmx {

struct DrampowerExportRequest {
  std::string pattern = "sequential";  // sequential | random
  uint64_t accesses = 100000;          // one burst each
  double write_share = 0.25;           // share of accesses that write
  uint64_t seed = 1;                   // access stream and data
};

struct DrampowerExportResult {
  uint64_t commands = 0;
  double elapsed_ns = 0;
};

// Writes memspec.json, commands.csv and explorer.csv into `dir` (which must exist). Throws llmx::Error
// for a preset DRAMPower v5.1 cannot model.
DrampowerExportResult export_drampower(const dram::DramSpec& spec, const DrampowerExportRequest& req,
                                       const std::string& dir);

}  // namespace llmx
