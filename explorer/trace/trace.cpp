// Reading and writing LXT decode traces (traces/FORMAT.md, versions 1 and 2): op-kind names, a streaming
// reader over zlib's gzread (gzip or plain text) with hand-written field parsing (std::from_chars), and a
// deterministic gzip writer (deflate with fixed settings and the default header: mtime 0, no name). Every
// error names the file and the record (line) number. Leaves out: generation and transforms (generator.h,
// quantize.h).
#include "explorer/trace/trace.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>

#include "explorer/run/results_dir.h"
#include "explorer/trace/dtype.h"
#include "models/core/error.h"
#include "models/core/utf8.h"

namespace llmx::trace {

namespace {

constexpr int kVersion = 2;  // the newest version; every earlier one is read too

struct KindName {
  OpKind kind;
  const char* name;
};
const KindName kKinds[] = {
    {OpKind::embedding, "embedding"},
    {OpKind::norm, "norm"},
    {OpKind::matmul_q, "matmul_q"},
    {OpKind::matmul_k, "matmul_k"},
    {OpKind::matmul_v, "matmul_v"},
    {OpKind::matmul_qkv, "matmul_qkv"},
    {OpKind::matmul_o, "matmul_o"},
    {OpKind::matmul_gate, "matmul_gate"},
    {OpKind::matmul_up, "matmul_up"},
    {OpKind::matmul_down, "matmul_down"},
    {OpKind::lm_head, "lm_head"},
    {OpKind::rope, "rope"},
    {OpKind::kv_write, "kv_write"},
    {OpKind::attention_score, "attention_score"},
    {OpKind::softmax, "softmax"},
    {OpKind::attention_value, "attention_value"},
    {OpKind::attention, "attention"},
    {OpKind::activation, "activation"},
    {OpKind::elementwise, "elementwise"},
    {OpKind::residual, "residual"},
    {OpKind::copy, "copy"},
    {OpKind::other, "other"},
    {OpKind::router, "router"},
    {OpKind::expert_select, "expert_select"},
    {OpKind::expert_gate, "expert_gate"},
    {OpKind::expert_up, "expert_up"},
    {OpKind::expert_down, "expert_down"},
};

// Header keys in the order the writer emits them; "records" is written last.
const char* const kHeaderKeys[] = {"source_engine", "source_version", "model",        "architecture",
                                   "hidden",        "intermediate",   "layers",       "heads",
                                   "kv_heads",      "head_dim",       "vocab",        "tied_embeddings",
                                   "activation",    "weight_format",  "kv_dtype",     "act_dtype",
                                   "batch",         "prompt_len",     "decode_steps", "records"};
constexpr size_t kNumHeaderKeys = sizeof(kHeaderKeys) / sizeof(kHeaderKeys[0]);

// Version-2 header keys (optional), in the order the writer emits them, after decode_steps.
const char* const kV2Keys[] = {
    "max_position",        "sliding_window",      "experts",      "experts_per_token", "shared_experts",
    "expert_intermediate", "shared_intermediate", "dense_layers", "kv_lora_rank",      "q_lora_rank",
    "qk_rope_head_dim",    "qk_nope_head_dim",    "v_head_dim",   "moe_routing"};
constexpr size_t kNumV2Keys = sizeof(kV2Keys) / sizeof(kV2Keys[0]);

size_t v2_key_index(std::string_view key) {
  for (size_t i = 0; i < kNumV2Keys; ++i)
    if (key == kV2Keys[i]) return i;
  return kNumV2Keys;
}

size_t header_key_index(std::string_view key) {
  for (size_t i = 0; i < kNumHeaderKeys; ++i)
    if (key == kHeaderKeys[i]) return i;
  return kNumHeaderKeys;
}

// ---------------------------------------------------------------------------------------------------------
// Reader

class Reader {
 public:
  Reader(const std::string& path, const std::function<void(const Op&)>& on_op) : path_(path), on_op_(on_op) {}

