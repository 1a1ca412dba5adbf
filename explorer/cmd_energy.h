// `explorer energy drampower <memory.yaml> --out <dir> [--pattern sequential|random] [--accesses N]
//  [--write-share F] [--seed N] [--set key=value ...]`: writes the inputs of a side-by-side check against
// DRAMPower v5.1 for one channel of a DRAM preset (explorer/energy/drampower_export.h): memspec.json,
// commands.csv (DRAMPower's command-line tool reads both) and explorer.csv (the explorer's energy by kind
// for the same commands). scripts/drampower_compare.py prints the table.
#pragma once

namespace llmx {

class CommandLine;
void add_energy_commands(CommandLine& cli);

}  // namespace llmx
