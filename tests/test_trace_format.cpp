// The LXT trace format (traces/FORMAT.md): write -> read round trip, byte-identical output, gzip and plain
// text, streaming, the stored-bytes formulas, and one-line errors with the record number for bad input
// (truncated file, wrong version, unknown op kind, negative or malformed numbers, checksum). Not covered
// here: generator and quantizer figures (test_trace_generator.cpp, test_trace_quantize.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "explorer/trace/dtype.h"
#include "explorer/trace/generator.h"
#include "explorer/trace/trace.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::trace;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// A small llama-style model so that traces stay tiny.
ModelConfig tiny_model() {
  ModelConfig c;
  c.name = "tiny";
  c.hidden = 64;
  c.intermediate = 128;
  c.layers = 2;
  c.heads = 4;
  c.kv_heads = 2;
  c.head_dim = 16;
  c.vocab = 256;
  c.max_position = 128;
  return c;
}

Trace tiny_trace() {
  GenOptions o;
  o.weights = "Q8_0";
  o.prompt_len = 4;
  o.decode_steps = 3;
  Trace t = generate_trace(tiny_model(), o);
  t.header.extra.emplace_back("note", "free text with spaces");
  t.ops[5].flops = 1234.5;  // a non-integral value must survive the round trip
  return t;
}

void require_same(const Trace& a, const Trace& b) {
  REQUIRE(render_trace(a) == render_trace(b));
  REQUIRE(a.ops.size() == b.ops.size());
  REQUIRE(a.weights.size() == b.weights.size());
  for (size_t i = 0; i < a.ops.size(); ++i) {
    const Op& x = a.ops[i];
    const Op& y = b.ops[i];
    REQUIRE(x.step == y.step);
    REQUIRE(x.phase == y.phase);
    REQUIRE(x.layer == y.layer);
    REQUIRE(x.kind == y.kind);
    REQUIRE(x.engine_op == y.engine_op);
    REQUIRE(x.m == y.m);
    REQUIRE(x.n == y.n);
    REQUIRE(x.k == y.k);
    REQUIRE(x.weight_id == y.weight_id);
    REQUIRE(x.weight_id2 == y.weight_id2);
    REQUIRE(x.weight_bytes == y.weight_bytes);
    REQUIRE(x.context_len == y.context_len);
    REQUIRE(x.kv_read_bytes == y.kv_read_bytes);
    REQUIRE(x.kv_write_bytes == y.kv_write_bytes);
    REQUIRE(x.act_in_bytes == y.act_in_bytes);
    REQUIRE(x.act_out_bytes == y.act_out_bytes);
    REQUIRE(x.flops == y.flops);
  }
  for (size_t i = 0; i < a.weights.size(); ++i) {
    REQUIRE(a.weights[i].name == b.weights[i].name);
    REQUIRE(a.weights[i].shape == b.weights[i].shape);
    REQUIRE(a.weights[i].dtype == b.weights[i].dtype);
    REQUIRE(a.weights[i].bytes == b.weights[i].bytes);
    REQUIRE(a.weights[i].offset == b.weights[i].offset);
  }
}