  Trace run() {
    gzFile f = gzopen(path_.c_str(), "rb");
    if (!f) throw Error(cat(path_, ": cannot open: ", std::strerror(errno ? errno : ENOENT)));
    gzbuffer(f, 1 << 18);
    std::string buf;
    buf.resize(kChunk + 4096);
    size_t have = 0;  // bytes of an unfinished line kept at the front of buf
    try {
      for (;;) {
        if (buf.size() < have + kChunk) buf.resize(have + kChunk);
        const int got = gzread(f, &buf[have], static_cast<unsigned>(kChunk));
        if (got < 0) {
          int errnum = 0;
          const char* msg = gzerror(f, &errnum);
          fail(line_no_ + 1, cat("truncated or corrupt compressed data (zlib: ", msg ? msg : "error", ")"));
        }
        if (got == 0) {
          int errnum = 0;
          gzerror(f, &errnum);
          if (errnum != Z_OK && errnum != Z_STREAM_END)
            fail(line_no_ + 1, "truncated: the compressed stream ends early");
          break;
        }
        const size_t total = have + static_cast<size_t>(got);
        size_t start = 0;
        for (;;) {
          const void* nl = std::memchr(buf.data() + start, '\n', total - start);
          if (!nl) break;
          const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
          line(std::string_view(buf.data() + start, end - start), true);
          start = end + 1;
        }
        have = total - start;
        if (have && start) std::memmove(&buf[0], buf.data() + start, have);
      }
      if (have) line(std::string_view(buf.data(), have), false);
      finish();
      check_gzip_end();
    } catch (...) {
      gzclose(f);
      throw;
    }
    gzclose(f);
    return std::move(trace_);
  }

  bool keep_ops = false;

 private:
  static constexpr size_t kChunk = 1 << 20;
  static constexpr uint64_t kMaxBytes = uint64_t{1} << 50;

