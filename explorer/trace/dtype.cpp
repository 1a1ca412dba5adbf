// Stored-bytes formulas for trace dtypes (traces/FORMAT.md, "Dtypes and stored bytes"). GGUF block sizes are
// those of ggml's type traits (public llama.cpp documentation); integer and BCQ group layouts are defined by
// the format. Leaves out: anything about the values themselves.
#include "explorer/trace/dtype.h"

#include <charconv>
#include <cstring>

#include "models/core/error.h"

namespace llmx::trace {

namespace {

struct Named {
  const char* name;
  uint64_t elems;
  uint64_t bytes;
  bool gguf;
};

// GGUF blocks: Q8_0 = FP16 scale + 32 x int8; Q4_0 = FP16 scale + 32 nibbles; Q4_1/Q5_1 add an FP16 min;
// Q5_0 adds 32 high bits; IQ4_NL = FP16 scale + 32 nibbles indexing a non-linear table (llama-quantize's
// fallback for Q2_K/Q3_K rows that are no multiple of 256); K-quants are 256-weight super-blocks. KV-only
// names INT8/INT4 use 32-element groups with an FP16 scale (and an FP16 zero for INT4).
const Named kNamed[] = {
    {"F32", 1, 4, false},     {"F16", 1, 2, false},     {"BF16", 1, 2, false},    {"FP8", 1, 1, false},
    {"Q8_0", 32, 34, true},   {"Q4_0", 32, 18, true},   {"Q4_1", 32, 20, true},   {"Q5_0", 32, 22, true},
    {"Q5_1", 32, 24, true},   {"Q2_K", 256, 84, true},  {"Q3_K", 256, 110, true}, {"Q4_K", 256, 144, true},
    {"Q5_K", 256, 176, true}, {"Q6_K", 256, 210, true}, {"INT8", 32, 34, false},  {"INT4", 32, 20, false},
    {"IQ4_NL", 32, 18, true},
};

bool parse_u64(const char* b, const char* e, uint64_t& v) {
  if (b == e) return false;
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}

// INT<b>[S]_G<g> and BCQ<q>_G<g>.
bool parse_grouped(const std::string& s, BlockLayout& out) {
  const char* p = s.c_str();
  const char* end = p + s.size();
  bool bcq = false;
  if (s.rfind("INT", 0) == 0) {
    p += 3;
  } else if (s.rfind("BCQ", 0) == 0) {
    p += 3;
    bcq = true;
  } else {
    return false;
  }
  const char* us = static_cast<const char*>(std::memchr(p, '_', static_cast<size_t>(end - p)));
  if (!us || end - us < 3 || us[1] != 'G') return false;
  const char* bits_end = us;
  bool symmetric = false;
  if (!bcq && bits_end > p && bits_end[-1] == 'S') {
    symmetric = true;
    --bits_end;
  }
  uint64_t bits = 0, group = 0;
  if (!parse_u64(p, bits_end, bits) || !parse_u64(us + 2, end, group)) return false;
  if (group == 0 || group > (1u << 20)) return false;
  if (bcq) {
    if (bits < 1 || bits > 8) return false;
    out.block_elems = group;
    out.block_bytes = bits * ((group + 7) / 8) + 2 * bits;
  } else {
    if (bits < 2 || bits > 8) return false;
    out.block_elems = group;
    out.block_bytes = (group * bits + 7) / 8 + 2 + (symmetric ? 0 : 2);
  }
  out.gguf = false;
  return true;
}

}  // namespace

bool dtype_layout(const std::string& dtype, BlockLayout& out) {
  for (const Named& n : kNamed) {
    if (dtype == n.name) {
      out = BlockLayout{n.elems, n.bytes, n.gguf};
      return true;
    }
  }
  return parse_grouped(dtype, out);
}

BlockLayout dtype_layout(const std::string& dtype) {
  BlockLayout l;
  if (!dtype_layout(dtype, l)) throw Error(cat("unknown dtype '", dtype, "'"));
  return l;
}

std::string dtype_block_text(const std::string& dtype) {
  const BlockLayout l = dtype_layout(dtype);
  return cat(l.block_bytes, "/", l.block_elems);
}

uint64_t row_bytes(const std::string& dtype, uint64_t k) {
  const BlockLayout l = dtype_layout(dtype);
  if (l.gguf && k % l.block_elems != 0)
    throw Error(
        cat("dtype ", dtype, " needs rows that are a multiple of ", l.block_elems, " elements, got ", k));
  uint64_t out = 0;
  if (__builtin_mul_overflow(k / l.block_elems + (k % l.block_elems != 0), uint64_t{l.block_bytes}, &out))
    throw Error(cat("a row of ", k, " ", dtype, " elements overflows 64-bit byte counts"));
  return out;
}

uint64_t stored_bytes(const std::string& dtype, const std::vector<uint64_t>& shape) {
  if (shape.empty()) throw Error("a tensor needs at least one dimension");
  uint64_t rows = 1, out = 0;
  for (size_t i = 1; i < shape.size(); ++i)
    if (__builtin_mul_overflow(rows, shape[i], &rows))
      throw Error("the shape's element count overflows 64 bits");
  if (__builtin_mul_overflow(rows, row_bytes(dtype, shape[0]), &out))
    throw Error("the shape's byte count overflows 64 bits");
  return out;
}

bool act_bits(const std::string& dtype, uint32_t& bits) {
  if (dtype == "F32")
    bits = 32;
  else if (dtype == "F16" || dtype == "BF16")
    bits = 16;
  else if (dtype == "FP8" || dtype == "INT8")
    bits = 8;
  else if (dtype == "INT4")
    bits = 4;
  else
    return false;
  return true;
}

uint32_t act_bits(const std::string& dtype) {
  uint32_t b = 0;
  if (!act_bits(dtype, b))
    throw Error(cat("unknown activation dtype '", dtype, "' (F32, F16, BF16, FP8, INT8, INT4)"));
  return b;
}

uint64_t act_bytes(const std::string& dtype, uint64_t elems) {
  return (elems * act_bits(dtype) + 7) / 8;
}

std::string int_dtype(uint32_t bits, uint64_t group, bool symmetric) {
  return cat("INT", bits, symmetric ? "S" : "", "_G", group);
}

std::string bcq_dtype(uint32_t bits, uint64_t group) {
  return cat("BCQ", bits, "_G", group);
}

bool is_gguf_quant(const std::string& dtype) {
  BlockLayout l;
  return dtype_layout(dtype, l) && l.gguf;
}

}  // namespace llmx::trace
