// `explorer memtrace`: memory-trace replay on the command-level DRAM model (models/memory/dram/), or with
// `--model tlm` through the loosely-timed channel decode runs use (explorer/memtrace/tlm_replay.h).
// Reads a memory description (a DRAM preset, or an instance map including one, with `channels` or `count`)
// and a memory trace (formats in explorer/memtrace/reader.h), and replays it.
// Output CSV: a row for the whole system (channel "all": bandwidth, share of peak, read latency mean/p50/p99,
// row-hit rate, energy by kind, pJ/bit, average power), then a row per channel (the same without latencies).
#include "explorer/cmd_memtrace.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "explorer/cli/command_line.h"
#include "explorer/config/loader.h"
#include "explorer/memtrace/reader.h"
#include "explorer/memtrace/tlm_replay.h"
#include "models/core/error.h"
#include "models/core/param_schema.h"
#include "models/core/params.h"
#include "models/memory/dram/memory_system.h"

namespace llmx {
namespace {

// memtrace's own keys of memory.yaml, beside every key of the DRAM preset (explorer types dram).
const ParamSchema& memtrace_schema() {
  static const ParamSchema s{
      "memtrace",
      "`explorer memtrace`'s keys of memory.yaml (--set KEY=VALUE), beside every key of `explorer types "
      "dram`",
      {{"",
        "",
        {text("type", "dram", "dram, when the file is an instance map (ignored otherwise)"),
         integer("count", "1", Bound::range(1, 1024), "channels, as an instance array size (a power of two)"),
         integer("channels", "count", Bound::range(1, 1024), "channels driven by the trace (a power of two)"),
         with_unit(integer("channel_interleave_bytes", "64", Bound::range(1, 1 << 30),
                           "bytes after which the channel changes (a power of two)"),
                   "B"),
         number("trace_clock_mhz", "1000", Bound::positive(), "clock of trace timestamps and bubble counts"),
         with_unit(integer("access_bytes", "64", Bound::range(1, 1 << 20),
                           "bytes per trace access without a data field"),
                   "B"),
         section("injection", false, "how the trace is offered to the controllers")}},
       {"injection",
        "how the trace is offered to the controllers",
        {choice("model", {"offer_per_tick", "in_flight"}, "offer_per_tick",
                "Ramulator-style offering per tick, or a bounded number in flight (a DRAMSys StlPlayer)"),
         integer("limit", "16; in_flight: 128", Bound::range(1, 1 << 20),
                 "bursts offered per tick, or accesses in flight"),
         flag("in_order_responses", "false", "responses leave in request order"),
         flag("channel_queues", "in_flight: true, else false",
              "per-channel arbiter queues in front of the controllers")}}}};
  return s;
}

const ParamSchemaRegistrar memtrace_schema_registrar(&memtrace_schema);

struct MemtraceOptions {
  std::string memory, trace, out, model = "command";
  std::vector<std::string> sets;
};

int memtrace(const MemtraceOptions& o) {
  auto root = load_config(o.memory, o.sets);
  Params p(root, "", nullptr);
  p.bind(memtrace_schema());
  p.claim("type");
  int channels = p.get<int>("count");
  channels = p.get<int>("channels", channels);
  const auto interleave = p.get<int64_t>("channel_interleave_bytes");
  const double clock_mhz = p.get<double>("trace_clock_mhz");
  const auto access_bytes = p.get<int>("access_bytes");
  Params inj_p = p.child("injection");
  dram::InjectionModel inj;
  const std::string kind = inj_p.get<std::string>("model");
  inj.kind = kind == "in_flight" ? dram::InjectionModel::Kind::in_flight
                                 : dram::InjectionModel::Kind::offer_per_tick;
  inj.limit = inj_p.get<int>("limit", kind == "in_flight" ? 128 : 16);
  inj.in_order_responses = inj_p.get<bool>("in_order_responses");
  inj.channel_queues = inj_p.get<bool>("channel_queues", kind == "in_flight");
  if ((channels & (channels - 1)) != 0)
    p.fail(p.has("channels") ? "channels" : "count", "must be a power of two");
  if ((interleave & (interleave - 1)) != 0) p.fail("channel_interleave_bytes", "must be a power of two");
  const dram::DramSpec spec = dram::read_dram_spec(p);
  const double booking_window_ns = p.get<double>("booking_window_ns");  // of the TLM channel (--model tlm)
  p.finish();

  dram::MemorySystem sys(spec, channels, dram::MemorySystem::interleave_bits(channels, uint64_t(interleave)),
                         inj);
  MemoryTraceReader reader(o.trace, 1000.0 / clock_mhz, uint32_t(access_bytes));
  const uint64_t capacity = spec.org.capacity_bytes() * uint64_t(channels);
  const auto next = [&](dram::Access& a) {
    if (!reader.next(a)) return false;
    a.addr %= capacity;  // addresses beyond the modelled capacity wrap, as in the reference simulators
    return true;
  };
  const auto bits = dram::MemorySystem::interleave_bits(channels, uint64_t(interleave));
  const auto r =
      o.model == "tlm" ? replay_tlm(spec, channels, bits, inj, next, booking_window_ns) : sys.run(next);

  // One row for the whole system ("all"), then one per channel (latencies are system-wide only).
  std::ostringstream csv;
  csv.precision(6);
  csv << "memory,trace,standard,channels,channel,accesses,bytes_read,bytes_written,elapsed_ns,bandwidth_"
         "gbps,"
         "peak_gbps,share_of_peak,mean_read_latency_ns,p50_read_latency_ns,p99_read_latency_ns,row_hit_"
         "rate,"
         "energy_act_pre_j,energy_read_array_j,energy_write_array_j,energy_io_j,energy_refresh_j,"
         "energy_background_j,energy_total_j,pj_per_bit,average_power_w\n";
  const double elapsed_s = r.elapsed_ns * 1e-9;
  auto row = [&](const std::string& channel, const std::string& accesses, uint64_t bytes_read,
                 uint64_t bytes_written, double peak_gbps, const std::string& latencies, double hit_rate,
                 const dram::DramEnergy& e) {
    const double bytes = double(bytes_read + bytes_written);
    const double gbps = r.elapsed_ns > 0 ? bytes / r.elapsed_ns : 0;
    csv << o.memory << ',' << o.trace << ',' << spec.standard << ',' << channels << ',' << channel << ','
        << accesses << ',' << bytes_read << ',' << bytes_written << ',' << r.elapsed_ns << ',' << gbps << ','
        << peak_gbps << ',' << (peak_gbps > 0 ? gbps / peak_gbps : 0) << ',' << latencies << ',' << hit_rate
        << ',' << e.act_pre << ',' << e.read_array << ',' << e.write_array << ',' << e.io << ',' << e.refresh
        << ',' << e.background << ',' << e.total() << ',' << (bytes > 0 ? e.total() * 1e12 / (bytes * 8) : 0)
        << ',' << (elapsed_s > 0 ? e.total() / elapsed_s : 0) << '\n';
  };
  std::ostringstream lat;
  lat.precision(6);
  lat << r.mean_read_latency_ns << ',' << r.p50_read_latency_ns << ',' << r.p99_read_latency_ns;
  row("all", std::to_string(r.accesses), r.bytes_read, r.bytes_written, r.peak_gbps, lat.str(),
      r.row_hit_rate, r.energy);
  const uint64_t tx = uint64_t(spec.org.tx_bytes());
  for (size_t i = 0; i < r.per_channel.size(); ++i) {
    const auto& c = r.per_channel[i];
    row(std::to_string(i), "", c.counters.reads * tx, c.counters.writes * tx, spec.peak_bytes_per_s() * 1e-9,
        ",,", c.counters.row_hit_rate(), c.energy);
  }
  if (o.out.empty()) {
    std::cout << csv.str();
  } else {
    std::ofstream out(o.out);
    if (!out) throw Error(cat(o.out, ": cannot write"));
    out << csv.str();
  }
  return 0;
}

}  // namespace

void add_memtrace_command(CommandLine& cli) {
  auto o = std::make_shared<MemtraceOptions>();
  CLI::App& cmd =
      cli.add(cli.root(), "memtrace",
              "Replay a memory access trace (DRAMSys .stl, Ramulator 2) on DRAM channels; bandwidth, "
              "latency, energy.",
              "explorer memtrace configs/memory/hbm3-6400.yaml my-trace.stl --set channels=16 --out hbm3.csv",
              [o] { return memtrace(*o); });
  cmd.add_option("memory.yaml", o->memory, "DRAM preset, or a map including one with channels: or count:")
      ->type_name("FILE")
      ->required();
  cmd.add_option("trace", o->trace, "memory access trace")->type_name("FILE")->required();
  cmd.add_option("--out", o->out, "CSV file to write; default stdout")->type_name("FILE");
  cmd.add_option("--model", o->model,
                 "command: the command-level controller; tlm: the loosely-timed channel decode runs use")
      ->check(one_of({"command", "tlm"}))
      ->default_str("command");
  cmd.add_option(
         "--set", o->sets,
         "override a key of memory.yaml, e.g. channels=16 (repeatable; keys: explorer types memtrace, "
         "explorer types dram)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false)
      ->default_str("");
}

}  // namespace llmx
