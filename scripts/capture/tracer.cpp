// Decode-trace recorder for llama.cpp (maintainer tool, see scripts/capture/capture.sh).
//
// Loads a GGUF, runs one prefill of --prompt tokens and --decode single-token decode steps, and writes one
// text line per graph node of every llama_decode() call, taken from the scheduler's eval callback.
// The callback is answered at its "ask" stage with `false`: we read the node's op, name, type, shape, byte
// size and sources (all known once the graph is allocated) and let the backend compute the graph as it
// would without us (no forced per-node synchronisation, fusions unchanged).
//
// Output (tab separated, one record per line; convert.py turns it into the trace format):
//   M <key> <value>                                      run metadata
//   S <step> <phase> <n_past> <n_tokens>                 start of one llama_decode()
//   N <step> <idx> <op> <name> <type> <ne> <nbytes> <view_src> <view_offs> <srcs>
//       ne        = ne0,ne1,ne2,ne3
//       srcs      = ';'-joined src records: slot|name|op|type|ne|nbytes|usage|view_src|view_offs
//       usage     = W (tensor lives in a weight buffer), C (compute buffer), A (other / unknown), - (no buffer)
//   E <step> <n_nodes> <ms>                              end of the step
//
// Build: see capture.sh (links libllama + ggml from the extracted llama.cpp tree).

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Recorder {
  FILE* out = nullptr;
  int step = 0;
  int node_idx = 0;
};

const char* usage_code(const ggml_tensor* t) {
  if (t->buffer == nullptr) return "-";
  switch (ggml_backend_buffer_get_usage(t->buffer)) {
    case GGML_BACKEND_BUFFER_USAGE_WEIGHTS: return "W";
    case GGML_BACKEND_BUFFER_USAGE_COMPUTE: return "C";
    default: return "A";
  }
}

