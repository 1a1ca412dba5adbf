// The decode driver: replays a decode trace on the elaborated system.
//
// For every op of every simulated step it splits the op across the PEs bound to its `pe` socket (weights by
// output rows, KV cache by heads, FLOPs evenly; every PE of a matmul reads the whole input activation), lays
// weights and the KV cache out in device memory (weights at their offsets in the model image, one KV region
// per layer after them), sends each PE its share as a WorkItem and waits for the slowest (ops of one step run
// in trace order: each depends on the one before). Around each step it moves the prompt in and the generated
// tokens out over the host link. Local time runs ahead of SystemC time by at most `quantum_ns` (temporal
// decoupling); it synchronises at every step end, where the run layer snapshots statistics.
//
// Command dispatch: every op is launched by the host or a command processor, which takes
// `dispatch_latency_ns` per op. Launched one by one (`dispatch_overlap: false`, e.g. a GPU runtime launching
// kernels) that time adds between ops; pre-recorded (graph launch, fused schedule, `dispatch_overlap: true`)
// it overlaps the previous op and only shows when an op is shorter than the launch. Capacity-driven offload:
// when weights + KV cache + activations exceed device memory, the KV cache and activations stay on the device
// and the weights that do not fit stay in host memory; every step streams them over the host link, each op's
// weights fetched while the op before it runs (one op of prefetch). KV cache: in device memory (`kv_cache:
// dram`), or in the PEs' buffers where each PE's share fits beside its tiles in flight (`auto`; `on_chip`
// makes not fitting an error). Left out (later issues): overlap of independent ops.
//
// Sockets: `pe` (initiator, multi, command protocol), `host` (initiator, host protocol, optional).
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <map>

#include "explorer/trace/trace.h"
#include "models/core/component.h"
#include "models/core/params.h"
#include "models/core/work_item.h"

namespace llmx {

struct WorkloadConfig {
  std::string trace_path;
  uint32_t decode_steps = 0;  // 0 = all decode steps of the trace
  bool include_prefill = false;
  uint32_t token_bytes = 4;  // bytes per token id over the host link
  sc_core::sc_time quantum;
  bool per_op = false;                // keep a record per op
  sc_core::sc_time dispatch_latency;  // per op
  bool dispatch_overlap = false;
  bool allow_offload = true;
  std::string kv_cache = "dram";  // dram | auto (on chip where it fits) | on_chip (required)

  static WorkloadConfig read(Params& workload, Params& simulation, Params& driver);
};

struct StepRecord {
  uint32_t step = 0;
  trace::Phase phase = trace::Phase::decode;
  uint32_t context_len = 0;
  uint32_t tokens = 0;  // tokens produced by this step (batch for decode, batch for prefill's first token)
  sc_core::sc_time start, end;
  uint64_t ops = 0;
};

struct OpRecord {
  uint32_t step = 0;
  uint32_t index = 0;  // position within the step
  int32_t layer = -1;
  trace::OpKind kind = trace::OpKind::other;
  std::string engine_op;
  sc_core::sc_time start, end;
  sc_core::sc_time memory_time, compute_time;  // of the slowest PE
  uint64_t device_bytes_read = 0, device_bytes_written = 0;
};

// Decode-step totals of a group of ops (one layer, or one op kind), always kept.
struct OpGroupTotals {
  uint64_t ops = 0;
  uint64_t memory_bound = 0;  // ops whose slowest PE waited on memory longer than it computed
  sc_core::sc_time time = sc_core::SC_ZERO_TIME;
  uint64_t device_bytes = 0;
  double flops = 0;
};

class DecodeDriver : public Component {
 public:
  tlm_utils::multi_passthrough_initiator_socket<DecodeDriver> pe;
  tlm_utils::simple_initiator_socket_optional<DecodeDriver> host;

  DecodeDriver(const sc_core::sc_module_name& name, WorkloadConfig config, const trace::Trace& trace);
  ComponentStats stats(const sc_core::sc_time& now) const override;

  // Lays out device memory; weights that do not fit are offloaded to host memory (if allowed). Throws
  // llmx::Error when even the KV cache and activations do not fit, or offload is needed but not allowed.
  void plan_memory(uint64_t device_capacity, const std::string& where);
  uint64_t device_bytes_used() const { return layout_end_; }
  uint64_t offloaded_weight_bytes() const { return offloaded_bytes_; }
  uint64_t kv_cache_bytes() const { return kv_total_; }
  // The part of the KV cache PE `pe` of `pes` holds (heads split evenly, remainder to the first PEs).
  uint64_t kv_share(uint64_t pe, uint64_t pes) const;
  sc_core::sc_time dispatch_time() const { return dispatch_total_; }

  // Called at the end of each simulated step, after synchronising SystemC time to the step's end.
  std::function<void(const StepRecord&)> on_step;

  const std::vector<StepRecord>& steps() const { return steps_; }
  const std::vector<OpRecord>& ops() const { return op_records_; }
  // Decode-step totals per layer (-1: outside blocks) and per op kind.
  const std::map<int32_t, OpGroupTotals>& layer_totals() const { return by_layer_; }
  const std::map<trace::OpKind, OpGroupTotals>& kind_totals() const { return by_kind_; }
  bool finished() const { return finished_; }
  // Bytes the simulated ops demanded from device memory (the conservation reference).
  uint64_t demanded_read_bytes() const { return demanded_read_; }
  uint64_t demanded_write_bytes() const { return demanded_write_; }

 private:
  void run();
  bool selected(const trace::Op& op) const;
  void host_transfer(tlm::tlm_command direction, uint64_t bytes, sc_core::sc_time& local);

  WorkloadConfig config_;
  const trace::Trace& trace_;
  std::vector<uint64_t> kv_base_, kv_size_, kv_cursor_;
  std::vector<bool> offloaded_;       // per weight id: lives in host memory
  std::vector<WeightCoding> coding_;  // per weight id
  std::vector<uint32_t> code_bits_;   // per weight id
  Precision activation_precision_ = Precision::fp16;
  uint64_t act_base_ = 0, act_size_ = 0, layout_end_ = 0, offloaded_bytes_ = 0, kv_total_ = 0;
  sc_core::sc_time dispatch_total_ = sc_core::SC_ZERO_TIME;
  uint32_t first_decode_step_ = 0;
  bool planned_ = false, finished_ = false;
  std::vector<StepRecord> steps_;
  std::vector<OpRecord> op_records_;
  std::map<int32_t, OpGroupTotals> by_layer_;
  std::map<trace::OpKind, OpGroupTotals> by_kind_;
  uint64_t demanded_read_ = 0, demanded_write_ = 0, host_bytes_ = 0, streamed_weight_bytes_ = 0;
  uint64_t kv_on_chip_bytes_ = 0;
  tlm::tlm_generic_payload payload_;
};

}  // namespace llmx
