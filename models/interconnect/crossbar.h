// The on-chip interconnect between PEs and memory channels: a crossbar with address interleaving.
//
// Modelled: the global address space interleaved across the bound memory channels in `interleave_bytes`
// chunks (channel = chunk mod channels); a transaction is split into one transaction per channel, each with a
// dense channel-local address (the channel bits removed), forwarded in parallel; a link per input and per
// output port with its own bandwidth (windowed booking), a latency per hop and energy per bit per hop; static
// power. An output link at least as fast as the peak of the memory device behind it can never bind (the
// device books every byte at no more than its peak, starting no earlier): its bytes are counted, not booked.
// Left out: arbitration detail beyond bandwidth sharing, flit-level flow control, topology beyond one
// crossbar (set `hops` for a multi-hop network's average distance).
//
// Sockets: `in` (target, multi, memory protocol), `out` (initiator, multi, memory protocol; binding order =
// channel index).
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <memory>
#include <vector>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/registry.h"

namespace llmx {

class Crossbar : public Component {
 public:
  tlm_utils::multi_passthrough_target_socket<Crossbar> in;
  tlm_utils::multi_passthrough_initiator_socket<Crossbar> out;

  Crossbar(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;

  // The part of [address, address + bytes) that lands on `channel`, as a channel-local range.
  struct Slice {
    uint64_t local_address = 0;
    uint64_t bytes = 0;
  };
  static Slice slice(uint64_t address, uint64_t bytes, uint64_t interleave, uint64_t channels, uint64_t channel);
  // The slices of one transaction: the divisions done once, then each channel's slice without one
  // (`interleave` a power of two).
  class Slicer {
   public:
    Slicer(uint64_t address, uint64_t bytes, uint64_t interleave, uint64_t channels);
    Slice of(uint64_t channel) const;

   private:
    uint64_t channels_ = 1, k0_ = 0, k1_ = 0;     // first and last chunk touched
    uint64_t q0_ = 0, r0_ = 0, q1_ = 0, r1_ = 0;  // k0_, k1_ divided by channels: quotient, remainder
    uint64_t head_ = 0, tail_ = 0;                // offset of the first byte in its chunk; of the last, + 1
    int shift_ = 0;                               // log2(interleave)
    bool empty_ = true;
  };

 private:
  void b_transport(int port, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void end_of_elaboration() override;
  void bound_to(const std::string& socket, Component& peer) override;

  uint64_t interleave_;
  double link_bytes_per_s_;
  int hops_;
  sc_core::sc_time hop_latency_, hops_latency_;  // per hop, and hop_latency_ * hops_
  double j_per_byte_hop_;
  double static_w_;
  sc_core::sc_time window_;
  std::vector<std::unique_ptr<BandwidthBooker>> in_links_, out_links_;
  std::vector<double> out_peaks_;  // peak of the device behind each output (0: not a memory device)
  std::vector<bool> out_booked_;   // whether each output link can bind (is booked)
  tlm::tlm_generic_payload forward_;
  uint64_t bytes_read_ = 0, bytes_written_ = 0, requests_ = 0;
};

}  // namespace llmx
