// The plan stage; see plan.h.
#include "explorer/plan/plan.h"

#include <algorithm>
#include <cmath>

#include "explorer/trace/dtype.h"
#include "models/core/error.h"

namespace llmx {

using trace::Op;
using trace::OpKind;

PlanConfig PlanConfig::read(Params& d) {
  PlanConfig c;
  c.allow_offload = d.optional<bool>(
      "offload", true, "stream weights that do not fit device memory over the host link every step");
  const std::string kv =
      d.choice("kv_cache", {"dram", "auto", "on_chip"}, std::string("dram"),
               "where the KV cache lives: device memory, the PEs' buffers where it fits, or must fit");
  c.kv_cache = kv == "dram"   ? KvCachePlacement::dram
               : kv == "auto" ? KvCachePlacement::where_fits
                              : KvCachePlacement::on_chip;
  return c;
}

namespace {

constexpr uint64_t kAlign = 4096;
uint64_t align(uint64_t v) {
  return (v + kAlign - 1) / kAlign * kAlign;
}
double mib(uint64_t b) {
  return static_cast<double>(b) / 1048576.0;
}

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

Precision activation_precision(const std::string& act) {
  const std::pair<const char*, Precision> acts[] = {{"F32", Precision::fp32},  {"F16", Precision::fp16},
                                                    {"BF16", Precision::bf16}, {"FP8", Precision::fp8},
                                                    {"INT8", Precision::int8}, {"INT4", Precision::int4}};
  for (const auto& [name, prec] : acts)
    if (act == name) return prec;
  return Precision::fp16;
}

// KV region per layer: the largest (reads + writes) any step makes in that layer, which is the cache at the
// longest context plus the step's append; activations: the largest in + out of any op.
void size_regions(const Workload& w, MemoryLayout& m) {
  m.kv_size.assign(w.header.layers, 0);
  std::vector<uint64_t> step_bytes(w.header.layers, 0);
  for (const WorkloadStep& step : w.steps) {
    std::fill(step_bytes.begin(), step_bytes.end(), 0);
    for (const Op& op : step.ops) {
      if (op.layer >= 0) step_bytes[op.layer] += op.kv_read_bytes + op.kv_write_bytes;
      m.act_size = std::max(m.act_size, op.act_in_bytes + op.act_out_bytes);
    }
    for (size_t l = 0; l < step_bytes.size(); ++l) m.kv_size[l] = std::max(m.kv_size[l], step_bytes[l]);
  }
  m.kv_bytes = 0;
  for (uint64_t s : m.kv_size) m.kv_bytes += s;
}

// Weights keep their offsets in the model image; those that do not fit below the KV cache and activations
// stay in host memory. Returns the end of the weights kept on the device.
uint64_t place_weights(const Workload& w, uint64_t capacity, bool allow_offload, const std::string& where,
                       MemoryLayout& m) {
  uint64_t weights_end = 0;
  for (const auto& wi : w.weights) weights_end = std::max(weights_end, wi.offset + wi.bytes);
  uint64_t resident = align(m.act_size);
  for (uint64_t s : m.kv_size) resident += align(s);
  m.offloaded.assign(w.weights.size(), false);
  uint64_t on_device = align(weights_end);
  if (on_device + resident <= capacity) return on_device;
  if (resident > capacity)
    throw Error(cat(where, ": the KV cache and activations need ", mib(resident),
                    " MiB but the memory channels hold ", mib(capacity), " MiB"));
  if (!allow_offload)
    throw Error(cat(where, ": the model needs ", mib(on_device + resident), " MiB of device memory (weights ",
                    mib(weights_end), " MiB + KV cache and activations ", mib(resident),
                    " MiB) but the memory channels hold ", mib(capacity),
                    " MiB, and driver.offload is false"));
  const uint64_t room = capacity - resident;
  on_device = 0;
  for (size_t i = 0; i < w.weights.size(); ++i) {
    const auto& wi = w.weights[i];
    if (wi.offset + wi.bytes > room) {
      m.offloaded[i] = true;
      m.offloaded_bytes += wi.bytes;
    } else {
      on_device = std::max(on_device, align(wi.offset + wi.bytes));
    }
  }
  return std::min(align(on_device), room / kAlign * kAlign);
}

MemoryLayout lay_out(const Workload& w, uint64_t capacity, bool allow_offload, const std::string& where) {
  MemoryLayout m;
  size_regions(w, m);
  uint64_t cursor = place_weights(w, capacity, allow_offload, where, m);
  m.kv_base.assign(m.kv_size.size(), 0);
  for (size_t l = 0; l < m.kv_size.size(); ++l) {
    m.kv_base[l] = cursor;
    cursor = align(cursor + m.kv_size[l]);
  }
  m.act_base = cursor;
  m.end = align(cursor + m.act_size);
  return m;
}

// Addresses of a step's ops: weights at their offsets, the KV cache read and appended at a cursor per layer
// (starting over every step), everything else at the activations' region.
StepPlan plan_step(const Workload& w, const WorkloadStep& step, const MemoryLayout& m) {
  StepPlan sp;
  sp.host_in_bytes = step.tokens_in * w.token_bytes;
  sp.host_out_bytes = step.tokens_out * w.token_bytes;
  std::vector<uint64_t> cursor(m.kv_base.size(), 0);
  sp.ops.reserve(step.ops.size());
  for (uint32_t i = 0; i < step.ops.size(); ++i) {
    const Op& op = step.ops[i];
    PlannedOp p;
    p.op = i;
    if (op.weight_id >= 0) {
      p.weight_address = w.weights[static_cast<size_t>(op.weight_id)].offset;
      p.weight_offloaded = m.offloaded[static_cast<size_t>(op.weight_id)];
    }
    if (op.layer >= 0) {
      const size_t l = static_cast<size_t>(op.layer);
      p.kv_read_address = m.kv_base[l] + cursor[l];
      p.kv_write_address = m.kv_base[l] + cursor[l] + op.kv_read_bytes;
      cursor[l] += op.kv_read_bytes + op.kv_write_bytes;
    } else {
      p.kv_read_address = p.kv_write_address = m.act_base;
    }
    sp.ops.push_back(p);
  }
  return sp;
}

}  // namespace

uint64_t DevicePlan::kv_share(uint32_t pe) const {
  return share(memory.kv_bytes, pes, pe);
}

WeightCode weight_code(const std::string& d) {
  const trace::BlockLayout layout = trace::dtype_layout(d);
  const uint32_t bits = static_cast<uint32_t>(
      std::lround(8.0 * static_cast<double>(layout.block_bytes) / static_cast<double>(layout.block_elems)));
  if (d == "F32" || d == "F16" || d == "BF16") return {WeightCoding::dense, bits};
  if (d.rfind("BCQ", 0) == 0)
    return {WeightCoding::binary_coded, static_cast<uint32_t>(std::stoul(d.substr(3)))};  // BCQ<q>_G<g>
  return {WeightCoding::quantized, bits};
}

Plan make_plan(const Workload& w, const std::vector<DeviceResources>& devices, const PlanConfig& config,
               const std::string& where) {
  if (devices.size() != 1)
    throw Error(cat(where, ": a plan for ", devices.size(), " devices (one supported)"));
  Plan plan;
  for (const trace::WeightInfo& wi : w.weights) {
    plan.weight_codes.push_back(weight_code(wi.dtype));
    if (wi.tensor_class.find("_exps") != std::string::npos && wi.shape.size() == 3 && wi.shape[2] > 0)
      plan.weight_codes.back().expert_bytes = wi.bytes / wi.shape[2];
  }
  plan.activation_precision = activation_precision(w.header.act_dtype);
  plan.kv_on_chip_allowed = config.kv_cache != KvCachePlacement::dram;
  DevicePlan device;
  device.pes = std::max<uint32_t>(1, devices[0].pes);
  device.memory = lay_out(w, devices[0].memory_bytes, config.allow_offload, where);
  plan.devices.push_back(std::move(device));
  plan.steps.reserve(w.steps.size());
  for (const WorkloadStep& step : w.steps) plan.steps.push_back(plan_step(w, step, plan.devices[0].memory));
  return plan;
}

std::vector<WorkShare> split_op(const Plan& plan, size_t device, const Op& op, const PlannedOp& placed) {
  const DevicePlan& d = plan.devices[device];
  const uint64_t pes = d.pes;
  const bool mac = is_mac_work(op.kind);
  std::vector<WorkShare> shares(pes);
  for (uint64_t i = 0; i < pes; ++i) {
    WorkShare& w = shares[i];
    if (op.weight_bytes && !placed.weight_offloaded)
      w.loads.push_back({StreamKind::weight, placed.weight_address + share_offset(op.weight_bytes, pes, i),
                         share(op.weight_bytes, pes, i)});
    if (op.kv_read_bytes)
      w.loads.push_back({StreamKind::kv, placed.kv_read_address + share_offset(op.kv_read_bytes, pes, i),
                         share(op.kv_read_bytes, pes, i)});
    // Every PE of a matmul needs the whole input vector; other ops split their input.
    const uint64_t act_in = trace::is_matmul(op.kind) ? op.act_in_bytes : share(op.act_in_bytes, pes, i);
    if (act_in) w.loads.push_back({StreamKind::activation, d.memory.act_base, act_in});
    if (op.kv_write_bytes)
      w.stores.push_back({StreamKind::kv, placed.kv_write_address + share_offset(op.kv_write_bytes, pes, i),
                          share(op.kv_write_bytes, pes, i)});
    if (op.act_out_bytes)
      w.stores.push_back({StreamKind::activation, d.memory.act_base, share(op.act_out_bytes, pes, i)});
    (mac ? w.matmul_flops : w.vector_flops) = op.flops / static_cast<double>(pes);
    w.kv_share_bytes = d.kv_share(static_cast<uint32_t>(i));
    w.kv_on_chip_allowed = plan.kv_on_chip_allowed;
    if (!mac) continue;
    w.activation_precision = plan.activation_precision;
    w.rows = static_cast<double>(op.m);
    w.reduction = static_cast<double>(op.k);
    if (op.weight_id >= 0 && trace::is_matmul(op.kind) && op.weight_bytes > 0) {
      const WeightCode& code = plan.weight_codes[static_cast<size_t>(op.weight_id)];
      w.weight_coding = code.coding;
      w.code_bits = code.bits;
      const double part =
          static_cast<double>(share(op.weight_bytes, pes, i)) / static_cast<double>(op.weight_bytes);
      w.weight_elements = static_cast<double>(op.n) * static_cast<double>(op.k) * part;
      if (code.expert_bytes) {  // an expert projection reads several experts, each over its share of rows
        const double experts = static_cast<double>(op.weight_bytes) / static_cast<double>(code.expert_bytes);
        w.weight_elements *= experts;
        w.rows /= std::max(1.0, experts);
      }
    }
  }
  return shares;
}

}  // namespace llmx
