// What one processing element is asked to do for one op: the streams it reads and writes, the work between
// them, and how the weights it multiplies are stored. Plain C++ (no SystemC), so that the plan stage
// (explorer/plan/) builds shares and tests check them without elaborating a design; the command protocol
// carries a share to the PE inside a WorkItem (models/core/work_item.h), which adds the PE's timing state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmx {

// Arithmetic precision of a MAC unit.
enum class Precision { fp32, fp16, bf16, fp8, int8, int4, count };
const char* precision_name(Precision p);
bool parse_precision(const std::string& name, Precision& out);

// How the weights an op multiplies are stored, which decides the work before the MACs:
//   none: the op reads no weight matrix; dense: plain floats (F32/F16/BF16), fed to the MACs as they are;
//   quantized: integer codes with scales (GGUF Q*_K/Q*_0, INT<b>_G<g>), dequantized per weight;
//   binary_coded: BCQ bit-planes (LUT-GEMM), computed by table lookups where the PE has a LUT unit.
enum class WeightCoding { none, dense, quantized, binary_coded };

// What a stream of bytes holds; the PE decides where each kind lives (weights and KV in device memory,
// activations in its on-chip buffer when it has one).
enum class StreamKind { weight, kv, activation };

struct MemoryStream {
  StreamKind kind = StreamKind::weight;
  uint64_t address = 0;  // device-memory address (ignored for activations held on chip)
  uint64_t bytes = 0;
};

struct WorkShare {
  std::vector<MemoryStream> loads;   // read before/while computing (weights, KV cache, activations in)
  std::vector<MemoryStream> stores;  // written after computing (KV append, activations out)
  double matmul_flops = 0;           // multiply-accumulate work (2 FLOPs per MAC)
  double vector_flops = 0;           // element-wise / reduction / special-function work
  // The matrix work in detail (matmul ops only):
  Precision activation_precision = Precision::fp16;  // as the trace stores activations (F32 maps to fp32)
  WeightCoding weight_coding = WeightCoding::none;
  uint32_t code_bits = 0;      // bits per weight of quantized / binary-coded weights (BCQ: bit-planes q)
  double weight_elements = 0;  // weights this share multiplies
  double rows = 0;             // activation rows multiplied by them (batch x tokens)
  double reduction = 0;        // K, the length of each dot product
  // KV cache placement: the bytes of the whole KV cache this PE holds (its share), and whether it may keep
  // them in its on-chip buffer (kv_on_chip_allowed) when they fit next to its weight tiles.
  uint64_t kv_share_bytes = 0;
  bool kv_on_chip_allowed = false;
};

}  // namespace llmx
