// GDDR6, GDDR6X and GDDR7 presets and the model features they need: multi-level data signalling in the link's
// I/O energy (PAM4, PAM3) worked by hand, per-operation presets whose I/O comes from the link's parameters,
// and a device as several independent channels (two for GDDR6/6X, four for GDDR7) or GDDR6's pseudo-channel
// mode. (Bandwidth share and pJ/bit against the cited device figures: test_dram_presets.cpp.)
#include <catch2/catch.hpp>

#include <filesystem>

#include "explorer/config/loader.h"
#include "models/core/error.h"
#include "models/memory/dram/dram_spec.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::dram;

namespace {

std::string preset(const std::string& name) {
  return test::source_dir() + "/configs/memory/" + name;
}

DramSpec load(const std::string& path, const std::vector<std::string>& overrides = {}) {
  auto root = load_config(path, overrides);
  Params p(root, "", nullptr);
  DramSpec s = read_dram_spec(p);
  p.finish();
  return s;
}

// The error of a file including `base` with `body` appended, or "" when it loads.
std::string error_of(const std::string& base, const std::string& body) {
  const auto dir = test::scratch_dir("dram-gddr");
  const auto path = test::write_text(dir / "bad.yaml", "include: " + preset(base) + "\n" + body);
  try {
    load(path.string());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("dram gddr: PAM4 and PAM3 links cost what the level equations give", "[dram][gddr]") {
  LinkInterface l;
  l.given = true;
  l.termination = LinkInterface::Termination::vddq;
  l.vddq_v = 1.2;
  l.r_on_ohm = 40;
  l.r_tt_ohm = 60;
  l.c_line_pf = 2.0;
  l.strobe_lines_per_byte = 2;
  l.ones_rate = 0.5;
  Timing t;
  t.data_rate_mtps = 20000;  // 50 ps per bit
  // Termination: 1.2^2 / 100 ohm = 14.4 mW for 50 ps = 0.72 pJ per bit time at full level; mean level 1/2.
  // A full rise: 2 pF x 1.2 V x (1.2 x 0.6) V = 1.728 pJ.
  l.signalling = LinkInterface::Signalling::nrz;
  l.toggle_rate = 0.25;
  const double nrz = 0.5 * 0.72 + 0.25 * 1.728 + 0.25 * (0.5 * 0.72 + 0.5 * 1.728);
  CHECK(link_pj_per_bit(l, t, EnergyBound::typical) == Approx(nrz));
  // PAM4: 2 bits per symbol; uniform levels rise 5/24 of a full swing per symbol. Static energy per bit time
  // is unchanged, switching is shared by the symbol's two bits, strobes toggle once per interval.
  l.signalling = LinkInterface::Signalling::pam4;
  l.toggle_rate = 5.0 / 24;
  const double pam4 = 0.5 * 0.72 + 5.0 / 24 * 1.728 / 2 + 0.25 * (0.5 * 0.72 + 0.5 * 1.728 / 2);
  CHECK(link_pj_per_bit(l, t, EnergyBound::typical) == Approx(pam4));
  // PAM3: 1.5 bits per symbol (JESD239 codes 3 bits in 2 symbols), uniform levels rise 4/18 per symbol.
  l.signalling = LinkInterface::Signalling::pam3;
  l.toggle_rate = 4.0 / 18;
  const double pam3 = 0.5 * 0.72 + 4.0 / 18 * 1.728 / 1.5 + 0.25 * (0.5 * 0.72 + 0.5 * 1.728 / 1.5);
  CHECK(link_pj_per_bit(l, t, EnergyBound::typical) == Approx(pam3));
  CHECK(pam4 < pam3);
  CHECK(pam3 < nrz);
  CHECK(signal_levels(LinkInterface::Signalling::pam3) == 3);
  CHECK(bits_per_symbol(LinkInterface::Signalling::pam4) == 2.0);
}

TEST_CASE("dram gddr: the presets' I/O comes from their link, the defaults from the signalling",
          "[dram][gddr]") {
  const DramSpec g6 = load(preset("gddr6-16000.yaml"));
  const DramSpec g6x = load(preset("gddr6x-21000.yaml"));
  const DramSpec g7 = load(preset("gddr7-32000.yaml"));
  CHECK(g6.energy.link.signalling == LinkInterface::Signalling::nrz);
  CHECK(g6x.energy.link.signalling == LinkInterface::Signalling::pam4);
  CHECK(g7.energy.link.signalling == LinkInterface::Signalling::pam3);
  CHECK(g6x.energy.link.toggle_rate == Approx(5.0 / 24));  // uniform random PAM4 symbols
  CHECK(g7.energy.link.toggle_rate == Approx(4.0 / 18));
  for (const DramSpec* s : {&g6, &g6x, &g7}) {
    const OpEnergy& t = s->energy.at(EnergyBound::typical);
    const OpEnergy& m = s->energy.at(EnergyBound::maximum);
    INFO(s->standard);
    CHECK(t.io_read_pj_per_bit == Approx(link_pj_per_bit(s->energy.link, s->timing, EnergyBound::typical)));
    CHECK(m.io_read_pj_per_bit > t.io_read_pj_per_bit);  // resistances at their tolerance
    CHECK(t.io_write_pj_per_bit == t.io_read_pj_per_bit);
  }
  // Per bit, PAM4 at 21 Gb/s and PAM3 at 32 Gb/s (1.2 V) cost less I/O than GDDR6's NRZ at 16 Gb/s.
  const double io6 = g6.energy.at(EnergyBound::typical).io_read_pj_per_bit;
  CHECK(g6x.energy.at(EnergyBound::typical).io_read_pj_per_bit < io6);
  CHECK(g7.energy.at(EnergyBound::typical).io_read_pj_per_bit < io6);
  // I/O given both ways is refused at its key.
  const std::string msg = error_of("gddr6-16000.yaml", "energy:\n  io_read_pj_per_bit: 1.0\n");
  INFO(msg);
  CHECK(msg.find("bad.yaml:3") != std::string::npos);
  CHECK(msg.find("io_read_pj_per_bit") != std::string::npos);
  CHECK(msg.find("twice") != std::string::npos);
  CHECK(error_of("gddr7-32000.yaml", "energy:\n  interface:\n    signalling: pam5\n").find("signalling") !=
        std::string::npos);
}

TEST_CASE("dram gddr: a device is its independent channels; GDDR6 pseudo-channel mode shares one CA bus",
          "[dram][gddr]") {
  const DramSpec g6 = load(preset("gddr6-16000.yaml"));
  const DramSpec g7 = load(preset("gddr7-32000.yaml"));
  // 32 DQ per device: two x16 GDDR6 channels at 16 Gb/s, four x8 GDDR7 channels at 32 Gb/s.
  CHECK(2 * g6.peak_bytes_per_s() == Approx(64e9));
  CHECK(4 * g7.peak_bytes_per_s() == Approx(128e9));        // Samsung GDDR7: 128 GB/s per device at 32 Gb/s
  CHECK(2 * g6.org.capacity_bytes() == uint64_t(1) << 30);  // 8 Gb
  CHECK(4 * g7.org.capacity_bytes() == uint64_t(2) << 30);  // 16 Gb
  CHECK(g6.org.tx_bytes() == 32);
  CHECK(g7.org.tx_bytes() == 32);
  const DramSpec pc = load(preset("gddr6-16000.yaml"), {"organisation.pseudo_channels=2"});
  CHECK(pc.peak_bytes_per_s() == Approx(64e9));
  CHECK(pc.org.capacity_bytes() == uint64_t(1) << 30);
  // One data-rate override is a consistent bin: GDDR6 at 14 Gb/s gives Ramulator 2's Samsung-derived clocks.
  const TickTiming k = to_ticks(load(preset("gddr6-16000.yaml"), {"data_rate_mtps=14000"}));
  CHECK(k.rl == 24);
  CHECK(k.wl == 6);
  CHECK(k.rcd_rd == 27);
  CHECK(k.rcd_wr == 16);
  CHECK(k.rp == 27);
  CHECK(k.ras == 53);
  CHECK(k.rc == 80);  // tRAS + tRP; Ramulator 2's nRC is 79 (docs/DRAM-TIMING.md)
  CHECK(k.ccd_l == 4);
  CHECK(k.rrd_s == 8);
  CHECK(k.faw == 29);
  CHECK(k.wr == 27);
  CHECK(k.wtr_s == 9);
  CHECK(k.wtr_l == 11);
  CHECK(k.rtp == 4);
  CHECK(k.rfc_ab == 211);
  CHECK(k.rfc_pb == 106);
  CHECK(k.rrefd == 15);
}
