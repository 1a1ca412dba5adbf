// DRAM energy by the DRAMPower method, pinned without DRAMPower: per-command energies derived from IDD
// currents and voltages equal the hand-worked equations (read/write current held at the target clock unless
// idd4_rate_exponent says otherwise), the typical bound comes from the typical/maximum current ratios, I/O
// rails count as interface energy and the data link's parameters give the same by the termination and
// switching equations, standby switches between active (a bank open or refreshing) and precharge standby,
// so refresh energy plus its window's standby is IDD5 over tRFC, impossible currents are one-line errors
// naming the key, and a non-power-of-two row count (24 Gb dies) gives the real capacity only with the row on
// top.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "explorer/config/loader.h"
#include "models/core/error.h"
#include "models/memory/dram/channel_controller.h"
#include "models/memory/dram/memory_system.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::dram;

namespace {

// A small made-up device whose numbers make the equations easy to work by hand: burst 16 x 16 bit at
// 3200 MT/s = 5 ns and 256 bits; tRC 50 ns, tRAS 30 ns, tRFCab 200 ns, tRFCpb 100 ns.
const char* kOrgTiming = R"(standard: TEST
data_rate_mtps: 3200
organisation:
  bank_groups: 4
  banks_per_group: 4
  rows: 1024
  page_bytes: 2048
  dq_bits: 16
  burst_length: 16
timing:
  bits_per_ck: 4
  trcd_ns: 15
  trp_ns: 20
  tras_ns: 30
  trc_ns: 50
  rl_ns: 20
  wl_ns: 10
  tccd_s_ns: 5
  tccd_l_ns: 10
  trrd_s_ns: 5
  trrd_l_ns: 5
  tfaw_ns: 20
  twr_ns: 20
  twtr_s_ns: 5
  twtr_l_ns: 10
  trtp_ns: 7.5
  trfc_ab_ns: 200
  trfc_pb_ns: 100
  trefi_ns: 3900
)";

const char* kIddEnergy = R"(energy:
  model: idd
  currents: maximum
  typical_over_maximum: {idd0: 0.9, idd2n: 0.8, idd3n: 0.8, idd4r: 0.9, idd4w: 0.9, idd5: 0.9}
  devices_per_rank: 2
  rails:
    vdd:
      voltage_v: 1.0
      idd0_ma: 100
      idd2n_ma: 20
      idd3n_ma: 30
      idd4r_ma: 230
      idd4w_ma: 180
      idd5ab_ma: 130
      idd5pb_ma: 80
    vddq:
      voltage_v: 0.5
      io: true
      idd0_ma: 2
      idd2n_ma: 2
      idd3n_ma: 2
      idd4r_ma: 102
      idd4w_ma: 42
      idd5ab_ma: 2
      idd5pb_ma: 2
)";

struct Loaded {
  DramSpec spec;
  std::string error;
};

Loaded load_text(const std::string& text, const std::string& name = "spec.yaml") {
  const auto dir = test::scratch_dir("dram-energy");
  const auto path = test::write_text(dir / name, text);
  Loaded out;
  try {
    auto root = load_config(path.string());
    Params p(root, "", nullptr);
    out.spec = read_dram_spec(p);
    p.finish();
  } catch (const Error& e) {
    out.error = e.what();
  }
  std::filesystem::remove_all(dir);
  return out;
}

std::string controller(const std::string& policy) {
  return "controller:\n  row_policy: " + policy + "\n  refresh: none\n";
}

}  // namespace

