// A recorded step re-derived at another shape: the ops of one prefill or decode step, captured for B
// sequences of n tokens each at context L, recomputed for B' sequences of n' tokens at context L'. Weights do
// not scale (a matrix is read once per step whatever the batch); what a step computes per token does: token
// rows, activation bytes, FLOPs, KV appends; attention grows with the keys a step attends over (the context,
// bounded by a sliding window); the embedding reads one table row per token; an expert projection reads the
// experts its tokens reach (moe.h, uniform routing).
//
// Every figure is scaled from the op's own recorded one by the ratio of the quantities it is proportional to
// (traces/FORMAT.md, "Counting rules"), so an engine's own counting conventions carry over exactly:
//   rows m             token rows (a multiple of the step's B*n tokens) scale with B'*n'; rows per sequence
//                      (the B rows after llama.cpp's last-token selection, and every row of a decode step)
//                      with B'
//   attention          score (n), value (k), fused attention (n) and softmax (n) span the attended keys S:
//                      S = L, or min(L, W + n - 1) with a window of W; KV reads scale with B'*S'/(B*S)
//   prompt-step ops    of kind elementwise or other whose n equals the step's context span the context when
//                      their rows are token rows (the causal mask: n -> L'), the step's tokens when they are
//                      rows per sequence (position ids: n -> n')
//   everything else    activation bytes, FLOPs and KV bytes scale with the rows
// Leaves out: a prompt step whose prompt length equals a model dimension with ops of the last rule (they
// cannot be told apart: refused), a decode step re-derived as a prompt step (rows per token and per
// sequence coincide in decode: refused).
#pragma once

#include <cstdint>
#include <vector>

#include "explorer/trace/trace.h"

namespace llmx::trace {

struct StepShape {
  uint64_t batch = 1;    // sequences
  uint64_t tokens = 1;   // tokens per sequence the step processes (the prompt, or 1 for decode)
  uint64_t context = 0;  // tokens in each sequence's KV cache after the step
};

// Re-derives the ops of one recorded step (`ops`, all of one step and phase) recorded at `from` for a step at
// `to`, numbered `step`. `header` and `weights` are the trace's (the window, the MoE numbers, the embedding
// rows and expert tensors). Throws llmx::Error when an op's rows fit neither rule or the step cannot be
// re-derived unambiguously.
std::vector<Op> reshape_step(const std::vector<Op>& ops, const StepShape& from, const StepShape& to,
                             uint32_t step, const Header& header, const std::vector<WeightInfo>& weights);

// Keys a step of `tokens` tokens per sequence attends over at context `context` with a window of `window`
// tokens (0 = none).
uint64_t attended_keys(uint64_t context, uint64_t tokens, uint64_t window);

}  // namespace llmx::trace
