// The decode driver; see decode_driver.h.
#include "explorer/run/decode_driver.h"

#include <algorithm>

#include "models/core/error.h"

namespace llmx {

using sc_core::sc_time;
using trace::Op;
using trace::Phase;

DriverConfig DriverConfig::read(Params& w, Params& sim) {
  DriverConfig c;
  c.per_op = w.optional<bool>("per_op_csv", false, "write a row per simulated op (ops.csv)");
  c.quantum =
      sc_time(sim.optional<double>("quantum_ns", 1000.0, "temporal-decoupling quantum", Bound::positive()),
              sc_core::SC_NS);
  return c;
}

DecodeDriver::DecodeDriver(const sc_core::sc_module_name& name, DriverConfig config, const Workload& workload)
    : Component(name, "decode_driver"),
      pe("pe"),
      host("host"),
      config_(std::move(config)),
      workload_(workload) {
  // The stages before the driver count time in picoseconds: SystemC's ticks at its default resolution.
  if (sc_core::sc_get_time_resolution() != sc_time(1, sc_core::SC_PS))
    SC_REPORT_FATAL(this->name(), "the decode path needs SystemC's default time resolution of 1 ps");
  expose_initiator("pe", pe, Protocol::command, true);
  expose_initiator("host", host, Protocol::host, false, /*optional=*/true);
  SC_HAS_PROCESS(DecodeDriver);
  SC_THREAD(run);
}

void DecodeDriver::load(Plan plan, Schedule schedule) {
  if (plan.devices.size() != 1 || plan.devices[0].pes != pe_count())
    throw Error(cat(name(), ": the plan is for ", plan.devices.size(), " device(s) of ",
                    plan.devices.empty() ? 0 : plan.devices[0].pes, " PEs, the driver drives one of ",
                    pe_count()));
  if (plan.steps.size() != workload_.steps.size() || schedule.steps.size() != plan.steps.size())
    throw Error(cat(name(), ": the plan and schedule do not match the workload's steps"));
  plan_ = std::move(plan);
  schedule_ = std::move(schedule);
  launcher_ = Launcher(schedule_);
  loaded_ = true;
}

sc_time DecodeDriver::dispatch_time() const {
  return sc_time::from_value(launcher_.dispatch_time());
}

Picoseconds DecodeDriver::absolute(const sc_time& local) const {
  return (sc_core::sc_time_stamp() + local).value();
}

void DecodeDriver::host_transfer(tlm::tlm_command direction, uint64_t bytes, sc_time& local) {
  if (host.size() == 0 || bytes == 0) return;
  payload_.set_command(direction);
  payload_.set_address(0);
  payload_.set_data_ptr(scratch_data());
  payload_.set_data_length(static_cast<unsigned int>(bytes));
  payload_.set_streaming_width(static_cast<unsigned int>(bytes));
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  host->b_transport(payload_, local);
  host_bytes_ += bytes;
}

void DecodeDriver::run() {
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

void DecodeDriver::synchronise() {
  wait(local_);
  local_ = sc_core::SC_ZERO_TIME;
  prefetch_from_ = sc_core::SC_ZERO_TIME;  // prefetch cannot reach back before the synchronisation point
}

void DecodeDriver::run_step(size_t s) {
  const WorkloadStep& step = workload_.steps[s];
  const StepPlan& planned = plan_.steps[s];
  wait(local_);
  local_ = sc_core::SC_ZERO_TIME;
  prefetch_from_ = local_;
  StepRecord rec;
  rec.step = step.index;
  rec.phase = step.phase;
  rec.context_len = step.context_len;
  rec.ops = planned.ops.size();
  rec.start = sc_core::sc_time_stamp();
  launcher_.begin_step(absolute(local_));
  // The prompt (prefill) or the sampled token ids of the previous step (decode) come from the host.
  host_transfer(tlm::TLM_WRITE_COMMAND, planned.host_in_bytes, local_);
  uint32_t index = 0;
  for (const Kernel& kernel : schedule_.steps[s]) {
    const Picoseconds begin = launcher_.start(kernel, absolute(local_));
    const sc_time start = sc_time::from_value(begin - absolute(sc_core::SC_ZERO_TIME));
    for (uint32_t i = 0; i < kernel.count; ++i) {
      run_op(step, planned.ops[kernel.first + i], i == 0 ? start : local_, index++);
      if (local_ >= config_.quantum) synchronise();
    }
    local_ = sc_time::from_value(launcher_.finish(kernel, begin, absolute(local_)) -
                                 absolute(sc_core::SC_ZERO_TIME));
  }
  // The step's tokens leave over the host link, then time is synchronised for the snapshot.
  host_transfer(tlm::TLM_READ_COMMAND, planned.host_out_bytes, local_);
  wait(local_);
  local_ = sc_core::SC_ZERO_TIME;
  rec.end = sc_core::sc_time_stamp();
  rec.tokens = static_cast<uint32_t>(step.tokens_out);
  steps_.push_back(rec);
  if (on_step) on_step(rec);
}

void DecodeDriver::run_op(const WorkloadStep& step, const PlannedOp& placed, sc_time start, uint32_t index) {
  const Op& op = step.ops[placed.op];
  // Offloaded weights come over the host link, fetched from when the previous op started.
  sc_time end = start;
  if (placed.weight_offloaded) {
    sc_time t = prefetch_from_;
    host_transfer(tlm::TLM_WRITE_COMMAND, op.weight_bytes, t);
    streamed_weight_bytes_ += op.weight_bytes;
    end = std::max(end, t);
  }
  prefetch_from_ = start;
  OpRecord rec;
  rec.start = start;
  end = run_shares(op, split_op(plan_, 0, op, placed), start, end, rec);
  rec.end = end;
  local_ = end;
  record(step, op, index, rec);
}

sc_time DecodeDriver::run_shares(const Op& op, std::vector<WorkShare> shares, sc_time start, sc_time end,
                                 OpRecord& rec) {
  const size_t pes = shares.size();
  for (size_t i = 0; i < pes; ++i) {
    items_[i] = WorkItem{};
    static_cast<WorkShare&>(items_[i]) = std::move(shares[i]);
  }
  // Advance the PEs a quantum at a time, in turn, so that none runs ahead of the others on shared memory
  // by more than a quantum (each PE keeps its progress in its work item).
  sc_time horizon = start + config_.quantum;
  for (size_t pending = pes; pending > 0; horizon += config_.quantum) {
    for (size_t i = 0; i < pes; ++i) {
      WorkItem& w = items_[i];
      if (w.done) continue;
      w.horizon = horizon;
      sc_time t = start;
      pe[static_cast<int>(i)]->b_transport(payloads_[i], t);
      if (payloads_[i].is_response_error()) SC_REPORT_FATAL(name(), "a PE rejected its work item");
      if (!w.done) continue;
      --pending;
      if (w.kv_on_chip) kv_on_chip_bytes_ += op.kv_read_bytes / pes + op.kv_write_bytes / pes;
      demanded_read_ += w.device_bytes_read;
      demanded_write_ += w.device_bytes_written;
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
  rec.start += sc_core::sc_time_stamp();
  rec.end += sc_core::sc_time_stamp();
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
