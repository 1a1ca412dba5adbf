// The plan stage: where a workload lives and who computes what. Plain C++ (no SystemC): a Workload, the
// devices' resources and a PlanConfig in, a Plan out.
//
// Per device, a memory layout: the weights it holds at their offsets (the model image's, packed when the
// device holds a part or a subset of them), one KV-cache region per layer after them (sized for the longest
// context any step reaches plus its append), then the activations; when weights + KV cache + activations
// exceed device memory, the KV cache and activations stay and the weights that do not fit are offloaded to
// host memory (streamed over the host link by every step that reads them). Per step, the sequence of planned
// ops (each with its addresses: the KV cache is read and appended at a cursor per layer) and the token bytes
// exchanged with the host. Per op and PE, its share (split_op): weights by output rows, KV cache by heads,
// FLOPs evenly; every PE of a matmul reads the whole input activation.
//
// A system is a list of devices, `tensor` x `pipeline` of them (explorer/plan/parallel.h): the layers are
// split into `pipeline` stages of consecutive layers, each run by a group of `tensor` devices that split
// every layer's heads and FFN columns as Megatron-LM does (two all-reduces per layer). A planned op names its
// stage (the devices that run it) and how the group splits it; collectives (all-reduce, all-gather, the
// activations sent to the next stage) follow the ops they need. One device is the case 1 x 1: it holds the
// whole model and runs every op on all its PEs. Leaves out: overlap of independent ops on one device, expert
// parallelism.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/core/param_schema.h"

#include "explorer/workload/workload.h"
#include "models/core/params.h"
#include "models/core/work_share.h"

namespace llmx {

// Where the KV cache lives: device memory, the PEs' buffers where a PE's share fits beside its tiles in
// flight, or the buffers as a requirement (checked against the PEs before simulation).
enum class KvCachePlacement { dram, where_fits, on_chip };

// How the devices share the model: `tensor` devices per pipeline stage, `pipeline` stages, each step's batch
// cut into `micro_batches` that follow each other through the stages.
struct ParallelConfig {
  uint32_t tensor = 1, pipeline = 1, micro_batches = 1;
  uint32_t devices() const { return tensor * pipeline; }
};

struct PlanConfig {
  bool allow_offload = true;
  KvCachePlacement kv_cache = KvCachePlacement::dram;
  ParallelConfig parallel;

  // Reads the plan's keys of `driver:` (offload, kv_cache).
  static PlanConfig read(Params& driver);
  static std::vector<ParamDecl> keys();  // its keys of the `driver:` section
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
  uint32_t stage = 0, rank = 0;  // pipeline stage, and position in the stage's tensor-parallel group
  MemoryLayout memory;

  // The part of the KV cache PE `pe` holds (heads split evenly, remainder to the first PEs).
  uint64_t kv_share(uint32_t pe) const;
};

// How a tensor-parallel group splits an op among its devices (Megatron-LM): `columns`, a matmul's outputs
// (Q, K, V, gate, up, lm_head); `rows`, a matmul's reduction (O, down: each device ends with partial sums of
// the whole output, all-reduced after); `heads`, an op between a column and a row split (attention, the KV
// cache, the FFN activation), every stream and FLOP divided; `vocab`, the embedding table's rows (all-reduced
// after); `replicated`, the whole op on every device (norms, residual adds).
enum class TensorSplit { replicated, columns, rows, heads, vocab };

// One op of a step as planned: which workload op, and where its streams are in device memory.
struct PlannedOp {
  uint32_t op = 0;  // index into the workload step's ops
  uint64_t weight_address = 0;
  uint64_t kv_read_address = 0, kv_write_address = 0;
  bool weight_offloaded = false;  // the weights come over the host link
  uint32_t stage = 0;             // the pipeline stage whose devices run it (addresses are theirs)
  uint32_t micro_batch = 0;       // the part of the batch it computes (of the plan's micro_batches)
  TensorSplit split = TensorSplit::replicated;
  int32_t wait_for = -1;  // the step's collective (index) that must have arrived before it starts, or -1
};

enum class CollectiveKind { all_reduce, all_gather, send };
const char* collective_kind_name(CollectiveKind kind);

// Data moved between devices after an op, over the system's links.
struct PlannedCollective {
  CollectiveKind kind = CollectiveKind::all_reduce;
  uint32_t after_op = 0;  // index into the step's ops: starts when that op ended on all its devices
  int32_t layer = -1;
  uint32_t micro_batch = 0;
  // all_reduce, all_gather: the bytes every device of the group ends with; send: the bytes each sender sends.
  uint64_t bytes = 0;
  std::vector<uint32_t> devices;  // all_reduce, all_gather: the group in ring order; send: the senders
  std::vector<uint32_t> peers;    // send: the receiver of each sender
};

struct StepPlan {
  std::vector<PlannedOp> ops;                  // in execution order
  std::vector<PlannedCollective> collectives;  // in order of after_op
  uint64_t host_in_bytes = 0;   // token ids in before the step (to each device of the first stage)
  uint64_t host_out_bytes = 0;  // tokens out after it (from the first device of the last stage)
};

struct WeightCode {
  WeightCoding coding = WeightCoding::none;
  uint32_t bits = 0;          // bits per weight (BCQ: bit-planes)
  uint64_t expert_bytes = 0;  // a tensor of experts: stored bytes of one expert (0 for other tensors)
};

struct Plan {
  std::vector<DevicePlan> devices;  // stage by stage, each stage's tensor-parallel group in rank order
  ParallelConfig parallel;
  uint32_t batch = 1;                    // sequences per step (micro-batches divide them)
  std::vector<StepPlan> steps;           // parallel to the workload's steps
  std::vector<WeightCode> weight_codes;  // per weight id
  Precision activation_precision = Precision::fp16;
  bool kv_on_chip_allowed = false;

  // The devices of pipeline stage `stage`, in rank order.
  std::vector<uint32_t> stage_devices(uint32_t stage) const;
};

// Plans `workload` on `devices` (config.parallel.devices() of them). Throws llmx::Error, prefixed by
// `where`, when the devices do not match the parallelism, the model cannot be split as asked, even the KV
// cache and activations do not fit device memory, or weights do not fit and offload is not allowed.
Plan make_plan(const Workload& workload, const std::vector<DeviceResources>& devices,
               const PlanConfig& config, const std::string& where);

// The shares of `op` (planned as `placed`) for each PE of device `device` (one of the op's stage).
std::vector<WorkShare> split_op(const Plan& plan, size_t device, const trace::Op& op,
                                const PlannedOp& placed);

// How a weight of dtype `dtype` is stored for the PE (dense, quantized, binary-coded) and its bits per
// weight.
WeightCode weight_code(const std::string& dtype);

}  // namespace llmx
