// Reading, checking and tick conversion of a DRAM channel description (see dram_spec.h).
// Energy: dram_energy.cpp.
#include "models/memory/dram/dram_spec.h"

#include <cmath>

#include "models/core/error.h"
#include "models/memory/dram/dram_schema.h"
#include "models/memory/dram/timing_reader.h"

namespace llmx::dram {

namespace {

bool is_pow2(int64_t v) {
  return v > 0 && (v & (v - 1)) == 0;
}
int log2i(int64_t v) {
  int n = 0;
  while ((int64_t(1) << n) < v) ++n;
  return n;
}

}  // namespace

TickTiming to_ticks(const DramSpec& s) {
  const Timing& t = s.timing;
  const double tick = s.tick_ns();
  // JEDEC-style rounding: a time within 2.5% of a whole number of ticks rounds down to it
  // (JESD209-5B/JESD79-5 nCK rounding guidance), so 1.875 ns at 8533 MT/s is 2 nCK, not 3.
  auto n = [tick](double ns) { return ns <= 0 ? int64_t(0) : int64_t(std::ceil(ns / tick - 0.025)); };
  auto ck = [&t](double cycles) { return int64_t(std::llround(cycles * t.ticks_per_ck)); };
  TickTiming k{};
  k.rcd_rd = n(t.trcd_rd_ns);
  k.rcd_wr = n(t.trcd_wr_ns);
  k.rp = n(t.trp_ns);
  k.rp_ab = n(t.trp_ab_ns);
  k.ras = n(t.tras_ns);
  k.rc = n(t.trc_ns);
  k.rl = n(t.rl_ns);
  k.wl = n(t.wl_ns);
  k.bl = std::max<int64_t>(1, n(double(s.org.burst_length) / t.data_rate_mtps * 1000.0));
  k.ccd_s = n(t.tccd_s_ns);
  k.ccd_l = n(t.tccd_l_ns);
  k.ccd_r = n(t.tccd_r_ns);
  k.rrd_s = n(t.trrd_s_ns);
  k.rrd_l = n(t.trrd_l_ns);
  k.faw = n(t.tfaw_ns);
  k.wr = n(t.twr_ns);
  k.wtr_s = n(t.twtr_s_ns);
  k.wtr_l = n(t.twtr_l_ns);
  k.rtp = n(t.trtp_ns);
  k.ppd = n(t.tppd_ns);
  k.rtw_gap = ck(t.rtw_gap_ck);
  k.rfc_ab = n(t.trfc_ab_ns);
  k.rfc_pb = n(t.trfc_pb_ns);
  k.refi = std::max<int64_t>(1, n(t.trefi_ns));
  k.refi_pb = std::max<int64_t>(1, n(t.trefi_pb_ns));
  k.rrefd = n(t.trrefd_ns);
  k.act_bus = std::max<int64_t>(1, ck(t.act_ck));
  k.pre_bus = std::max<int64_t>(1, ck(t.pre_ck));
  k.rd_bus = std::max<int64_t>(1, ck(t.rd_ck));
  k.wr_bus = std::max<int64_t>(1, ck(t.wr_ck));
  k.ref_bus = std::max<int64_t>(1, ck(t.ref_ck));
  k.aad = std::max<int64_t>(1, ck(t.taad_ck));
  k.wckpst = ck(t.wckpst_ck);
  return k;
}

void validate(const DramSpec& s, const std::string& where) {
  auto bad = [&](const std::string& key, const std::string& msg) {
    throw Error(cat(where, ": ", key, ": ", msg));
  };
  const auto& o = s.org;
  const auto& t = s.timing;
  if (!is_pow2(o.pseudo_channels)) bad("organisation.pseudo_channels", "must be a power of two");
  if (!is_pow2(o.ranks)) bad("organisation.ranks", "must be a power of two");
  if (!is_pow2(o.bank_groups)) bad("organisation.bank_groups", "must be a power of two");
  if (!is_pow2(o.banks_per_group)) bad("organisation.banks_per_group", "must be a power of two");
  if (o.rows % 2) bad("organisation.rows", "must be even (a power of two, or a non-power-of-two density)");
  if (o.dq_bits <= 0 || o.dq_bits % 8) bad("organisation.dq_bits", "must be a positive multiple of 8");
  if (!is_pow2(o.tx_bytes()))
    bad("organisation.burst_length", "dq_bits x burst_length / 8 must be a power of two");
  if (!is_pow2(o.page_bytes) || o.page_bytes < o.tx_bytes())
    bad("organisation.page_bytes",
        cat("must be a power of two and at least one burst (", o.tx_bytes(), " B)"));
  if (t.tras_ns < t.trcd_rd_ns) bad("timing.tras_ns", "tRAS must not be shorter than tRCD");
  if (t.trc_ns + 1e-9 < t.tras_ns + t.trp_ns - t.tck_ns)
    bad("timing.trc_ns",
        cat("tRC (", t.trc_ns, " ns) must be at least tRAS + tRP (", t.tras_ns + t.trp_ns, " ns)"));
  if (t.tccd_l_ns + 1e-9 < t.tccd_s_ns) bad("timing.tccd_l_ns", "tCCD_L must not be shorter than tCCD_S");
  if (t.tccd_r_ns > 0 && t.tccd_r_ns + 1e-9 < t.tccd_s_ns)
    bad("timing.tccd_r_ns", "tCCD_R (another rank or stack ID) must not be shorter than tCCD_S");
  if (t.tccd_r_ns > 0 && o.ranks < 2) bad("timing.tccd_r_ns", "tCCD_R needs at least two ranks (stack IDs)");
  if (t.trrd_l_ns + 1e-9 < t.trrd_s_ns) bad("timing.trrd_l_ns", "tRRD_L must not be shorter than tRRD_S");
  if (t.tfaw_ns + 1e-9 < t.trrd_s_ns) bad("timing.tfaw_ns", "tFAW must not be shorter than tRRD_S");
  if (s.ctrl.refresh != RefreshMode::none && t.trefi_ns <= t.trfc_ab_ns)
    bad("timing.trefi_ns", cat("tREFI (", t.trefi_ns, " ns) must exceed tRFCab (", t.trfc_ab_ns, " ns)"));
  if (s.ctrl.refresh == RefreshMode::per_bank && t.trfc_pb_ns <= 0)
    bad("timing.trfc_pb_ns", "per-bank refresh needs tRFCpb");
  const double burst_ns = o.burst_length / t.data_rate_mtps * 1000.0;
  if (burst_ns + 1e-9 < s.tick_ns()) bad("timing.tck_ns", "one burst must last at least one controller tick");
  if (s.ctrl.read_queue < 1) bad("controller.read_queue", "must be at least 1");
}

namespace {

RowPolicy parse_policy(const std::string& s) {
  return s == "closed" ? RowPolicy::closed : RowPolicy::open;
}

AddressMapping read_mapping(Params& p, const Organisation& o) {
  FieldSizes sizes;
  sizes.bits[int(Field::pseudo_channel)] = log2i(o.pseudo_channels);
  sizes.bits[int(Field::rank)] = log2i(o.ranks);
  sizes.bits[int(Field::bank_group)] = log2i(o.bank_groups);
  sizes.bits[int(Field::bank)] = log2i(o.banks_per_group);
  sizes.bits[int(Field::row)] = log2i(o.rows);
  sizes.bits[int(Field::column)] = log2i(o.columns_per_row());
  const int tx_offset = log2i(o.tx_bytes());
  auto node = p.node()->find("address_mapping");
  if (node && node->kind == ConfigNode::Kind::map) {
    Params m = p.required_child("address_mapping", "explicit address mapping");
    auto names = m.get<std::vector<std::string>>("bits");
    auto xor_terms = m.get<std::vector<std::string>>("xor");
    std::vector<Field> bits;
    for (const auto& n : names) {
      Field f;
      if (!parse_field(n, &f))
        m.fail("bits", cat("unknown field '", n, "' (pseudo_channel, rank, bank_group, bank, row, column)"));
      bits.push_back(f);
    }
    std::vector<AddressMapping::XorTerm> xors;
    for (const auto& x : xor_terms) {
      auto caret = x.find('^');
      auto parse_side = [&](const std::string& side, Field* f, int* bit) {
        auto dot = side.find('.');
        if (dot == std::string::npos || !parse_field(side.substr(0, dot), f))
          m.fail("xor", cat("bad XOR term '", x, "': expected field.bit^field.bit"));
        try {
          *bit = std::stoi(side.substr(dot + 1));
        } catch (...) {
          m.fail("xor", cat("bad XOR term '", x, "': bit index is not a number"));
        }
      };
      if (caret == std::string::npos)
        m.fail("xor", cat("bad XOR term '", x, "': expected field.bit^field.bit"));
      AddressMapping::XorTerm term{};
      parse_side(x.substr(0, caret), &term.target, &term.target_bit);
      parse_side(x.substr(caret + 1), &term.source, &term.source_bit);
      xors.push_back(term);
    }
    try {
      return AddressMapping("explicit", tx_offset, bits, xors, sizes);
    } catch (const Error& e) {
      m.fail("bits", e.what());
    }
  }
  const std::string scheme = p.get<std::string>("address_mapping");
  try {
    return AddressMapping::named(scheme, tx_offset, sizes);
  } catch (const Error& e) {
    p.fail("address_mapping", e.what());
  }
}

}  // namespace

DramSpec read_dram_spec(Params& p) {
  p.bind(dram_schema());
  DramSpec s;
  s.standard = p.get<std::string>("standard");
  p.claim("cost");  // the preset's price, read by the cost model (explorer/cost/) when a system prices it

  Params o = p.child("organisation");
  auto& org = s.org;
  org.pseudo_channels = o.get<int>("pseudo_channels");
  org.ranks = o.get<int>("ranks");
  org.bank_groups = o.get<int>("bank_groups");
  org.banks_per_group = o.get<int>("banks_per_group");
  org.rows = o.get<int64_t>("rows");
  org.page_bytes = o.get<int>("page_bytes");
  org.dq_bits = o.get<int>("dq_bits");
  org.burst_length = o.get<int>("burst_length");

  Params t = p.child("timing");
  s.timing = read_timing(p, t, org);
  const auto& tm = s.timing;

  Params e = p.child("energy");
  read_energy(e, org, tm, &s.energy);

  Params c = p.child("controller");
  auto& ct = s.ctrl;
  ct.bus = c.get<std::string>("command_bus") == "dual" ? CommandBus::dual : CommandBus::single;
  ct.row_policy = parse_policy(c.get<std::string>("row_policy"));
  const std::string ref = c.get<std::string>("refresh");
  ct.refresh = ref == "all_bank"   ? RefreshMode::all_bank
               : ref == "per_bank" ? RefreshMode::per_bank
                                   : RefreshMode::none;
  ct.read_queue = c.get<int>("read_queue");
  ct.write_queue = c.get<int>("write_queue");
  ct.per_bank_queue = c.get<int>("per_bank_queue");
  ct.write_high_watermark = c.get<double>("write_high_watermark");
  ct.write_low_watermark = c.get<double>("write_low_watermark");

  // Cross-field checks, each located at the key it names.
  try {
    validate(s, "");
  } catch (const Error& err) {
    std::string msg = err.what();
    // msg is ": section.key: text"
    const auto first = msg.find(": ", 0);
    const auto rest = msg.substr(first + 2);
    const auto colon = rest.find(": ");
    const std::string path = rest.substr(0, colon);
    const std::string text = rest.substr(colon + 2);
    const auto dot = path.find('.');
    Params* section = nullptr;
    const std::string sec = path.substr(0, dot);
    if (sec == "organisation")
      section = &o;
    else if (sec == "timing")
      section = &t;
    else
      section = &c;
    std::string key = path.substr(dot + 1);
    // A timing given in clocks is reported at its _ck key.
    const auto ns = key.rfind("_ns");
    if (section == &t && !t.has(key) && ns != std::string::npos && t.has(key.substr(0, ns) + "_ck"))
      key = key.substr(0, ns) + "_ck";
    section->fail(key, text);
  }
  s.mapping = read_mapping(p, org);
  // A non-power-of-two row count (24 Gb dies: 3/4 of the next power of two) is dense only when the row
  // field takes the highest address bits, so every address below the capacity decodes to a valid row.
  if (!is_pow2(org.rows)) {
    const auto& bits = s.mapping.bits();
    bool row_seen = false;
    for (Field f : bits) {
      if (f == Field::row)
        row_seen = true;
      else if (row_seen)
        o.fail("rows", cat(org.rows,
                           " rows is not a power of two, which needs the row field in the highest "
                           "address bits; mapping '",
                           s.mapping.name(), "' puts ", field_name(f), " above it"));
    }
    for (const auto& x : s.mapping.xors())
      if (x.target == Field::row)
        o.fail("rows", cat(org.rows, " rows is not a power of two, which rules out XOR terms onto the row"));
  }
  return s;
}

}  // namespace llmx::dram