  // zlib's gzread ignores bytes after the last gzip member; a trace is exactly its members (or plain text).
  void check_gzip_end() const {
    std::FILE* raw = std::fopen(path_.c_str(), "rb");
    if (!raw) return;
    std::string data;
    char chunk[1 << 16];
    for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, raw)) > 0;) data.append(chunk, n);
    std::fclose(raw);
    size_t at = 0;
    while (at + 1 < data.size() && static_cast<unsigned char>(data[at]) == 0x1f &&
           static_cast<unsigned char>(data[at + 1]) == 0x8b)
      at += gzip_member_size(data, at);
    if (at == 0) return;  // plain text
    if (at < data.size()) fail(cat(data.size() - at, " bytes after the end of the gzip stream"));
  }
  // The compressed size of the gzip member starting at `at` (its whole rest when it does not end).
  static size_t gzip_member_size(const std::string& data, size_t at) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return data.size() - at;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + at));
    z.avail_in = static_cast<uInt>(std::min<size_t>(data.size() - at, UINT32_MAX));
    unsigned char sink[1 << 16];
    int rc = Z_OK;
    while (rc == Z_OK) {
      z.next_out = sink;
      z.avail_out = sizeof sink;
      rc = inflate(&z, Z_NO_FLUSH);
    }
    const size_t used = rc == Z_STREAM_END ? z.total_in : data.size() - at;
    inflateEnd(&z);
    return used == 0 ? data.size() - at : used;
  }

  [[noreturn]] void fail(uint64_t record, const std::string& msg) const {
    throw Error(cat(path_, ": record ", record, ": ", msg));
  }
  [[noreturn]] void fail(const std::string& msg) const { fail(line_no_, msg); }

  // Splits on TAB into at most `max` fields; returns the count (max + 1 means "too many").
  size_t split(std::string_view s, std::string_view* fields, size_t max) const {
    size_t n = 0;
    size_t pos = 0;
    for (;;) {
      const size_t tab = s.find('\t', pos);
      if (n == max) return max + 1;
      fields[n++] = s.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos);
      if (tab == std::string_view::npos) break;
      pos = tab + 1;
    }
    for (size_t i = 0; i < n; ++i)
      if (fields[i].empty()) fail(cat("field ", i + 1, " is empty"));
    return n;
  }

  uint64_t u64(std::string_view s, const char* what) const {
    if (!s.empty() && s[0] == '-') fail(cat(what, " is negative: '", s, "'"));
    uint64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) fail(cat(what, " is out of range: '", s, "'"));
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) fail(cat(what, " is not a number: '", s, "'"));
    return v;
  }
  // A byte count of one op or weight: beyond 1 PiB it is no real model's (and sums of them would overflow).
  uint64_t bytes(std::string_view s, const char* what) const {
    const uint64_t v = u64(s, what);
    if (v > kMaxBytes) fail(cat(what, " ", v, " beyond 1 PiB"));
    return v;
  }
  // Names are UTF-8 (they reach CSV and HTML reports).
  std::string_view utf8(std::string_view s, const char* what) const {
    if (!valid_utf8(s)) fail(cat(what, " is not valid UTF-8"));
    return s;
  }
  uint32_t u32(std::string_view s, const char* what) const {
    const uint64_t v = u64(s, what);
    if (v > UINT32_MAX) fail(cat(what, " is out of range: '", s, "'"));
    return static_cast<uint32_t>(v);
  }
  // -1 or a non-negative number.
  int64_t id(std::string_view s, const char* what) const {
    if (s == "-1") return -1;
    const uint64_t v = u64(s, what);
    if (v > static_cast<uint64_t>(INT64_MAX)) fail(cat(what, " is out of range: '", s, "'"));
    return static_cast<int64_t>(v);
  }
  double real(std::string_view s, const char* what) const {
    if (!s.empty() && s[0] == '-') fail(cat(what, " is negative: '", s, "'"));
    double v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v))
      fail(cat(what, " is not a number: '", s, "'"));
    return v;
  }

  void line(std::string_view s, bool had_newline) {
    ++line_no_;
    if (ended_) fail("data after the 'end' line");
    if (!s.empty() && s.back() == '\r') fail("carriage return in the line (the format uses \\n only)");
    if (line_no_ == 1) {
      magic(s);
    } else if (!s.empty() && s[0] >= '0' && s[0] <= '9') {
      if (!in_ops_) start_ops();
      op(s);
    } else if (s.substr(0, 4) == "end\t" || s == "end") {
      trailer(s);
      return;  // the trailer is not covered by the checksum
    } else if (in_ops_) {
      fail(cat("expected an op record (16 fields starting with the step number), got '", head(s), "'"));
    } else if (s.substr(0, 2) == "h\t") {
      header_line(s);
    } else if (s.substr(0, 2) == "c\t") {
      class_line(s);
    } else if (s.substr(0, 2) == "w\t") {
      weight_line(s);
    } else {
      fail(cat("unknown record type '", head(s), "'"));
    }
    crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size()));
    if (had_newline) crc_ = crc32(crc_, reinterpret_cast<const Bytef*>("\n"), 1);
  }

  static std::string head(std::string_view s) {
    std::string h(s.substr(0, 40));
    for (char& c : h)
      if (c == '\t') c = ' ';
    return h;
  }

  void magic(std::string_view s) {
    std::string_view f[3];
    if (split(s, f, 2) != 2 || f[0] != "LXT")
      fail("not an LXT trace (the first line must be 'LXT<TAB>version')");
    const uint64_t v = u64(f[1], "version");
    if (v < 1 || v > kVersion)
      fail(cat("unsupported trace version ", v, " (this reader reads versions 1 to ", kVersion, ")"));
    trace_.header.version = static_cast<int>(v);
  }

  void header_line(std::string_view s) {
    std::string_view f[4];
    if (split(s, f, 3) != 3) fail("a header line needs 3 fields: h, key, value");
    Header& h = trace_.header;
    const size_t idx = header_key_index(f[1]);
    if (idx < kNumHeaderKeys) {
      if (seen_[idx]) fail(cat("header key '", f[1], "' given twice"));
      seen_[idx] = true;
    }
    utf8(f[1], "header key");
    const std::string_view v = utf8(f[2], "header value");
    if (idx == kNumHeaderKeys && h.version >= 2 && v2_key_index(f[1]) < kNumV2Keys) {
      v2_header(v2_key_index(f[1]), v);
      return;
    }
    switch (idx) {
      case 0:
        h.source_engine = v;
        break;
      case 1:
        h.source_version = v;
        break;
      case 2:
        h.model = v;
        break;
      case 3:
        h.architecture = v;
        break;
      case 4:
        h.hidden = u32(v, "hidden");
        break;
      case 5:
        h.intermediate = u32(v, "intermediate");
        break;
      case 6:
        h.layers = u32(v, "layers");
        break;
      case 7:
        h.heads = u32(v, "heads");
        break;
      case 8:
        h.kv_heads = u32(v, "kv_heads");
        break;
      case 9:
        h.head_dim = u32(v, "head_dim");
        break;
      case 10:
        h.vocab = u32(v, "vocab");
        break;
      case 11:
        if (v == "1" || v == "true")
          h.tied_embeddings = true;
        else if (v == "0" || v == "false")
          h.tied_embeddings = false;
        else
          fail(cat("tied_embeddings must be 0 or 1, got '", v, "'"));
        break;
      case 12:
        h.activation = v;
        break;
      case 13:
        h.weight_format = v;
        break;
      case 14:
        h.kv_dtype = v;
        break;
      case 15:
        h.act_dtype = v;
        break;
      case 16:
        h.batch = u32(v, "batch");
        break;
      case 17:
        h.prompt_len = u32(v, "prompt_len");
        break;
      case 18:
        h.decode_steps = u32(v, "decode_steps");
        break;
      case 19:
        h.records = u64(v, "records");
        break;
      default:
        h.extra.emplace_back(std::string(f[1]), std::string(v));
        break;
    }
  }

  void v2_header(size_t idx, std::string_view v) {
    if (seen_v2_[idx]) fail(cat("header key '", kV2Keys[idx], "' given twice"));
    seen_v2_[idx] = true;
    Header& h = trace_.header;
    MoeShape& moe = h.moe;
    MlaShape& mla = h.mla;
    uint32_t* const fields[] = {&h.max_position,          &h.sliding_window,   &moe.experts,
                                &moe.experts_per_token,   &moe.shared_experts, &moe.expert_intermediate,
                                &moe.shared_intermediate, &moe.dense_layers,   &mla.kv_lora_rank,
                                &mla.q_lora_rank,         &mla.rope_head_dim,  &mla.nope_head_dim,
                                &mla.v_head_dim};
    if (idx < sizeof fields / sizeof fields[0]) {
      *fields[idx] = u32(v, kV2Keys[idx]);
      return;
    }
    if (v != "uniform" && v != "recorded")
      fail(cat("moe_routing must be uniform or recorded, got '", v, "'"));
    moe.routing_recorded = v == "recorded";
  }

  void class_line(std::string_view s) {
    std::string_view f[5];
    if (split(s, f, 4) != 4) fail("a weight-format line needs 4 fields: c, class, dtype, bytes/weights");
    BlockLayout l;
    const std::string dtype(f[2]);
    if (dtype != "mixed") {
      if (!dtype_layout(dtype, l)) fail(cat("unknown dtype '", dtype, "'"));
      if (f[3] != cat(l.block_bytes, "/", l.block_elems))
        fail(cat("dtype ", dtype, " is ", l.block_bytes, "/", l.block_elems,
                 " bytes per weights, the line says ", f[3]));
    }
    for (const auto& c : classes_)
      if (c.first == f[1]) fail(cat("weight format of class '", f[1], "' given twice"));
    classes_.emplace_back(std::string(f[1]), dtype);
  }

  void weight_line(std::string_view s) {
    std::string_view f[9];
    if (split(s, f, 8) != 8)
      fail("a weight line needs 8 fields: w, id, name, class, shape, dtype, bytes, offset");
    WeightInfo w;
    const uint64_t wid = u64(f[1], "weight id");
    if (wid != trace_.weights.size())
      fail(cat("weight id ", wid, " out of order (expected ", trace_.weights.size(), ")"));
    w.id = static_cast<uint32_t>(wid);
    w.name = utf8(f[2], "weight name");
    w.tensor_class = utf8(f[3], "tensor class");
    std::string_view sh = f[4];
    for (;;) {
      const size_t comma = sh.find(',');
      w.shape.push_back(u64(sh.substr(0, comma), "shape"));
      if (comma == std::string_view::npos) break;
      sh = sh.substr(comma + 1);
    }
    w.dtype = f[5];
    w.bytes = bytes(f[6], "weight bytes");
    w.offset = bytes(f[7], "weight offset");
    BlockLayout l;
    if (!dtype_layout(w.dtype, l)) fail(cat("unknown dtype '", w.dtype, "'"));
    uint64_t expect = 0;
    try {
      expect = stored_bytes(w.dtype, w.shape);
    } catch (const Error& e) {
      fail(cat("weight ", w.name, ": ", e.what()));
    }
    if (expect != w.bytes)
      fail(cat("weight ", w.name, ": ", w.bytes, " bytes, but ", w.dtype, " of that shape stores ", expect));
    weight_lines_.push_back(line_no_);
    trace_.weights.push_back(std::move(w));
  }

  void start_ops() {
    in_ops_ = true;
    for (size_t i = 0; i < kNumHeaderKeys; ++i)
      if (!seen_[i]) fail(cat("header key '", kHeaderKeys[i], "' missing before the first op record"));
    const Header& h = trace_.header;
    if (h.batch == 0) fail("batch is 0 (a step decodes at least one sequence)");
    if (h.layers == 0 || h.hidden == 0 || h.heads == 0) fail("layers, hidden and heads must be at least 1");
    uint32_t bits = 0;
    if (!act_bits(h.act_dtype, bits)) fail(cat("unknown activation dtype '", h.act_dtype, "'"));
    BlockLayout l;
    if (!dtype_layout(h.kv_dtype, l)) fail(cat("unknown KV dtype '", h.kv_dtype, "'"));
    const MoeShape& moe = h.moe;
    if (moe.any() && (moe.experts_per_token == 0 || moe.experts_per_token > moe.experts))
      fail(cat("experts_per_token ", moe.experts_per_token, " outside 1..experts (", moe.experts, ")"));
    if (!moe.any() && (moe.experts_per_token || moe.shared_experts || moe.expert_intermediate))
      fail("MoE keys without 'experts'");
    if (moe.dense_layers > h.layers)
      fail(cat("dense_layers ", moe.dense_layers, " beyond the ", h.layers, " layers"));
    // The per-class formats must agree with the weight table.
    for (size_t i = 0; i < trace_.weights.size(); ++i) {
      const WeightInfo& w = trace_.weights[i];
      auto it = std::find_if(classes_.begin(), classes_.end(),
                             [&](const auto& c) { return c.first == w.tensor_class; });
      if (it == classes_.end())
        fail(weight_lines_[i], cat("weight ", w.name, ": class '", w.tensor_class, "' has no 'c' line"));
      if (it->second != "mixed" && it->second != w.dtype)
        fail(weight_lines_[i],
             cat("weight ", w.name, " is ", w.dtype, " but class ", w.tensor_class, " is ", it->second));
    }
    if (keep_ops) trace_.ops.reserve(static_cast<size_t>(std::min<uint64_t>(h.records, 1u << 26)));
  }

  void op(std::string_view s) {
    std::string_view f[17];
    const size_t n = split(s, f, 16);
    if (n != 16) fail(cat("an op record needs 16 fields, got ", n > 16 ? "more" : std::to_string(n)));
    const Header& h = trace_.header;
    Op& o = op_;
    o.step = u32(f[0], "step");
    if (f[1] == "decode")
      o.phase = Phase::decode;
    else if (f[1] == "prefill")
      o.phase = Phase::prefill;
    else
      fail(cat("unknown phase '", f[1], "' (prefill or decode)"));
    if (f[2] == "-1") {
      o.layer = -1;
    } else {
      const uint64_t layer = u64(f[2], "layer");
      if (layer >= h.layers) fail(cat("layer ", layer, " outside 0..", h.layers, "-1"));
      o.layer = static_cast<int32_t>(layer);
    }
    if (!parse_op_kind(std::string(f[3]), o.kind)) fail(cat("unknown op kind '", f[3], "'"));
    o.engine_op.assign(utf8(f[4], "engine op").data(), f[4].size());
    o.m = u64(f[5], "m");
    o.n = u64(f[6], "n");
    o.k = u64(f[7], "k");
    const size_t plus = f[8].find('+');
    if (plus == std::string_view::npos) {
      o.weight_id = id(f[8], "weight id");
      o.weight_id2 = -1;
    } else {
      o.weight_id = static_cast<int64_t>(u64(f[8].substr(0, plus), "weight id"));
      o.weight_id2 = static_cast<int64_t>(u64(f[8].substr(plus + 1), "second weight id"));
    }
    const int64_t nw = static_cast<int64_t>(trace_.weights.size());
    if (o.weight_id >= nw || o.weight_id2 >= nw)
      fail(cat("weight id ", std::max(o.weight_id, o.weight_id2), " outside the weight table (", nw,
               " weights)"));
    o.weight_bytes = bytes(f[9], "weight bytes");
    o.context_len = u32(f[10], "context length");
    o.kv_read_bytes = bytes(f[11], "KV read bytes");
    o.kv_write_bytes = bytes(f[12], "KV write bytes");
    o.act_in_bytes = bytes(f[13], "activation bytes in");
    o.act_out_bytes = bytes(f[14], "activation bytes out");
    o.flops = real(f[15], "flops");
    if (is_expert_matmul(o.kind)) check_expert_op(o);
    if (o.step > h.decode_steps)
      fail(cat("step ", o.step, " beyond the header's ", h.decode_steps, " decode steps"));
    if (o.phase == Phase::prefill && o.step != 0) fail("a prefill op must be in step 0");
    if (o.step < last_step_)
      fail(cat("step ", o.step, " after step ", last_step_, " (ops must be in order)"));
    last_step_ = o.step;
    ++ops_;
    if (ops_ > h.records) fail(cat("more op records than the header's ", h.records));
    // Totals over the trace stay far from 64-bit overflow (each count is at most 1 PiB, see bytes()).
    total_bytes_ += o.weight_bytes + o.kv_read_bytes + o.kv_write_bytes + o.act_in_bytes + o.act_out_bytes;
    if (total_bytes_ > kMaxBytes * 1024) fail("the trace's byte counts add up to more than 1 EiB");
    if (keep_ops) trace_.ops.push_back(o);
    if (on_op_) on_op_(o);
  }

  // An expert projection reads a slice of a 3-D expert tensor (innermost first: in, out, experts).
  void check_expert_op(const Op& o) const {
    const uint32_t experts = trace_.header.moe.experts;
    if (experts == 0) fail(cat("op kind '", op_kind_name(o.kind), "' in a trace without 'experts'"));
    if (o.weight_id < 0) fail(cat("op kind '", op_kind_name(o.kind), "' reads no weight"));
    const WeightInfo& w = trace_.weights[static_cast<size_t>(o.weight_id)];
    if (w.shape.size() != 3 || w.shape[2] != experts)
      fail(cat("expert weight ", w.name, " is not a tensor of ", experts, " experts (shape in,out,experts)"));
    if (o.weight_bytes > w.bytes)
      fail(cat("the op reads ", o.weight_bytes, " bytes of expert weight ", w.name, ", which has ", w.bytes));
  }

  void trailer(std::string_view s) {
    if (!in_ops_) start_ops();
    std::string_view f[4];
    if (split(s, f, 3) != 3) fail("the end line needs 3 fields: end, op records, crc32");
    const uint64_t n = u64(f[1], "record count");
    if (n != ops_) fail(cat("end line counts ", n, " op records, the file has ", ops_));
    if (n != trace_.header.records)
      fail(cat("end line counts ", n, " op records, the header promises ", trace_.header.records));
    char want[16];
    std::snprintf(want, sizeof want, "%08lx", static_cast<unsigned long>(crc_));
    if (f[2] != want) fail(cat("checksum mismatch: end line says ", f[2], ", the content gives ", want));
    ended_ = true;
  }

  void finish() {
    if (line_no_ == 0) fail(1, "empty file");
    if (!ended_)
      fail(line_no_ + 1, cat("truncated: no 'end' line (the header promises ", trace_.header.records,
                             " op records, the file has ", ops_, ")"));
    trace_.header.records = ops_;
  }

  std::string path_;
  const std::function<void(const Op&)>& on_op_;
  Trace trace_;
  Op op_;
  uint64_t line_no_ = 0;
  uint64_t ops_ = 0;
  uint64_t total_bytes_ = 0;
  uint32_t last_step_ = 0;
  uint32_t crc_ = 0;
  bool in_ops_ = false;
  bool ended_ = false;
  bool seen_[kNumHeaderKeys] = {};
  bool seen_v2_[kNumV2Keys] = {};
  std::vector<std::pair<std::string, std::string>> classes_;
  std::vector<uint64_t> weight_lines_;
};

