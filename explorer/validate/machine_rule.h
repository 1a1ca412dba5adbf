// The one rule that turns a machine's public specifications into a validation system config
// (docs/VALIDATION.md). Every validation system under configs/validation/ is this rule applied to one row of
// validation/machines.csv; `explorer validate systems --write` regenerates them and a test checks that the
// shipped files are exactly the rule's output, so no system can be tuned by hand.
//
// What the rule maps (each figure's source is in the machine's row):
//   GPU cores x FP32 lanes x clock  -> one PE holding every core (MAC, dequantizer and vector rates), whose
//                                      DMA streams each matrix in address order, as the cores sweep it
//   memory standard, data rate, bus -> DRAM channels of the standard's preset (bus / channel width), the
//                                      vendor's data rate, per-bank refresh where the standard has it
//   memory size                     -> the preset's rows scaled so the channels hold it (denser dies or
//                                      clamshell pairs; the preset's timings are kept)
//   memory latency (cited)          -> the interconnect's hop latency (latency less the DRAM's own), and the
//                                      tiles in flight: 2 + those covering a channel's bandwidth x latency
//   resident threads per core       -> the PE's bytes in flight: cores x threads x one 16-byte load
//   host link or unified memory     -> a host link preset, or none
// Left out: the runtime (per measured row, configs/runtime/), energy (not validated: tokens/s only; the
// PE energies are those of configs/compute/pe-gpu-cluster.yaml).
#pragma once

#include <string>
#include <vector>

namespace llmx {

struct MachineSpec {
  std::string name;           // file stem under configs/validation/
  std::string machine_class;  // apple | gpu: the group the validation summary reports
  std::string description;
  double cores = 0;              // GPU cores (Apple) or SMs (NVIDIA)
  double clock_mhz = 0;          // GPU clock
  double lanes_per_core = 0;     // FP32 FMA lanes per core
  std::string memory;            // preset stem under configs/memory/, e.g. lpddr5-6400
  double data_rate_mtps = 0;     // the vendor's per-pin data rate
  double bus_bits = 0;           // memory interface width
  double memory_gib = 0;         // memory as sold, GiB (the vendors' "GB" of GPU and unified memory)
  double memory_latency_ns = 0;  // load-to-use latency of a DRAM access seen by a core
  double threads_per_core = 0;   // most threads resident on one core (SM), each with a load in flight
  std::string host;              // host-link preset stem under configs/host/, or "none" (unified memory)
  std::string sources;           // where every figure of the row comes from
};

// Reads validation/machines.csv (file:line errors).
std::vector<MachineSpec> read_machines(const std::string& path);

// The system config text of one machine (paths relative to configs/validation/); `root` is the repository,
// where the machine's memory preset is read.
std::string system_config_text(const MachineSpec& m, const std::string& root);

// Regenerates (write = true) or checks (write = false) configs/validation/<name>.yaml for every machine under
// `root` (the repository); returns the files that differ (check) or were written.
std::vector<std::string> sync_validation_systems(const std::string& root, bool write);

}  // namespace llmx
