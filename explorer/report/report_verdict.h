// The LPDDR-vs-HBM sections of a sweep's report, present when its points hold both kinds of system (by the
// system's name): the claim as stated (LPDDR with its best compressed format against HBM with FP16 weights),
// the like-for-like table (the same model, weight format and batch on both memories), and the verdict on each
// basis (same format: throughput; iso-power: tokens per joule = tokens/s per watt; iso-cost: tokens/s per
// dollar), each case with the parameter that would flip it: the LPDDR bandwidth that would match HBM's
// throughput (memory-bound cases), the DRAM price per GiB that would tie tokens/s per dollar, the LPDDR DRAM
// energy that would tie tokens per joule. Cases where a model does not fit and weights stream over the host
// link are shown apart: they measure capacity, not the memories.
#pragma once

#include <string>
#include <vector>

#include "explorer/report/report_data.h"

namespace llmx::report {

std::string claim_section(const std::vector<Point>& points);
std::string like_for_like_section(const std::vector<Point>& points);

}  // namespace llmx::report