TEST_CASE("dram energy: IDD currents give DRAMPower's per-command energies", "[dram][energy]") {
  const auto l = load_text(std::string(kOrgTiming) + kIddEnergy);
  REQUIRE(l.error == "");
  const Energy& en = l.spec.energy;
  CHECK(en.model == Energy::Model::idd);
  CHECK(en.given == EnergyBound::maximum);
  REQUIRE(en.rails.size() == 2);
  const OpEnergy& e = en.at(EnergyBound::maximum);
  // ACT+PRE: vdd 1.0 x (100 x 50 - 30 x 30 - 20 x 20) = 3700 pJ; vddq 0.5 x (2 x 50 - 2 x 30 - 2 x 20) = 0;
  // two devices in lockstep.
  CHECK(e.act_pre_pj == Approx(7400));
  // Reads: core 1.0 x (230 - 30) x 5 ns x 2 devices = 2000 pJ per 256-bit burst; I/O 0.5 x 100 x 5 x 2 = 500.
  CHECK(e.read_array_pj_per_bit == Approx(2000.0 / 256));
  CHECK(e.io_read_pj_per_bit == Approx(500.0 / 256));
  // Writes: core 1.0 x 150 x 5 x 2 = 1500; I/O 0.5 x 40 x 5 x 2 = 200.
  CHECK(e.write_array_pj_per_bit == Approx(1500.0 / 256));
  CHECK(e.io_write_pj_per_bit == Approx(200.0 / 256));
  // Refresh: 1.0 x (130 - 30) x 200 x 2 = 40000 pJ all-bank; 1.0 x (80 - 30) x 100 x 2 = 10000 per bank.
  CHECK(e.refresh_ab_pj == Approx(40000));
  CHECK(e.refresh_pb_pj == Approx(10000));
  // Standby of both devices: active (1.0 x 30 + 0.5 x 2) x 2 = 62 mW, precharged (20 + 1) x 2 = 42 mW.
  CHECK(e.background_active_mw == Approx(62));
  CHECK(e.background_idle_mw == Approx(42));
  // Typical bound: every current times its ratio. ACT+PRE: vdd 1.0 x (90 x 50 - 24 x 30 - 16 x 20) = 3460,
  // vddq 0.5 x (1.8 x 50 - 1.6 x 30 - 1.6 x 20) = 5, two devices.
  const OpEnergy& t = en.at(EnergyBound::typical);
  CHECK(t.act_pre_pj == Approx(6930));
  // Reads: core 1.0 x (207 - 24) x 5 x 2 = 1830; I/O 0.5 x (91.8 - 1.6) x 5 x 2 = 451.
  CHECK(t.read_array_pj_per_bit == Approx(1830.0 / 256));
  CHECK(t.io_read_pj_per_bit == Approx(451.0 / 256));
  // Refresh: (1.0 x (117 - 24) + 0.5 x (1.8 - 1.6)) x 200 x 2 = 37240; standby (24 + 0.5 x 1.6) x 2 = 49.6
  // mW.
  CHECK(t.refresh_ab_pj == Approx(37240));
  CHECK(t.background_active_mw == Approx(49.6));
}

TEST_CASE("dram energy: read/write currents from another speed bin are held at the target clock, or scaled",
          "[dram][energy]") {
  for (const double k : {0.0, 1.0, 0.5}) {
    std::string energy = kIddEnergy;
    energy.replace(energy.find("  devices_per_rank: 2\n"), 22,
                   cat("  devices_per_rank: 2\n  measured_at_mtps: 1600\n  idd4_rate_exponent: ", k, "\n"));
    energy.replace(energy.find("      io: true\n"), 15, "      io: true\n      measured_at_v: 1.0\n");
    const auto l = load_text(std::string(kOrgTiming) + energy);
    REQUIRE(l.error == "");
    const OpEnergy& e = l.spec.energy.at(EnergyBound::maximum);
    INFO("k = " << k);
    // DRAMPower (k = 0): IDD4R - IDD3N over the 5 ns burst at 3200 MT/s, whatever bin it was measured at;
    // k = 1: the current grows with the clock (x2), keeping the 1600 MT/s energy per bit (10 ns bursts).
    const double scale = std::pow(2.0, k);
    CHECK(e.read_array_pj_per_bit == Approx(2000.0 * scale / 256));
    CHECK(e.write_array_pj_per_bit == Approx(1500.0 * scale / 256));
    // vddq currents measured at 1.0 V, run at 0.5 V: halved currents (100 -> 50 mA above standby), so
    // 0.5 V x 50 mA x 5 ns x 2 devices = 250 pJ per burst: a quarter of the energy at 1.0 V.
    CHECK(e.io_read_pj_per_bit == Approx(250.0 * scale / 256));
    CHECK(e.background_active_mw == Approx((30 + 0.5 * 1.0) * 2));
    CHECK(e.act_pre_pj == Approx(7400));  // ACT energy does not depend on the burst time
  }
}

