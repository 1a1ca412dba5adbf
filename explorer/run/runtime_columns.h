// Where decode time went, as summary columns next to DRAM and compute: the runtime's shares of the decode
// steps' time (per-step host work, kernel launches, kernels held to their minimum duration), the shares of
// memory-bound and compute-bound ops, and the kernels launched per decode step. The parts are disjoint
// (a kernel's ops run between its launch and its minimum end), so the shares add up to at most 1; the rest
// is host-link transfers. Left out: per-layer or per-kind runtime shares (layers.csv, op_kinds.csv).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "explorer/run/decode_driver.h"

namespace llmx {

// The columns for a run whose decode steps took `decode_s` seconds.
std::vector<std::pair<std::string, double>> runtime_columns(const DecodeDriver& driver, double decode_s);

}  // namespace llmx
