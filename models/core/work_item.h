// The command protocol: the decode driver hands each processing element its share of one op as a TLM
// generic payload carrying a WorkItem extension (command TLM_WRITE_COMMAND, data_length 0). The PE returns in
// the annotated delay the time its share completes, and fills in how long memory and compute took.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

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

struct WorkItem : tlm::tlm_extension<WorkItem> {
  // inputs
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
  // outputs, filled by the PE
  sc_core::sc_time memory_time;   // first load issued -> last load data arrived
  sc_core::sc_time compute_time;  // time the datapath was computing
  uint64_t device_bytes_read = 0;
  uint64_t device_bytes_written = 0;

  tlm::tlm_extension_base* clone() const override { return new WorkItem(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const WorkItem&>(other);
  }
};

}  // namespace llmx