// ---------------------------------------------------------------------------------------------------------
// Writer

class Text {
 public:
  explicit Text(std::string& out) : out_(out) {}
  Text& s(std::string_view v) {
    out_.append(v.data(), v.size());
    return *this;
  }
  Text& tab() {
    out_.push_back('\t');
    return *this;
  }
  Text& nl() {
    out_.push_back('\n');
    return *this;
  }
  template <typename T>
  Text& num(T v) {
    char b[32];
    auto r = std::to_chars(b, b + sizeof b, v);
    out_.append(b, r.ptr);
    return *this;
  }

 private:
  std::string& out_;
};

void check_field(const std::string& v, const std::string& what, uint64_t record) {
  if (v.empty() || v.find_first_of("\t\n\r") != std::string::npos)
    throw Error(cat("record ", record, ": ", what, " '", v, "' is empty or holds a tab or newline"));
}

// Renders the trace, handing the text to `sink` in pieces (each ends on a line boundary); returns the
// trailer line, which is not part of the checksummed content.
void render(const Trace& t, const std::function<void(std::string&)>& sink, uint32_t& crc) {
  const Header& h = t.header;
  const int version = format_version(h);
  std::string buf;
  buf.reserve(1 << 21);
  Text out(buf);
  uint64_t rec = 1;
  auto flush = [&](bool force) {
    if (!force && buf.size() < (1u << 20)) return;
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(buf.size()));
    sink(buf);
    buf.clear();
  };
  out.s("LXT\t").num(version).nl();
  auto kv = [&](const char* key, const std::string& v) {
    ++rec;
    check_field(v, cat("header value of ", key), rec);
    out.s("h\t").s(key).tab().s(v).nl();
  };
  auto kvn = [&](const char* key, uint64_t v) {
    ++rec;
    out.s("h\t").s(key).tab().num(v).nl();
  };
  kv("source_engine", h.source_engine);
  kv("source_version", h.source_version);
  kv("model", h.model);
  kv("architecture", h.architecture);
  kvn("hidden", h.hidden);
  kvn("intermediate", h.intermediate);
  kvn("layers", h.layers);
  kvn("heads", h.heads);
  kvn("kv_heads", h.kv_heads);
  kvn("head_dim", h.head_dim);
  kvn("vocab", h.vocab);
  kvn("tied_embeddings", h.tied_embeddings ? 1 : 0);
  kv("activation", h.activation);
  kv("weight_format", h.weight_format);
  kv("kv_dtype", h.kv_dtype);
  kv("act_dtype", h.act_dtype);
  kvn("batch", h.batch);
  kvn("prompt_len", h.prompt_len);
  kvn("decode_steps", h.decode_steps);
  if (version >= 2) {
    const MoeShape& moe = h.moe;
    const MlaShape& mla = h.mla;
    const uint32_t values[] = {h.max_position,          h.sliding_window,   moe.experts,
                               moe.experts_per_token,   moe.shared_experts, moe.expert_intermediate,
                               moe.shared_intermediate, moe.dense_layers,   mla.kv_lora_rank,
                               mla.q_lora_rank,         mla.rope_head_dim,  mla.nope_head_dim,
                               mla.v_head_dim};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; ++i)
      if (values[i]) kvn(kV2Keys[i], values[i]);
    if (moe.any()) kv("moe_routing", moe.routing_recorded ? "recorded" : "uniform");
  }
  for (const auto& [key, value] : h.extra) {
    ++rec;
    check_field(key, "header key", rec);
    if (header_key_index(key) < kNumHeaderKeys || (version >= 2 && v2_key_index(key) < kNumV2Keys))
      throw Error(cat("record ", rec, ": extra header key '", key, "' is a standard key"));
    check_field(value, cat("header value of ", key), rec);
    out.s("h\t").s(key).tab().s(value).nl();
  }
  kvn("records", t.ops.size());
  // Weight format per class, classes in order of first appearance in the weight table.
  std::vector<std::pair<std::string, std::string>> classes;
  for (const WeightInfo& w : t.weights) {
    auto it = std::find_if(classes.begin(), classes.end(),
                           [&](const auto& c) { return c.first == w.tensor_class; });
    if (it == classes.end())
      classes.emplace_back(w.tensor_class, w.dtype);
    else if (it->second != w.dtype)
      it->second = "mixed";
  }
  for (const auto& [cls, dtype] : classes) {
    ++rec;
    check_field(cls, "tensor class", rec);
    out.s("c\t")
        .s(cls)
        .tab()
        .s(dtype)
        .tab()
        .s(dtype == "mixed" ? std::string("0/0") : dtype_block_text(dtype))
        .nl();
  }
  for (size_t i = 0; i < t.weights.size(); ++i) {
    const WeightInfo& w = t.weights[i];
    ++rec;
    if (w.id != i) throw Error(cat("record ", rec, ": weight ", w.name, " has id ", w.id, ", expected ", i));
    check_field(w.name, "weight name", rec);
    if (w.shape.empty()) throw Error(cat("record ", rec, ": weight ", w.name, " has no shape"));
    out.s("w\t").num(w.id).tab().s(w.name).tab().s(w.tensor_class).tab();
    for (size_t d = 0; d < w.shape.size(); ++d) {
      if (d) out.s(",");
      out.num(w.shape[d]);
    }
    out.tab().s(w.dtype).tab().num(w.bytes).tab().num(w.offset).nl();
  }
  const int64_t nw = static_cast<int64_t>(t.weights.size());
  for (const Op& o : t.ops) {
    ++rec;
    if (o.weight_id >= nw || o.weight_id2 >= nw || o.weight_id < -1 || (o.weight_id2 >= 0 && o.weight_id < 0))
      throw Error(cat("record ", rec, ": weight id outside the weight table"));
    if (o.layer < -1 || (o.layer >= 0 && static_cast<uint32_t>(o.layer) >= h.layers))
      throw Error(cat("record ", rec, ": layer ", o.layer, " outside -1..", h.layers, "-1"));
    if (!(o.flops >= 0) || !std::isfinite(o.flops))
      throw Error(cat("record ", rec, ": flops must be finite and >= 0"));
    check_field(o.engine_op, "engine op", rec);
    out.num(o.step).tab().s(phase_name(o.phase)).tab().num(o.layer).tab().s(op_kind_name(o.kind)).tab();
    out.s(o.engine_op).tab().num(o.m).tab().num(o.n).tab().num(o.k).tab().num(o.weight_id);
    if (o.weight_id2 >= 0) out.s("+").num(o.weight_id2);
    out.tab()
        .num(o.weight_bytes)
        .tab()
        .num(o.context_len)
        .tab()
        .num(o.kv_read_bytes)
        .tab()
        .num(o.kv_write_bytes);
    out.tab().num(o.act_in_bytes).tab().num(o.act_out_bytes).tab().num(o.flops).nl();
    flush(false);
  }
  flush(true);
}

