// The stack-ID (rank) switching gap tCCD_R (HBM3 tCCDR, models/memory/dram/channel_controller.h): the
// controller spaces reads to different stack IDs of a pseudo-channel by it and reads within one stack ID by
// tCCD_S only, and values below tCCD_S or on a device without stack IDs are refused at file:line and key.
#include <catch2/catch.hpp>

#include "explorer/config/loader.h"
#include "models/core/error.h"
#include "models/memory/dram/channel_controller.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::dram;

namespace {

std::string preset(const std::string& name) {
  return test::source_dir() + "/configs/memory/" + name;
}

DramSpec load(const std::string& path) {
  auto root = load_config(path);
  Params p(root, "", nullptr);
  DramSpec s = read_dram_spec(p);
  p.finish();
  return s;
}

std::string error_of(const std::string& base, const std::string& body) {
  const auto dir = test::scratch_dir("dram-stack-id");
  const auto path = test::write_text(dir / "bad.yaml", "include: " + preset(base) + "\n" + body);
  try {
    load(path.string());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Issue ticks of the reads of `addrs`, all queued at tick 0.
std::vector<int64_t> read_ticks(const DramSpec& s, const std::vector<uint64_t>& addrs) {
  ChannelController c(s);
  std::vector<int64_t> reads;
  c.set_command_log([&](const CommandRecord& r) {
    if (r.kind == CommandKind::rd) reads.push_back(r.tick);
  });
  size_t done = 0;
  c.set_completion([&](uint64_t, int64_t, bool) { ++done; });
  for (size_t i = 0; i < addrs.size(); ++i) c.enqueue(i, addrs[i], false, 0);
  for (int64_t now = 0; done < addrs.size() && now < 100000; now = std::max(now + 1, c.next_wake()))
    c.tick(now);
  return reads;
}

}  // namespace

TEST_CASE("dram stack ID: reads to another stack ID wait tCCD_R", "[dram][stack_id]") {
  DramSpec s = load(preset("hbm3-6400.yaml"));
  s.ctrl.refresh = RefreshMode::none;
  const TickTiming t = to_ticks(s);
  REQUIRE(t.ccd_r == 6);  // 3 nCK in half-clock ticks
  REQUIRE(t.ccd_s == 4);
  // Reads alternating between bank 0 of the two stack IDs of pseudo-channel 0.
  // Encodes (rank, column) of pseudo-channel 0, bank 0 of bank group 0, row 0 through the mapping's bits.
  auto addr = [&](int rank, int col) {
    uint64_t a = 0;
    int seen[8] = {};
    const auto& bits = s.mapping.bits();
    for (size_t i = 0; i < bits.size(); ++i) {
      const int f = int(bits[i]);
      const int64_t value = bits[i] == Field::rank ? rank : bits[i] == Field::column ? col : 0;
      if ((value >> seen[f]++) & 1) a |= uint64_t(1) << (s.mapping.tx_offset_bits() + int(i));
    }
    const DecodedAddress d = s.mapping.decode(a);
    REQUIRE(d.rank == rank);
    REQUIRE(d.column == col);
    REQUIRE(d.pseudo_channel == 0);
    REQUIRE(d.row == 0);
    return a;
  };
  std::vector<uint64_t> addrs;
  for (int i = 0; i < 8; ++i) addrs.push_back(addr(i % 2, i / 2));
  std::vector<int64_t> reads = read_ticks(s, addrs);
  REQUIRE(reads.size() == 8);
  for (size_t i = 1; i < reads.size(); ++i) CHECK(reads[i] - reads[i - 1] >= t.ccd_r);
  // Without the gap the same reads go tCCD_S apart.
  s.timing.tccd_r_ns = 0;
  reads = read_ticks(s, addrs);
  REQUIRE(reads.size() == 8);
  CHECK(reads.back() - reads.front() < 7 * t.ccd_r);
}

TEST_CASE("dram stack ID: tCCD_R below tCCD_S or without stack IDs is refused at file:line and key",
          "[dram][stack_id]") {
  std::string msg = error_of("hbm3-6400.yaml", "timing:\n  tccd_r_ck: 1\n");
  INFO(msg);
  CHECK(msg.find("bad.yaml:3") != std::string::npos);
  CHECK(msg.find("tccd_r_ck") != std::string::npos);
  msg = error_of("lpddr5-6400.yaml", "timing:\n  tccd_r_ck: 3\n");
  INFO(msg);
  CHECK(msg.find("tccd_r_ck") != std::string::npos);
  CHECK(msg.find("two ranks") != std::string::npos);
}
