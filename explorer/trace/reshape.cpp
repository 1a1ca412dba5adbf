// A recorded step re-derived at another shape; see reshape.h.
#include "explorer/trace/reshape.h"

#include <algorithm>

#include "explorer/trace/moe.h"
#include "models/core/error.h"

namespace llmx::trace {

namespace {

// x * num / den, rounded to the nearest integer (128-bit intermediate).
uint64_t scale(uint64_t x, uint64_t num, uint64_t den) {
  if (den == 0) return 0;
  const unsigned __int128 p = static_cast<unsigned __int128>(x) * num;
  const unsigned __int128 q = (p + den / 2) / den;
  if (q > UINT64_MAX) throw Error("a re-derived op's figure is beyond 64 bits");
  return static_cast<uint64_t>(q);
}
double scale(double x, uint64_t num, uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(static_cast<long double>(x) * num / den);
}

// A ratio num/den that an op's figures scale by.
struct Ratio {
  uint64_t num = 1, den = 1;
  Ratio times(const Ratio& o) const {
    Ratio r;
    if (__builtin_mul_overflow(num, o.num, &r.num) || __builtin_mul_overflow(den, o.den, &r.den))
      throw Error("a re-derived op's scale factor is beyond 64 bits");
    return r;
  }
};

uint64_t apply(uint64_t x, const Ratio& r) {
  return scale(x, r.num, r.den);
}
double apply(double x, const Ratio& r) {
  return scale(x, r.num, r.den);
}

// The keys an attention op of `kind` spans, as recorded.
uint64_t* span_dim(Op& op) {
  switch (op.kind) {
    case OpKind::attention_score:
    case OpKind::softmax:
    case OpKind::attention:
      return &op.n;
    case OpKind::attention_value:
      return &op.k;
    default:
      return nullptr;
  }
}

class Reshaper {
 public:
  Reshaper(const StepShape& from, const StepShape& to, const Header& h, const std::vector<WeightInfo>& w)
      : from_(from), to_(to), h_(h), weights_(w) {
    if (from.batch == 0 || from.tokens == 0 || to.batch == 0 || to.tokens == 0)
      throw Error("a step needs at least one sequence and one token");
    if (from.tokens == 1 && to.tokens > 1)
      throw Error("a decode step cannot be re-derived as a prompt step (record the trace with a prompt)");
    to_span_ = attended_keys(to.context, to.tokens, h.sliding_window);
  }

  Op op(const Op& src, uint64_t index) const {
    Op o = src;
    o.context_len = static_cast<uint32_t>(to_.context);
    const Ratio rows = row_ratio(src, index);
    o.m = apply(src.m, rows);
    if (uint64_t* dim = span_dim(o)) {
      attention(src, o, *dim, rows);
      return o;
    }
    Ratio r = rows;
    if (from_.tokens > 1 && (src.kind == OpKind::elementwise || src.kind == OpKind::other) &&
        src.n == from_.context && src.n > 0) {
      // The causal mask spans the context (token rows); position ids span the step's tokens.
      const bool token_rows = src.m % (from_.batch * from_.tokens) == 0;
      o.n = token_rows ? to_.context : to_.tokens;
      r = r.times({o.n, src.n});
    }
    o.act_in_bytes = apply(src.act_in_bytes, r);
    o.act_out_bytes = apply(src.act_out_bytes, r);
    o.kv_read_bytes = apply(src.kv_read_bytes, r);
    o.kv_write_bytes = apply(src.kv_write_bytes, r);
    o.flops = apply(src.flops, r);
    if (src.kind == OpKind::embedding) o.weight_bytes = apply(src.weight_bytes, rows);
    if (is_expert_matmul(src.kind)) {
      const uint32_t k = h_.moe.experts_per_token;
      o.weight_bytes =
          expert_read_bytes(weights_.at(static_cast<size_t>(src.weight_id)), k, expert_op_tokens(o, k));
    }
    return o;
  }

  // Refuses a prompt step whose context-spanning ops cannot be told from ops over a model dimension.
  void check_unambiguous(const std::vector<Op>& ops) const {
    if (from_.tokens <= 1) return;
    const uint64_t L = from_.context;
    const uint64_t dims[] = {h_.hidden,
                             h_.intermediate,
                             uint64_t{h_.heads} * h_.head_dim,
                             uint64_t{h_.kv_heads} * h_.head_dim,
                             h_.head_dim,
                             h_.vocab,
                             h_.moe.experts,
                             h_.moe.experts_per_token,
                             h_.moe.expert_intermediate,
                             h_.moe.shared_intermediate};
    if (std::find(std::begin(dims), std::end(dims), L) == std::end(dims)) return;
    for (const Op& op : ops)
      if ((op.kind == OpKind::elementwise || op.kind == OpKind::other) && op.n == L)
        throw Error(cat("the prompt step's context (", L,
                        " tokens) equals a model dimension: its ops over the context cannot be told from the "
                        "others (record the trace with another prompt length)"));
  }

 private:
  Ratio row_ratio(const Op& src, uint64_t index) const {
    if (src.m == 0) return {1, 1};
    const uint64_t T0 = from_.batch * from_.tokens, T = to_.batch * to_.tokens;
    if (from_.tokens > 1 && src.m % T0 == 0) return {T, T0};
    if (src.m % from_.batch == 0) return {to_.batch, from_.batch};
    throw Error(cat("op ", index, " (", op_kind_name(src.kind), "): rows (m = ", src.m,
                    ") are neither a multiple of the step's ", T0, " tokens nor of its ", from_.batch,
                    " sequences"));
  }

  void attention(const Op& src, Op& o, uint64_t& dim, const Ratio& rows) const {
    const uint64_t span = dim;
    if (span == 0) return;
    const Ratio keys{to_span_, span};
    dim = to_span_;
    const Ratio all = rows.times(keys);
    o.kv_read_bytes = apply(src.kv_read_bytes, Ratio{to_.batch, from_.batch}.times(keys));
    o.kv_write_bytes = apply(src.kv_write_bytes, rows);
    o.flops = apply(src.flops, all);
    // Inputs and outputs over the keys scale with them too: scores and probabilities, not Q or the result.
    const bool in_over_keys = src.kind == OpKind::softmax || src.kind == OpKind::attention_value;
    const bool out_over_keys = src.kind == OpKind::softmax || src.kind == OpKind::attention_score;
    o.act_in_bytes = apply(src.act_in_bytes, in_over_keys ? all : rows);
    o.act_out_bytes = apply(src.act_out_bytes, out_over_keys ? all : rows);
  }

  StepShape from_, to_;
  const Header& h_;
  const std::vector<WeightInfo>& weights_;
  uint64_t to_span_ = 0;
};

}  // namespace

uint64_t attended_keys(uint64_t context, uint64_t tokens, uint64_t window) {
  return window ? std::min<uint64_t>(context, window + tokens - 1) : context;
}

std::vector<Op> reshape_step(const std::vector<Op>& ops, const StepShape& from, const StepShape& to,
                             uint32_t step, const Header& header, const std::vector<WeightInfo>& weights) {
  const Reshaper r(from, to, header, weights);
  r.check_unambiguous(ops);
  std::vector<Op> out;
  out.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    out.push_back(r.op(ops[i], i));
    out.back().step = step;
  }
  return out;
}

}  // namespace llmx::trace
