// `explorer trace info | gen | quantize` (see cmd_trace.h): per-step totals and the bandwidth roofline of a
// trace, the generator and the quantizer behind a command line. Output is deterministic (no timings).
// Leaves out: simulation (explorer run) and capture from engines (scripts/capture/).
#include "explorer/cmd_trace.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "explorer/trace/generator.h"
#include "explorer/trace/quantize.h"
#include "explorer/trace/trace.h"
#include "models/core/error.h"

namespace llmx::trace {

namespace {

const char* kUsage =
    "usage:\n"
    "  explorer trace info <trace> [--bandwidth-gbps X] [--csv <file>]\n"
    "      per-step weight/KV/activation bytes, FLOPs, FLOP per off-chip byte, and the roofline tokens/s\n"
    "  explorer trace gen <model|config.json> --out <file> [--weights F16|Q8_0|Q4_0|Q4_K|INT4|BCQ3|...]\n"
    "      [--group G] [--embeddings auto|keep|same] [--kv F16|FP8|INT8|INT4|Q8_0|...] [--act F32|F16|...]\n"
    "      [--batch N] [--prompt N] [--steps N] [--flash-attn 0|1] [--configs <model_configs.json>]\n"
    "  explorer trace quantize <in> --out <file> [--weights F] [--group G] [--embeddings ...] [--kv D]\n"
    "      [--act D] [--batch N] [--steps N]\n";

struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;

