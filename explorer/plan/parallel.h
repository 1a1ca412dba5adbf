// How several devices share a model (the plan stage's parallelism; plain C++, no SystemC).
//
//   parallelism:            # in a system config; absent = one device (1 x 1)
//     tensor: 4             # devices per pipeline stage, splitting every layer (Megatron-LM)
//     pipeline: 1           # stages of consecutive layers
//     micro_batches: 1      # parts of the batch that follow each other through the stages
//
// Tensor parallel, as Megatron-LM splits a transformer block: the Q, K, V, gate and up projections by their
// output columns (heads, FFN columns), O and down by their reduction rows, so that every op between a column
// and a row split (attention, the KV cache, the FFN activation) works on 1/T of the heads or columns with no
// communication, and each row-split projection ends with partial sums of the whole output, summed across the
// group by an all-reduce: two per layer. The embedding is split by vocabulary rows (an all-reduce after the
// lookup), the lm_head by vocabulary columns (an all-gather of the logits). Norms and residual adds run whole
// on every device. Biases are split with their weights.
//
// Pipeline parallel: layers split into consecutive stages (the first also runs what comes before the first
// layer, the last what comes after the last), each stage's output activation sent to the next stage's
// devices; a step's batch is cut into micro-batches, each stage running them in turn, so stages work on
// different micro-batches at once. Every micro-batch reads its stage's weights again (decode streams them).
// Steps do not overlap: each fills and drains the pipeline. Leaves out: interleaved (virtual) stages, expert
// parallelism, sequence parallelism, KV heads replicated when the group outnumbers them (refused instead).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/plan/plan.h"
#include "models/core/params.h"

namespace llmx {

// Reads `parallelism:` from a system config's root when it is there (1 x 1 otherwise, recording nothing).
ParallelConfig read_parallelism(Params& root);

// How a tensor-parallel group splits each op of a step (in the order of `ops`), and whether a collective
// follows it: an all-reduce after a row split and the embedding, an all-gather after the lm_head.
std::vector<TensorSplit> tensor_splits(const std::vector<trace::Op>& ops);
bool needs_all_reduce(const trace::Op& op, TensorSplit split);
bool needs_all_gather(const trace::Op& op, TensorSplit split);

// The pipeline stage of each op of a step: its layer's stage; ops outside blocks go with the first stage
// before the first layer, with the last stage after it.
std::vector<uint32_t> pipeline_stages(const std::vector<trace::Op>& ops, uint32_t layers, uint32_t stages);

// What device `rank` of its group computes of `op` planned as `placed`: the op's micro-batch part, then its
// tensor-parallel part. The op itself when the plan is 1 x 1 with one micro-batch.
trace::Op device_op(const ParallelConfig& parallel, uint32_t batch, const trace::Op& op,
                    const PlannedOp& placed, uint32_t rank);

// Checks that `workload` can be split as `parallel` asks (heads and KV heads divisible by the tensor
// degree, at least one layer per stage, at most one micro-batch per sequence); throws llmx::Error naming
// `where`.
void check_parallelism(const Workload& workload, const ParallelConfig& parallel, const std::string& where);

}  // namespace llmx