TEST_CASE("dram energy: the data link's parameters give its termination and switching energy",
          "[dram][energy]") {
  std::string energy = kIddEnergy;
  energy.erase(energy.find("    vddq:"));
  const std::string link = R"(  interface:
    termination: vssq
    vddq_v: 0.5
    r_on_ohm: 40
    r_tt_ohm: 60
    c_line_pf: 2.0
    strobe_lines_per_byte: 2
    toggle_rate: 0.25
    ones_rate: 0.5
    resistance_tolerance: 0.2
)";
  auto l = load_text(std::string(kOrgTiming) + energy + link);
  REQUIRE(l.error == "");
  // A high line draws 0.5^2 / (40 + 60) = 2.5 mW for a 0.3125 ns bit: 0.78125 pJ; it swings to
  // 0.5 x 60/100 = 0.3 V, so a rise draws 2 pF x 0.5 V x 0.3 V = 0.3 pJ. DQ per bit: 0.5 x 0.78125 +
  // 0.25 x 0.3 = 0.465625; strobes (2 lines per 8 DQ, high half the time, a rise per two bits):
  // 0.25 x (0.5 x 0.78125 + 0.5 x 0.3) = 0.13515625.
  const OpEnergy& t = l.spec.energy.at(EnergyBound::typical);
  CHECK(t.io_read_pj_per_bit == Approx(0.465625 + 0.13515625));
  CHECK(t.io_write_pj_per_bit == Approx(t.io_read_pj_per_bit));
  // Maximum bound: resistances 20% lower (80 ohm): 0.9765625 pJ per high bit, the swing unchanged.
  const OpEnergy& m = l.spec.energy.at(EnergyBound::maximum);
  CHECK(m.io_read_pj_per_bit == Approx(0.5 * 0.9765625 + 0.25 * 0.3 + 0.25 * (0.5 * 0.9765625 + 0.5 * 0.3)));
  // Terminated to VDDQ (POD), a line draws while low: with 30% ones, 0.7 of the bits.
  std::string pod = link;
  pod.replace(pod.find("vssq"), 4, "vddq");
  pod.replace(pod.find("ones_rate: 0.5"), 14, "ones_rate: 0.3");
  l = load_text(std::string(kOrgTiming) + energy + pod);
  REQUIRE(l.error == "");
  CHECK(l.spec.energy.at(EnergyBound::typical).io_read_pj_per_bit ==
        Approx(0.7 * 0.78125 + 0.25 * 0.3 + 0.13515625));
  // I/O given twice is refused.
  l = load_text(std::string(kOrgTiming) + kIddEnergy + link, "bad.yaml");
  CHECK(l.error.find("interface") != std::string::npos);
}

TEST_CASE("dram energy: without per-bank currents a REFpb costs one bank's share of a REFab",
          "[dram][energy]") {
  std::string energy = kIddEnergy;
  for (const char* line : {"      idd5pb_ma: 80\n", "      idd5pb_ma: 2\n"})
    energy.erase(energy.find(line), std::string(line).size());
  const auto l = load_text(std::string(kOrgTiming) + energy);
  REQUIRE(l.error == "");
  CHECK(l.spec.energy.at(EnergyBound::maximum).refresh_pb_pj == Approx(40000.0 / 16));
}

TEST_CASE("dram energy: impossible currents are one-line errors naming the key", "[dram][energy]") {
  struct Case {
    std::string from, to, key;
  };
  const Case cases[] = {
      {"idd4r_ma: 230", "idd4r_ma: 20", "idd4r_ma"},  // reads below active standby
      {"idd0_ma: 100", "idd0_ma: 10", "idd0_ma"},     // ACT-PRE below standby
      {"idd5pb_ma: 2\n", "\n", "idd5pb_ma"},          // per-bank current on one rail only
      {"voltage_v: 0.5", "voltage_v: 0", "voltage_v"},
      {"idd5ab_ma: 130", "idd5ab_ma: 130\n      idd5ab_a: 0.13", "idd5ab_a"},  // unknown key (wrong unit)
      {"model: idd", "model: drampower", "model"},
      {"currents: maximum", "currents: max", "currents"},
      {"idd4w: 0.9", "idd4w: 1.2", "idd4w"},  // a typical current above the maximum
  };
  for (const auto& c : cases) {
    std::string energy = kIddEnergy;
    const auto at = energy.rfind(c.from);
    REQUIRE(at != std::string::npos);
    energy.replace(at, c.from.size(), c.to);
    const auto l = load_text(std::string(kOrgTiming) + energy, "bad.yaml");
    INFO(c.key << " -> " << l.error);
    CHECK(l.error.find("bad.yaml:") != std::string::npos);
    CHECK(l.error.find(c.key) != std::string::npos);
    CHECK(l.error.find('\n') == std::string::npos);
  }
}

