// A processing element (PE): a MAC array plus a vector/special-function unit behind a DMA engine.
//
// Modelled: clock, MACs per cycle, vector operations per cycle, energy per MAC and per vector op, static power;
// the DMA streams an op's weights and KV cache from device memory in tiles with `buffer_slots` tiles in flight
// (2 = double buffering), so loading tile i+1 overlaps computing tile i; activations are read from and written
// to the PE's on-chip buffer when one is bound (else device memory).
// Left out (for later): per-precision MAC rates and dequantisation cost, LUT-based GEMV, systolic dataflow
// detail; the work of one op is assumed evenly spread over the op's bytes.
//
// Sockets: `cmd` (target, command protocol, from the decode driver), `mem` (initiator, memory protocol, to the
// interconnect), `buffer` (initiator, memory protocol, optional, to an on-chip SRAM buffer).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/component.h"
#include "models/core/params.h"
#include "models/core/registry.h"
#include "models/core/work_item.h"

namespace llmx {

class ProcessingElement : public Component {
 public:
  tlm_utils::simple_target_socket<ProcessingElement> cmd;
  tlm_utils::simple_initiator_socket<ProcessingElement> mem;
  tlm_utils::simple_initiator_socket_optional<ProcessingElement> buffer;

  ProcessingElement(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;

  double peak_flops_per_s() const { return 2.0 * macs_per_cycle_ * clock_hz_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // One memory transaction on `socket`, starting at `start`; returns when it completes.
  template <typename Socket>
  sc_core::sc_time access(Socket& socket, tlm::tlm_command command, uint64_t address, uint64_t bytes,
                          const sc_core::sc_time& start);
  sc_core::sc_time access_buffer(tlm::tlm_command command, uint64_t bytes, const sc_core::sc_time& start);
  bool has_buffer() const { return buffer.size() > 0; }

  double clock_hz_;
  double macs_per_cycle_;
  double vector_ops_per_cycle_;
  double mac_energy_j_;
  double vector_op_energy_j_;
  double static_power_w_;
  uint64_t tile_bytes_;
  int buffer_slots_;

  tlm::tlm_generic_payload payload_;
  sc_core::sc_time compute_busy_ = sc_core::SC_ZERO_TIME;
  double macs_done_ = 0;
  double vector_ops_done_ = 0;
  uint64_t device_read_ = 0, device_written_ = 0, work_items_ = 0;
};

}  // namespace llmx
