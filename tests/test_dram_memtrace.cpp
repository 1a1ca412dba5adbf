// `explorer memtrace`: DRAMSys .stl and Ramulator 2 traces of the same accesses give the same figures; the
// CSV carries bandwidth, share of peak, latency percentiles, row-hit rate and energy by kind; bad lines are
// reported as one line naming file:line with a non-zero exit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "explorer/cli/cli.h"
#include "tests/support.h"

namespace {

namespace fs = std::filesystem;

// `explorer memtrace <args>` through the program's entry point (errors printed, exit code returned).
int cmd_memtrace(std::vector<std::string> args) {
  args.insert(args.begin(), "memtrace");
  return llmx::explorer_main(args);
}

fs::path dir() {
  static const fs::path d = [] {
    auto p = fs::temp_directory_path() / "llmx_test_dram_memtrace";
    fs::create_directories(p);
    return p;
  }();
  return d;
}

std::string write(const std::string& name, const std::string& text) {
  const auto p = dir() / name;
  std::ofstream(p) << text;
  return p.string();
}

std::map<std::string, std::string> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  std::map<std::string, std::string> out;
  std::istringstream h(header), r(row);
  for (std::string k, v; std::getline(h, k, ',') && std::getline(r, v, ',');) out[k] = v;
  return out;
}

std::string memory_yaml() {
  return write("memory.yaml",
               "include: " + llmx::test::source_dir() +
                   "/configs/memory/lpddr5-6400.yaml\nchannels: 4\nchannel_interleave_bytes: 64\n");
}

}  // namespace

TEST_CASE("memtrace: DRAMSys and Ramulator traces of one stream give the same CSV figures",
          "[dram][memtrace]") {
  std::ostringstream stl, ld, o3;
  for (int i = 0; i < 20000; ++i) {
    const uint64_t a = uint64_t(i) * 64;
    stl << "0:\tread\t0x" << std::hex << a << std::dec << "\n";
    ld << "LD 0x" << std::hex << a << std::dec << "\n";
    o3 << "0 " << a << "\n";
  }
  const std::string mem = memory_yaml();
  const std::string out1 = (dir() / "a.csv").string(), out2 = (dir() / "b.csv").string(),
                    out3 = (dir() / "c.csv").string();
  REQUIRE(cmd_memtrace({mem, write("t.stl", "# DRAMSys trace\n" + stl.str()), "--out", out1}) == 0);
  REQUIRE(cmd_memtrace({mem, write("t.trace", ld.str()), "--out", out2}) == 0);
  REQUIRE(cmd_memtrace({mem, write("t.o3", o3.str()), "--out", out3}) == 0);
  const auto a = read_csv(out1), b = read_csv(out2), c = read_csv(out3);
  for (const char* key : {"bandwidth_gbps", "share_of_peak", "mean_read_latency_ns", "p50_read_latency_ns",
                          "p99_read_latency_ns", "row_hit_rate", "energy_total_j", "pj_per_bit"}) {
    INFO(key);
    REQUIRE(a.count(key));
    CHECK(a.at(key) == b.at(key));
    CHECK(a.at(key) == c.at(key));
  }
  CHECK(a.at("accesses") == "20000");
  const double bw = std::stod(a.at("bandwidth_gbps")), peak = std::stod(a.at("peak_gbps"));
  CHECK(peak == Approx(4 * 12.8));
  CHECK(bw <= peak);
  CHECK(bw > 0.8 * peak);
  CHECK(std::stod(a.at("p99_read_latency_ns")) >= std::stod(a.at("p50_read_latency_ns")));
  const double parts = std::stod(a.at("energy_act_pre_j")) + std::stod(a.at("energy_read_array_j")) +
                       std::stod(a.at("energy_write_array_j")) + std::stod(a.at("energy_io_j")) +
                       std::stod(a.at("energy_refresh_j")) + std::stod(a.at("energy_background_j"));
  CHECK(std::stod(a.at("energy_total_j")) == Approx(parts).epsilon(1e-4));
  // Then one row per channel: bytes and energy by kind add up to the system row.
  const auto rows = llmx::test::read_csv(out1);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].at("channel") == "all");
  double bytes = 0, energy = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    CHECK(rows[i].at("channel") == std::to_string(i - 1));
    CHECK(std::stod(rows[i].at("bandwidth_gbps")) <= std::stod(rows[i].at("peak_gbps")));
    CHECK(std::stod(rows[i].at("pj_per_bit")) > 0);
    bytes += std::stod(rows[i].at("bytes_read")) + std::stod(rows[i].at("bytes_written"));
    energy += std::stod(rows[i].at("energy_total_j"));
  }
  CHECK(bytes == Approx(std::stod(a.at("bytes_read")) + std::stod(a.at("bytes_written"))));
  CHECK(energy == Approx(std::stod(a.at("energy_total_j"))).epsilon(1e-4));
}

