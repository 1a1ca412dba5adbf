// The decode driver; see decode_driver.h.
#include "explorer/run/decode_driver.h"

#include "explorer/workload/workload.h"

#include <algorithm>

#include "explorer/plan/parallel.h"
#include "models/core/error.h"
#include "models/core/link_transfer.h"

#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;
using trace::Op;
using trace::Phase;

namespace {

const ParamSchema& simulation_schema() {
  static const ParamSchema s{
      "simulation",
      "simulation settings (`simulation:`)",
      {{"",
        "",
        {number("quantum_ns", "1000", Bound::range(1e-3, 1e9),
                "temporal-decoupling quantum (at least the kernel's time resolution, at most 1 s)")}}}};
  return s;
}

const ParamSchemaRegistrar simulation_schema_registrar(&simulation_schema);

}  // namespace

DriverConfig DriverConfig::read(Params& w, Params& sim) {
  DriverConfig c;
  w.bind(workload_schema());
  c.per_op = w.get<bool>("per_op_csv");
  // At least the kernel's time resolution of 1 ps (a smaller quantum rounds to zero and the driver never
  // advances), at most one second of simulated time.
  sim.bind(simulation_schema());
  c.quantum = sc_time(sim.get<double>("quantum_ns"), sc_core::SC_NS);
  return c;
}

DecodeDriver::DecodeDriver(const sc_core::sc_module_name& name, DriverConfig config, const Workload& workload)
    : Component(name, "decode_driver"),
      pe("pe"),
      host("host"),
      link("link"),
      config_(std::move(config)),
      workload_(workload) {
  // The stages before the driver count time in picoseconds: SystemC's ticks at its default resolution.
  if (sc_core::sc_get_time_resolution() != sc_time(1, sc_core::SC_PS))
    SC_REPORT_FATAL(this->name(), "the decode path needs SystemC's default time resolution of 1 ps");
  expose_initiator("pe", pe, Protocol::command, true);
  // One host link per device: the elaborator counts the bindings of `host` per device.
  expose_initiator("host", host, Protocol::host, false, /*optional=*/true);
  expose_initiator("link", link, Protocol::link, true, /*optional=*/true);
  SC_HAS_PROCESS(DecodeDriver);
  SC_THREAD(run);
}

void DecodeDriver::load(Plan plan, Schedule schedule) {
  if (devices_.empty()) devices_ = {DeviceBinding{0, pe_count(), host.size() > 0 ? 0 : -1}};
  bool match = plan.devices.size() == devices_.size();
  for (size_t d = 0; match && d < devices_.size(); ++d) match = plan.devices[d].pes == devices_[d].pes;
  if (!match)
    throw Error(cat(name(), ": the plan is for ", plan.devices.size(), " device(s) of ",
                    plan.devices.empty() ? 0 : plan.devices[0].pes, " PEs, the driver drives ",
                    devices_.size(), " of ", devices_.empty() ? 0 : devices_[0].pes));
  if (plan.steps.size() != workload_.steps.size() || schedule.steps.size() != plan.steps.size())
    throw Error(cat(name(), ": the plan and schedule do not match the workload's steps"));
  if (plan.devices.size() > 1 && topology_.links() != link.size())
    throw Error(cat(name(), ": ", plan.devices.size(), " devices need links between them (`links:`)"));
  plan_ = std::move(plan);
  schedule_ = std::move(schedule);
  StageClock clock;
  clock.launcher = Launcher(schedule_);
  stages_.assign(plan_.parallel.pipeline, clock);
  device_demand_.assign(devices_.size(), {0, 0});
  loaded_ = true;
}

std::vector<StepRuntime> DecodeDriver::runtime_steps() const {
  std::vector<StepRuntime> steps;
  for (const StageClock& st : stages_) {
    const auto& own = st.launcher.steps();
    if (steps.size() < own.size()) steps.resize(own.size());
    for (size_t i = 0; i < own.size(); ++i) {
      steps[i].host += own[i].host;
      steps[i].launch += own[i].launch;
      steps[i].min_kernel += own[i].min_kernel;
      steps[i].kernels += own[i].kernels;
      steps[i].launches += own[i].launches;
    }
  }
  return steps;
}

sc_time DecodeDriver::dispatch_time() const {
  Picoseconds total = 0;
  for (const StageClock& st : stages_) total += st.launcher.dispatch_time();
  return sc_time::from_value(total);
}

