// The plan stage: where a workload lives and who computes what. Plain C++ (no SystemC): a Workload, the
// devices' resources and a PlanConfig in, a Plan out.
//
// Per device, a memory layout: weights at their offsets in the model image, one KV-cache region per layer
// after them (sized for the longest context any step reaches plus its append), then the activations; when
// weights + KV cache + activations exceed device memory, the KV cache and activations stay and the weights
// that do not fit are offloaded to host memory (streamed over the host link by every step that reads them).
// Per step, the sequence of planned ops (each with its addresses: the KV cache is read and appended at a
// cursor per layer) and the token bytes exchanged with the host. Per op and PE, its share (split_op): weights
// by output rows, KV cache by heads, FLOPs evenly; every PE of a matmul reads the whole input activation.
//
// A system is a list of devices; today every plan has one (`devices.size() == 1`), which holds the whole
// model and runs every op on all its PEs. Tensor- and pipeline-parallel plans give each device its part of an
// op (its own placement and shares) and insert collectives between devices into a step's sequence; the
// runtime and driver consume the sequence as it is. Leaves out: several devices, overlap of independent ops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/workload/workload.h"
#include "models/core/params.h"
#include "models/core/work_share.h"

namespace llmx {

// Where the KV cache lives: device memory, the PEs' buffers where a PE's share fits beside its tiles in
// flight, or the buffers as a requirement (checked against the PEs before simulation).
enum class KvCachePlacement { dram, where_fits, on_chip };

struct PlanConfig {
  bool allow_offload = true;
  KvCachePlacement kv_cache = KvCachePlacement::dram;

  // Reads the plan's keys of `driver:` (offload, kv_cache).
  static PlanConfig read(Params& driver);
};

// What the plan needs to know of one device.
struct DeviceResources {
  uint64_t memory_bytes = 0;  // device memory (DRAM capacity)
  uint32_t pes = 1;           // processing elements sharing each op
};

struct MemoryLayout {
  std::vector<bool> offloaded;             // per weight id: lives in host memory
  std::vector<uint64_t> kv_base, kv_size;  // per layer
  uint64_t act_base = 0, act_size = 0;     // activations' region
  uint64_t end = 0;                        // device memory used (bytes, aligned)
  uint64_t offloaded_bytes = 0;            // weights left in host memory
  uint64_t kv_bytes = 0;                   // the KV cache (sum of the layers' regions, unaligned)
};

struct DevicePlan {
  uint32_t pes = 1;
  MemoryLayout memory;

  // The part of the KV cache PE `pe` holds (heads split evenly, remainder to the first PEs).
  uint64_t kv_share(uint32_t pe) const;
};

// One op of a step as planned: which workload op, and where its streams are in device memory.
struct PlannedOp {
  uint32_t op = 0;  // index into the workload step's ops
  uint64_t weight_address = 0;
  uint64_t kv_read_address = 0, kv_write_address = 0;
  bool weight_offloaded = false;  // the weights come over the host link
};

struct StepPlan {
  std::vector<PlannedOp> ops;   // in execution order
  uint64_t host_in_bytes = 0;   // token ids in before the step
  uint64_t host_out_bytes = 0;  // tokens out after it
};

struct WeightCode {
  WeightCoding coding = WeightCoding::none;
  uint32_t bits = 0;          // bits per weight (BCQ: bit-planes)
  uint64_t expert_bytes = 0;  // a tensor of experts: stored bytes of one expert (0 for other tensors)
};

struct Plan {
  std::vector<DevicePlan> devices;
  std::vector<StepPlan> steps;           // parallel to the workload's steps
  std::vector<WeightCode> weight_codes;  // per weight id
  Precision activation_precision = Precision::fp16;
  bool kv_on_chip_allowed = false;
};

// Plans `workload` on `devices` (one, today). Throws llmx::Error, prefixed by `where`, when even the KV cache
// and activations do not fit device memory, or weights do not fit and offload is not allowed.
Plan make_plan(const Workload& workload, const std::vector<DeviceResources>& devices,
               const PlanConfig& config, const std::string& where);

// The shares of `op` (planned as `placed`) for each PE of device `device`.
std::vector<WorkShare> split_op(const Plan& plan, size_t device, const trace::Op& op,
                                const PlannedOp& placed);

// How a weight of dtype `dtype` is stored for the PE (dense, quantized, binary-coded) and its bits per
// weight.
WeightCode weight_code(const std::string& dtype);

}  // namespace llmx
