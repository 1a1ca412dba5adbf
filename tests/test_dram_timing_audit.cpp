// Timing audit of the DRAM presets against the simulators' presets they are compared with
// (tests/dram_reference_systems.h, the presets of ../shared/reference/dram-cycle-level.md): every timing in
// controller ticks, side by side. The HBM3 and HBM2 presets equal Ramulator 2's HBM3_6400Mbps and
// HBM2_2000Mbps timing by timing, except where the preset states the standard's formula instead (HBM3
// tRREFD max(3 nCK, 8 ns), which Ramulator 2's resolver states and its preset overrides with 8 nCK); the
// LPDDR5 preset holds JESD209-5B's ns figures, which round to Ramulator 2's clocks except the ones listed.
// docs/DRAM-TIMING.md records the table this prints.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <set>

#include "explorer/config/loader.h"
#include "tests/dram_reference_systems.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::dram;

namespace {

DramSpec load(const std::string& name) {
  auto root = load_config(test::source_dir() + "/configs/memory/" + name);
  Params p(root, "", nullptr);
  DramSpec s = read_dram_spec(p);
  p.finish();
  return s;
}

struct Row {
  const char* name;
  int64_t TickTiming::*field;
};
const Row kRows[] = {
    {"tRCD_RD", &TickTiming::rcd_rd}, {"tRCD_WR", &TickTiming::rcd_wr}, {"tRP", &TickTiming::rp},
    {"tRPab", &TickTiming::rp_ab},    {"tRAS", &TickTiming::ras},       {"tRC", &TickTiming::rc},
    {"RL", &TickTiming::rl},          {"WL", &TickTiming::wl},          {"BL", &TickTiming::bl},
    {"tCCD_S", &TickTiming::ccd_s},   {"tCCD_L", &TickTiming::ccd_l},   {"tCCD_R", &TickTiming::ccd_r},
    {"tRRD_S", &TickTiming::rrd_s},   {"tRRD_L", &TickTiming::rrd_l},   {"tFAW", &TickTiming::faw},
    {"tWR", &TickTiming::wr},         {"tWTR_S", &TickTiming::wtr_s},   {"tWTR_L", &TickTiming::wtr_l},
    {"tRTP", &TickTiming::rtp},       {"tPPD", &TickTiming::ppd},       {"tRFCab", &TickTiming::rfc_ab},
    {"tRFCpb", &TickTiming::rfc_pb},  {"tREFI", &TickTiming::refi},     {"tRREFD", &TickTiming::rrefd}};

// Prints the ticks of both and returns the names of the timings that differ.
std::set<std::string> differences(const char* title, const DramSpec& preset, const DramSpec& reference) {
  const TickTiming a = to_ticks(preset), b = to_ticks(reference);
  std::set<std::string> diff;
  std::printf("%s (ticks of %.4g ns)\n", title, preset.tick_ns());
  auto row = [&](const std::string& name, int64_t x, int64_t y) {
    std::printf("  %-8s preset %6lld  reference %6lld%s\n", name.c_str(), (long long)x, (long long)y,
                x == y ? "" : "  <- differs");
    if (x != y) diff.insert(name);
  };
  for (const Row& r : kRows) row(r.name, a.*r.field, b.*r.field);
  row("tRTW", a.rl + a.bl + a.rtw_gap - a.wl, b.rl + b.bl + b.rtw_gap - b.wl);
  return diff;
}

}  // namespace

TEST_CASE("dram timing audit: HBM3 preset equals Ramulator 2's HBM3_6400Mbps but for tRREFD's formula",
          "[dram][audit]") {
  DramSpec ref = reference::ramulator_hbm3_6400().spec;
  ref.timing.trrefd_ns = 5.0;  // Ramulator 2's preset: nRREFD 8 nCK (its resolver: max(3 nCK, 8 ns))
  const auto d = differences("HBM3-6400 vs Ramulator 2 HBM3_6400Mbps", load("hbm3-6400.yaml"), ref);
  CHECK(d == std::set<std::string>{"tRREFD"});
}

TEST_CASE("dram timing audit: HBM2 preset equals Ramulator 2's HBM2_2000Mbps", "[dram][audit]") {
  const auto d = differences("HBM2-2000 vs Ramulator 2 HBM2_2000Mbps", load("hbm2-2000.yaml"),
                             reference::ramulator_hbm2_2000().spec);
  CHECK(d.empty());
}

TEST_CASE("dram timing audit: LPDDR5 preset (JESD209-5B ns) against Ramulator 2's LPDDR5_6400",
          "[dram][audit]") {
  // Three differ, each stated in docs/DRAM-TIMING.md: tRC (the preset's tRAS + tRPpb = 60 ns, 48 nCK;
  // Ramulator 2's 49 = its 34 + 15), tRTP (the preset's 7.5 ns; Ramulator 2's 10 ns read-to-precharge, which
  // looks like tRTP plus the BL16 burst's 2 nCK) and tRREFD (the preset's 8 ns tpbR2act; Ramulator 2's 5 ns,
  // its tRRD).
  const auto d = differences("LPDDR5-6400 vs Ramulator 2 LPDDR5_6400", load("lpddr5-6400.yaml"),
                             reference::ramulator_lpddr5_6400().spec);
  CHECK(d == std::set<std::string>{"tRC", "tRTP", "tRREFD"});
}

TEST_CASE("dram timing audit: docs/DRAM-TIMING.md's audit table has a row for every shipped DRAM preset",
          "[dram][audit][docs]") {
  namespace fs = std::filesystem;
  const std::string doc = test::read_text(fs::path(test::source_dir()) / "docs" / "DRAM-TIMING.md");
  const auto table = doc.find("## Audit against the simulators' presets");
  REQUIRE(table != std::string::npos);
  const std::string audit = doc.substr(table, doc.find("\n## ", table + 1) - table);
  int presets = 0;
  for (const auto& e : fs::directory_iterator(fs::path(test::source_dir()) / "configs" / "memory")) {
    if (e.path().extension() != ".yaml" || load_config(e.path().string())->find("type"))
      continue;  // ideal_memory
    ++presets;
    INFO(e.path().filename().string() << " has no row in the audit table of docs/DRAM-TIMING.md");
    CHECK(audit.find("`" + e.path().stem().string() + "`") != std::string::npos);
  }
  CHECK(presets >= 11);
}
