// A processing element (PE): MAC arrays per precision, a weight dequantizer, an optional LUT-GEMM unit and a
// vector/special-function unit, behind a DMA engine.
//
// Modelled: clock; MACs per cycle and energy per MAC for each precision the PE has (`mac_units`); the
// precision an op computes in is the trace's activation precision when the PE has a unit for it (W8A8, FP8),
// else `compute_precision` (weight-only quantization: W4A16 dequantizes to FP16). Quantized weights pass a
// dequantizer (`dequant_weights_per_cycle`, energy per weight) pipelined with the MACs; binary-coded (BCQ)
// weights go to the LUT-GEMM unit when there is one (LUT-GEMM, Park et al., ICLR 2024: per group of `lut_mu`
// activations a table of 2^mu partial sums is built once per row, then each bit-plane of mu weights costs one
// lookup and one add), else they are dequantized too. Vector work (norms, softmax, RoPE, activations) runs on
// the vector unit. The DMA streams an op's weights and KV cache from device memory in tiles with
// `buffer_slots` tiles in flight (2 = double buffering), so loading tile i+1 overlaps computing tile i;
// memory-level parallelism: at most `bytes_in_flight` bytes of loads are outstanding (a GPU core cluster's
// miss-handling registers, or resident threads x bytes per load), each for `load_latency_ns`, so a stream
// achieves at most bytes_in_flight / load latency (Little's law) however fast the memory behind it is, and
// no tile arrives sooner than one latency after its issue (the memory's own queueing adds on top, in its
// booking); tiles keep their size (the DRAM row-buffer runs), the window only paces their arrival;
// activations are read from and written to the PE's on-chip buffer when one is bound (else device memory),
// and so is its share of the KV cache when the driver allows it and it fits beside the tiles in flight. Left
// out: systolic dataflow and array-shape under-utilisation (the MAC rate is the peak rate), the work of an op
// is assumed evenly spread over its bytes.
//
// Sockets: `cmd` (target, command protocol, from the decode driver), `mem` (initiator, memory protocol, to
// the interconnect), `buffer` (initiator, memory protocol, optional, to an on-chip SRAM buffer).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/component.h"
#include "models/core/energy_band.h"
#include "models/core/params.h"
#include "models/core/registry.h"
#include "models/core/work_item.h"

namespace llmx {

// Most tiles a PE keeps in flight (`buffer_slots`).
constexpr int kMaxBufferSlots = 64;

class ProcessingElement : public Component {
 public:
  tlm_utils::simple_target_socket<ProcessingElement> cmd;
  tlm_utils::simple_initiator_socket<ProcessingElement> mem;
  tlm_utils::simple_initiator_socket_optional<ProcessingElement> buffer;

  ProcessingElement(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;
  // The buffer must hold `buffer_slots` tiles.
  void bound_to(const std::string& socket, Component& peer) override;

  // A KV cache share of `kv_share_bytes` fits in the bound buffer beside the tiles in flight.
  bool kv_fits_on_chip(uint64_t kv_share_bytes) const;

  // Peak FLOP/s of the default compute precision (2 per MAC).
  double peak_flops_per_s() const;

  // What the PE is built of, per cycle, for area and cost models (0: the PE has no such unit).
  struct Inventory {
    double clock_hz = 0;
    double macs_per_cycle[static_cast<int>(Precision::count)] = {};
    double dequant_per_cycle = 0, lut_lookups_per_cycle = 0, vector_ops_per_cycle = 0;
  };
  Inventory inventory() const;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // One memory transaction on `socket`, starting at `start`; returns when it completes.
  template <typename Socket>
  sc_core::sc_time access(Socket& socket, tlm::tlm_command command, uint64_t address, uint64_t bytes,
                          const sc_core::sc_time& start);
  sc_core::sc_time access_buffer(tlm::tlm_command command, uint64_t bytes, const sc_core::sc_time& start);
  bool has_buffer() const { return buffer.size() > 0; }
  // When a tile of `bytes` issued at `issue` has passed the window of loads in flight (Little's law).
  sc_core::sc_time window_arrival(WorkItem::Progress& pr, const sc_core::sc_time& issue,
                                  uint64_t bytes) const;

  // Cycles and energy of one work item's computation.
  struct Cost {
    double cycles = 0;
    double joules = 0;
  };
  Cost compute_cost(const WorkItem& work);

  struct MacUnit {
    bool present = false;
    double macs_per_cycle = 0;
    double energy_j = 0;
  };
  double clock_hz_;
  MacUnit mac_units_[static_cast<int>(Precision::count)];
  Precision compute_precision_;
  double dequant_per_cycle_, dequant_energy_j_;
  bool has_lut_ = false;
  double lut_lookups_per_cycle_ = 0, lut_energy_j_ = 0;
  int lut_mu_ = 8;
  double vector_ops_per_cycle_;
  double vector_op_energy_j_;
  double static_power_w_;
  EnergyBand energy_band_;  // maximum bound over the typical figures
  uint64_t tile_bytes_;
  int buffer_slots_;
  uint64_t bytes_in_flight_ = 0;  // 0: unbounded beyond the tile slots
  sc_core::sc_time load_latency_;
  uint64_t buffer_capacity_ = 0;  // of the bound buffer (0: none)

  tlm::tlm_generic_payload payload_;
  sc_core::sc_time compute_busy_ = sc_core::SC_ZERO_TIME;
  double macs_done_ = 0;
  double dequantized_ = 0, lut_lookups_ = 0;
  double compute_energy_j_ = 0;
  uint64_t device_read_ = 0, device_written_ = 0, work_items_ = 0;
};

}  // namespace llmx
