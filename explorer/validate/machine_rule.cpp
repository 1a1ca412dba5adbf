// The machine rule; see machine_rule.h and docs/VALIDATION.md.
#include "explorer/validate/machine_rule.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "explorer/config/loader.h"
#include "explorer/validate/csv_records.h"
#include "models/compute/processing_element.h"
#include "models/core/error.h"
#include "models/memory/dram/dram_spec.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

constexpr double kTileBytesPerChannel = 16384;  // eight LPDDR5 pages per channel per tile
constexpr double kMinTileBytes = 65536;
constexpr double kLoadBytes = 16;  // one 128-bit vector load in flight per resident thread
constexpr double kGiB = double(1ull << 30);

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// What the rule needs from a memory preset.
struct PresetFacts {
  double channel_bits = 0, access_ns = 0;
  bool per_bank_refresh = false;
  int64_t rows = 0;
  double channel_bytes = 0;  // one channel instance's capacity
};

// The preset read as the DRAM channel reads it, at the vendor's data rate.
PresetFacts preset_facts(const std::string& root, const std::string& memory, double mtps) {
  const std::string file = (fs::path(root) / "configs" / "memory" / (memory + ".yaml")).string();
  if (!fs::is_regular_file(file)) throw Error(cat(file, ": no such memory preset"));
  const ConfigNodePtr tree = load_config(file, {cat("data_rate_mtps=", num(mtps))});
  Params p(tree, "", nullptr);
  const dram::DramSpec spec = dram::read_dram_spec(p);
  PresetFacts f;
  f.channel_bits = spec.org.dq_bits * spec.org.pseudo_channels;
  f.access_ns = spec.timing.trcd_rd_ns + spec.timing.rl_ns;
  f.per_bank_refresh = spec.timing.trfc_pb_ns > 0;
  f.rows = spec.org.rows;
  f.channel_bytes = double(spec.org.capacity_bytes());
  return f;
}

// Rows per bank that make `channels` channels of the preset hold the machine's memory: denser dies, or two
// dies sharing a channel (clamshell), add rows, not banks or bandwidth.
int64_t rows_for_memory(const MachineSpec& m, const PresetFacts& mem, int channels) {
  const double rows = double(mem.rows) * m.memory_gib * kGiB / (channels * mem.channel_bytes);
  const auto whole = static_cast<int64_t>(std::llround(rows));
  if (std::fabs(rows - double(whole)) > 1e-6 || whole < 2 || whole % 2)
    throw Error(cat(m.name, ": memory_gib ", m.memory_gib, " over ", channels, " ", m.memory,
                    " channels needs ", rows, " rows per bank, not an even whole number"));
  return whole;
}

// The DRAM channels of one machine: the preset at the vendor's data rate, sized to its memory.
std::string dram_section(const MachineSpec& m, const PresetFacts& mem, int channels) {
  const int64_t rows = rows_for_memory(m, mem, channels);
  std::ostringstream y;
  y << "  dram:\n    type: dram\n    count: " << channels << "                      # " << num(m.bus_bits)
    << "-bit bus / " << num(mem.channel_bits) << "-bit channels\n"
    << "    include: ../memory/" << m.memory << ".yaml\n"
    << "    data_rate_mtps: " << num(m.data_rate_mtps) << "          # the vendor's data rate\n";
  if (rows != mem.rows)
    y << "    organisation: {rows: " << rows << "}   # rule: " << num(m.memory_gib) << " GiB over "
      << channels << " channels (the preset's die: " << mem.rows << " rows, "
      << num(mem.channel_bytes / kGiB) << " GiB a channel); its timings kept\n";
  if (mem.per_bank_refresh)
    y << "    controller: {refresh: per_bank}   # rule: per-bank refresh where the standard has it\n";
  return y.str();
}