std::string trailer_line(uint64_t records, uint32_t crc) {
  char b[64];
  std::snprintf(b, sizeof b, "end\t%llu\t%08lx\n", static_cast<unsigned long long>(records),
                static_cast<unsigned long>(crc));
  return b;
}

}  // namespace

const char* op_kind_name(OpKind kind) {
  for (const KindName& k : kKinds)
    if (k.kind == kind) return k.name;
  return "other";
}

bool parse_op_kind(const std::string& name, OpKind& out) {
  for (const KindName& k : kKinds) {
    if (name == k.name) {
      out = k.kind;
      return true;
    }
  }
  return false;
}

bool is_matmul(OpKind kind) {
  switch (kind) {
    case OpKind::matmul_q:
    case OpKind::matmul_k:
    case OpKind::matmul_v:
    case OpKind::matmul_qkv:
    case OpKind::matmul_o:
    case OpKind::matmul_gate:
    case OpKind::matmul_up:
    case OpKind::matmul_down:
    case OpKind::lm_head:
    case OpKind::router:
    case OpKind::expert_gate:
    case OpKind::expert_up:
    case OpKind::expert_down:
      return true;
    default:
      return false;
  }
}

bool is_expert_matmul(OpKind kind) {
  return kind == OpKind::expert_gate || kind == OpKind::expert_up || kind == OpKind::expert_down;
}

