// Mixture-of-experts arithmetic; see moe.h.
#include "explorer/trace/moe.h"

#include <cmath>

#include "models/core/error.h"

namespace llmx::trace {

double expected_experts(uint32_t experts, uint32_t k, uint64_t tokens) {
  if (experts == 0 || k == 0 || tokens == 0) return 0.0;
  const double e = experts;
  const double miss = 1.0 - static_cast<double>(k) / e;
  return e * (1.0 - std::pow(miss, static_cast<double>(tokens)));
}

uint64_t expert_read_bytes(const WeightInfo& w, uint32_t k, uint64_t tokens) {
  if (w.shape.size() != 3 || w.shape[2] == 0)
    throw Error(cat("weight ", w.name, " is not a tensor of experts (shape in,out,experts)"));
  const uint64_t experts = w.shape[2];
  const double per_expert = static_cast<double>(w.bytes) / static_cast<double>(experts);
  const double distinct = expected_experts(static_cast<uint32_t>(experts), k, tokens);
  return static_cast<uint64_t>(std::llround(distinct * per_expert));
}

uint64_t expert_op_tokens(const Op& op, uint32_t k) {
  if (k == 0 || op.m % k != 0)
    throw Error(cat("expert op rows (m = ", op.m, ") are not a multiple of experts_per_token (", k, ")"));
  return op.m / k;
}

}  // namespace llmx::trace
