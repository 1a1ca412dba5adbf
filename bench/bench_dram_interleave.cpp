// Benchmark (prints figures; not a timed test): sustained bandwidth of one DRAM channel (the TLM channel and
// its per-burst service model) when k streams read interleaved slices, as the PEs of a decode do when the
// interconnect spreads each weight tile over the channels. Compare with the command-level engine on the same
// pattern: `explorer memtrace <preset> <trace.stl>` with the trace this program writes (--stl <file>).
//   bench_dram_interleave <preset.yaml> <slice_bytes> <streams> [--stl <file>]
// Measured on 2026-11-24, TLM model vs command-level engine (% of peak): LPDDR5X-8533 8 x 8 KiB slices 81.1 vs
// 81.0, one stream 88.8 vs 88.7; HBM3-6400 8 x 4 KiB 62.7 vs 62.2. (Before refresh was calibrated as a time
// factor, the model gave 66.7% for the LPDDR5X interleaved case: a stream's refresh loss had been charged to its
// few row misses.)
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "explorer/config/loader.h"
#include "models/memory/dram_channel.h"
#include "tests/testbench.h"

using namespace llmx;

int sc_main(int argc, char* argv[]) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: bench_dram_interleave <preset.yaml> <slice_bytes> <streams> [--stl <file>]\n");
    return 2;
  }
  const std::string preset = argv[1];
  const uint64_t slice = std::stoull(argv[2]);
  const int streams = std::stoi(argv[3]);
  const uint64_t per_stream = 1 << 20, stride = 32ull << 20;
  try {
    auto tree = load_config(preset);
    tree->set("type", ConfigNode::make_scalar("dram", {}));
    Params p(tree, "dram", nullptr);
    p.claim("type");
    DramChannel channel("channel", p, ElabContext{0, 1, sc_core::sc_time(1, sc_core::SC_US)});
    p.finish();
    test::TestInitiator init("init");
    init.socket.bind(channel.target);
    sc_core::sc_time last;
    init.body = [&](test::TestInitiator& i) {
      // Each stream keeps two slices in flight (double buffering), streams take turns.
      std::vector<std::vector<sc_core::sc_time>> done(streams);
      for (uint64_t k = 0; k < per_stream / slice; ++k)
        for (int s = 0; s < streams; ++s) {
          const sc_core::sc_time issue = k >= 2 ? done[s][k - 2] : sc_core::SC_ZERO_TIME;
          const sc_core::sc_time t = i.access(tlm::TLM_READ_COMMAND, s * stride + k * slice, slice, issue);
          done[s].push_back(t);
          last = std::max(last, t);
        }
    };
    sc_core::sc_start();
    const double bytes = double(streams) * per_stream;
    std::printf("%s: %d streams x %llu B slices: %.3f GB/s, %.1f%% of peak (TLM channel model)\n",
                preset.c_str(), streams, static_cast<unsigned long long>(slice),
                bytes / last.to_seconds() / 1e9,
                100 * bytes / last.to_seconds() / channel.peak_bandwidth_bytes_per_s());
    if (argc >= 6 && std::string(argv[4]) == "--stl") {
      std::ofstream stl(argv[5]);
      for (uint64_t k = 0; k < per_stream / slice; ++k)
        for (int s = 0; s < streams; ++s)
          for (uint64_t off = 0; off < slice; off += 64)
            stl << "0: read 0x" << std::hex << s * stride + k * slice + off << std::dec << "\n";
      std::printf("wrote %s: replay it with explorer memtrace %s %s\n", argv[5], preset.c_str(), argv[5]);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_dram_interleave: %s\n", e.what());
    return 1;
  }
  return 0;
}