int format_version(const Header& h) {
  const MoeShape& m = h.moe;
  const bool v2 =
      h.max_position || h.sliding_window || m.any() || m.shared_experts || m.dense_layers || h.mla.any();
  return v2 ? 2 : 1;
}

const char* phase_name(Phase phase) {
  return phase == Phase::prefill ? "prefill" : "decode";
}

std::string header_extra(const Header& header, const std::string& key) {
  for (const auto& [k, v] : header.extra)
    if (k == key) return v;
  return "";
}

uint64_t Trace::total_weight_bytes() const {
  uint64_t sum = 0;
  for (const WeightInfo& w : weights) sum += w.bytes;
  return sum;
}

Trace read_trace(const std::string& path) {
  const std::function<void(const Op&)> none;
  Reader r(path, none);
  r.keep_ops = true;
  return r.run();
}

const Trace& read_trace_cached(const std::string& path) {
  struct Kept {
    std::string identity;
    Trace trace;
  };
  static std::map<std::string, Kept> kept;
  struct stat st {};
  const std::string identity =
      ::stat(path.c_str(), &st) == 0
          ? cat(st.st_size, ':', st.st_mtim.tv_sec, '.', st.st_mtim.tv_nsec, ':', st.st_ino, ':', st.st_dev)
          : std::string();
  auto it = kept.find(path);
  if (it != kept.end() && !identity.empty() && it->second.identity == identity) return it->second.trace;
  Trace trace = read_trace(path);
  Kept& k = kept[path];
  k.identity = identity;
  k.trace = std::move(trace);
  return k.trace;
}

