// Trace-driven decode driver; see decode_driver.h.
#include "explorer/run/decode_driver.h"

#include <algorithm>
#include <cmath>

#include "explorer/trace/dtype.h"
#include "models/core/error.h"

namespace llmx {

using sc_core::sc_time;
using trace::Op;
using trace::OpKind;
using trace::Phase;

WorkloadConfig WorkloadConfig::read(Params& w, Params& sim, Params& d) {
  WorkloadConfig c;
  c.trace_path = w.required<std::string>("trace", "decode trace file (traces/FORMAT.md)");
  c.decode_steps = w.optional<uint32_t>("decode_steps", 0, "decode steps to simulate (0 = all in the trace)");
  c.include_prefill = w.optional<bool>("include_prefill", false, "also simulate the trace's prefill step");
  c.token_bytes =
      w.optional<uint32_t>("token_bytes", 4, "bytes per token id on the host link", Bound::at_least(1));
  c.per_op = w.optional<bool>("per_op_csv", false, "write a row per simulated op (ops.csv)");
  c.quantum =
      sc_time(sim.optional<double>("quantum_ns", 1000.0, "temporal-decoupling quantum", Bound::positive()),
              sc_core::SC_NS);
  c.dispatch_latency =
      sc_time(d.optional<double>("dispatch_latency_ns", 0.0, "time to launch one op", Bound::non_negative()),
              sc_core::SC_NS);
  c.dispatch_overlap = d.optional<bool>(
      "dispatch_overlap", false, "launches overlap the previous op (graph launch) instead of following it");
  c.allow_offload = d.optional<bool>(
      "offload", true, "stream weights that do not fit device memory over the host link every step");
  c.kv_cache =
      d.choice("kv_cache", {"dram", "auto", "on_chip"}, std::string("dram"),
               "where the KV cache lives: device memory, the PEs' buffers where it fits, or must fit");
  return c;
}

DecodeDriver::DecodeDriver(const sc_core::sc_module_name& name, WorkloadConfig config,
                           const trace::Trace& trace)
    : Component(name, "decode_driver"), pe("pe"), host("host"), config_(std::move(config)), trace_(trace) {
  // How each weight is stored decides the PE's work before its MACs (models/core/work_item.h).
  for (const auto& w : trace_.weights) {
    const std::string& d = w.dtype;
    const trace::BlockLayout layout = trace::dtype_layout(d);
    const uint32_t bits = static_cast<uint32_t>(
        std::lround(8.0 * static_cast<double>(layout.block_bytes) / static_cast<double>(layout.block_elems)));
    if (d == "F32" || d == "F16" || d == "BF16") {
      coding_.push_back(WeightCoding::dense);
      code_bits_.push_back(bits);
    } else if (d.rfind("BCQ", 0) == 0) {
      coding_.push_back(WeightCoding::binary_coded);
      code_bits_.push_back(static_cast<uint32_t>(std::stoul(d.substr(3))));  // BCQ<q>_G<g>
    } else {
      coding_.push_back(WeightCoding::quantized);
      code_bits_.push_back(bits);
    }
  }
  const std::string& act = trace_.header.act_dtype;
  const std::pair<const char*, Precision> acts[] = {{"F32", Precision::fp32},  {"F16", Precision::fp16},
                                                    {"BF16", Precision::bf16}, {"FP8", Precision::fp8},
                                                    {"INT8", Precision::int8}, {"INT4", Precision::int4}};
  for (const auto& [name, prec] : acts)
    if (act == name) activation_precision_ = prec;
  expose_initiator("pe", pe, Protocol::command, true);
  expose_initiator("host", host, Protocol::host, false, /*optional=*/true);
  SC_HAS_PROCESS(DecodeDriver);
  SC_THREAD(run);
}

bool DecodeDriver::selected(const Op& op) const {
  if (op.phase == Phase::prefill) return config_.include_prefill;
  return config_.decode_steps == 0 || op.step < first_decode_step_ + config_.decode_steps;
}

void DecodeDriver::plan_memory(uint64_t device_capacity, const std::string& where) {
  constexpr uint64_t kAlign = 4096;
  auto align = [](uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; };
  auto mib = [](uint64_t b) { return static_cast<double>(b) / 1048576.0; };
  first_decode_step_ = UINT32_MAX;
  int32_t max_layer = -1;
  uint64_t weights_end = 0;
  for (const auto& w : trace_.weights) weights_end = std::max(weights_end, w.offset + w.bytes);
  for (const auto& op : trace_.ops) {
    max_layer = std::max(max_layer, op.layer);
    if (op.phase == Phase::decode) first_decode_step_ = std::min(first_decode_step_, op.step);
  }
  if (first_decode_step_ == UINT32_MAX) first_decode_step_ = 0;

  // KV region per layer: the largest (reads + writes) any selected step makes in that layer, which is the
  // cache at the longest context plus the step's append.
  const size_t layers = static_cast<size_t>(max_layer + 1);
  kv_size_.assign(layers, 0);
  std::vector<uint64_t> step_bytes(layers, 0);
  uint32_t step = UINT32_MAX;
  auto close_step = [&] {
    for (size_t l = 0; l < layers; ++l) kv_size_[l] = std::max(kv_size_[l], step_bytes[l]);
    std::fill(step_bytes.begin(), step_bytes.end(), 0);
  };
  for (const auto& op : trace_.ops) {
    if (!selected(op)) continue;
    if (op.step != step) close_step(), step = op.step;
    if (op.layer >= 0) step_bytes[op.layer] += op.kv_read_bytes + op.kv_write_bytes;
    act_size_ = std::max(act_size_, op.act_in_bytes + op.act_out_bytes);
  }
  close_step();
  uint64_t kv_total = 0;
  kv_total_ = 0;
  for (uint64_t s : kv_size_) kv_total += align(s), kv_total_ += s;
  const uint64_t resident = kv_total + align(act_size_);

  // Weights keep their offsets in the model image; those that do not fit below the KV cache and activations
  // stay in host memory.
  offloaded_.assign(trace_.weights.size(), false);
  uint64_t weights_on_device = align(weights_end);
  if (weights_on_device + resident > device_capacity) {
    if (resident > device_capacity)
      throw Error(cat(where, ": the KV cache and activations need ", mib(resident),
                      " MiB but the memory channels hold ", mib(device_capacity), " MiB"));
    if (!config_.allow_offload)
      throw Error(cat(where, ": the model needs ", mib(weights_on_device + resident),
                      " MiB of device memory (weights ", mib(weights_end), " MiB + KV cache and activations ",
                      mib(resident), " MiB) but the memory channels hold ", mib(device_capacity),
                      " MiB, and driver.offload is false"));
    const uint64_t room = device_capacity - resident;
    weights_on_device = 0;
    for (size_t i = 0; i < trace_.weights.size(); ++i) {
      const auto& w = trace_.weights[i];
      if (w.offset + w.bytes > room) {
        offloaded_[i] = true;
        offloaded_bytes_ += w.bytes;
      } else {
        weights_on_device = std::max(weights_on_device, align(w.offset + w.bytes));
      }
    }
    weights_on_device = std::min(align(weights_on_device), room / kAlign * kAlign);
  }

  uint64_t cursor = weights_on_device;
  kv_base_.assign(layers, 0);
  kv_cursor_.assign(layers, 0);
  for (size_t l = 0; l < layers; ++l) {
    kv_base_[l] = cursor;
    cursor = align(cursor + kv_size_[l]);
  }
  act_base_ = cursor;
  layout_end_ = align(cursor + act_size_);
  planned_ = true;
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

namespace {

uint64_t share(uint64_t total, uint64_t parts, uint64_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}
uint64_t share_offset(uint64_t total, uint64_t parts, uint64_t i) {
  return i * (total / parts) + std::min<uint64_t>(i, total % parts);
}

bool is_mac_work(OpKind k) {
  return trace::is_matmul(k) || k == OpKind::attention_score || k == OpKind::attention_value ||
         k == OpKind::attention;
}

}  // namespace

void DecodeDriver::run() {
  if (!planned_) SC_REPORT_FATAL(name(), "memory layout not planned before simulation");
  const uint64_t pes = pe.size();
  const uint32_t batch = std::max<uint32_t>(1, trace_.header.batch);
  sc_time local = sc_core::SC_ZERO_TIME;  // offset ahead of sc_time_stamp()
  sc_time prev_start = local;             // start of the previous op (local time)
  std::vector<tlm::tlm_generic_payload> payloads(pes);
  std::vector<WorkItem> items(pes);
  for (uint64_t i = 0; i < pes; ++i) {
    payloads[i].set_command(tlm::TLM_WRITE_COMMAND);
    payloads[i].set_data_ptr(scratch_data());
    payloads[i].set_data_length(0);
    payloads[i].set_extension(&items[i]);
  }

  StepRecord rec;
  bool in_step = false;
  uint32_t op_index = 0;
  auto finish_step = [&] {
    // The step's tokens leave over the host link, then time is synchronised for the snapshot.
    host_transfer(tlm::TLM_READ_COMMAND, static_cast<uint64_t>(batch) * config_.token_bytes, local);
    wait(local);
    local = sc_core::SC_ZERO_TIME;
    rec.end = sc_core::sc_time_stamp();
    rec.tokens = batch;
    steps_.push_back(rec);
    if (on_step) on_step(rec);
    in_step = false;
  };

  for (const Op& op : trace_.ops) {
    if (!selected(op)) continue;
    if (in_step && op.step != rec.step) finish_step();
    if (!in_step) {
      wait(local);
      local = sc_core::SC_ZERO_TIME;
      prev_start = local;
      rec = StepRecord{};
      rec.step = op.step;
      rec.phase = op.phase;
      rec.start = sc_core::sc_time_stamp();
      in_step = true;
      op_index = 0;
      std::fill(kv_cursor_.begin(), kv_cursor_.end(), 0);
      // The prompt (prefill) or the sampled token ids of the previous step (decode) come from the host.
      const uint64_t in_tokens = op.phase == Phase::prefill ? trace_.header.prompt_len : 1;
      host_transfer(tlm::TLM_WRITE_COMMAND, in_tokens * batch * config_.token_bytes, local);
    }
    rec.context_len = std::max(rec.context_len, op.context_len);
    ++rec.ops;

    const bool mac = is_mac_work(op.kind);
    uint64_t weight_addr = 0;
    if (op.weight_id >= 0) {
      if (static_cast<size_t>(op.weight_id) >= trace_.weights.size())
        SC_REPORT_FATAL(name(), "op refers to a weight id outside the weight table");
      weight_addr = trace_.weights[op.weight_id].offset;
    }
    const size_t layer = op.layer >= 0 ? static_cast<size_t>(op.layer) : 0;
    const bool has_kv = op.layer >= 0 && layer < kv_base_.size();
    const uint64_t kv_read_addr = has_kv ? kv_base_[layer] + kv_cursor_[layer] : act_base_;
    const uint64_t kv_write_addr =
        has_kv ? kv_base_[layer] + kv_cursor_[layer] + op.kv_read_bytes : act_base_;
    if (has_kv) kv_cursor_[layer] += op.kv_read_bytes + op.kv_write_bytes;

    // Launch: serial launches add their latency after the previous op; overlapped ones only show when the
    // previous op was shorter than a launch.
    sc_time op_start = local;
    if (config_.dispatch_latency > sc_core::SC_ZERO_TIME) {
      op_start = config_.dispatch_overlap ? std::max(local, prev_start + config_.dispatch_latency)
                                          : local + config_.dispatch_latency;
      dispatch_total_ += op_start - local;
    }
    // Offloaded weights come over the host link, fetched from when the previous op started.
    const bool offloaded = op.weight_id >= 0 && offloaded_[op.weight_id];
    sc_time op_end = op_start;
    if (offloaded) {
      sc_time t = prev_start;
      host_transfer(tlm::TLM_WRITE_COMMAND, op.weight_bytes, t);
      streamed_weight_bytes_ += op.weight_bytes;
      op_end = std::max(op_end, t);
    }
    prev_start = op_start;
    OpRecord orec;
    for (uint64_t i = 0; i < pes; ++i) {
      WorkItem& w = items[i];
      w = WorkItem{};
      if (op.weight_bytes && !offloaded)
        w.loads.push_back({StreamKind::weight, weight_addr + share_offset(op.weight_bytes, pes, i),
                           share(op.weight_bytes, pes, i)});
      if (op.kv_read_bytes)
        w.loads.push_back({StreamKind::kv, kv_read_addr + share_offset(op.kv_read_bytes, pes, i),
                           share(op.kv_read_bytes, pes, i)});
      // Every PE of a matmul needs the whole input vector; other ops split their input.
      const uint64_t act_in =
          mac && trace::is_matmul(op.kind) ? op.act_in_bytes : share(op.act_in_bytes, pes, i);
      if (act_in) w.loads.push_back({StreamKind::activation, act_base_, act_in});
      if (op.kv_write_bytes)
        w.stores.push_back({StreamKind::kv, kv_write_addr + share_offset(op.kv_write_bytes, pes, i),
                            share(op.kv_write_bytes, pes, i)});
      if (op.act_out_bytes)
        w.stores.push_back({StreamKind::activation, act_base_, share(op.act_out_bytes, pes, i)});
      const double flops = op.flops / static_cast<double>(pes);
      (mac ? w.matmul_flops : w.vector_flops) = flops;
      w.kv_share_bytes = kv_share(i, pes);
      w.kv_on_chip_allowed = config_.kv_cache != "dram";
      if (mac) {
        w.activation_precision = activation_precision_;
        w.rows = static_cast<double>(op.m);
        w.reduction = static_cast<double>(op.k);
        if (op.weight_id >= 0 && trace::is_matmul(op.kind) && op.weight_bytes > 0) {
          w.weight_coding = coding_[op.weight_id];
          w.code_bits = code_bits_[op.weight_id];
          const double part =
              static_cast<double>(share(op.weight_bytes, pes, i)) / static_cast<double>(op.weight_bytes);
          w.weight_elements = static_cast<double>(op.n) * static_cast<double>(op.k) * part;
        }
      }
    }
    // Advance the PEs a quantum at a time, in turn, so that none runs ahead of the others on shared memory
    // by more than a quantum (each PE keeps its progress in its work item).
    sc_time horizon = op_start + config_.quantum;
    for (uint64_t pending = pes; pending > 0; horizon += config_.quantum) {
      for (uint64_t i = 0; i < pes; ++i) {
        WorkItem& w = items[i];
        if (w.done) continue;
        w.horizon = horizon;
        sc_time t = op_start;
        pe[static_cast<int>(i)]->b_transport(payloads[i], t);
        if (payloads[i].is_response_error()) SC_REPORT_FATAL(name(), "a PE rejected its work item");
        if (!w.done) continue;
        --pending;
        if (w.kv_on_chip) kv_on_chip_bytes_ += op.kv_read_bytes / pes + op.kv_write_bytes / pes;
        demanded_read_ += w.device_bytes_read;
        demanded_write_ += w.device_bytes_written;
        if (t >= op_end) {
          op_end = t;
          orec.memory_time = w.memory_time;
          orec.compute_time = w.compute_time;
        }
        orec.device_bytes_read += w.device_bytes_read;
        orec.device_bytes_written += w.device_bytes_written;
      }
    }
    local = op_end;
    if (op.phase == Phase::decode) {
      for (OpGroupTotals* g : {&by_layer_[op.layer], &by_kind_[op.kind]}) {
        ++g->ops;
        g->memory_bound += orec.memory_time > orec.compute_time ? 1 : 0;
        g->time += op_end - op_start;
        g->device_bytes += orec.device_bytes_read + orec.device_bytes_written;
        g->flops += op.flops;
      }
    }
    if (config_.per_op) {
      orec.step = op.step;
      orec.index = op_index;
      orec.layer = op.layer;
      orec.kind = op.kind;
      orec.engine_op = op.engine_op;
      orec.start = sc_core::sc_time_stamp() + op_start;
      orec.end = sc_core::sc_time_stamp() + op_end;
      op_records_.push_back(orec);
    }
    ++op_index;
    if (local >= config_.quantum) {
      wait(local);
      prev_start = sc_core::SC_ZERO_TIME;  // prefetch cannot reach back before the synchronisation point
      local = sc_core::SC_ZERO_TIME;
    }
  }
  if (in_step) finish_step();
  for (auto& p : payloads) p.clear_extension<WorkItem>();
  finished_ = true;
}

uint64_t DecodeDriver::kv_share(uint64_t pe, uint64_t pes) const {
  return share(kv_total_, pes, pe);
}

ComponentStats DecodeDriver::stats(const sc_time&) const {
  ComponentStats s;
  s.requests = op_records_.size();
  s.bytes_read = demanded_read_;
  s.bytes_written = demanded_write_;
  s.extra.emplace_back("host_bytes", static_cast<double>(host_bytes_));
  s.extra.emplace_back("offloaded_weight_bytes_streamed", static_cast<double>(streamed_weight_bytes_));
  s.extra.emplace_back("dispatch_time_s", dispatch_total_.to_seconds());
  s.extra.emplace_back("kv_bytes_on_chip", static_cast<double>(kv_on_chip_bytes_));
  return s;
}

}  // namespace llmx
