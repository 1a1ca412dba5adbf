// The results a system listing `devices:` adds to a run (explorer/run/run.cpp calls add_multidevice_results):
//   summary.csv        columns devices, tensor_parallel, pipeline_parallel, micro_batches,
//   collectives_per_step,
//                      collective_time_s and collective_share (decode steps: the time collectives ran, and
//                      its share of decode time; pipeline sends overlap other stages' work), link_bytes
//                      (decode: bytes over every hop), link_energy_j (the links' energy, static included,
//                      whole run), max_device_memory_used_bytes
//   devices.csv        one row per device: stage and rank, PEs, capacity and memory used, KV cache and
//                      offloaded weights, bytes it demanded of its memory and the bytes its DRAM served,
//                      energy of its components (typical and maximum)
//   links.csv          one row per link direction: bytes, transfers, busy time and utilization, peak and
//                      achieved bandwidth, energy of the bytes moved
//   collectives.csv    per phase, layer and kind: count, message bytes, the most bytes one device sent, bytes
//                      over all hops, time and energy
// A config with `modules:` at the top writes none of them (its results stay as they were).
#pragma once

#include <vector>

#include <systemc>

#include "explorer/elab/elaborator.h"
#include "explorer/run/results_dir.h"

namespace llmx {

// The devices' layouts added up: memory used (end) and offloaded weights over every device.
MemoryLayout total_memory(const Plan& plan);

void add_multidevice_results(const System& sys, const sc_core::sc_time& end, double decode_s,
                             std::vector<OutputFile>& files);

}  // namespace llmx