Trace read_trace_streaming(const std::string& path, const std::function<void(const Op&)>& on_op) {
  Reader r(path, on_op);
  return r.run();
}

std::string render_trace(const Trace& trace) {
  std::string text;
  uint32_t crc = 0;
  render(
      trace, [&](std::string& piece) { text += piece; }, crc);
  return text + trailer_line(trace.ops.size(), crc);
}

bool looks_like_trace(const std::string& head) {
  if (head.rfind("LXT\t", 0) == 0) return true;
  if (head.size() < 2 || head[0] != '\x1f' || head[1] != '\x8b') return false;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return false;
  char text[4] = {};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(head.data()));
  zs.avail_in = static_cast<uInt>(head.size());
  zs.next_out = reinterpret_cast<Bytef*>(text);
  zs.avail_out = sizeof text;
  inflate(&zs, Z_SYNC_FLUSH);
  inflateEnd(&zs);
  return zs.avail_out == 0 && std::string_view(text, 4) == "LXT\t";
}

void write_trace(const Trace& trace, const std::string& path) {
  check_output_file(path, "trace", looks_like_trace);
  const std::string tmp = path + ".partial-" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (!f) throw Error(cat(path, ": cannot write: ", std::strerror(errno)));
  z_stream zs{};
  // Level 6, gzip wrapper (15 + 16) with zlib's default header (mtime 0, no name): deterministic bytes.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::fclose(f);
    throw Error(cat(path, ": zlib deflateInit2 failed"));
  }
  std::vector<unsigned char> out(1 << 18);
  bool io_error = false;
  auto pump = [&](const std::string& data, int flush) {
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    int rc = Z_OK;
    do {
      zs.next_out = out.data();
      zs.avail_out = static_cast<uInt>(out.size());
      rc = deflate(&zs, flush);
      const size_t n = out.size() - zs.avail_out;
      if (n && std::fwrite(out.data(), 1, n, f) != n) io_error = true;
    } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  };
  try {
    uint32_t crc = 0;
    render(
        trace, [&](std::string& piece) { pump(piece, Z_NO_FLUSH); }, crc);
    pump(trailer_line(trace.ops.size(), crc), Z_FINISH);
  } catch (const Error& e) {
    deflateEnd(&zs);
    std::fclose(f);
    std::remove(tmp.c_str());
    throw Error(cat(path, ": ", e.what()));
  }
  deflateEnd(&zs);
  if (std::fclose(f) != 0) io_error = true;
  if (io_error || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(cat(path, ": cannot write: ", std::strerror(errno)));
  }
}

}  // namespace llmx::trace
