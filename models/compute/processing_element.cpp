// Processing element: double-buffered tile pipeline of DMA loads and compute; see processing_element.h.
#include "models/compute/processing_element.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "models/core/energy_band.h"
#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {

const ParamSchema& pe_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{"pe", "processing element: MAC array + vector unit behind a tiled DMA", {}};
    ParamSection top{"", "", instance_keys("pe")};
    for (ParamDecl d :
         {number("clock_mhz", kRequired, Bound::range(1e-3, 1e6), "PE clock frequency"),
          section("mac_units", true, "MAC arrays by precision: {fp16: {macs_per_cycle, energy_pj}, ...}"),
          text("compute_precision", kRequired,
               "precision of MACs when activations are not quantized (a key of mac_units)"),
          number("dequant_weights_per_cycle", kRequired, Bound::positive(),
                 "quantized weights decoded per cycle"),
          number("dequant_energy_pj_per_weight", kRequired, Bound::non_negative(),
                 "energy to decode one weight"),
          section("lut_gemm", false, "LUT-GEMM unit for binary-coded weights (absent: none)"),
          number("vector_ops_per_cycle", kRequired, Bound::positive(),
                 "element-wise/special-function ops per cycle"),
          number("vector_op_energy_pj", kRequired, Bound::non_negative(), "energy per vector operation"),
          number("static_power_mw", kRequired, Bound::non_negative(), "leakage and idle power"),
          energy_band_key(), integer("tile_bytes", "65536", Bound::at_least(64), "bytes per DMA tile"),
          integer("buffer_slots", "2", Bound::range(1, kMaxBufferSlots),
                  "tiles in flight (2 = double buffering)"),
          integer(
              "bytes_in_flight", "0", Bound::range(0, double(uint64_t{1} << 50)),
              "most bytes of loads outstanding at once (0: unbounded beyond the tile slots; at most 1 PiB)"),
          number("load_latency_ns", "0", Bound::non_negative(),
                 "unloaded load-to-use latency of a device-memory access, in which the loads in flight turn "
                 "over (required with bytes_in_flight)")})
      top.keys.push_back(d);
    x.sections = {
        top,
        {"mac_units",
         "",
         {section("<name>", true, "one MAC array, by precision: fp32, fp16, bf16, fp8, int8, int4")}},
        {"mac_units.<name>",
         "one MAC array",
         {number("macs_per_cycle", kRequired, Bound::positive(), "multiply-accumulates per cycle"),
          number("energy_pj", kRequired, Bound::non_negative(), "energy per multiply-accumulate")}},
        {"lut_gemm",
         "",
         {number("lookups_per_cycle", kRequired, Bound::positive(), "table lookups (+adds) per cycle"),
          number("energy_pj_per_lookup", kRequired, Bound::non_negative(), "energy of one lookup and add"),
          with_unit(integer("mu", "8", Bound::range(1, 12), "activations per lookup table (2^mu entries)"),
                    "activations")}},
        energy_band_section("")};
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar pe_schema_registrar(&pe_schema);

}  // namespace

