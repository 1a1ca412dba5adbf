// The command protocol: the decode driver hands each processing element its share of one op as a TLM
// generic payload carrying a WorkItem extension (command TLM_WRITE_COMMAND, data_length 0). The PE returns in
// the annotated delay the time its share completes, and fills in how long memory and compute took.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>

namespace llmx {

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
