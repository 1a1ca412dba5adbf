// Quantization and run-shape changes as a transform on a trace: weight formats (plain floats, GGUF Q8_0/Q4_0/
// Q4_K/..., group-quantised INT8..INT2 with FP16 scale (and zero), binary-coding BCQ for LUT-GEMM), KV-cache
// and activation precision, batch size, and the number of decode steps (context growth). Stored bytes follow
// from traces/FORMAT.md's formulas; every figure that depends on a changed quantity is re-derived per op.
// Leaves out: accuracy (a trace holds no values), and changing the prompt length of an existing trace (use
// the generator for that).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/trace/trace.h"

namespace llmx::trace {

// Which dtype a weight gets under a target format. Matrices (attention and FFN projections) take `format`.
// Norm scales/shifts and biases keep their source dtype. The embedding and output (lm_head) matrices follow
// `embeddings`:
//   "auto"  : GGUF formats as llama-quantize assigns them (token_embd takes the format; output.weight, or
//             token_embd when it doubles as the output (tied), takes Q6_K when the format is below 8 bits,
//             else the format); other formats keep the source dtype
//   "keep"  : keep the source dtype
//   "same"  : take the format too (llama-quantize --pure)
// An empty format keeps every weight as it is.
std::string target_dtype(const WeightInfo& weight, const std::string& format, const std::string& embeddings,
                         bool tied_embeddings = false);

// Parses a user's weight-format name: a dtype name (F16, Q4_0, INT4_G128, BCQ3_G128, ...) or INT<b> / INT<b>S
// / BCQ<q> with `group` (0 = 128) added. Throws llmx::Error for a name no formula covers.
std::string weight_format_name(const std::string& name, uint64_t group);

struct TransformSpec {
  std::string weights;              // target weight format, "" = keep
  std::string embeddings = "auto";  // see target_dtype
  std::string kv_dtype;             // "" = keep
  std::string act_dtype;            // "" = keep
  uint32_t batch = 0;               // 0 = keep
  int64_t decode_steps = -1;        // -1 = keep; fewer drops steps, more repeats the last step's ops with
                                    // the context growing by one token per step
};

// The transformed trace. Adds the header key "transform" describing what was changed (appended to any
// earlier one). Throws llmx::Error when the trace cannot take the change (a GGUF format whose block does not
// divide a row, rows not divisible by the batch).
Trace transform_trace(const Trace& in, const TransformSpec& spec);

// Stored bytes of one token's K (or V) row for one layer: kv_heads*head_dim elements in the header's KV
// dtype.
uint64_t kv_row_bytes(const Header& header);
// Lays out weight offsets in table order, each aligned to `align` bytes (GGUF uses 32).
void assign_offsets(std::vector<WeightInfo>& weights, uint64_t align = 32);

}  // namespace llmx::trace