void put_ne(FILE* f, const ggml_tensor* t) {
  std::fprintf(f, "%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64, t->ne[0], t->ne[1], t->ne[2], t->ne[3]);
}

// Tensor names never contain tabs, but keep the separators we use out of them anyway.
std::string clean(const char* s) {
  std::string r = (s && *s) ? s : "_";
  for (char& c : r) {
    if (c == '\t' || c == '|' || c == ';' || c == '\n' || c == ' ') c = '_';
  }
  return r;
}

bool on_node(ggml_tensor* t, bool ask, void* user) {
  auto* rec = static_cast<Recorder*>(user);
  if (!ask) return true;  // never asked to observe data, see the header comment
  FILE* f = rec->out;
  std::fprintf(f, "N\t%d\t%d\t%s\t%s\t%s\t", rec->step, rec->node_idx++, ggml_op_desc(t), clean(t->name).c_str(),
               ggml_type_name(t->type));
  put_ne(f, t);
  std::fprintf(f, "\t%zu\t%s\t%zu\t", ggml_nbytes(t), t->view_src ? clean(t->view_src->name).c_str() : "-",
               t->view_src ? t->view_offs : (size_t)0);
  bool first = true;
  for (int i = 0; i < GGML_MAX_SRC; ++i) {
    const ggml_tensor* s = t->src[i];
    if (s == nullptr) continue;
    if (!first) std::fputc(';', f);
    first = false;
    std::fprintf(f, "%d|%s|%s|%s|", i, clean(s->name).c_str(), ggml_op_desc(s), ggml_type_name(s->type));
    put_ne(f, s);
    std::fprintf(f, "|%zu|%s|%s|%zu", ggml_nbytes(s), usage_code(s),
                 s->view_src ? clean(s->view_src->name).c_str() : "-", s->view_src ? s->view_offs : (size_t)0);
  }
  if (first) std::fputc('-', f);
  std::fputc('\n', f);
  return false;  // do not split the graph for us
}

void usage() {
  std::fprintf(stderr,
               "usage: tracer -m MODEL.gguf -o OUT.txt [--prompt N] [--decode N] [--ctx N] [--threads N]\n"
               "              [--flash-attn 0|1] [--seed N]\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, out_path;
  int n_prompt = 32, n_decode = 128, n_ctx = 0, n_threads = 2, flash = 0;
  unsigned seed = 1234;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "-m") model_path = next();
    else if (a == "-o") out_path = next();
    else if (a == "--prompt") n_prompt = std::atoi(next());
    else if (a == "--decode") n_decode = std::atoi(next());
    else if (a == "--ctx") n_ctx = std::atoi(next());
    else if (a == "--threads") n_threads = std::atoi(next());
    else if (a == "--flash-attn") flash = std::atoi(next());
    else if (a == "--seed") seed = (unsigned)std::strtoul(next(), nullptr, 10);
    else {
      usage();
      return 2;
    }
  }
  if (model_path.empty() || out_path.empty() || n_prompt < 1 || n_decode < 0) {
    usage();
    return 2;
  }
  if (n_ctx <= 0) n_ctx = n_prompt + n_decode;

  Recorder rec;
  rec.out = std::fopen(out_path.c_str(), "w");
  if (!rec.out) {
    std::perror(out_path.c_str());
    return 1;
  }

  llama_backend_init();
  llama_model_params mp = llama_model_default_params();
  mp.load_mode = LLAMA_LOAD_MODE_MMAP;
  llama_model* model = llama_model_load_from_file(model_path.c_str(), mp);
  if (!model) {
    std::fprintf(stderr, "tracer: cannot load %s\n", model_path.c_str());
    return 1;
  }

  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = (uint32_t)n_ctx;
  cp.n_batch = (uint32_t)n_prompt;
  cp.n_ubatch = (uint32_t)n_prompt;
  cp.n_seq_max = 1;
  cp.n_threads = n_threads;
  cp.n_threads_batch = n_threads;
  cp.flash_attn_type = flash ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  cp.cb_eval = on_node;
  cp.cb_eval_user_data = &rec;
  cp.no_perf = false;
  llama_context* ctx = llama_init_from_model(model, cp);
  if (!ctx) {
    std::fprintf(stderr, "tracer: cannot create context\n");
    return 1;
  }

  const llama_vocab* vocab = llama_model_get_vocab(model);
  const int n_vocab = llama_vocab_n_tokens(vocab);
  char desc[256];
  llama_model_desc(model, desc, sizeof desc);
  std::fprintf(rec.out, "M\tmodel_desc\t%s\n", clean(desc).c_str());
  std::fprintf(rec.out, "M\tmodel_size\t%" PRIu64 "\n", llama_model_size(model));
  std::fprintf(rec.out, "M\tmodel_n_params\t%" PRIu64 "\n", llama_model_n_params(model));
  std::fprintf(rec.out, "M\tn_vocab\t%d\n", n_vocab);
  std::fprintf(rec.out, "M\tn_ctx\t%u\n", llama_n_ctx(ctx));
  std::fprintf(rec.out, "M\tn_prompt\t%d\n", n_prompt);
  std::fprintf(rec.out, "M\tn_decode\t%d\n", n_decode);
  std::fprintf(rec.out, "M\tn_threads\t%d\n", n_threads);
  std::fprintf(rec.out, "M\tflash_attn\t%d\n", flash);
  std::fprintf(rec.out, "M\tsystem_info\t%s\n", clean(llama_print_system_info()).c_str());

  // Prompt: BOS then pseudo-random token ids (a fixed LCG, so runs are repeatable). The op graph does not
  // depend on the ids; only their count matters.
  std::vector<llama_token> prompt;
  prompt.push_back(llama_vocab_bos(vocab));
  uint32_t state = seed;
  while ((int)prompt.size() < n_prompt) {
    state = state * 1664525u + 1013904223u;
    prompt.push_back((llama_token)(259 + (state >> 8) % (uint32_t)(n_vocab - 259)));
  }

  auto run = [&](llama_token* toks, int n, const char* phase, int n_past) -> bool {
    rec.node_idx = 0;
    std::fprintf(rec.out, "S\t%d\t%s\t%d\t%d\n", rec.step, phase, n_past, n);
    auto t0 = std::chrono::steady_clock::now();
    if (llama_decode(ctx, llama_batch_get_one(toks, n)) != 0) {
      std::fprintf(stderr, "tracer: llama_decode failed at step %d\n", rec.step);
      return false;
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(rec.out, "E\t%d\t%d\t%.3f\n", rec.step, rec.node_idx, ms);
    ++rec.step;
    return true;
  };

  if (!run(prompt.data(), n_prompt, "prefill", 0)) return 1;
  int n_past = n_prompt;
  for (int i = 0; i < n_decode; ++i) {
    // Greedy pick from the real logits; with zero weights all logits tie, so also mix in the LCG to keep
    // the token stream varied (the graph does not depend on it).
    const float* logits = llama_get_logits_ith(ctx, -1);
    int best = 0;
    for (int v = 1; v < n_vocab; ++v)
      if (logits[v] > logits[best]) best = v;
    state = state * 1664525u + 1013904223u;
    llama_token tok = (llama_token)((best + 259 + (state >> 8) % (uint32_t)(n_vocab - 259)) % n_vocab);
    if (!run(&tok, 1, "decode", n_past)) return 1;
    ++n_past;
    if (i % 16 == 15) {
      std::fprintf(stderr, "tracer: %d/%d decode steps\n", i + 1, n_decode);
      std::fflush(rec.out);
    }
  }

  llama_perf_context_print(ctx);
  std::fclose(rec.out);
  llama_free(ctx);
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