ProcessingElement::ProcessingElement(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "pe"), cmd("cmd"), mem("mem"), buffer("buffer") {
  // Up to 1 THz: a clock beyond is no physical PE (1e308 MHz overflowed the cycle time to zero).
  p.bind(pe_schema());
  clock_hz_ = p.get<double>("clock_mhz") * 1e6;
  Params units = p.child("mac_units");
  for (const std::string& key : units.keys()) {
    Precision prec;
    if (!parse_precision(key, prec))
      units.fail(key, "unknown precision (known: fp32, fp16, bf16, fp8, int8, int4)");
    Params u = units.child(key);
    MacUnit& unit = mac_units_[static_cast<int>(prec)];
    unit.present = true;
    unit.macs_per_cycle = u.get<double>("macs_per_cycle");
    unit.energy_j = u.get<double>("energy_pj") * 1e-12;
  }
  const std::string default_precision = p.get<std::string>("compute_precision");
  if (!parse_precision(default_precision, compute_precision_) ||
      !mac_units_[static_cast<int>(compute_precision_)].present)
    p.fail("compute_precision", cat("'", default_precision, "' has no entry in mac_units"));
  dequant_per_cycle_ = p.get<double>("dequant_weights_per_cycle");
  dequant_energy_j_ = p.get<double>("dequant_energy_pj_per_weight") * 1e-12;
  if (p.has("lut_gemm")) {
    Params lut = p.child("lut_gemm");
    has_lut_ = true;
    lut_lookups_per_cycle_ = lut.get<double>("lookups_per_cycle");
    lut_energy_j_ = lut.get<double>("energy_pj_per_lookup") * 1e-12;
    lut_mu_ = lut.get<int>("mu");
  }
  vector_ops_per_cycle_ = p.get<double>("vector_ops_per_cycle");
  vector_op_energy_j_ = p.get<double>("vector_op_energy_pj") * 1e-12;
  static_power_w_ = p.get<double>("static_power_mw") * 1e-3;
  energy_band_ = read_energy_band(p);
  tile_bytes_ = p.get<uint64_t>("tile_bytes");
  buffer_slots_ = p.get<int>("buffer_slots");
  bytes_in_flight_ = p.get<uint64_t>("bytes_in_flight");
  const double latency_ns = p.get<double>("load_latency_ns");
  if (bytes_in_flight_ > 0 && latency_ns <= 0)
    p.fail("load_latency_ns", "must be positive when bytes_in_flight bounds the loads in flight");
  load_latency_ = sc_time(latency_ns, sc_core::SC_NS);

  cmd.register_b_transport(this, &ProcessingElement::b_transport);
  expose_target("cmd", cmd, Protocol::command, false);
  expose_initiator("mem", mem, Protocol::memory, false);
  expose_initiator("buffer", buffer, Protocol::memory, false, /*optional=*/true);
}

bool ProcessingElement::kv_fits_on_chip(uint64_t kv_share_bytes) const {
  const uint64_t tiles = tile_bytes_ * static_cast<uint64_t>(buffer_slots_);
  return has_buffer() && buffer_capacity_ >= tiles && kv_share_bytes <= buffer_capacity_ - tiles;
}

void ProcessingElement::bound_to(const std::string& socket, Component& peer) {
  auto* memory = dynamic_cast<MemoryDevice*>(&peer);
  if (socket != "buffer" || !memory) return;
  buffer_capacity_ = memory->capacity_bytes();
  const uint64_t needed = tile_bytes_ * static_cast<uint64_t>(buffer_slots_);
  if (needed > memory->capacity_bytes())
    throw Error(cat("buffer_slots x tile_bytes = ", needed, " B do not fit the buffer's ",
                    memory->capacity_bytes(), " B; lower tile_bytes or buffer_slots, or enlarge the buffer"));
}

double ProcessingElement::peak_flops_per_s() const {
  return 2.0 * mac_units_[static_cast<int>(compute_precision_)].macs_per_cycle * clock_hz_;
}

ProcessingElement::Inventory ProcessingElement::inventory() const {
  Inventory inv;
  inv.clock_hz = clock_hz_;
  for (int p = 0; p < static_cast<int>(Precision::count); ++p)
    inv.macs_per_cycle[p] = mac_units_[p].present ? mac_units_[p].macs_per_cycle : 0.0;
  inv.dequant_per_cycle = dequant_per_cycle_;
  inv.lut_lookups_per_cycle = has_lut_ ? lut_lookups_per_cycle_ : 0.0;
  inv.vector_ops_per_cycle = vector_ops_per_cycle_;
  return inv;
}

