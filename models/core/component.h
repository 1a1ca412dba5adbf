// The base of every module the explorer elaborates from YAML. A Component is an sc_module that
//  - names its TLM-2.0 sockets by role, so the wiring layer can bind them from the config and refuse unbound,
//    doubly bound or mistyped connections before simulation starts;
//  - reports typed statistics (busy time, bytes, energy by kind) on demand.
// Implementations are chosen by the config's `type:` key through the registry (models/core/registry.h).
//
// Transaction conventions (all sockets: 32-bit bus width, tlm_base_protocol_types, blocking transport, LT):
//  - Payloads are timing-only: data_length is the number of bytes moved, data_ptr points at a shared scratch
//    byte that targets never dereference (scratch_data()). Large transfers are single transactions; targets
//    account them as the sequence of bursts they stand for.
//  - Addresses are those the target sees: the interconnect strips channel bits, so a memory channel gets a
//    dense channel-local address space.
//  - Targets never wait() in b_transport; they add their delay to the annotated time and resolve contention by
//    booking their bandwidth in time windows (models/core/bandwidth_booker.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/core/stats.h"

namespace llmx {

using TargetSocketBase = tlm::tlm_base_target_socket_b<32, tlm::tlm_fw_transport_if<>, tlm::tlm_bw_transport_if<>>;

// What a socket carries. Connections must join an initiator and a target of the same protocol.
//   memory: memory-mapped reads/writes (PE -> buffer, PE -> interconnect -> DRAM channel)
//   command: work items from the decode driver to a PE (payload extension WorkItem)
//   host: transfers across the host link
//   link: transfers between devices over chip-to-chip links (payload extension LinkTransfer)
enum class Protocol { memory, command, host, link };
const char* protocol_name(Protocol p);

struct SocketPort {
  std::string name;    // role name used in the config, e.g. "mem", "out", "target"
  bool is_initiator = false;
  bool multi = false;  // multi-socket: may be bound many times (at least once)
  Protocol protocol = Protocol::memory;
  bool optional = false;  // may stay unbound
  std::function<void(TargetSocketBase&)> bind_to;  // initiators only
  TargetSocketBase* target = nullptr;               // targets only
  int bound = 0;                                    // number of bindings made by the wiring layer
};

class Component : public sc_core::sc_module {
 public:
  Component(const sc_core::sc_module_name& name, std::string type_name);
  const std::string& type_name() const { return type_name_; }
  std::vector<SocketPort>& ports() { return ports_; }

  // Cumulative statistics from time zero up to `now` (background/static energy included up to `now`).
  virtual ComponentStats stats(const sc_core::sc_time& now) const = 0;

  // Called once after elaboration, before simulation: final checks that need the bound topology.
  virtual void validate_topology() {}
  // Called for each connection of this component's initiator socket `socket` to `peer`. Throw llmx::Error (the
  // message only; the elaborator adds the connection's file:line:column) when the pair cannot work.
  virtual void bound_to(const std::string& socket, Component& peer) {}

  static unsigned char* scratch_data();

 protected:
  template <typename Socket>
  void expose_initiator(const std::string& role, Socket& socket, Protocol protocol, bool multi,
                        bool optional = false) {
    SocketPort p;
    p.name = role;
    p.is_initiator = true;
    p.multi = multi;
    p.protocol = protocol;
    p.optional = optional;
    p.bind_to = [&socket](TargetSocketBase& t) { socket.bind(t); };
    ports_.push_back(std::move(p));
  }
  template <typename Socket>
  void expose_target(const std::string& role, Socket& socket, Protocol protocol, bool multi,
                     bool optional = false) {
    SocketPort p;
    p.name = role;
    p.multi = multi;
    p.protocol = protocol;
    p.optional = optional;
    p.target = &socket;
    ports_.push_back(std::move(p));
  }

 private:
  std::string type_name_;
  std::vector<SocketPort> ports_;
};

// Memory devices (DRAM channels, an on-chip buffer used as memory) also expose their capacity and peak
// bandwidth, for reports (share of peak) and capacity checks (offload).
class MemoryDevice {
 public:
  virtual ~MemoryDevice() = default;
  virtual uint64_t capacity_bytes() const = 0;
  virtual double peak_bandwidth_bytes_per_s() const = 0;
  virtual bool is_dram() const { return true; }
};

}  // namespace llmx
