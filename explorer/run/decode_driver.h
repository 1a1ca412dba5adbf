// The decode driver: the only SystemC initiator of the decode path. It executes what the stages before it
// decided (explorer/workload: the steps and their ops; explorer/plan: where everything lives and each PE's
// share of each op; explorer/runtime: the kernels and their launches), keeps simulated time and records it.
//
// Per step: the step's token ids come in over the host link, the kernels run in order (each op starts when
// the one before it ended, or when its launch completes, whichever is later: each op depends on the one
// before), the produced tokens go out over the host link. An op runs on every PE of the device at once: each
// PE gets its share as a WorkItem, and the driver advances the PEs a quantum at a time in turn until all are
// done, so that no PE runs ahead of the others on shared memory by more than a quantum. Weights the plan left
// in host memory come over the host link, each op's fetched while the op before it runs (one op of prefetch).
// Local time runs ahead of SystemC time by at most `quantum_ns` (temporal decoupling); the driver
// synchronises at every step end, where the run layer snapshots statistics.
//
// Records: one StepRecord per step, totals of decode time per layer and op kind, and optionally one OpRecord
// per op. Left out (later issues): overlap of independent ops, several devices and their collectives.
//
// Sockets: `pe` (initiator, multi, command protocol), `host` (initiator, host protocol, optional).
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <map>

#include "explorer/plan/plan.h"
#include "explorer/runtime/runtime.h"
#include "explorer/workload/workload.h"
#include "models/core/component.h"
#include "models/core/params.h"
#include "models/core/work_item.h"

namespace llmx {

struct DriverConfig {
  sc_core::sc_time quantum;
  bool per_op = false;  // keep a record per op

  // Reads the driver's keys of `workload:` (per_op_csv) and `simulation:` (quantum_ns).
  static DriverConfig read(Params& workload, Params& simulation);
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
  sc_core::sc_time memory_bound_time = sc_core::SC_ZERO_TIME;  // of the memory-bound ops
  uint64_t device_bytes = 0;
  double flops = 0;
};

class DecodeDriver : public Component {
 public:
  tlm_utils::multi_passthrough_initiator_socket<DecodeDriver> pe;
  tlm_utils::simple_initiator_socket_optional<DecodeDriver> host;

  // `workload` must outlive the driver.
  DecodeDriver(const sc_core::sc_module_name& name, DriverConfig config, const Workload& workload);
  ComponentStats stats(const sc_core::sc_time& now) const override;

  // PEs bound to the `pe` socket (after elaboration).
  uint32_t pe_count() { return static_cast<uint32_t>(pe.size()); }
  // What to execute; required before simulation. The plan's single device runs on the `pe` socket's PEs.
  void load(Plan plan, Schedule schedule);
  const Plan& plan() const { return plan_; }
  // Time ops waited for their launch.
  sc_core::sc_time dispatch_time() const;
  // Where each step's runtime time went (parallel to steps()).
  const std::vector<StepRuntime>& runtime_steps() const { return launcher_.steps(); }

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
  void run_step(size_t s);
  // Runs planned op `placed` of workload step `step` from local time `start`; leaves local time at its end.
  void run_op(const WorkloadStep& step, const PlannedOp& placed, sc_core::sc_time start, uint32_t index);
  // Advances every PE through its share of `op` from `start`; returns when the last finished, or `end` if
  // that is later (an offloaded weight still arriving).
  sc_core::sc_time run_shares(const trace::Op& op, std::vector<WorkShare> shares, sc_core::sc_time start,
                              sc_core::sc_time end, OpRecord& rec);
  void record(const WorkloadStep& step, const trace::Op& op, uint32_t index, OpRecord& rec);
  void synchronise();
  void host_transfer(tlm::tlm_command direction, uint64_t bytes, sc_core::sc_time& local);
  Picoseconds absolute(const sc_core::sc_time& local) const;

  DriverConfig config_;
  const Workload& workload_;
  Plan plan_;
  Schedule schedule_;
  Launcher launcher_;
  bool loaded_ = false, finished_ = false;
  sc_core::sc_time local_ = sc_core::SC_ZERO_TIME;          // offset ahead of sc_time_stamp()
  sc_core::sc_time prefetch_from_ = sc_core::SC_ZERO_TIME;  // start of the previous op (local time)
  std::vector<tlm::tlm_generic_payload> payloads_;
  std::vector<WorkItem> items_;
  std::vector<StepRecord> steps_;
  std::vector<OpRecord> op_records_;
  std::map<int32_t, OpGroupTotals> by_layer_;
  std::map<trace::OpKind, OpGroupTotals> by_kind_;
  uint64_t demanded_read_ = 0, demanded_write_ = 0, host_bytes_ = 0, streamed_weight_bytes_ = 0;
  uint64_t kv_on_chip_bytes_ = 0;
  tlm::tlm_generic_payload payload_;
};

}  // namespace llmx
