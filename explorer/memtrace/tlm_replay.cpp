// Memory-trace replay through the TLM DRAM channel; see tlm_replay.h.
#include "explorer/memtrace/tlm_replay.h"

#include <algorithm>
#include <memory>
#include <queue>

#include "models/memory/dram_channel.h"

namespace llmx {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, size_t(q * double(v.size())));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

}  // namespace

dram::SystemResult replay_tlm(const dram::DramSpec& spec, int channels, const std::vector<int>& channel_bits,
                              const dram::InjectionModel& injection,
                              const std::function<bool(dram::Access&)>& next, double booking_window_ns) {
  // Channel mapping as the command-level system does it (it also checks the channel count).
  const dram::MemorySystem mapper(spec, channels, channel_bits, dram::InjectionModel{});
  static int instance = 0;  // SystemC object names must be unique within the process
  const int id = instance++;
  std::vector<std::unique_ptr<DramChannel>> ch;
  for (int c = 0; c < channels; ++c)
    ch.push_back(std::make_unique<DramChannel>(cat("memtrace_tlm_", id, "_", c).c_str(), spec,
                                               sc_time(booking_window_ns, SC_NS)));
  // Pieces end where the address leaves the channel: at the lowest channel bit's boundary.
  const uint64_t chunk = channel_bits.empty() ? ~uint64_t(0) : uint64_t(1) << channel_bits.front();
  using MinHeap = std::priority_queue<double, std::vector<double>, std::greater<double>>;
  MinHeap in_flight;                                               // data return times (in_flight model)
  std::vector<MinHeap> read_slots(static_cast<size_t>(channels));  // served times, per channel
  std::vector<MinHeap> write_slots(static_cast<size_t>(channels));
  const bool bounded = injection.kind == dram::InjectionModel::Kind::in_flight;
  const bool blocking = !injection.channel_queues;
  // Waits until `need` of `slots` entries are free.
  auto wait_for = [](MinHeap& h, size_t slots, double& t, size_t need = 1) {
    while (h.size() + need > slots) {
      t = std::max(t, h.top());
      h.pop();
    }
  };
  struct Piece {
    int channel;
    uint64_t local, bytes;
    size_t entries;  // controller queue entries: one per burst, at most the queue
  };
  const uint64_t tx = uint64_t(spec.org.tx_bytes());
  std::vector<Piece> pieces;
  std::vector<double> read_latency;
  dram::SystemResult r;
  double issue_ns = 0, last_ns = 0;
  tlm::tlm_generic_payload t;
  dram::Access a;
  while (next(a)) {
    pieces.clear();
    for (uint64_t addr = a.addr, left = a.bytes; left > 0;) {
      const uint64_t piece = std::min<uint64_t>(left, chunk - addr % chunk);
      const int c = mapper.channel_of(addr);
      const uint64_t local = mapper.local_address(addr) % ch[size_t(c)]->capacity_bytes();
      const uint64_t bytes = std::min<uint64_t>(piece, ch[size_t(c)]->capacity_bytes() - local);
      pieces.push_back(
          {c, local, bytes, size_t((local + std::max<uint64_t>(bytes, 1) + tx - 1) / tx - local / tx)});
      addr += piece;
      left -= piece;
    }
    issue_ns = std::max(issue_ns, a.not_before_ns);
    if (bounded) wait_for(in_flight, size_t(std::max(1, injection.limit)), issue_ns);
    auto& slots = a.is_write ? write_slots : read_slots;
    const size_t depth = size_t(a.is_write ? spec.ctrl.write_queue : spec.ctrl.read_queue);
    if (blocking)
      for (Piece& p : pieces) {
        p.entries = std::min(p.entries, depth);
        wait_for(slots[size_t(p.channel)], depth, issue_ns, p.entries);
      }
    const sc_time now(issue_ns, SC_NS);
    double done_ns = issue_ns;
    for (const Piece& p : pieces) {
      DramChannel& c = *ch[size_t(p.channel)];
      t.set_command(a.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      t.set_address(p.local);
      t.set_data_length(unsigned(p.bytes));
      sc_time delay = sc_core::SC_ZERO_TIME;
      c.transport_at(now, t, delay);
      done_ns = std::max(done_ns, issue_ns + delay.to_seconds() * 1e9);
      if (blocking)
        for (size_t e = 0; e < p.entries; ++e)
          slots[size_t(p.channel)].push(issue_ns + c.last_served().to_seconds() * 1e9);
    }
    if (bounded) in_flight.push(done_ns);
    last_ns = std::max(last_ns, done_ns);
    ++r.accesses;
    (a.is_write ? r.bytes_written : r.bytes_read) += a.bytes;
    if (!a.is_write) read_latency.push_back(done_ns - issue_ns);
  }
  r.elapsed_ns = last_ns;
  r.bandwidth_gbps = last_ns > 0 ? double(r.bytes_read + r.bytes_written) / last_ns : 0;
  r.peak_gbps = spec.peak_bytes_per_s() * 1e-9 * channels;
  double sum = 0;
  for (double l : read_latency) sum += l;
  r.mean_read_latency_ns = read_latency.empty() ? 0 : sum / double(read_latency.size());
  r.p50_read_latency_ns = percentile(read_latency, 0.5);
  r.p99_read_latency_ns = percentile(read_latency, 0.99);
  const sc_time end(last_ns, SC_NS);
  for (const auto& c : ch) {
    dram::SystemResult::Channel pc;
    pc.counters = c->counters(end);
    pc.energy = dram::energy_of(pc.counters, spec, last_ns * 1e-9, dram::EnergyBound::typical);
    pc.energy_max = dram::energy_of(pc.counters, spec, last_ns * 1e-9, dram::EnergyBound::maximum);
    r.counters.reads += pc.counters.reads;
    r.counters.writes += pc.counters.writes;
    r.counters.activates += pc.counters.activates;
    r.counters.precharges += pc.counters.precharges;
    r.counters.refresh_ab += pc.counters.refresh_ab;
    r.counters.refresh_pb += pc.counters.refresh_pb;
    r.counters.row_hits += pc.counters.row_hits;
    r.counters.row_misses += pc.counters.row_misses;
    r.counters.active_ticks += pc.counters.active_ticks;
    r.energy += pc.energy;
    r.energy_max += pc.energy_max;
    r.per_channel.push_back(pc);
  }
  r.row_hit_rate = r.counters.row_hit_rate();
  return r;
}

}  // namespace llmx
