// Mixture-of-experts arithmetic shared by the generator, the quantizer and the workload stage: how many
// distinct experts a step's tokens reach, and the weight bytes an expert projection then reads.
//
// Routing is taken as uniform: each token picks `experts_per_token` (k) distinct experts of E, every expert
// with the same probability k/E, independently of the other tokens. A step of T tokens then reaches, in
// expectation, E * (1 - (1 - k/E)^T) distinct experts (an expert is missed by one token with probability
// 1 - k/E, by all T with its T-th power). Only the marginal probability k/E enters, so the expectation also
// holds for group-limited routing that treats experts symmetrically. Leaves out: skewed routing (popular
// experts), which reads fewer distinct experts at the same T; a trace with `moe_routing recorded` carries
// what the engine read instead.
#pragma once

#include <cstdint>

#include "explorer/trace/trace.h"

namespace llmx::trace {

// Expected distinct experts reached by `tokens` tokens, each routed to k of E experts uniformly.
double expected_experts(uint32_t experts, uint32_t experts_per_token, uint64_t tokens);

// Stored bytes an expert projection over `tokens` tokens reads from the expert tensor `weight` (shape in,
// out, experts): the expected distinct experts' slices, rounded to the byte.
uint64_t expert_read_bytes(const WeightInfo& weight, uint32_t experts_per_token, uint64_t tokens);

// Tokens behind an expert projection's rows (token-expert pairs: rows = tokens * k).
uint64_t expert_op_tokens(const Op& op, uint32_t experts_per_token);

}  // namespace llmx::trace