MachineSpec read_machine(const CsvRecords& csv, size_t r) {
  MachineSpec m;
  m.name = csv.text(r, "name");
  m.machine_class = csv.text(r, "class");
  if (m.machine_class != "apple" && m.machine_class != "gpu")
    throw Error(cat(csv.where(r, "class"), ": '", m.machine_class, "' (known: apple, gpu)"));
  m.description = csv.text(r, "description");
  auto positive = [&](const char* column) {
    const double v = csv.number(r, column);
    if (v <= 0) throw Error(cat(csv.where(r, column), ": must be positive"));
    return v;
  };
  m.cores = positive("gpu_cores");
  m.clock_mhz = positive("clock_mhz");
  m.lanes_per_core = positive("fp32_lanes_per_core");
  m.memory = csv.text(r, "memory");
  m.data_rate_mtps = positive("data_rate_mtps");
  m.bus_bits = positive("bus_bits");
  m.memory_gib = positive("memory_gib");
  m.memory_latency_ns = positive("memory_latency_ns");
  m.threads_per_core = positive("threads_per_core");
  m.host = csv.text(r, "host");
  m.sources = csv.text(r, "sources");
  return m;
}

// The memory bus as a whole number of the preset's channels.
int channel_count(const MachineSpec& m, const PresetFacts& mem) {
  const double exact = m.bus_bits / mem.channel_bits;
  const int channels = static_cast<int>(std::lround(exact));
  if (channels < 1 || std::fabs(exact - channels) > 1e-9)
    throw Error(cat(m.name, ": bus_bits ", m.bus_bits, " is not a whole number of ", mem.channel_bits,
                    "-bit ", m.memory, " channels"));
  return channels;
}

// The PE's tiles: their size, and how many are in flight (one computing, one arriving, and enough more that
// their share of each channel covers the channel's bandwidth x memory latency, Little's law).
struct TilePlan {
  double tile_bytes = 0, channel_latency_bytes = 0;
  int slots = 0;
};

TilePlan tile_plan(const MachineSpec& m, int channels, double peak_gbps) {
  TilePlan t;
  t.tile_bytes = std::max(kMinTileBytes, kTileBytesPerChannel * channels);
  t.channel_latency_bytes = peak_gbps * 1e9 / channels * m.memory_latency_ns * 1e-9;
  t.slots = 2 + static_cast<int>(std::ceil(t.channel_latency_bytes / (t.tile_bytes / channels)));
  if (t.slots > kMaxBufferSlots)
    throw Error(cat(m.name, ": memory_latency_ns ", m.memory_latency_ns, " needs ", t.slots,
                    " tiles in flight to cover it, more than a PE's ", kMaxBufferSlots, " buffer slots"));
  return t;
}

// The one PE holding every GPU core.
std::string pe_section(const MachineSpec& m, const TilePlan& t) {
  const double lanes = m.cores * m.lanes_per_core;
  std::ostringstream y;
  y << "  pe:\n    type: pe\n    count: 1                       # rule: the " << num(m.cores)
    << " GPU cores as one PE, sweeping each matrix together in address order\n"
    << "    clock_mhz: " << num(m.clock_mhz) << "                # GPU clock\n"
    << "    compute_precision: fp16\n"
    << "    mac_units:\n      fp16: {macs_per_cycle: " << num(lanes) << ", energy_pj: 0.7}  # "
    << num(m.cores) << " cores x " << num(m.lanes_per_core)
    << " FP32 lanes (decode's mat-vec runs on the FP32 lanes); energy: pe-gpu-cluster.yaml\n"
    << "    dequant_weights_per_cycle: " << num(lanes) << "    # one weight per lane per cycle\n"
    << "    dequant_energy_pj_per_weight: 0.6  # pe-gpu-cluster.yaml\n"
    << "    vector_ops_per_cycle: " << num(lanes) << "         # the same lanes\n"
    << "    vector_op_energy_pj: 0.3          # pe-gpu-cluster.yaml\n"
    << "    static_power_mw: 0                # not validated (tokens/s only)\n"
    << "    tile_bytes: " << num(t.tile_bytes)
    << "               # rule: 16 KiB per channel (row-buffer runs), at least 64 KiB\n"
    << "    buffer_slots: " << t.slots << "                   # rule: 2 + the tiles covering a channel's "
    << num(std::round(t.channel_latency_bytes)) << " B of bandwidth x latency\n"
    << "    bytes_in_flight: " << num(std::floor(m.cores * m.threads_per_core * kLoadBytes))
    << "         # rule: " << num(m.cores) << " cores x " << num(m.threads_per_core)
    << " resident threads x one 16 B load each\n"
    << "    load_latency_ns: " << num(m.memory_latency_ns) << "             # rule: the memory latency\n";
  return y.str();
}

}  // namespace