// The message of the llmx::Error that reading `path` throws ("" if none).
std::string read_error(const fs::path& path) {
  try {
    read_trace(path.string());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Line number (1-based) of the first op record in rendered text.
size_t first_op_line(const std::string& text) {
  size_t line = 1, pos = 0;
  while (pos < text.size() && !(text[pos] >= '0' && text[pos] <= '9')) {
    pos = text.find('\n', pos) + 1;
    ++line;
  }
  return line;
}

// Replaces field `field` (0-based) of line `line` (1-based) of the text.
std::string with_field(std::string text, size_t line, size_t field, const std::string& value) {
  size_t pos = 0;
  for (size_t l = 1; l < line; ++l) pos = text.find('\n', pos) + 1;
  for (size_t f = 0; f < field; ++f) pos = text.find('\t', pos) + 1;
  const size_t end = text.find_first_of("\t\n", pos);
  return text.replace(pos, end - pos, value);
}

}  // namespace

TEST_CASE("trace: write then read gives the same trace, gzip and plain text", "[trace]") {
  const fs::path dir = test::scratch_dir("trace-roundtrip");
  const Trace t = tiny_trace();
  write_trace(t, (dir / "t.lxt.gz").string());
  const Trace back = read_trace((dir / "t.lxt.gz").string());
  require_same(t, back);
  REQUIRE(back.header.records == t.ops.size());
  REQUIRE(back.header.extra.back() ==
          std::make_pair(std::string("note"), std::string("free text with spaces")));
  REQUIRE(back.ops[5].flops == 1234.5);
  // The file is gzip (magic 1f 8b) and holds exactly render_trace's text.
  const std::string raw = test::read_text(dir / "t.lxt.gz");
  REQUIRE(static_cast<unsigned char>(raw[0]) == 0x1f);
  REQUIRE(static_cast<unsigned char>(raw[1]) == 0x8b);
  // Plain (uncompressed) text reads the same.
  test::write_text(dir / "t.lxt", render_trace(t));
  require_same(t, read_trace((dir / "t.lxt").string()));
  // Streaming hands over every op in order and keeps none.
  size_t seen = 0;
  bool in_order = true;
  const Trace head = read_trace_streaming((dir / "t.lxt.gz").string(), [&](const Op& op) {
    in_order = in_order && op.step == t.ops[seen].step && op.kind == t.ops[seen].kind &&
               op.flops == t.ops[seen].flops;
    ++seen;
  });
  REQUIRE(seen == t.ops.size());
  REQUIRE(in_order);
  REQUIRE(head.ops.empty());
  REQUIRE(head.weights.size() == t.weights.size());
}

TEST_CASE("trace: output is byte-identical across writes, with no timestamp in the gzip header", "[trace]") {
  const fs::path dir = test::scratch_dir("trace-determinism");
  const Trace t = tiny_trace();
  write_trace(t, (dir / "a.lxt.gz").string());
  write_trace(read_trace((dir / "a.lxt.gz").string()), (dir / "b.lxt.gz").string());
  const std::string a = test::read_text(dir / "a.lxt.gz");
  const std::string b = test::read_text(dir / "b.lxt.gz");
  REQUIRE(a.size() > 18);
  REQUIRE(a == b);
  // RFC 1952: bytes 4..7 are MTIME, byte 3 FLG (no FNAME/FCOMMENT).
  REQUIRE(a[3] == 0);
  REQUIRE(a[4] == 0);
  REQUIRE(a[5] == 0);
  REQUIRE(a[6] == 0);
  REQUIRE(a[7] == 0);
}

TEST_CASE("trace: stored-bytes formulas of FORMAT.md", "[trace]") {
  // FORMAT.md's worked example: Llama-2-7B blk.0.attn_q.weight (4096 x 4096).
  const std::vector<uint64_t> q = {4096, 4096};
  REQUIRE(stored_bytes("F16", q) == 33554432);
  REQUIRE(stored_bytes("Q8_0", q) == 17825792);
  REQUIRE(stored_bytes("Q4_0", q) == 9437184);
  REQUIRE(stored_bytes("Q4_K", q) == 9437184);
  REQUIRE(stored_bytes("INT4_G128", q) == 8912896);
  REQUIRE(stored_bytes("INT4S_G128", q) == 8650752);
  REQUIRE(stored_bytes("BCQ3_G128", q) == 7077888);
  // Group layouts: INT3 g128 = 48 data bytes + scale + zero; INT2 g64 = 16 + 4; BCQ4 g128 = 4 planes of 16
  // bytes + 4 FP16 scales; a partial last group is padded.
  REQUIRE(dtype_layout("INT3_G128").block_bytes == 52);
  REQUIRE(dtype_layout("INT2_G64").block_bytes == 20);
  REQUIRE(dtype_layout("INT8_G32").block_bytes == 36);
  REQUIRE(dtype_layout("BCQ4_G128").block_bytes == 72);
  REQUIRE(row_bytes("INT4_G128", 200) == 2 * 68);
  // GGUF blocks.
  REQUIRE(dtype_block_text("Q8_0") == "34/32");
  REQUIRE(dtype_block_text("Q4_0") == "18/32");
  REQUIRE(dtype_block_text("Q4_K") == "144/256");
  REQUIRE(dtype_block_text("Q6_K") == "210/256");
  REQUIRE_THROWS_WITH(row_bytes("Q4_K", 4000), Contains("multiple of 256"));
  REQUIRE_THROWS_WITH(dtype_layout("Q9_9"), Contains("unknown dtype"));
  // KV and activation element sizes.
  REQUIRE(row_bytes("INT8", 1024) == 32 * 34);
  REQUIRE(row_bytes("INT4", 1024) == 32 * 20);
  REQUIRE(row_bytes("FP8", 1024) == 1024);
  REQUIRE(act_bytes("INT4", 3) == 2);
  REQUIRE(act_bytes("F32", 3) == 12);
}

TEST_CASE("trace: bad input gives one line naming the file and the record", "[trace]") {
  const fs::path dir = test::scratch_dir("trace-errors");
  const Trace t = tiny_trace();
  const std::string text = render_trace(t);
  const size_t op_line = first_op_line(text) + 7;  // some op record
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  auto check = [&](const std::string& name, const std::string& content, size_t record,
                   const std::string& what) {
    const fs::path p = test::write_text(dir / name, content);
    const std::string msg = read_error(p);
    INFO(name << ": " << msg);
    REQUIRE_THAT(msg, StartsWith(p.string() + ": record " + std::to_string(record) + ": "));
    REQUIRE_THAT(msg, Contains(what));
    REQUIRE(msg.find('\n') == std::string::npos);
  };
  // The original reads.
  REQUIRE(read_error(test::write_text(dir / "good.lxt", text)).empty());

  // Truncated: the end line (and the ops after record `op_line`) missing.
  size_t cut = 0;
  for (size_t l = 0; l < op_line; ++l) cut = text.find('\n', cut) + 1;
  check("truncated.lxt", text.substr(0, cut), op_line + 1, "truncated");
  check("no-end.lxt", text.substr(0, text.rfind("end\t")), lines, "truncated");
  // A truncated gzip stream: the compressed file cut in half.
  write_trace(t, (dir / "full.lxt.gz").string());
  const std::string gz = test::read_text(dir / "full.lxt.gz");
  const fs::path half = test::write_text(dir / "half.lxt.gz", gz.substr(0, gz.size() / 2));
  const std::string half_msg = read_error(half);
  REQUIRE_THAT(half_msg, StartsWith(half.string() + ": record "));
  REQUIRE_THAT(half_msg, Contains("truncated"));
  REQUIRE(half_msg.find('\n') == std::string::npos);

  check("version.lxt", "LXT\t3" + text.substr(5), 1, "unsupported trace version 3");
  check("not-lxt.lxt", "hello\n", 1, "not an LXT trace");
  check("kind.lxt", with_field(text, op_line, 3, "matmul_qq"), op_line, "unknown op kind 'matmul_qq'");
  check("negative-m.lxt", with_field(text, op_line, 5, "-4096"), op_line, "m is negative");
  check("negative-layer.lxt", with_field(text, op_line, 2, "-2"), op_line, "layer is negative");
  check("malformed.lxt", with_field(text, op_line, 9, "12x"), op_line, "weight bytes is not a number");
  check("phase.lxt", with_field(text, op_line, 1, "decoding"), op_line, "unknown phase");
  check("layer-range.lxt", with_field(text, op_line, 2, "7"), op_line, "layer 7 outside");
  check("weight-id.lxt", with_field(text, op_line, 8, "999"), op_line, "outside the weight table");
  check("fields.lxt", with_field(text, op_line, 15, "1\t2"), op_line, "16 fields");
  // Changing a number keeps every line well-formed, but the checksum on the end line catches it.
  check("checksum.lxt", with_field(text, op_line, 10, "77"), lines, "checksum mismatch");
  // A negative shape in the weight table.
  const size_t w_line =
      text.find("\nw\t0\t") == std::string::npos
          ? 0
          : static_cast<size_t>(std::count(text.begin(), text.begin() + text.find("\nw\t0\t") + 1, '\n')) + 1;
  REQUIRE(w_line > 1);
  check("weight-shape.lxt", with_field(text, w_line, 4, "64,-256"), w_line, "shape is negative");
  check("weight-bytes.lxt", with_field(text, w_line, 6, "5"), w_line, "bytes, but");
  check("after-end.lxt", text + "1\tdecode\n", lines + 1, "after the 'end' line");
  // Nonsense that used to be accepted: batch 0, a byte count of 1.8e19, a shape whose bytes overflow 64 bits,
  // a name that is not UTF-8, bytes after the gzip stream.
  const auto line_of = [&](const std::string& start) {
    const size_t at = text.find("\n" + start);
    REQUIRE(at != std::string::npos);
    return static_cast<size_t>(std::count(text.begin(), text.begin() + at + 1, '\n')) + 1;
  };
  check("batch-0.lxt", with_field(text, line_of("h\tbatch\t"), 2, "0"), first_op_line(text), "batch is 0");
  check("kv-huge.lxt", with_field(text, op_line, 11, "18446744073709551615"), op_line,
        "KV read bytes 18446744073709551615 beyond 1 PiB");
  check("shape-overflow.lxt", with_field(text, w_line, 4, "64,4294967296,4294967296"), w_line,
        "overflows 64 bits");
  check("name-utf8.lxt", with_field(text, w_line, 2, "tok\xff\xfe"), w_line,
        "weight name is not valid UTF-8");
  check("engine-utf8.lxt", with_field(text, op_line, 4, "mul\xc0\xaf"), op_line,
        "engine op is not valid UTF-8");
  const fs::path trailing = test::write_text(dir / "trailing.lxt.gz", gz + "garbage");
  const std::string trailing_msg = read_error(trailing);
  REQUIRE_THAT(trailing_msg, StartsWith(trailing.string() + ": record ") &&
                                 Contains("7 bytes after the end of the gzip stream"));
  // A missing file is one line too.
  const std::string missing = read_error(dir / "missing.lxt.gz");
  REQUIRE_THAT(missing, StartsWith((dir / "missing.lxt.gz").string() + ": cannot open"));
}

TEST_CASE("trace: op kind names round-trip and matmul kinds stream weights", "[trace]") {
  const OpKind all[] = {OpKind::embedding,   OpKind::norm,
                        OpKind::matmul_q,    OpKind::matmul_k,
                        OpKind::matmul_v,    OpKind::matmul_qkv,
                        OpKind::matmul_o,    OpKind::matmul_gate,
                        OpKind::matmul_up,   OpKind::matmul_down,
                        OpKind::lm_head,     OpKind::rope,
                        OpKind::kv_write,    OpKind::attention_score,
                        OpKind::softmax,     OpKind::attention_value,
                        OpKind::attention,   OpKind::activation,
                        OpKind::elementwise, OpKind::residual,
                        OpKind::copy,        OpKind::other};
  std::set<std::string> names;
  for (OpKind k : all) {
    OpKind back = OpKind::other;
    REQUIRE(parse_op_kind(op_kind_name(k), back));
    REQUIRE(back == k);
    names.insert(op_kind_name(k));
  }
  REQUIRE(names.size() == sizeof(all) / sizeof(all[0]));
  OpKind dummy;
  REQUIRE_FALSE(parse_op_kind("MUL_MAT", dummy));
  REQUIRE(is_matmul(OpKind::lm_head));
  REQUIRE(is_matmul(OpKind::matmul_down));
  REQUIRE_FALSE(is_matmul(OpKind::attention_score));
  REQUIRE_FALSE(is_matmul(OpKind::embedding));
}

TEST_CASE("trace: a 7B trace of 128 decode steps loads whole", "[trace]") {
  // The captured Llama-2-7B Q4_0 trace: prompt 32 + 128 decode steps, 91,590 records. How long it takes to
  // load is a benchmark figure (bench_decode reports start-up apart from per-token cost), not a test.
  const std::string path = test::source_dir() + "/traces/captured/llama-2-7b-q4_0.lxt.gz";
  const Trace t = read_trace(path);
  REQUIRE(t.header.decode_steps == 128);
  REQUIRE(t.ops.size() == 91590);
}

TEST_CASE("trace: a kept trace is reused while its file is unchanged and read again when it changes",
          "[trace]") {
  const auto dir = test::scratch_dir("trace-kept");
  const std::string path = (dir / "kept.lxt.gz").string();
  std::filesystem::copy_file(test::source_dir() + "/traces/tinyllama-1.1b-q4_0-gen.lxt.gz", path,
                             std::filesystem::copy_options::overwrite_existing);
  const Trace& first = read_trace_cached(path);
  const size_t ops = first.ops.size();
  CHECK(&read_trace_cached(path) == &first);
  CHECK(read_trace_cached(path).ops.size() == ops);
  // Another trace in the same file: the kept one is not used.
  std::filesystem::copy_file(test::source_dir() + "/traces/llama-2-7b-bcq3_g128.lxt.gz", path,
                             std::filesystem::copy_options::overwrite_existing);
  const Trace& second = read_trace_cached(path);
  CHECK(second.ops.size() == read_trace(path).ops.size());
  CHECK(second.ops.size() != ops);
}