ProcessingElement::Cost ProcessingElement::compute_cost(const WorkItem& w) {
  Cost c;
  // Vector work.
  c.cycles += w.vector_flops / vector_ops_per_cycle_;
  c.joules += w.vector_flops * vector_op_energy_j_;
  if (w.matmul_flops <= 0) return c;

  const bool lut = w.weight_coding == WeightCoding::binary_coded && has_lut_;
  if (lut) {
    // LUT-GEMM: tables of 2^mu partial sums per mu activations and row, then one lookup + add per bit-plane
    // of mu weights per row.
    const double mu = lut_mu_;
    const double lookups = w.weight_elements * w.code_bits / mu * std::max(1.0, w.rows);
    const double build = std::max(1.0, w.rows) * std::ceil(w.reduction / mu) * std::pow(2.0, mu);
    c.cycles += lookups / lut_lookups_per_cycle_ + build / vector_ops_per_cycle_;
    c.joules += lookups * lut_energy_j_ + build * vector_op_energy_j_;
    lut_lookups_ += lookups;
    return c;
  }
  // MACs in the activations' precision when the PE has it, else the default; quantized (and binary-coded
  // without a LUT unit) weights are decoded first, pipelined with the MACs.
  Precision prec = compute_precision_;
  const Precision act = w.activation_precision;
  if ((act == Precision::int8 || act == Precision::int4 || act == Precision::fp8) &&
      mac_units_[static_cast<int>(act)].present)
    prec = act;
  const MacUnit& unit = mac_units_[static_cast<int>(prec)];
  const double macs = w.matmul_flops / 2.0;
  double cycles = macs / unit.macs_per_cycle;
  c.joules += macs * unit.energy_j;
  macs_done_ += macs;
  if (w.weight_coding == WeightCoding::quantized || w.weight_coding == WeightCoding::binary_coded) {
    cycles = std::max(cycles, w.weight_elements / dequant_per_cycle_);
    c.joules += w.weight_elements * dequant_energy_j_;
    dequantized_ += w.weight_elements;
  }
  c.cycles += cycles;
  return c;
}

template <typename Socket>
sc_time ProcessingElement::access(Socket& socket, tlm::tlm_command command, uint64_t address, uint64_t bytes,
                                  const sc_time& start) {
  payload_.set_command(command);
  payload_.set_address(address);
  payload_.set_data_ptr(scratch_data());
  payload_.set_data_length(static_cast<unsigned int>(bytes));
  payload_.set_streaming_width(static_cast<unsigned int>(bytes));
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_dmi_allowed(false);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time t = start;
  socket->b_transport(payload_, t);
  if (payload_.is_response_error())
    SC_REPORT_ERROR(name(), ("memory access failed: " + payload_.get_response_string()).c_str());
  return t;
}

sc_time ProcessingElement::access_buffer(tlm::tlm_command command, uint64_t bytes, const sc_time& start) {
  if (!has_buffer() || bytes == 0) return start;
  return access(buffer, command, 0, bytes, start);
}