  bool has(const std::string& key) const {
    for (const auto& o : options)
      if (o.first == key) return true;
    return false;
  }
  std::string get(const std::string& key, const std::string& fallback = "") const {
    for (const auto& o : options)
      if (o.first == key) return o.second;
    return fallback;
  }
};

Args parse_args(const std::vector<std::string>& args, size_t from, const std::vector<std::string>& known,
                const std::string& sub) {
  Args a;
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s.size() > 2 && s.rfind("--", 0) == 0) {
      std::string key = s, value;
      const size_t eq = s.find('=');
      if (eq != std::string::npos) {
        key = s.substr(0, eq);
        value = s.substr(eq + 1);
      } else {
        if (i + 1 >= args.size()) throw Error(cat("trace ", sub, ": ", s, " needs a value"));
        value = args[++i];
      }
      bool ok = false;
      for (const auto& k : known) ok = ok || k == key;
      if (!ok) throw Error(cat("trace ", sub, ": unknown option '", key, "'\n", kUsage));
      if (a.has(key)) throw Error(cat("trace ", sub, ": ", key, " given twice"));
      a.options.emplace_back(key, value);
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

uint64_t parse_count(const std::string& s, const char* what) {
  uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
    throw Error(cat(what, " must be a non-negative integer, got '", s, "'"));
  return v;
}

uint32_t parse_u32(const std::string& s, const char* what) {
  const uint64_t v = parse_count(s, what);
  if (v > UINT32_MAX) throw Error(cat(what, " is too large: ", s));
  return static_cast<uint32_t>(v);
}

double parse_positive(const std::string& s, const char* what) {
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !(v > 0))
    throw Error(cat(what, " must be a positive number, got '", s, "'"));
  return v;
}

struct StepTotals {
  uint32_t step = 0;
  Phase phase = Phase::decode;
  uint32_t context = 0;
  uint64_t ops = 0;
  uint64_t weight = 0, kv_read = 0, kv_write = 0, act = 0;
  double flops = 0;
};

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

int cmd_info(const std::vector<std::string>& args) {
  const Args a = parse_args(args, 1, {"--bandwidth-gbps", "--csv"}, "info");
  if (a.positional.size() != 1) throw Error(cat("trace info: give one trace file\n", kUsage));
  const double bw =
      a.has("--bandwidth-gbps") ? parse_positive(a.get("--bandwidth-gbps"), "--bandwidth-gbps") : 0;
  std::vector<StepTotals> steps;
  const Trace t = read_trace_streaming(a.positional[0], [&](const Op& o) {
    if (steps.empty() || steps.back().step != o.step || steps.back().phase != o.phase) {
      steps.emplace_back();
      steps.back().step = o.step;
      steps.back().phase = o.phase;
    }
    StepTotals& s = steps.back();
    s.context = std::max(s.context, o.context_len);
    ++s.ops;
    s.weight += o.weight_bytes;
    s.kv_read += o.kv_read_bytes;
    s.kv_write += o.kv_write_bytes;
    s.act += o.act_in_bytes + o.act_out_bytes;
    s.flops += o.flops;
  });
  const Header& h = t.header;
  std::printf("trace      %s\n", a.positional[0].c_str());
  std::printf(
      "model      %s (%s): hidden %u, intermediate %u, layers %u, heads %u/%u kv, head_dim %u, vocab %u%s\n",
      h.model.c_str(), h.architecture.c_str(), h.hidden, h.intermediate, h.layers, h.heads, h.kv_heads,
      h.head_dim, h.vocab, h.tied_embeddings ? ", tied embeddings" : "");
  std::printf("source     %s %s\n", h.source_engine.c_str(), h.source_version.c_str());
  std::printf("formats    weights %s, KV %s, activations %s\n", h.weight_format.c_str(), h.kv_dtype.c_str(),
              h.act_dtype.c_str());
  std::printf("run        batch %u, prompt %u, decode steps %u, %llu op records\n", h.batch, h.prompt_len,
              h.decode_steps, static_cast<unsigned long long>(h.records));
  std::printf("weights    %zu tensors, %llu bytes stored\n", t.weights.size(),
              static_cast<unsigned long long>(t.total_weight_bytes()));
  for (const auto& [k, v] : h.extra) std::printf("%-10s %s\n", k.c_str(), v.c_str());
  std::printf("\nbytes per step; intensity = FLOP per off-chip (weight + KV) byte%s\n",
              bw > 0 ? fmt("; roofline at %g GB/s", bw).c_str() : "; give --bandwidth-gbps for the roofline");
  std::printf("%5s %-7s %7s %6s %15s %13s %12s %12s %10s %10s", "step", "phase", "context", "ops",
              "weight_bytes", "kv_bytes", "act_bytes", "GFLOP", "FLOP/B", "tokens/s");
  std::printf("\n");
  std::string csv =
      "step,phase,context,ops,weight_bytes,kv_read_bytes,kv_write_bytes,act_bytes,flops,"
      "intensity_flop_per_byte,roofline_tokens_per_s\n";
  double decode_bytes = 0, decode_flops = 0;
  uint64_t decode_steps = 0;
  for (const StepTotals& s : steps) {
    const double bytes = static_cast<double>(s.weight + s.kv_read + s.kv_write);
    const double intensity = bytes > 0 ? s.flops / bytes : 0;
    const uint64_t tokens = s.phase == Phase::prefill ? uint64_t{h.batch} * h.prompt_len : h.batch;
    const double tps = bw > 0 && bytes > 0 ? static_cast<double>(tokens) / (bytes / (bw * 1e9)) : 0;
    std::printf("%5u %-7s %7u %6llu %15llu %13llu %12llu %12.3f %10.3f %10s\n", s.step, phase_name(s.phase),
                s.context, static_cast<unsigned long long>(s.ops), static_cast<unsigned long long>(s.weight),
                static_cast<unsigned long long>(s.kv_read + s.kv_write),
                static_cast<unsigned long long>(s.act), s.flops / 1e9, intensity,
                bw > 0 ? fmt("%.2f", tps).c_str() : "-");
    csv += cat(s.step, ",", phase_name(s.phase), ",", s.context, ",", s.ops, ",", s.weight, ",", s.kv_read,
               ",", s.kv_write, ",", s.act, ",", fmt("%.17g", s.flops), ",", fmt("%.6g", intensity), ",",
               bw > 0 ? fmt("%.6g", tps) : std::string(""), "\n");
    if (s.phase == Phase::decode) {
      decode_bytes += bytes;
      decode_flops += s.flops;
      ++decode_steps;
    }
  }
  if (decode_steps) {
    const double mean_bytes = decode_bytes / static_cast<double>(decode_steps);
    std::printf("\ndecode mean: %.0f off-chip bytes, %.3f GFLOP per step, %.3f FLOP/B", mean_bytes,
                decode_flops / static_cast<double>(decode_steps) / 1e9, decode_flops / decode_bytes);
    if (bw > 0)
      std::printf(", roofline %.2f tokens/s", static_cast<double>(h.batch) / (mean_bytes / (bw * 1e9)));
    std::printf("\n");
  }
  if (a.has("--csv")) {
    std::ofstream f(a.get("--csv"), std::ios::binary);
    f << csv;
    if (!f) throw Error(cat(a.get("--csv"), ": cannot write"));
  }
  return 0;
}

std::string weights_option(const Args& a, const std::string& fallback) {
  const uint64_t group = a.has("--group") ? parse_count(a.get("--group"), "--group") : 0;
  if (a.has("--group") && group == 0) throw Error("--group must be positive");
  const std::string w = a.get("--weights", fallback);
  return w.empty() ? w : weight_format_name(w, group);
}

int cmd_gen(const std::vector<std::string>& args) {
  const Args a = parse_args(args, 1,
                            {"--weights", "--group", "--embeddings", "--kv", "--act", "--batch", "--prompt",
                             "--steps", "--out", "--configs", "--flash-attn"},
                            "gen");
  if (a.positional.size() != 1) throw Error(cat("trace gen: give one model name or config.json\n", kUsage));
  if (!a.has("--out")) throw Error("trace gen: --out <file> is required");
  const std::string& model = a.positional[0];
  ModelConfig config;
  const bool is_file =
      model.size() > 5 && model.substr(model.size() - 5) == ".json" && std::ifstream(model).good();
  if (is_file)
    config = read_hf_config(model);
  else
    config = find_model(load_model_configs(a.get("--configs", default_model_configs_path())), model);
  GenOptions o;
  o.weights = weights_option(a, "F16");
  o.embeddings = a.get("--embeddings", "auto");
  o.kv_dtype = a.get("--kv", o.kv_dtype);
  o.act_dtype = a.get("--act", o.act_dtype);
  if (a.has("--batch")) o.batch = parse_u32(a.get("--batch"), "--batch");
  if (a.has("--prompt")) o.prompt_len = parse_u32(a.get("--prompt"), "--prompt");
  if (a.has("--steps")) o.decode_steps = parse_u32(a.get("--steps"), "--steps");
  if (a.has("--flash-attn")) {
    const std::string v = a.get("--flash-attn");
    if (v != "0" && v != "1") throw Error(cat("trace gen: --flash-attn takes 0 or 1, not '", v, "'"));
    o.flash_attn = v == "1";
  }
  const Trace t = generate_trace(config, o);
  write_trace(t, a.get("--out"));
  std::printf("wrote %s: %s, %s, %zu weights (%llu bytes), %zu op records\n", a.get("--out").c_str(),
              config.name.c_str(), o.weights.c_str(), t.weights.size(),
              static_cast<unsigned long long>(t.total_weight_bytes()), t.ops.size());
  return 0;
}

int cmd_quantize(const std::vector<std::string>& args) {
  const Args a = parse_args(
      args, 1, {"--weights", "--group", "--embeddings", "--kv", "--act", "--batch", "--steps", "--out"},
      "quantize");
  if (a.positional.size() != 1) throw Error(cat("trace quantize: give one input trace\n", kUsage));
  if (!a.has("--out")) throw Error("trace quantize: --out <file> is required");
  TransformSpec spec;
  spec.weights = weights_option(a, "");
  spec.embeddings = a.get("--embeddings", "auto");
  spec.kv_dtype = a.get("--kv");
  spec.act_dtype = a.get("--act");
  if (a.has("--batch")) {
    spec.batch = parse_u32(a.get("--batch"), "--batch");
    if (spec.batch == 0) throw Error("--batch must be at least 1");
  }
  if (a.has("--steps")) spec.decode_steps = parse_u32(a.get("--steps"), "--steps");
  const Trace in = read_trace(a.positional[0]);
  Trace out;
  try {
    out = transform_trace(in, spec);
  } catch (const Error& e) {
    throw Error(cat(a.positional[0], ": ", e.what()));
  }
  write_trace(out, a.get("--out"));
  std::printf("wrote %s: weights %llu -> %llu bytes, %zu op records\n", a.get("--out").c_str(),
              static_cast<unsigned long long>(in.total_weight_bytes()),
              static_cast<unsigned long long>(out.total_weight_bytes()), out.ops.size());
  return 0;
}

}  // namespace

const char* trace_usage() {
  return kUsage;
}

int cmd_trace(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "info") return cmd_info(args);
  if (args[0] == "gen") return cmd_gen(args);
  if (args[0] == "quantize") return cmd_quantize(args);
  throw Error(cat("trace: unknown subcommand '", args[0], "'\n", kUsage));
}

}  // namespace llmx::trace