TEST_CASE("dram energy: standby is active while a bank is open and precharged otherwise", "[dram][energy]") {
  for (const std::string policy : {"closed", "open"}) {
    const auto l = load_text(std::string(kOrgTiming) + kIddEnergy + controller(policy));
    REQUIRE(l.error == "");
    ChannelController c(l.spec);
    int64_t act = -1, close = -1;
    c.set_command_log([&](const CommandRecord& r) {
      if (r.kind == CommandKind::act) act = r.tick;
      if (r.kind == CommandKind::rda) close = r.tick + c.ticks().rtp;
    });
    c.enqueue(1, 0, false, 0);
    int64_t now = 0;
    while (!c.idle() && now < 10000) c.tick(now++);
    REQUIRE(act >= 0);
    const int64_t later = now + 1000;
    const auto k = c.counters_at(later);
    INFO(policy);
    if (policy == "closed") {
      REQUIRE(close > act);
      CHECK(k.active_ticks == close - act);  // ACT until the auto-precharge
    } else {
      CHECK(k.active_ticks == later - act);  // the row stays open
    }
    // Background energy: active standby for the open time, precharge standby for the rest.
    const double elapsed_s = double(later) * l.spec.tick_ns() * 1e-9;
    const double active_s = double(k.active_ticks) * l.spec.tick_ns() * 1e-9;
    const DramEnergy e = energy_of(k, l.spec, elapsed_s, EnergyBound::maximum);
    CHECK(e.background == Approx((62 * active_s + 42 * (elapsed_s - active_s)) * 1e-3));
    CHECK(e.act_pre == Approx(7400e-12));
    CHECK(e.read_array == Approx(2000e-12));
    CHECK(e.io == Approx(500e-12));
  }
}

TEST_CASE("dram energy: the refresh window is active standby, so refresh plus its standby is IDD5 over tRFC",
          "[dram][energy]") {
  const auto l = load_text(std::string(kOrgTiming) + kIddEnergy + "controller:\n  refresh: all_bank\n");
  REQUIRE(l.error == "");
  ChannelController c(l.spec);
  const int64_t horizon = 10 * c.ticks().refi + c.ticks().refi / 2;
  for (int64_t now = 0; now < horizon; ++now) c.tick(now);
  const auto k = c.counters_at(horizon);
  REQUIRE(k.refresh_ab == 10);
  CHECK(k.activates == 0);
  CHECK(k.active_ticks == 10 * c.ticks().rfc_ab);  // DRAMPower: the rank is active for tRFC
  const double tick_s = l.spec.tick_ns() * 1e-9;
  const double elapsed_s = double(horizon) * tick_s, window_s = double(k.active_ticks) * tick_s;
  const DramEnergy e = energy_of(k, l.spec, elapsed_s, EnergyBound::maximum);
  CHECK(e.refresh == Approx(10 * 40000e-12));
  CHECK(e.background == Approx((62 * window_s + 42 * (elapsed_s - window_s)) * 1e-3));
  // Per refresh: (IDD5 - IDD3N) tRFC + IDD3N tRFC = IDD5 tRFC over the rails: (1.0 x 130 + 0.5 x 2) x 200
  // x 2.
  const double window_j = e.refresh + 62e-3 * window_s;
  CHECK(window_j == Approx(10 * 52400e-12));
}

TEST_CASE("dram energy: a 24 Gb die's row count gives the real capacity, with the row on top only",
          "[dram][energy]") {
  const std::string preset = test::source_dir() + "/configs/memory/hbm3e-9600.yaml";
  {
    auto root = load_config(preset);
    Params p(root, "", nullptr);
    const DramSpec s = read_dram_spec(p);
    p.finish();
    // SK hynix HBM3E 8-high: 24 GB over 16 channels.
    CHECK(s.org.capacity_bytes() * 16 == 24ull << 30);
  }
  // Row bits below a column bit: addresses below the capacity would decode past the last row.
  const auto l =
      load_text("include: " + preset +
                    "\naddress_mapping:\n  bits: [column, column, column, column, pseudo_channel, rank, "
                    "bank_group, bank_group, bank, bank, row, row, row, row, row, row, row, row, row, "
                    "row, row, row, row, row, row, column]\n",
                "bad.yaml");
  INFO(l.error);
  CHECK(l.error.find("rows") != std::string::npos);
  CHECK(l.error.find("bad.yaml:") == std::string::npos);  // the row count sits in the preset
  CHECK(l.error.find("hbm3e-9600.yaml:") != std::string::npos);
}