Picoseconds DecodeDriver::absolute(const sc_time& local) const {
  return (sc_core::sc_time_stamp() + local).value();
}

sc_time DecodeDriver::local(Picoseconds t) const {
  return sc_time::from_value(t - sc_core::sc_time_stamp().value());
}

Picoseconds DecodeDriver::host_transfer(size_t device, tlm::tlm_command direction, uint64_t bytes,
                                        Picoseconds t) {
  const int socket = devices_[device].host;
  if (socket < 0 || bytes == 0) return t;
  payload_.set_command(direction);
  payload_.set_address(0);
  payload_.set_data_ptr(scratch_data());
  payload_.set_data_length(static_cast<unsigned int>(bytes));
  payload_.set_streaming_width(static_cast<unsigned int>(bytes));
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time delay = local(t);
  host[socket]->b_transport(payload_, delay);
  host_bytes_ += bytes;
  return absolute(delay);
}

// An exception must not unwind through SystemC's scheduler (nor leave payloads pointing at extensions they
// would free): it is kept, the simulation stopped, and run.cpp rethrows it once sc_start returns.
void DecodeDriver::run() {
  try {
    run_steps();
  } catch (...) {
    failure_ = std::current_exception();
    for (auto& p : payloads_) p.clear_extension<WorkItem>();
    link_payload_.clear_extension<LinkTransfer>();
    sc_core::sc_stop();
  }
}

void DecodeDriver::run_steps() {
  if (!loaded_) SC_REPORT_FATAL(name(), "nothing loaded to execute before simulation");
  const size_t pes = pe.size();
  payloads_ = std::vector<tlm::tlm_generic_payload>(pes);
  items_ = std::vector<WorkItem>(pes);
  for (size_t i = 0; i < pes; ++i) {
    payloads_[i].set_command(tlm::TLM_WRITE_COMMAND);
    payloads_[i].set_data_ptr(scratch_data());
    payloads_[i].set_data_length(0);
    payloads_[i].set_extension(&items_[i]);
  }
  for (size_t s = 0; s < workload_.steps.size(); ++s) run_step(s);
  for (auto& p : payloads_) p.clear_extension<WorkItem>();
  finished_ = true;
}

void DecodeDriver::synchronise_to(Picoseconds t) {
  wait(local(t));
  // Prefetch cannot reach back before the synchronisation point.
  for (StageClock& st : stages_) st.prefetch_from = std::max(st.prefetch_from, t);
}

Picoseconds DecodeDriver::stage_ready(const StepPlan& planned, const StageClock& st) const {
  const PlannedOp& next = planned.ops[st.kernels[st.next].first + st.next_op];
  return next.wait_for < 0 ? st.ready : std::max(st.ready, arrived_[static_cast<size_t>(next.wait_for)]);
}

int DecodeDriver::next_stage(const StepPlan& planned) const {
  int best = -1;
  Picoseconds best_ready = 0;
  for (size_t i = 0; i < stages_.size(); ++i) {
    const StageClock& st = stages_[i];
    if (st.next >= st.kernels.size()) continue;
    const PlannedOp& next = planned.ops[st.kernels[st.next].first + st.next_op];
    if (next.wait_for >= 0 && arrived_[static_cast<size_t>(next.wait_for)] == kNotYet) continue;
    const Picoseconds ready = stage_ready(planned, st);
    if (best < 0 || ready < best_ready) best = static_cast<int>(i), best_ready = ready;
  }
  return best;
}

void DecodeDriver::maybe_synchronise(const StepPlan& planned) {
  Picoseconds floor = kNotYet;
  bool left = false;
  for (const StageClock& st : stages_) {
    if (st.next >= st.kernels.size()) continue;
    left = true;
    const PlannedOp& next = planned.ops[st.kernels[st.next].first + st.next_op];
    if (next.wait_for >= 0 && arrived_[static_cast<size_t>(next.wait_for)] == kNotYet) continue;
    floor = std::min(floor, stage_ready(planned, st));
  }
  // With nothing left, the step's tokens leave from the last stage when it is done.
  if (!left) floor = stages_.back().ready;
  if (floor != kNotYet && local(floor) >= config_.quantum) synchronise_to(floor);
}

