// The decode driver: the only SystemC initiator of the decode path. It executes what the stages before it
// decided (explorer/workload: the steps and their ops; explorer/plan: where everything lives and each PE's
// share of each op; explorer/runtime: the kernels and their launches), keeps simulated time and records it.
//
// Per step: the step's token ids come in over the host link, the kernels run in order (each op starts when
// the one before it ended, or when its launch completes, whichever is later: each op depends on the one
// before), the produced tokens go out over the host link. An op runs on every PE of its devices at once: each
// PE gets its share as a WorkItem, and the driver advances the PEs a quantum at a time in turn until all are
// done, so that no PE runs ahead of the others on shared memory by more than a quantum. Weights the plan left
// in host memory come over the host link, each op's fetched while the op before it runs (one op of prefetch).
// Local time runs ahead of SystemC time by at most `quantum_ns` (temporal decoupling); the driver
// synchronises at every step end, where the run layer snapshots statistics.
//
// Several devices (explorer/plan/parallel.h): each pipeline stage's devices run the stage's ops together, in
// their own order, and the stages run at once: the driver always runs next the op of the stage that is ready
// first (an op waiting for activations sent from an earlier stage is ready when they arrive), and
// synchronises only up to the earliest time a stage can still start something, so local time never runs ahead
// of an op still to be issued. Collectives run over the link modules after the ops that need them
// (driver_links.cpp); the step's tokens come in over the host links of the first stage's devices and leave
// over the first device of the last stage's. One device is the case of one stage.
//
// Records: one StepRecord per step, totals of decode time per layer and op kind, and optionally one OpRecord
// per op; one CollectiveRecord per collective. Left out (later issues): overlap of independent ops on one
// device.
//
// Sockets: `pe` (initiator, multi, command protocol), `host` (initiator, host protocol, optional; once per
// device), `link` (initiator, multi, link protocol, optional: bound by the elaborator to the link modules).
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <exception>
#include <functional>
#include <map>

#include "explorer/plan/collectives.h"
#include "explorer/plan/plan.h"
#include "explorer/plan/topology.h"
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

// One collective as it ran: its devices' transfers over the links.
struct CollectiveRecord {
  uint32_t step = 0;
  trace::Phase phase = trace::Phase::decode;
  int32_t layer = -1;
  CollectiveKind kind = CollectiveKind::all_reduce;
  uint64_t bytes = 0;             // the collective's message (PlannedCollective::bytes)
  uint64_t max_device_bytes = 0;  // the most any device sent
  uint64_t link_bytes = 0;        // bytes over all hops of all transfers
  sc_core::sc_time start, end;    // absolute
  double energy_j = 0;            // the links' energy for its bytes
};

// Where a device's parts are on the driver's sockets.
struct DeviceBinding {
  uint32_t first_pe = 0, pes = 0;  // `pe` socket indices [first_pe, first_pe + pes)
  int host = -1;                   // `host` socket index, -1 without a host link
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
  tlm_utils::multi_passthrough_initiator_socket_optional<DecodeDriver> host;
  tlm_utils::multi_passthrough_initiator_socket_optional<DecodeDriver> link;

  // `workload` must outlive the driver.
  DecodeDriver(const sc_core::sc_module_name& name, DriverConfig config, const Workload& workload);
  ComponentStats stats(const sc_core::sc_time& now) const override;

  // PEs bound to the `pe` socket (after elaboration), of all devices.
  uint32_t pe_count() { return static_cast<uint32_t>(pe.size()); }
  // The devices (set by the elaborator after binding); without it, one device with every PE and host link 0.
  void set_devices(std::vector<DeviceBinding> devices) { devices_ = std::move(devices); }
  const std::vector<DeviceBinding>& devices() const { return devices_; }
  // How the link modules bound to `link` join the devices.
  void set_topology(Topology topology) { topology_ = topology; }
  // What to execute; required before simulation. Device d of the plan runs on the PEs of devices()[d].
  void load(Plan plan, Schedule schedule);
  const Plan& plan() const { return plan_; }
  // Time ops waited for their launch.
  sc_core::sc_time dispatch_time() const;
  // Where each step's runtime time went (parallel to steps()), summed over the pipeline stages (each
  // stage's launcher waits on its own; at batch 1 the stages run one after another).
  std::vector<StepRuntime> runtime_steps() const;

  // Called at the end of each simulated step, after synchronising SystemC time to the step's end.
  std::function<void(const StepRecord&)> on_step;

