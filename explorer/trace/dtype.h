// Storage formats of weights, KV cache and activations, and the stored-bytes formulas of traces/FORMAT.md
// ("Dtypes and stored bytes"): GGUF block types, plain floats, group-quantised integers (INT<b>_G<g>,
// INT<b>S_G<g>) and binary-coding quantisation (BCQ<q>_G<g>, LUT-GEMM). Only sizes: no (de)quantisation of
// values, which a trace never holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmx::trace {

// A row of K elements is stored as ceil(K / block_elems) blocks of block_bytes each.
struct BlockLayout {
  uint64_t block_elems = 1;
  uint64_t block_bytes = 0;
  bool gguf = false;  // GGUF block types need K to be a multiple of the block
};

// Layout of a weight or KV dtype name; false for an unknown name.
bool dtype_layout(const std::string& dtype, BlockLayout& out);
// Same, throwing llmx::Error "unknown dtype X" for an unknown name.
BlockLayout dtype_layout(const std::string& dtype);
// "B/E" as written in the header's per-class lines, e.g. "18/32" for Q4_0.
std::string dtype_block_text(const std::string& dtype);

// Stored bytes of one row of k elements; throws llmx::Error when a GGUF row is not a multiple of its block.
uint64_t row_bytes(const std::string& dtype, uint64_t k);
// Stored bytes of a tensor, shape innermost first (shape[0] is the row).
uint64_t stored_bytes(const std::string& dtype, const std::vector<uint64_t>& shape);

// Activation element sizes in bits: F32 32, F16/BF16 16, FP8/INT8 8, INT4 4; false for an unknown name.
bool act_bits(const std::string& dtype, uint32_t& bits);
uint32_t act_bits(const std::string& dtype);  // throws llmx::Error for an unknown name
// Bytes of `elems` activation elements: ceil(elems * bits / 8).
uint64_t act_bytes(const std::string& dtype, uint64_t elems);

// Builds INT<b>_G<g> (asymmetric: FP16 scale and zero), INT<b>S_G<g> (symmetric) and BCQ<q>_G<g> names.
std::string int_dtype(uint32_t bits, uint64_t group, bool symmetric);
std::string bcq_dtype(uint32_t bits, uint64_t group);
// True for the GGUF block types (Q8_0, Q4_0, Q4_K, ...).
bool is_gguf_quant(const std::string& dtype);

}  // namespace llmx::trace
