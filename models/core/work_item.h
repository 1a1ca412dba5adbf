// The command protocol: the decode driver hands each processing element its share of one op as a TLM
// generic payload carrying a WorkItem extension (command TLM_WRITE_COMMAND, data_length 0). Temporal
// decoupling: the PE issues no load later than `horizon` (local time) per call and keeps its progress in the
// item; the driver calls every PE in turn, moving the horizon on by a quantum, until all are `done`, so no PE
// runs more than a quantum ahead of the others when they share memory. When done, the annotated delay is the
// time the share completed, and the item says how long memory and compute took.
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
  sc_core::sc_time horizon = sc_core::sc_max_time();  // issue no load at or after this local time per call
  // KV cache placement: the bytes of the whole KV cache this PE holds (its share), and whether it may keep
  // them in its on-chip buffer (kv_on_chip_allowed) when they fit next to its weight tiles.
  uint64_t kv_share_bytes = 0;
  bool kv_on_chip_allowed = false;
  // output: where this item's KV traffic went
  bool kv_on_chip = false;
  // outputs, filled by the PE
  bool done = false;
  sc_core::sc_time memory_time;   // first load issued -> last load data arrived
  sc_core::sc_time compute_time;  // time the datapath was computing
  uint64_t device_bytes_read = 0;
  uint64_t device_bytes_written = 0;

  // The PE's progress through the item between calls (its own bookkeeping).
  struct Progress {
    bool started = false;
    sc_core::sc_time start, ready, compute_total, compute_done, last_arrival;
    uint64_t streamed_bytes = 0;
    size_t stream = 0;  // index into loads of the stream being tiled
    uint64_t offset = 0;
    std::vector<sc_core::sc_time> slot_free;  // compute-done times of the tiles in the buffer slots (FIFO)
    size_t slot_head = 0;
  } progress;

  tlm::tlm_extension_base* clone() const override { return new WorkItem(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const WorkItem&>(other);
  }
};

}  // namespace llmx