TEST_CASE("memtrace: timestamps pace the trace, writes and --set are honoured", "[dram][memtrace]") {
  std::ostringstream stl;
  for (int i = 0; i < 2000; ++i)
    stl << i * 100 << ": " << (i % 4 == 0 ? "write" : "read") << " " << i * 64 << "\n";
  const std::string mem = memory_yaml(), trace = write("paced.stl", stl.str());
  const std::string out = (dir() / "paced.csv").string();
  REQUIRE(cmd_memtrace({mem, trace, "--out", out, "--set", "channels=2"}) == 0);
  const auto a = read_csv(out);
  // One 64 B access per 100 ns (trace clock 1 GHz): 0.64 GB/s, far below the peak.
  CHECK(std::stod(a.at("bandwidth_gbps")) == Approx(0.64).epsilon(0.02));
  CHECK(a.at("channels") == "2");
  CHECK(std::stoull(a.at("bytes_written")) == 500 * 64);
}

TEST_CASE("memtrace: a bad trace line is one error line naming file:line, exit non-zero",
          "[dram][memtrace]") {
  const std::string mem = memory_yaml();
  const std::string trace = write("bad.stl", "0: read 0x40\n5: fetch 0x80\n");
  std::ostringstream err;
  auto* old = std::cerr.rdbuf(err.rdbuf());
  const int rc = cmd_memtrace({mem, trace});
  std::cerr.rdbuf(old);
  CHECK(rc != 0);
  const std::string msg = err.str();
  CHECK(msg.find("bad.stl:2") != std::string::npos);
  CHECK(msg.find("fetch") != std::string::npos);
  CHECK(std::count(msg.begin(), msg.end(), '\n') == 1);
  // A bad memory description is reported the same way.
  const std::string bad_mem = write("bad_mem.yaml", "include: " + llmx::test::source_dir() +
                                                        "/configs/memory/hbm3-6400.yaml\nchannels: 3\n");
  std::ostringstream err2;
  old = std::cerr.rdbuf(err2.rdbuf());
  CHECK(cmd_memtrace({bad_mem, trace}) != 0);
  std::cerr.rdbuf(old);
  CHECK(err2.str().find("bad_mem.yaml:2") != std::string::npos);
  CHECK(err2.str().find("channels") != std::string::npos);
}

TEST_CASE("memtrace: refuses what it does not understand, naming file:line, writing nothing",
          "[dram][memtrace][errors]") {
  const std::string mem = memory_yaml();
  const std::vector<std::pair<std::string, std::string>> bad{
      {"vt.stl", "\v\n0: read 0x40\n1: read -0x40\n"},  // a vertical-tab line is blank; then the sign
      {"neg.trace", "-5 0x10\n"},
      {"negaddr.trace", "LD -64\n"},
      {"nonhex.stl", "0: read 0x40 zz\n"},
      {"extra.stl", "0: read 0x40 00ff junk\n"},
      {"empty.stl", ""},
      {"blank.stl", " \f\v\t\n# only a comment\n"},
      {"big.trace", "LD 0x1ffffffffffffffff\n"}};
  for (const auto& [name, text] : bad) {
    INFO(name);
    const std::string out = (dir() / (name + ".csv")).string();
    fs::remove(out);
    CHECK(cmd_memtrace({mem, write(name, text), "--out", out}) == 1);
    CHECK_FALSE(fs::exists(out));
  }
  const std::string out = (dir() / "dir.csv").string();
  CHECK(cmd_memtrace({mem, dir().string(), "--out", out}) == 1);
  CHECK_FALSE(fs::exists(out));
}
