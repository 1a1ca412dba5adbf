// Results of a system of devices; see multidev_results.h.
#include "explorer/run/multidev_results.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include "explorer/run/csv.h"
#include "models/interconnect/device_link.h"
#include "models/interconnect/link_switch.h"

namespace llmx {

namespace {

using sc_core::sc_time;

// `text` (a header and one row) with the columns of the one-row `extra` appended.
std::string with_columns(const std::string& text, const CsvTable& extra) {
  std::istringstream base(text), more(extra.text());
  std::string out, a, b;
  while (std::getline(base, a) && std::getline(more, b)) out += a + "," + b + "\n";
  return out;
}

std::string device_name(const System& sys, uint32_t d) {
  if (d == LinkSwitch::kSwitch) return "switch";
  const std::string& prefix = sys.devices[d].prefix;
  return prefix.empty() ? "dev0" : prefix.substr(0, prefix.size() - 1);
}

CsvTable summary_columns(const System& sys, double decode_s, const sc_time& end) {
  const Plan& plan = sys.driver->plan();
  double collective_s = 0, link_energy = 0;
  uint64_t link_bytes = 0, decode_collectives = 0, decode_steps = 0, max_used = 0;
  for (const CollectiveRecord& c : sys.driver->collectives()) {
    if (c.phase != trace::Phase::decode) continue;
    ++decode_collectives;
    collective_s += (c.end - c.start).to_seconds();
    link_bytes += c.link_bytes;
  }
  for (const StepRecord& s : sys.driver->steps()) decode_steps += s.phase == trace::Phase::decode;
  for (const Component* l : sys.links) link_energy += l->stats(end).energy.total();
  for (const DevicePlan& d : plan.devices) max_used = std::max(max_used, d.memory.end);
  CsvTable t({"devices", "tensor_parallel", "pipeline_parallel", "micro_batches", "collectives_per_step",
              "collective_time_s", "collective_share", "link_bytes", "link_energy_j",
              "max_device_memory_used_bytes"});
  t.row()
      .add(static_cast<uint64_t>(plan.devices.size()))
      .add(plan.parallel.tensor)
      .add(plan.parallel.pipeline)
      .add(plan.parallel.micro_batches)
      .add(decode_steps ? static_cast<double>(decode_collectives) / static_cast<double>(decode_steps) : 0.0)
      .add(collective_s)
      .add(decode_s > 0 ? collective_s / decode_s : 0.0)
      .add(link_bytes)
      .add(link_energy)
      .add(max_used);
  return t;
}

CsvTable device_table(const System& sys, const sc_time& end) {
  CsvTable t({"device", "stage", "rank", "pes", "dram_capacity_bytes", "memory_used_bytes", "kv_cache_bytes",
              "offloaded_weight_bytes", "demanded_read_bytes", "demanded_write_bytes", "dram_read_bytes",
              "dram_write_bytes", "energy_j", "energy_max_j"});
  const Plan& plan = sys.driver->plan();
  for (uint32_t d = 0; d < plan.devices.size(); ++d) {
    uint64_t read = 0, written = 0;
    double energy = 0, energy_max = 0;
    for (const Component* c : sys.devices[d].components) {
      const ComponentStats st = c->stats(end);
      energy += st.energy.total();
      energy_max += st.energy_at(true).total();
      if (auto* m = dynamic_cast<const MemoryDevice*>(c); m && m->is_dram())
        read += st.bytes_read, written += st.bytes_written;
    }
    const DevicePlan& dp = plan.devices[d];
    t.row()
        .add(device_name(sys, d))
        .add(dp.stage)
        .add(dp.rank)
        .add(dp.pes)
        .add(sys.dram_capacity_bytes(d))
        .add(dp.memory.end)
        .add(dp.memory.kv_bytes)
        .add(dp.memory.offloaded_bytes)
        .add(sys.driver->demanded_read_bytes(d))
        .add(sys.driver->demanded_write_bytes(d))
        .add(read)
        .add(written)
        .add(energy)
        .add(energy_max);
  }
  return t;
}

CsvTable link_table(const System& sys, const sc_time& end) {
  CsvTable t({"link", "from", "to", "bytes", "transfers", "busy_s", "utilization", "peak_gbps",
              "achieved_gbps", "energy_j"});
  const double sim_s = end.to_seconds();
  for (const Component* c : sys.links) {
    for (const LinkDirectionStats& d : dynamic_cast<const DeviceLink&>(*c).directions()) {
      t.row()
          .add(std::string(c->name()))
          .add(device_name(sys, d.from_device))
          .add(device_name(sys, d.to_device))
          .add(d.bytes)
          .add(d.transfers)
          .add(d.busy.to_seconds())
          .add(sim_s > 0 ? d.busy.to_seconds() / sim_s : 0.0)
          .add(d.bandwidth_bytes_per_s / 1e9)
          .add(sim_s > 0 ? static_cast<double>(d.bytes) / sim_s / 1e9 : 0.0)
          .add(d.energy_j);
    }
  }
  return t;
}

CsvTable collective_table(const System& sys) {
  struct Totals {
    uint64_t count = 0, bytes = 0, max_device_bytes = 0, link_bytes = 0;
    double seconds = 0, energy_j = 0;
  };
  std::map<std::tuple<int, int32_t, int>, Totals> groups;  // phase, layer, kind
  for (const CollectiveRecord& c : sys.driver->collectives()) {
    Totals& g = groups[{static_cast<int>(c.phase), c.layer, static_cast<int>(c.kind)}];
    ++g.count;
    g.bytes += c.bytes;
    g.max_device_bytes += c.max_device_bytes;
    g.link_bytes += c.link_bytes;
    g.seconds += (c.end - c.start).to_seconds();
    g.energy_j += c.energy_j;
  }
  CsvTable t(
      {"phase", "layer", "kind", "count", "bytes", "max_device_bytes", "link_bytes", "time_ms", "energy_j"});
  for (const auto& [key, g] : groups) {
    const auto [phase, layer, kind] = key;
    t.row()
        .add(trace::phase_name(static_cast<trace::Phase>(phase)))
        .add(layer < 0 ? std::string("outside") : std::to_string(layer))
        .add(collective_kind_name(static_cast<CollectiveKind>(kind)))
        .add(g.count)
        .add(g.bytes)
        .add(g.max_device_bytes)
        .add(g.link_bytes)
        .add(g.seconds * 1e3)
        .add(g.energy_j);
  }
  return t;
}

}  // namespace

MemoryLayout total_memory(const Plan& plan) {
  MemoryLayout total;
  for (const DevicePlan& d : plan.devices) {
    total.end += d.memory.end;
    total.offloaded_bytes += d.memory.offloaded_bytes;
    total.kv_bytes += d.memory.kv_bytes;
  }
  return total;
}

void add_multidevice_results(const System& sys, const sc_time& end, double decode_s,
                             std::vector<OutputFile>& files) {
  for (OutputFile& f : files)
    if (f.name == "summary.csv") f.text = with_columns(f.text, summary_columns(sys, decode_s, end));
  auto at = std::find_if(files.begin(), files.end(),
                         [](const OutputFile& f) { return f.name == "resolved_config.yaml"; });
  at = files.insert(at, {"devices.csv", device_table(sys, end).text()});
  at = files.insert(at + 1, {"links.csv", link_table(sys, end).text()});
  files.insert(at + 1, {"collectives.csv", collective_table(sys).text()});
}

}  // namespace llmx
