// How several devices share a model; see parallel.h.
#include "explorer/plan/parallel.h"

#include <algorithm>

#include "models/core/error.h"
#include "models/core/param_schema.h"

namespace llmx {

using trace::Op;
using trace::OpKind;

namespace {

uint64_t share(uint64_t total, uint64_t parts, uint64_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

double fraction(uint64_t part, uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

bool opens_split(OpKind k) {
  return k == OpKind::matmul_q || k == OpKind::matmul_k || k == OpKind::matmul_v || k == OpKind::matmul_qkv ||
         k == OpKind::matmul_gate || k == OpKind::matmul_up;
}

bool per_head(OpKind k) {
  return k == OpKind::kv_write || k == OpKind::attention_score || k == OpKind::softmax ||
         k == OpKind::attention_value || k == OpKind::attention || k == OpKind::rope;
}

// The micro-batch part of `op`: rows, streams that scale with the batch, FLOPs; the weights a matmul reads
// do not scale (every micro-batch streams them again), the embedding rows it looks up do.
Op micro_batch_part(const Op& op, uint32_t batch, uint32_t parts, uint32_t index) {
  Op p = op;
  p.m = share(op.m, parts, index);
  p.kv_read_bytes = share(op.kv_read_bytes, parts, index);
  p.kv_write_bytes = share(op.kv_write_bytes, parts, index);
  p.act_in_bytes = share(op.act_in_bytes, parts, index);
  p.act_out_bytes = share(op.act_out_bytes, parts, index);
  p.flops = op.flops * fraction(share(batch, parts, index), batch);
  if (op.kind == OpKind::embedding) p.weight_bytes = share(op.weight_bytes, parts, index);
  return p;
}

Op tensor_part(const Op& op, TensorSplit split, uint32_t degree, uint32_t rank) {
  Op p = op;
  auto part = [&](uint64_t x) { return share(x, degree, rank); };
  switch (split) {
    case TensorSplit::replicated:
      break;
    case TensorSplit::columns:
      p.weight_bytes = part(op.weight_bytes);
      p.n = part(op.n);
      p.act_out_bytes = part(op.act_out_bytes);
      p.flops = op.flops * fraction(p.n, op.n);
      break;
    case TensorSplit::rows:
      p.weight_bytes = part(op.weight_bytes);
      p.k = part(op.k);
      p.act_in_bytes = part(op.act_in_bytes);
      p.flops = op.flops * fraction(p.k, op.k);
      break;
    case TensorSplit::heads:
      p.weight_bytes = part(op.weight_bytes);
      p.n = part(op.n);
      p.kv_read_bytes = part(op.kv_read_bytes);
      p.kv_write_bytes = part(op.kv_write_bytes);
      p.act_in_bytes = part(op.act_in_bytes);
      p.act_out_bytes = part(op.act_out_bytes);
      p.flops = op.flops / degree;
      break;
    case TensorSplit::vocab:
      p.weight_bytes = part(op.weight_bytes);
      p.flops = op.flops / degree;
      break;
  }
  return p;
}

}  // namespace

namespace {

const ParamSchema& parallelism_schema() {
  static const ParamSchema s{
      "parallelism",
      "how the devices of a multi-device system share the model (`parallelism:`; explorer/plan/parallel.h)",
      {{"",
        "",
        {integer("tensor", "1", Bound::range(1, 1024),
                 "devices per pipeline stage, splitting every layer's heads and columns"),
         integer("pipeline", "1", Bound::range(1, 1024), "pipeline stages of consecutive layers"),
         integer("micro_batches", "1", Bound::range(1, 65536),
                 "parts of each step's batch pipelined through the stages")}}}};
  return s;
}

const ParamSchemaRegistrar parallelism_schema_registrar(&parallelism_schema);

}  // namespace

ParallelConfig read_parallelism(Params& root) {
  ParallelConfig c;
  if (!root.has("parallelism")) return c;
  Params p = root.required_child("parallelism", "how the devices share the model (explorer/plan/parallel.h)");
  p.bind(parallelism_schema());
  c.tensor = p.get<uint32_t>("tensor");
  c.pipeline = p.get<uint32_t>("pipeline");
  c.micro_batches = p.get<uint32_t>("micro_batches");
  return c;
}

std::vector<TensorSplit> tensor_splits(const std::vector<Op>& ops) {
  std::vector<TensorSplit> splits(ops.size(), TensorSplit::replicated);
  bool inside = false;  // between a column-split projection and the row split that closes it
  int32_t layer = -1;
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    if (op.layer != layer) inside = false, layer = op.layer;
    TensorSplit& s = splits[i];
    if (opens_split(op.kind)) {
      s = TensorSplit::columns;
      inside = true;
    } else if (op.kind == OpKind::matmul_o || op.kind == OpKind::matmul_down) {
      s = TensorSplit::rows;
      inside = false;
    } else if (op.kind == OpKind::lm_head) {
      s = TensorSplit::columns;
    } else if (op.kind == OpKind::embedding) {
      s = TensorSplit::vocab;
    } else if (per_head(op.kind) || inside) {
      s = TensorSplit::heads;
    }
  }
  return splits;
}

bool needs_all_reduce(const Op& op, TensorSplit split) {
  return split == TensorSplit::rows || split == TensorSplit::vocab;
}

bool needs_all_gather(const Op& op, TensorSplit split) {
  return op.kind == OpKind::lm_head && split == TensorSplit::columns;
}

std::vector<uint32_t> pipeline_stages(const std::vector<Op>& ops, uint32_t layers, uint32_t stages) {
  std::vector<uint32_t> first_layer(stages + 1, 0);  // stage s runs layers [first_layer[s], first_layer[s+1])
  for (uint32_t s = 0; s < stages; ++s)
    first_layer[s + 1] = first_layer[s] + static_cast<uint32_t>(share(layers, stages, s));
  std::vector<uint32_t> out(ops.size(), 0);
  bool after_layers = false;
  for (size_t i = 0; i < ops.size(); ++i) {
    const int32_t layer = ops[i].layer;
    if (layer < 0) {
      out[i] = after_layers ? stages - 1 : 0;
      continue;
    }
    after_layers = true;
    const auto l = static_cast<uint32_t>(layer);
    const auto it = std::upper_bound(first_layer.begin(), first_layer.end(), l);
    out[i] = std::min<uint32_t>(static_cast<uint32_t>(it - first_layer.begin()) - 1, stages - 1);
  }
  return out;
}

Op device_op(const ParallelConfig& parallel, uint32_t batch, const Op& op, const PlannedOp& placed,
             uint32_t rank) {
  Op part = parallel.micro_batches > 1
                ? micro_batch_part(op, batch, parallel.micro_batches, placed.micro_batch)
                : op;
  if (parallel.tensor > 1) part = tensor_part(part, placed.split, parallel.tensor, rank);
  return part;
}

void check_parallelism(const Workload& w, const ParallelConfig& p, const std::string& where) {
  const trace::Header& h = w.header;
  if (p.tensor > 1 && (h.heads % p.tensor != 0 || h.kv_heads % p.tensor != 0))
    throw Error(cat(where, ": parallelism.tensor ", p.tensor, " does not divide ", h.model, "'s ", h.heads,
                    " attention heads and ", h.kv_heads, " KV heads"));
  if (p.pipeline > std::max<uint32_t>(1, h.layers))
    throw Error(cat(where, ": parallelism.pipeline ", p.pipeline, " stages for ", h.model, "'s ", h.layers,
                    " layers (at least one layer per stage)"));
  if (p.micro_batches > w.batch())
    throw Error(cat(where, ": parallelism.micro_batches ", p.micro_batches, " is more than the batch of ",
                    w.batch(), " sequences"));
}

}  // namespace llmx