void DecodeDriver::run_step(size_t s) {
  const WorkloadStep& step = workload_.steps[s];
  const StepPlan& planned = plan_.steps[s];
  const Picoseconds begin = absolute(sc_core::SC_ZERO_TIME);
  StepRecord rec;
  rec.step = step.index;
  rec.phase = step.phase;
  rec.context_len = step.context_len;
  rec.ops = planned.ops.size();
  rec.start = sc_core::sc_time_stamp();
  arrived_.assign(planned.collectives.size(), kNotYet);
  for (StageClock& st : stages_) {
    st.ready = st.prefetch_from = begin;
    st.kernels.clear();
    st.next = st.next_op = 0;
    st.launcher.begin_step(begin);
  }
  // A kernel runs on the stage of its ops (split where its ops change stage).
  for (const Kernel& kernel : schedule_.steps[s]) {
    for (uint32_t i = 0; i < kernel.count;) {
      const uint32_t stage = planned.ops[kernel.first + i].stage;
      Kernel part = kernel;
      part.first = kernel.first + i;
      part.count = 0;
      for (; i < kernel.count && planned.ops[kernel.first + i].stage == stage; ++i) ++part.count;
      stages_[stage].kernels.push_back(part);
    }
  }
  // The prompt (prefill) or the sampled token ids of the previous step (decode) come from the host.
  StageClock& first = stages_.front();
  Picoseconds in = begin;
  for (uint32_t d : plan_.stage_devices(0))
    in = std::max(in, host_transfer(d, tlm::TLM_WRITE_COMMAND, planned.host_in_bytes, begin));
  first.ready = in;
  uint32_t index = 0;
  for (int st; (st = next_stage(planned)) >= 0;) {
    run_next_op(step, planned, static_cast<uint32_t>(st), index);
    maybe_synchronise(planned);
  }
  for (const StageClock& clock : stages_)
    if (clock.next < clock.kernels.size()) SC_REPORT_FATAL(name(), "a stage waits for activations never sent");
  // The step's tokens leave over the host link, then time is synchronised for the snapshot.
  StageClock& last = stages_.back();
  last.ready = host_transfer(plan_.stage_devices(plan_.parallel.pipeline - 1)[0], tlm::TLM_READ_COMMAND,
                             planned.host_out_bytes, last.ready);
  Picoseconds end = absolute(sc_core::SC_ZERO_TIME);
  for (const StageClock& clock : stages_) end = std::max(end, clock.ready);
  wait(local(end));
  rec.end = sc_core::sc_time_stamp();
  rec.tokens = static_cast<uint32_t>(step.tokens_out);
  steps_.push_back(rec);
  if (on_step) on_step(rec);
}

void DecodeDriver::run_next_op(const WorkloadStep& step, const StepPlan& planned, uint32_t st,
                               uint32_t& index) {
  StageClock& clock = stages_[st];
  const Kernel& kernel = clock.kernels[clock.next];
  const size_t at = kernel.first + clock.next_op;
  const PlannedOp& placed = planned.ops[at];
  const Picoseconds ready = stage_ready(planned, clock);
  const Picoseconds start = clock.next_op == 0 ? clock.launcher.start(kernel, ready) : ready;
  if (clock.next_op == 0) clock.kernel_start = start;
  const bool kernel_done = ++clock.next_op == kernel.count;
  if (kernel_done) ++clock.next, clock.next_op = 0;
  clock.ready = run_op(step, placed, start, index++);
  // A kernel ends no earlier than its minimum duration after it started.
  if (kernel_done) clock.ready = clock.launcher.finish(kernel, clock.kernel_start, clock.ready);
  // The collectives that follow the op (in order of after_op).
  const auto first = std::lower_bound(planned.collectives.begin(), planned.collectives.end(), at,
                                      [](const PlannedCollective& c, size_t op) { return c.after_op < op; });
  for (auto c = first; c != planned.collectives.end() && c->after_op == at; ++c) {
    const Picoseconds end = run_collective(step, *c, clock.ready);
    arrived_[static_cast<size_t>(c - planned.collectives.begin())] = end;
    if (c->kind != CollectiveKind::send) clock.ready = end;
  }
}