std::vector<MachineSpec> read_machines(const std::string& path) {
  const CsvRecords csv(path, {"name", "class", "description", "gpu_cores", "clock_mhz", "fp32_lanes_per_core",
                              "memory", "data_rate_mtps", "bus_bits", "memory_gib", "memory_latency_ns",
                              "threads_per_core", "host", "sources"});
  std::vector<MachineSpec> out;
  for (size_t r = 0; r < csv.size(); ++r) {
    out.push_back(read_machine(csv, r));
    for (size_t i = 0; i + 1 < out.size(); ++i)
      if (out[i].name == out.back().name)
        throw Error(cat(csv.where(r, "name"), ": '", out.back().name, "' appears twice"));
  }
  return out;
}

std::string system_config_text(const MachineSpec& m, const std::string& root) {
  const PresetFacts mem = preset_facts(root, m.memory, m.data_rate_mtps);
  const int channels = channel_count(m, mem);
  const double peak_gbps = m.bus_bits / 8.0 * m.data_rate_mtps * 1e6 / 1e9;
  const TilePlan tiles = tile_plan(m, channels, peak_gbps);
  // The buffer holds the tiles in flight; its ports carry 4x the DRAM bandwidth.
  const int banks = static_cast<int>(std::ceil(4.0 * peak_gbps * 1e9 / (8.0 * m.clock_mhz * 1e6)));
  const double hop_ns = std::round(std::max(0.0, m.memory_latency_ns - mem.access_ns) * 100) / 100;
  std::ostringstream y;
  y << "# " << m.description << ": validation system generated from validation/machines.csv by the rule in\n"
    << "# docs/VALIDATION.md (`explorer validate systems --write`); change the table or the rule, not this "
       "file.\n"
    << "# Sources: " << m.sources << "\n"
    << "system:\n  name: " << m.name << "\n  description: \"" << m.description << "\"\n\n"
    << "modules:\n"
    << pe_section(m, tiles) << "  buf:\n    type: sram\n    count: 1\n    include: ../buffers/sram-512kib.yaml\n"
    << "    capacity_kib: " << num(tiles.slots * tiles.tile_bytes / 1024)
    << "              # rule: the tiles in flight\n"
    << "    banks: " << banks << "                        # rule: 4x the DRAM bandwidth, 8 B banks\n"
    << "    clock_mhz: " << num(m.clock_mhz) << "\n"
    << "  noc:\n    type: crossbar\n    include: ../interconnect/crossbar-1ghz.yaml\n"
    << "    link_bandwidth_gbps: " << num(2 * peak_gbps) << "       # rule: twice the DRAM peak\n"
    << "    hop_latency_ns: " << num(hop_ns) << "          # rule: memory latency "
    << num(m.memory_latency_ns) << " ns less the DRAM's tRCD + RL "
    << num(std::round(mem.access_ns * 100) / 100) << " ns\n"
    << dram_section(m, mem, channels);
  const bool host = m.host != "none";
  if (host) y << "  host:\n    type: host_link\n    include: ../host/" << m.host << ".yaml\n";
  y << "\nconnections:\n  - {from: driver.pe, to: pe.cmd}\n";
  if (host) y << "  - {from: driver.host, to: host.target}\n";
  y << "  - {from: pe.buffer, to: buf.target}\n  - {from: pe.mem, to: noc.in}\n  - {from: noc.out, to: "
       "dram.target}\n"
    << "\nworkload:\n  trace: ../../traces/captured/llama-2-7b-q4_0.lxt.gz\n  decode_steps: 2\n"
    << "\nsimulation:\n  quantum_ns: 1000\n";
  return y.str();
}

std::vector<std::string> sync_validation_systems(const std::string& root, bool write) {
  const auto machines = read_machines((fs::path(root) / "validation" / "machines.csv").string());
  std::vector<std::string> changed;
  for (const MachineSpec& m : machines) {
    const std::string text = system_config_text(m, root);
    const fs::path file = fs::path(root) / "configs" / "validation" / (m.name + ".yaml");
    std::ifstream in(file, std::ios::binary);
    std::stringstream old;
    old << in.rdbuf();
    if (in && old.str() == text) continue;
    changed.push_back(file.string());
    if (!write) continue;
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) throw Error(cat(file.string(), ": cannot write"));
  }
  return changed;
}

}  // namespace llmx