  const std::vector<StepRecord>& steps() const { return steps_; }
  const std::vector<OpRecord>& ops() const { return op_records_; }
  // Decode-step totals per layer (-1: outside blocks) and per op kind.
  const std::map<int32_t, OpGroupTotals>& layer_totals() const { return by_layer_; }
  const std::map<trace::OpKind, OpGroupTotals>& kind_totals() const { return by_kind_; }
  const std::vector<CollectiveRecord>& collectives() const { return collective_records_; }
  bool finished() const { return finished_; }
  // Rethrows what ended the simulation thread early, if anything did (after sc_start returns).
  void rethrow_failure() const {
    if (failure_) std::rethrow_exception(failure_);
  }
  // Bytes the simulated ops demanded from device memory (the conservation reference).
  uint64_t demanded_read_bytes() const { return demanded_read_; }
  uint64_t demanded_write_bytes() const { return demanded_write_; }
  // The same per device.
  uint64_t demanded_read_bytes(size_t device) const { return device_demand_[device].first; }
  uint64_t demanded_write_bytes(size_t device) const { return device_demand_[device].second; }

 private:
  // Where a pipeline stage's devices are in the step being run (absolute picoseconds).
  static constexpr Picoseconds kNotYet = ~Picoseconds{0};
  // Where a PE's share goes: its `pe` socket, its device, and its part of the op's KV bytes.
  struct ShareTarget {
    int socket = 0;
    uint32_t device = 0;
    uint64_t kv_bytes = 0;
  };
  struct StageClock {
    Picoseconds ready = 0;          // its devices are free from then on
    Picoseconds prefetch_from = 0;  // start of its previous op: offloaded weights stream from then
    Launcher launcher;
    Picoseconds kernel_start = 0;  // of the kernel running on it
    std::vector<Kernel> kernels;   // this step's kernels of its ops
    size_t next = 0, next_op = 0;  // the kernel and the op within it to run next
  };

  void run();
  void run_steps();
  void run_step(size_t s);
  // The stage that runs next: ready first among those with something left whose next op's activations
  // have arrived; -1 when none is left.
  int next_stage(const StepPlan& planned) const;
  Picoseconds stage_ready(const StepPlan& planned, const StageClock& stage) const;
  // Runs the next op of stage `st` of workload step `step` (planned as `planned`), then its collectives.
  void run_next_op(const WorkloadStep& step, const StepPlan& planned, uint32_t st, uint32_t& index);
  // Runs planned op `placed` from absolute time `start` on its stage's devices; returns when it ended.
  Picoseconds run_op(const WorkloadStep& step, const PlannedOp& placed, Picoseconds start, uint32_t index);
  // Advances every PE through its share from `start` (local); returns when the last finished, or `end` if
  // that is later (an offloaded weight still arriving).
  sc_core::sc_time run_shares(std::vector<WorkShare> shares, const std::vector<ShareTarget>& targets,
                              sc_core::sc_time start, sc_core::sc_time end, OpRecord& rec);
  void record(const WorkloadStep& step, const trace::Op& op, uint32_t index, OpRecord& rec);
  // Synchronises SystemC time up to the earliest time a stage may still start something, when that is at
  // least a quantum ahead.
  void maybe_synchronise(const StepPlan& planned);
  void synchronise_to(Picoseconds t);
  // Moves `bytes` over device `device`'s host link from absolute time `t`; returns when they arrived.
  Picoseconds host_transfer(size_t device, tlm::tlm_command direction, uint64_t bytes, Picoseconds t);
  Picoseconds absolute(const sc_core::sc_time& local) const;
  sc_core::sc_time local(Picoseconds t) const;
  // driver_links.cpp: a collective over the links, from when the op before it ended; returns its end.
  Picoseconds run_collective(const WorkloadStep& step, const PlannedCollective& c, Picoseconds start);
  Picoseconds link_transfer(const Transfer& t, Picoseconds start, CollectiveRecord& rec);

  DriverConfig config_;
  const Workload& workload_;
  Plan plan_;
  Schedule schedule_;
  std::vector<DeviceBinding> devices_;
  Topology topology_;
  bool loaded_ = false, finished_ = false;
  std::exception_ptr failure_;
  std::vector<StageClock> stages_;
  std::vector<Picoseconds> arrived_;  // this step's collectives: when each ended (0: not yet)
  std::vector<tlm::tlm_generic_payload> payloads_;
  std::vector<WorkItem> items_;
  std::vector<StepRecord> steps_;
  std::vector<OpRecord> op_records_;
  std::vector<CollectiveRecord> collective_records_;
  std::map<int32_t, OpGroupTotals> by_layer_;
  std::map<trace::OpKind, OpGroupTotals> by_kind_;
  uint64_t demanded_read_ = 0, demanded_write_ = 0, host_bytes_ = 0, streamed_weight_bytes_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> device_demand_;  // read, written
  uint64_t kv_on_chip_bytes_ = 0;
  tlm::tlm_generic_payload payload_, link_payload_;
};

}  // namespace llmx