void ProcessingElement::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  WorkItem* work = trans.get_extension<WorkItem>();
  if (!work) {
    trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  if (work->done) return;
  WorkItem::Progress& pr = work->progress;
  // Activations live in the buffer when there is one; the KV cache too when allowed and it fits.
  if (!work->progress.started)
    work->kv_on_chip = work->kv_on_chip_allowed && kv_fits_on_chip(work->kv_share_bytes);
  auto on_chip = [&](const MemoryStream& s) {
    return has_buffer() &&
           (s.kind == StreamKind::activation || (s.kind == StreamKind::kv && work->kv_on_chip));
  };
  auto is_streamed = [&](const MemoryStream& s) { return s.bytes > 0 && !on_chip(s); };
  if (!pr.started) {
    pr.started = true;
    ++work_items_;
    pr.start = delay;
    const Cost cost = compute_cost(*work);
    pr.compute_total = sc_time(cost.cycles / clock_hz_, sc_core::SC_SEC);
    compute_energy_j_ += cost.joules;
    // Activations held on chip are read up front (they are small next to weights); without a buffer they are
    // streamed from device memory like the rest.
    pr.ready = pr.start;
    for (const auto& s : work->loads) {
      if (is_streamed(s))
        pr.streamed_bytes += s.bytes;
      else if (s.bytes > 0)
        pr.ready = std::max(pr.ready, access_buffer(tlm::TLM_READ_COMMAND, s.bytes, pr.start));
    }
    pr.compute_done = pr.ready;
    pr.last_arrival = pr.start;
  }

  // Tile pipeline: tile i may be issued once the slot it reuses is free (compute of tile i - slots done).
  while (pr.stream < work->loads.size()) {
    const MemoryStream& s = work->loads[pr.stream];
    if (!is_streamed(s) || pr.offset >= s.bytes) {
      ++pr.stream;
      pr.offset = 0;
      continue;
    }
    sc_time issue = pr.start;
    const bool slots_full = static_cast<int>(pr.slot_free.size() - pr.slot_head) == buffer_slots_;
    if (slots_full) issue = std::max(issue, pr.slot_free[pr.slot_head]);
    if (issue >= work->horizon) return;  // the rest waits for the next call
    if (slots_full) ++pr.slot_head;
    const uint64_t tile = std::min<uint64_t>(tile_bytes_, s.bytes - pr.offset);
    sc_time arrival = access(mem, tlm::TLM_READ_COMMAND, s.address + pr.offset, tile, issue);
    if (bytes_in_flight_ > 0) arrival = std::max(arrival, window_arrival(pr, issue, tile));
    arrival = std::max(arrival, access_buffer(tlm::TLM_WRITE_COMMAND, tile, issue));
    pr.last_arrival = std::max(pr.last_arrival, arrival);
    device_read_ += tile;
    work->device_bytes_read += tile;
    const sc_time tile_compute =
        pr.compute_total * (static_cast<double>(tile) / static_cast<double>(pr.streamed_bytes));
    const sc_time compute_start = std::max(arrival, pr.compute_done);
    const sc_time read_done = access_buffer(tlm::TLM_READ_COMMAND, tile, compute_start);
    pr.compute_done = std::max(compute_start + tile_compute, read_done);
    pr.slot_free.push_back(pr.compute_done);
    pr.offset += tile;
  }
  if (pr.streamed_bytes == 0) pr.compute_done = pr.ready + pr.compute_total;

  sc_time done = pr.compute_done;
  for (const auto& s : work->stores) {
    if (s.bytes == 0) continue;
    if (on_chip(s)) {
      done = std::max(done, access_buffer(tlm::TLM_WRITE_COMMAND, s.bytes, pr.compute_done));
      continue;
    }
    for (uint64_t off = 0; off < s.bytes; off += tile_bytes_) {
      const uint64_t tile = std::min<uint64_t>(tile_bytes_, s.bytes - off);
      done = std::max(done, access(mem, tlm::TLM_WRITE_COMMAND, s.address + off, tile, pr.compute_done));
      device_written_ += tile;
      work->device_bytes_written += tile;
    }
  }

  compute_busy_ += pr.compute_total;
  work->compute_time = pr.compute_total;
  work->memory_time = pr.last_arrival - pr.start;
  work->done = true;
  delay = done;
}

sc_time ProcessingElement::window_arrival(WorkItem::Progress& pr, const sc_time& issue,
                                          uint64_t bytes) const {
  // The window passes bytes_in_flight bytes per load latency: a tile enters it when the tiles before it
  // have, and its last byte arrives no sooner than one latency after it was issued.
  const sc_time enter = std::max(issue, pr.window_free);
  pr.window_free =
      enter + load_latency_ * (static_cast<double>(bytes) / static_cast<double>(bytes_in_flight_));
  return std::max(issue + load_latency_, pr.window_free);
}

ComponentStats ProcessingElement::stats(const sc_time& now) const {
  ComponentStats s;
  s.busy = compute_busy_;
  s.bytes_read = device_read_;
  s.bytes_written = device_written_;
  s.requests = work_items_;
  s.energy[EnergyKind::compute] = compute_energy_j_;
  s.energy[EnergyKind::static_power] = static_power_w_ * now.to_seconds();
  s.extra.emplace_back("macs", macs_done_);
  s.extra.emplace_back("weights_dequantized", dequantized_);
  s.extra.emplace_back("lut_lookups", lut_lookups_);
  s.extra.emplace_back("peak_gflops", peak_flops_per_s() / 1e9);
  for (int p = 0; p < static_cast<int>(Precision::count); ++p)  // the roof of each MAC array
    if (mac_units_[p].present)
      s.extra.emplace_back(cat("peak_gops_", precision_name(Precision(p))),
                           2.0 * mac_units_[p].macs_per_cycle * clock_hz_ / 1e9);
  energy_band_.fill(s);
  return s;
}

LLMX_REGISTER_COMPONENT(ProcessingElement, "pe",
                        "processing element: MAC array + vector unit behind a tiled DMA");

}  // namespace llmx