Picoseconds DecodeDriver::run_op(const WorkloadStep& step, const PlannedOp& placed, Picoseconds start,
                                 uint32_t index) {
  const Op& op = step.ops[placed.op];
  StageClock& clock = stages_[placed.stage];
  std::vector<WorkShare> shares;
  std::vector<ShareTarget> targets;
  // Offloaded weights come over each device's host link, fetched from when the previous op started.
  Picoseconds end = start;
  for (uint32_t d : plan_.stage_devices(placed.stage)) {
    const Op part = device_op(plan_.parallel, plan_.batch, op, placed, plan_.devices[d].rank);
    if (placed.weight_offloaded) {
      end = std::max(end, host_transfer(d, tlm::TLM_WRITE_COMMAND, part.weight_bytes, clock.prefetch_from));
      streamed_weight_bytes_ += part.weight_bytes;
    }
    std::vector<WorkShare> own = split_op(plan_, d, op, placed);
    const uint64_t pes = own.size();
    for (uint32_t i = 0; i < own.size(); ++i) {
      targets.push_back({static_cast<int>(devices_[d].first_pe + i), d,
                         part.kv_read_bytes / pes + part.kv_write_bytes / pes});
      shares.push_back(std::move(own[i]));
    }
  }
  clock.prefetch_from = start;
  OpRecord rec;
  rec.start = sc_time::from_value(start);
  end = absolute(run_shares(std::move(shares), targets, local(start), local(end), rec));
  rec.end = sc_time::from_value(end);
  record(step, op, index, rec);
  return end;
}

sc_time DecodeDriver::run_shares(std::vector<WorkShare> shares, const std::vector<ShareTarget>& targets,
                                 sc_time start, sc_time end, OpRecord& rec) {
  const size_t count = shares.size();
  for (size_t i = 0; i < count; ++i) {
    WorkItem& w = items_[targets[i].socket];
    w = WorkItem{};
    static_cast<WorkShare&>(w) = std::move(shares[i]);
  }
  // Advance the PEs a quantum at a time, in turn, so that none runs ahead of the others on shared memory
  // by more than a quantum (each PE keeps its progress in its work item).
  sc_time horizon = start + config_.quantum;
  for (size_t pending = count; pending > 0; horizon += config_.quantum) {
    for (size_t i = 0; i < count; ++i) {
      const int socket = targets[i].socket;
      WorkItem& w = items_[socket];
      if (w.done) continue;
      w.horizon = horizon;
      sc_time t = start;
      pe[socket]->b_transport(payloads_[socket], t);
      if (payloads_[socket].is_response_error()) SC_REPORT_FATAL(name(), "a PE rejected its work item");
      if (!w.done) continue;
      --pending;
      if (w.kv_on_chip) kv_on_chip_bytes_ += targets[i].kv_bytes;
      demanded_read_ += w.device_bytes_read;
      demanded_write_ += w.device_bytes_written;
      device_demand_[targets[i].device].first += w.device_bytes_read;
      device_demand_[targets[i].device].second += w.device_bytes_written;
      if (t >= end) {
        end = t;
        rec.memory_time = w.memory_time;
        rec.compute_time = w.compute_time;
      }
      rec.device_bytes_read += w.device_bytes_read;
      rec.device_bytes_written += w.device_bytes_written;
    }
  }
  return end;
}

void DecodeDriver::record(const WorkloadStep& step, const Op& op, uint32_t index, OpRecord& rec) {
  if (op.phase == Phase::decode) {
    for (OpGroupTotals* g : {&by_layer_[op.layer], &by_kind_[op.kind]}) {
      ++g->ops;
      g->memory_bound += rec.memory_time > rec.compute_time ? 1 : 0;
      g->time += rec.end - rec.start;
      if (rec.memory_time > rec.compute_time) g->memory_bound_time += rec.end - rec.start;
      g->device_bytes += rec.device_bytes_read + rec.device_bytes_written;
      g->flops += op.flops;
    }
  }
  if (!config_.per_op) return;
  rec.step = step.index;
  rec.index = index;
  rec.layer = op.layer;
  rec.kind = op.kind;
  rec.engine_op = op.engine_op;
  op_records_.push_back(std::move(rec));
}

ComponentStats DecodeDriver::stats(const sc_time&) const {
  ComponentStats s;
  s.requests = op_records_.size();
  s.bytes_read = demanded_read_;
  s.bytes_written = demanded_write_;
  s.extra.emplace_back("host_bytes", static_cast<double>(host_bytes_));
  s.extra.emplace_back("offloaded_weight_bytes_streamed", static_cast<double>(streamed_weight_bytes_));
  s.extra.emplace_back("dispatch_time_s", dispatch_time().to_seconds());
  s.extra.emplace_back("kv_bytes_on_chip", static_cast<double>(kv_on_chip_bytes_));
  return s;
}

}  // namespace llmx
