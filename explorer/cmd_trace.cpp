// `explorer trace info | gen | quantize` (see cmd_trace.h): per-step totals and the bandwidth roofline of a
// trace, the generator and the quantizer behind a command line. Output is deterministic (no timings).
// Leaves out: simulation (explorer run) and capture from engines (scripts/capture/).
#include "explorer/cmd_trace.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "explorer/cli/command_line.h"
#include "explorer/trace/generator.h"
#include "explorer/trace/quantize.h"
#include "explorer/trace/trace.h"
#include "models/core/error.h"

namespace llmx::trace {

namespace {

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

struct InfoOptions {
  std::string trace;
  double bandwidth_gbps = 0;  // 0: no roofline
  std::string csv;
};

int trace_info(const InfoOptions& a) {
  const double bw = a.bandwidth_gbps;
  std::vector<StepTotals> steps;
  const Trace t = read_trace_streaming(a.trace, [&](const Op& o) {
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
  std::printf("trace      %s\n", a.trace.c_str());
  std::printf(
      "model      %s (%s): hidden %u, intermediate %u, layers %u, heads %u/%u kv, head_dim %u, vocab %u%s\n",
      h.model.c_str(), h.architecture.c_str(), h.hidden, h.intermediate, h.layers, h.heads, h.kv_heads,
      h.head_dim, h.vocab, h.tied_embeddings ? ", tied embeddings" : "");
  if (h.max_position || h.sliding_window)
    std::printf("positions  %u%s\n", h.max_position,
                h.sliding_window ? cat(", sliding window ", h.sliding_window).c_str() : "");
  if (h.moe.any())
    std::printf(
        "experts    %u routed, top-%u, intermediate %u; shared %u (intermediate %u); %u dense blocks; "
        "routing %s\n",
        h.moe.experts, h.moe.experts_per_token, h.moe.expert_intermediate, h.moe.shared_experts,
        h.moe.shared_intermediate, h.moe.dense_layers, h.moe.routing_recorded ? "recorded" : "uniform");
  if (h.mla.any())
    std::printf("latent     kv_lora_rank %u, q_lora_rank %u, rope %u, nope %u, v %u per head\n", h.mla.kv_lora_rank,
                h.mla.q_lora_rank, h.mla.rope_head_dim, h.mla.nope_head_dim, h.mla.v_head_dim);
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
  if (!a.csv.empty()) {
    std::ofstream f(a.csv, std::ios::binary);
    f << csv;
    if (!f) throw Error(cat(a.csv, ": cannot write"));
  }
  return 0;
}

// The weight format a --weights/--group pair names ("" = keep).
std::string weights_format(const std::string& weights, uint32_t group) {
  return weights.empty() ? weights : weight_format_name(weights, group);
}

struct GenCommand {
  std::string model, out, configs = default_model_configs_path();
  uint32_t group = 0;
  GenOptions options;
};

int trace_gen(GenCommand& a) {
  ModelConfig config;
  const std::string& model = a.model;
  const bool is_file =
      model.size() > 5 && model.substr(model.size() - 5) == ".json" && std::ifstream(model).good();
  if (is_file)
    config = read_hf_config(model);
  else
    config = find_model(load_model_configs(a.configs), model);
  GenOptions o = a.options;
  o.weights = weights_format(o.weights, a.group);
  const uint64_t positions = uint64_t{o.prompt_len} + o.decode_steps;
  if (config.max_position > 0 && positions > config.max_position)
    throw Error(cat("trace gen: --prompt + --steps (", positions, ") exceed ", config.name, "'s ",
                    config.max_position, " positions"));
  const Trace t = generate_trace(config, o);
  write_trace(t, a.out);
  std::printf("wrote %s: %s, %s, %zu weights (%llu bytes), %zu op records\n", a.out.c_str(),
              config.name.c_str(), o.weights.c_str(), t.weights.size(),
              static_cast<unsigned long long>(t.total_weight_bytes()), t.ops.size());
  return 0;
}

struct QuantizeCommand {
  std::string in, out;
  uint32_t group = 0;
  TransformSpec spec;
};

int trace_quantize(const QuantizeCommand& a) {
  TransformSpec spec = a.spec;
  spec.weights = weights_format(spec.weights, a.group);
  const Trace in = read_trace(a.in);
  Trace out;
  try {
    out = transform_trace(in, spec);
  } catch (const Error& e) {
    throw Error(cat(a.in, ": ", e.what()));
  }
  write_trace(out, a.out);
  std::printf("wrote %s: weights %llu -> %llu bytes, %zu op records\n", a.out.c_str(),
              static_cast<unsigned long long>(in.total_weight_bytes()),
              static_cast<unsigned long long>(out.total_weight_bytes()), out.ops.size());
  return 0;
}

const std::vector<std::string> kEmbeddings{"auto", "keep", "same"};

// The options gen and quantize share: target formats and shape.
void add_format_options(CLI::App& cmd, std::string& weights, uint32_t& group, std::string& embeddings,
                        std::string& kv, std::string& act) {
  cmd.add_option("--weights", weights,
                 "weight format: F16, Q8_0, Q4_0, Q4_K, INT4, BCQ3, ... (traces/FORMAT.md)")
      ->type_name("FORMAT");
  cmd.add_option("--group", group, "weights per scale group of INT/BCQ formats (default: the format's own)")
      ->type_name("G")
      ->check(at_least(1))
      ->default_str("");
  cmd.add_option("--embeddings", embeddings,
                 "embedding/output tables: auto, keep their format, or same as --weights")
      ->check(one_of(kEmbeddings));
  cmd.add_option("--kv", kv, "KV cache dtype: F16, FP8, INT8, INT4, Q8_0, ...")->type_name("DTYPE");
  cmd.add_option("--act", act, "activation dtype: F32, F16, ... (default: the engine's)")->type_name("DTYPE");
}

void add_info_command(CommandLine& cli, CLI::App& trace) {
  auto a = std::make_shared<InfoOptions>();
  CLI::App& cmd = cli.add(
      trace, "info", "Per-step bytes, FLOPs and intensity of a trace; the roofline tokens/s at a bandwidth.",
      "explorer trace info traces/captured/llama-3-8b-q4_0.lxt.gz --bandwidth-gbps 136.5",
      [a] { return trace_info(*a); });
  cmd.add_option("trace", a->trace, "decode trace (.lxt or .lxt.gz)")->type_name("FILE")->required();
  cmd.add_option("--bandwidth-gbps", a->bandwidth_gbps, "memory bandwidth for the roofline column")
      ->type_name("GB/S")
      ->check(positive_number())
      ->default_str("");
  cmd.add_option("--out,--csv", a->csv, "also write the table as CSV to FILE")->type_name("FILE");
}

void add_gen_command(CommandLine& cli, CLI::App& trace) {
  auto a = std::make_shared<GenCommand>();
  GenOptions& o = a->options;
  CLI::App& cmd =
      cli.add(trace, "gen", "Generate a decode trace from a model's public configuration.",
              "explorer trace gen Llama-2-70B --weights Q4_0 --prompt 32 --steps 16 --out /tmp/70b.lxt.gz",
              [a] { return trace_gen(*a); });
  cmd.add_option("model", a->model, "model name (e.g. Llama-2-7B) or config.json")
      ->type_name("NAME")
      ->required();
  cmd.add_option("--out", a->out, "trace file to write (.lxt.gz)")->type_name("FILE")->required();
  add_format_options(cmd, o.weights, a->group, o.embeddings, o.kv_dtype, o.act_dtype);
  cmd.add_option("--batch", o.batch, "sequences decoded together")->type_name("N")->check(at_least(1));
  cmd.add_option("--prompt", o.prompt_len, "prompt tokens (0: no prefill step)")->type_name("N");
  cmd.add_option("--steps", o.decode_steps, "decode steps")->type_name("N");
  cmd.add_option("--flash-attn", o.flash_attn, "1: one fused attention op per block")->type_name("0|1");
  cmd.add_option("--configs", a->configs, "model configurations (JSON)")->type_name("FILE");
}

void add_quantize_command(CommandLine& cli, CLI::App& trace) {
  auto a = std::make_shared<QuantizeCommand>();
  TransformSpec& s = a->spec;
  CLI::App& cmd =
      cli.add(trace, "quantize", "Rewrite a trace for other weight/KV/activation formats, batch or steps.",
              "explorer trace quantize traces/captured/llama-2-7b-f16.lxt.gz --weights BCQ3_G128 --out "
              "/tmp/bcq3.lxt.gz",
              [a] { return trace_quantize(*a); });
  cmd.add_option("in", a->in, "trace to transform")->type_name("FILE")->required();
  cmd.add_option("--out", a->out, "trace file to write (.lxt.gz)")->type_name("FILE")->required();
  add_format_options(cmd, s.weights, a->group, s.embeddings, s.kv_dtype, s.act_dtype);
  cmd.add_option("--batch", s.batch, "sequences decoded together (default: keep)")
      ->type_name("N")
      ->check(at_least(1))
      ->default_str("");
  cmd.add_option("--steps", s.decode_steps,
                 "decode steps (fewer drop steps, more repeat the last; default: keep)")
      ->type_name("N")
      ->check(at_least(0))
      ->default_str("");
}

}  // namespace
}  // namespace llmx::trace

namespace llmx {

void add_trace_commands(CommandLine& cli) {
  CLI::App& trace =
      cli.add(cli.root(), "trace", "Inspect, generate and transform decode traces (traces/FORMAT.md).",
              "explorer trace info traces/tinyllama-1.1b-q4_0-gen.lxt.gz", nullptr);
  trace::add_info_command(cli, trace);
  trace::add_gen_command(cli, trace);
  trace::add_quantize_command(cli, trace);
}

}  // namespace llmx
