// The plan stage; see plan.h.
#include "explorer/plan/plan.h"

#include <algorithm>
#include <cmath>

#include "explorer/plan/parallel.h"
#include "explorer/trace/dtype.h"
#include "models/core/error.h"

#include "models/core/param_schema.h"

namespace llmx {

using trace::Op;
using trace::OpKind;

std::vector<ParamDecl> PlanConfig::keys() {
  return {
      flag("offload", "true", "stream weights that do not fit device memory over the host link every step"),
      choice("kv_cache", {"dram", "auto", "on_chip"}, std::string("dram"),
             "where the KV cache lives: device memory, the PEs' buffers where it fits, or must fit")};
}

PlanConfig PlanConfig::read(Params& d) {
  PlanConfig c;
  c.allow_offload = d.get<bool>("offload");
  const std::string kv = d.get<std::string>("kv_cache");
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

// The collective a tensor-parallel group needs after the op just planned (the step's last), if any: an
// all-reduce of the whole output each device holds partial sums of, or an all-gather of the parts into it.
void add_group_collective(const Workload& w, const Plan& plan, const Op& op, StepPlan& sp) {
  const ParallelConfig& par = plan.parallel;
  const PlannedOp& p = sp.ops.back();
  const bool reduce = par.tensor > 1 && needs_all_reduce(op, p.split);
  const bool gather = par.tensor > 1 && needs_all_gather(op, p.split);
  if (!reduce && !gather) return;
  ParallelConfig whole_group = par;
  whole_group.tensor = 1;
  PlannedCollective c;
  c.kind = reduce ? CollectiveKind::all_reduce : CollectiveKind::all_gather;
  c.after_op = static_cast<uint32_t>(sp.ops.size() - 1);
  c.layer = op.layer;
  c.micro_batch = p.micro_batch;
  c.bytes = device_op(reduce ? par : whole_group, w.batch(), op, p, 0).act_out_bytes;
  c.devices = plan.stage_devices(p.stage);
  sp.collectives.push_back(std::move(c));
}

// The activation of the op just planned (a stage's last for its micro-batch) sent to the next stage: each
// device to the device of the same rank. Returns the send's index.
int32_t add_send(const Workload& w, const Plan& plan, const Op& op, StepPlan& sp) {
  const PlannedOp& p = sp.ops.back();
  PlannedCollective send;
  send.kind = CollectiveKind::send;
  send.after_op = static_cast<uint32_t>(sp.ops.size() - 1);
  send.layer = op.layer;
  send.micro_batch = p.micro_batch;
  send.bytes = device_op(plan.parallel, w.batch(), op, p, 0).act_out_bytes;
  send.devices = plan.stage_devices(p.stage);
  send.peers = plan.stage_devices(p.stage + 1);
  sp.collectives.push_back(std::move(send));
  return static_cast<int32_t>(sp.collectives.size() - 1);
}

// A step's ops as the devices run them: stage by stage, each stage's ops once per micro-batch (addresses are
// filled in by place_ops); the collectives after them, and each stage's wait for the activations sent to it.
StepPlan order_step(const Workload& w, const WorkloadStep& step, const Plan& plan) {
  const ParallelConfig& par = plan.parallel;
  StepPlan sp;
  sp.host_in_bytes = step.tokens_in * w.token_bytes;
  sp.host_out_bytes = step.tokens_out * w.token_bytes;
  const std::vector<TensorSplit> splits = tensor_splits(step.ops);
  const std::vector<uint32_t> stages = pipeline_stages(step.ops, w.header.layers, par.pipeline);
  std::vector<int32_t> arriving(par.micro_batches, -1);  // the send each micro-batch waits for
  sp.ops.reserve(step.ops.size() * par.micro_batches);
  for (uint32_t s = 0; s < par.pipeline; ++s) {
    for (uint32_t mb = 0; mb < par.micro_batches; ++mb) {
      const Op* last = nullptr;
      for (uint32_t i = 0; i < step.ops.size(); ++i) {
        if (stages[i] != s) continue;
        PlannedOp p;
        p.op = i;
        p.stage = s;
        p.micro_batch = mb;
        p.split = par.tensor > 1 ? splits[i] : TensorSplit::replicated;
        if (!last) p.wait_for = arriving[mb];
        sp.ops.push_back(p);
        last = &step.ops[i];
        add_group_collective(w, plan, *last, sp);
      }
      if (last && s + 1 < par.pipeline) arriving[mb] = add_send(w, plan, *last, sp);
    }
  }
  return sp;
}

// What the devices of stage `stage` hold: per weight id the bytes each holds (0: none), kept at the model
// image's offsets less what the device does not hold before them (so one device holding everything keeps the
// image's offsets); the KV region per layer (the largest reads + writes any step makes there, the cache at
// the longest context plus the step's append; with multi-head latent attention the scores and the values
// read the same latent rows, so only the layer's largest read counts), and the activations (the largest
// in + out of any op).
struct StageNeeds {
  std::vector<uint64_t> weight_bytes, weight_offset;
  std::vector<uint64_t> kv_size;
  uint64_t act_size = 0;
};

StageNeeds stage_needs(const Workload& w, const Plan& plan, uint32_t stage) {
  StageNeeds n;
  const size_t weights = w.weights.size();
  n.weight_bytes.assign(weights, 0);
  n.kv_size.assign(w.header.layers, 0);
  const ParallelConfig& par = plan.parallel;
  std::vector<bool> read(weights, false);
  const bool shared_rows = w.header.mla.any();
  std::vector<uint64_t> step_bytes(w.header.layers, 0), step_read(w.header.layers, 0);
  for (size_t s = 0; s < w.steps.size(); ++s) {
    std::fill(step_bytes.begin(), step_bytes.end(), 0);
    std::fill(step_read.begin(), step_read.end(), 0);
    for (const PlannedOp& p : plan.steps[s].ops) {
      const Op& op = w.steps[s].ops[p.op];
      for (int64_t id : {op.weight_id, op.weight_id2})
        if (id >= 0) read[static_cast<size_t>(id)] = true;
      if (p.stage != stage) continue;
      const Op part = device_op(par, w.batch(), op, p, 0);
      if (op.layer >= 0 && shared_rows) {
        step_bytes[op.layer] += part.kv_write_bytes;
        step_read[op.layer] = std::max(step_read[op.layer], part.kv_read_bytes);
      } else if (op.layer >= 0) {
        step_bytes[op.layer] += part.kv_read_bytes + part.kv_write_bytes;
      }
      n.act_size = std::max(n.act_size, part.act_in_bytes + part.act_out_bytes);
      for (int64_t id : {op.weight_id, op.weight_id2}) {
        if (id < 0) continue;
        const uint64_t whole = w.weights[static_cast<size_t>(id)].bytes;
        const bool split = par.tensor > 1 && p.split != TensorSplit::replicated;
        uint64_t& held = n.weight_bytes[static_cast<size_t>(id)];
        held = std::max(held, split ? share(whole, par.tensor, 0) : whole);
      }
    }
    for (size_t l = 0; l < step_bytes.size(); ++l)
      n.kv_size[l] = std::max(n.kv_size[l], step_bytes[l] + step_read[l]);
  }
  // Weights no op reads: on the first stage, whole (a single device holds the whole image).
  if (stage == 0)
    for (size_t i = 0; i < weights; ++i)
      if (!read[i]) n.weight_bytes[i] = w.weights[i].bytes;
  std::vector<size_t> order(weights);
  for (size_t i = 0; i < weights; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return w.weights[a].offset < w.weights[b].offset; });
  n.weight_offset.assign(weights, 0);
  uint64_t left_out = 0;
  for (size_t i : order) {
    n.weight_offset[i] = w.weights[i].offset - std::min(left_out, w.weights[i].offset);
    left_out += w.weights[i].bytes - n.weight_bytes[i];
  }
  return n;
}

// Weights keep their offsets; those that do not fit below the KV cache and activations stay in host memory.
// Returns the end of the weights kept on the device.
uint64_t place_weights(const StageNeeds& n, uint64_t capacity, bool allow_offload, const std::string& where,
                       MemoryLayout& m) {
  const size_t weights = n.weight_bytes.size();
  uint64_t weights_end = 0;
  for (size_t i = 0; i < weights; ++i)
    if (n.weight_bytes[i]) weights_end = std::max(weights_end, n.weight_offset[i] + n.weight_bytes[i]);
  uint64_t resident = align(m.act_size);
  for (uint64_t s : m.kv_size) resident += align(s);
  m.offloaded.assign(weights, false);
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
  for (size_t i = 0; i < weights; ++i) {
    if (!n.weight_bytes[i]) continue;
    const uint64_t end = n.weight_offset[i] + n.weight_bytes[i];
    if (end > room) {
      m.offloaded[i] = true;
      m.offloaded_bytes += n.weight_bytes[i];
    } else {
      on_device = std::max(on_device, align(end));
    }
  }
  return std::min(align(on_device), room / kAlign * kAlign);
}

MemoryLayout lay_out(const StageNeeds& n, uint64_t capacity, bool allow_offload, const std::string& where) {
  MemoryLayout m;
  m.kv_size = n.kv_size;
  m.act_size = n.act_size;
  for (uint64_t s : m.kv_size) m.kv_bytes += s;
  uint64_t cursor = place_weights(n, capacity, allow_offload, where, m);
  m.kv_base.assign(m.kv_size.size(), 0);
  for (size_t l = 0; l < m.kv_size.size(); ++l) {
    m.kv_base[l] = cursor;
    cursor = align(cursor + m.kv_size[l]);
  }
  m.act_base = cursor;
  m.end = align(cursor + m.act_size);
  return m;
}

// Addresses of a step's ops in their stage's memory: weights at their offsets, the KV cache read and appended
// at a cursor per layer (starting over every step), everything else at the activations' region. With
// multi-head latent attention every read starts at the layer's region (the same latent rows) and the appends
// follow the layer's largest read.
void place_ops(const Workload& w, const WorkloadStep& step, const Plan& plan,
               const std::vector<StageNeeds>& needs, StepPlan& sp) {
  const bool shared_rows = w.header.mla.any();
  std::vector<std::vector<uint64_t>> cursor(plan.parallel.pipeline,
                                            std::vector<uint64_t>(w.header.layers, 0));
  if (shared_rows)
    for (const PlannedOp& p : sp.ops) {
      const Op& op = step.ops[p.op];
      if (op.layer < 0) continue;
      uint64_t& c = cursor[p.stage][static_cast<size_t>(op.layer)];
      c = std::max(c, device_op(plan.parallel, w.batch(), op, p, 0).kv_read_bytes);
    }
  for (PlannedOp& p : sp.ops) {
    const Op& op = step.ops[p.op];
    const MemoryLayout& m = plan.devices[plan.stage_devices(p.stage)[0]].memory;
    if (op.weight_id >= 0) {
      p.weight_address = needs[p.stage].weight_offset[static_cast<size_t>(op.weight_id)];
      p.weight_offloaded = m.offloaded[static_cast<size_t>(op.weight_id)];
    }
    if (op.layer >= 0) {
      const size_t l = static_cast<size_t>(op.layer);
      const Op part = device_op(plan.parallel, w.batch(), op, p, 0);
      uint64_t& c = cursor[p.stage][l];
      if (shared_rows) {
        p.kv_read_address = m.kv_base[l];
        p.kv_write_address = m.kv_base[l] + c;
        c += part.kv_write_bytes;
      } else {
        p.kv_read_address = m.kv_base[l] + c;
        p.kv_write_address = m.kv_base[l] + c + part.kv_read_bytes;
        c += part.kv_read_bytes + part.kv_write_bytes;
      }
    } else {
      p.kv_read_address = p.kv_write_address = m.act_base;
    }
  }
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

const char* collective_kind_name(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::all_reduce:
      return "all_reduce";
    case CollectiveKind::all_gather:
      return "all_gather";
    case CollectiveKind::send:
      return "send";
  }
  return "?";
}

std::vector<uint32_t> Plan::stage_devices(uint32_t stage) const {
  std::vector<uint32_t> out(parallel.tensor);
  for (uint32_t r = 0; r < parallel.tensor; ++r) out[r] = stage * parallel.tensor + r;
  return out;
}

Plan make_plan(const Workload& w, const std::vector<DeviceResources>& devices, const PlanConfig& config,
               const std::string& where) {
  const ParallelConfig& par = config.parallel;
  if (devices.size() != par.devices())
    throw Error(cat(where, ": the system has ", devices.size(), " device(s) but parallelism asks for ",
                    par.tensor, " x ", par.pipeline, " (tensor x pipeline)"));
  check_parallelism(w, par, where);
  Plan plan;
  plan.parallel = par;
  plan.batch = w.batch();
  for (const trace::WeightInfo& wi : w.weights) {
    plan.weight_codes.push_back(weight_code(wi.dtype));
    if (wi.tensor_class.find("_exps") != std::string::npos && wi.shape.size() == 3 && wi.shape[2] > 0)
      plan.weight_codes.back().expert_bytes = wi.bytes / wi.shape[2];
  }
  plan.activation_precision = activation_precision(w.header.act_dtype);
  plan.kv_on_chip_allowed = config.kv_cache != KvCachePlacement::dram;
  for (uint32_t d = 0; d < devices.size(); ++d) {
    DevicePlan device;
    device.pes = std::max<uint32_t>(1, devices[d].pes);
    device.stage = d / par.tensor;
    device.rank = d % par.tensor;
    plan.devices.push_back(std::move(device));
  }
  plan.steps.reserve(w.steps.size());
  for (const WorkloadStep& step : w.steps) plan.steps.push_back(order_step(w, step, plan));
  std::vector<StageNeeds> needs;
  for (uint32_t s = 0; s < par.pipeline; ++s) {
    needs.push_back(stage_needs(w, plan, s));
    for (uint32_t d : plan.stage_devices(s)) {
      const std::string at = devices.size() > 1 ? cat(where, ": device ", d) : where;
      plan.devices[d].memory = lay_out(needs.back(), devices[d].memory_bytes, config.allow_offload, at);
    }
  }
  for (size_t s = 0; s < w.steps.size(); ++s) place_ops(w, w.steps[s], plan, needs, plan.steps[s]);
  return plan;
}

std::vector<WorkShare> split_op(const Plan& plan, size_t device, const Op& whole, const PlannedOp& placed) {
  const DevicePlan& d = plan.devices[device];
  const Op op = device_op(plan.parallel, plan.batch, whole, placed, d.rank);
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
