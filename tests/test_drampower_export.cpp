// The DRAMPower side-by-side export (explorer/energy/drampower_export.h), without DRAMPower: the command
// trace holds every energy-relevant command the controller issued with a data payload per burst, the memspec
// carries the preset's currents at its supplies and data rate, the explorer's energy adds up to its total,
// and presets DRAMPower v5.1 cannot model are one-line errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "explorer/config/loader.h"
#include "explorer/energy/drampower_export.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;

namespace {

dram::DramSpec preset(const std::string& name) {
  auto root = load_config(test::source_dir() + "/configs/memory/" + name);
  Params p(root, "", nullptr);
  auto s = dram::read_dram_spec(p);
  p.finish();
  return s;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("drampower export: commands, memspec and the explorer's energy for the same run", "[energy]") {
  const auto dir = test::scratch_dir("drampower-export");
  const auto spec = preset("lpddr4x-4266.yaml");
  DrampowerExportRequest req;
  req.pattern = "random";
  req.accesses = 2000;
  const auto r = export_drampower(spec, req, dir.string());
  // Every command line names a DRAMPower command; reads and writes carry one burst of data (32 bytes).
  std::istringstream cmds(slurp(dir / "commands.csv"));
  uint64_t lines = 0, data = 0;
  for (std::string line; std::getline(cmds, line); ++lines) {
    const auto f1 = line.find(','), f2 = line.find(',', f1 + 1);
    const std::string cmd = line.substr(f1 + 1, f2 - f1 - 1);
    CHECK((cmd == "ACT" || cmd == "PRE" || cmd == "PREA" || cmd == "RD" || cmd == "WR" || cmd == "REFA"));
    if (cmd == "RD" || cmd == "WR") {
      ++data;
      CHECK(line.size() - line.rfind(",0x") == 3 + 2 * 32);
    }
  }
  CHECK(lines == r.commands + 1);  // and the closing PREA
  CHECK(data == req.accesses);
  // The memspec carries VDD2's IDD4R at 4266 MT/s: IDD3N + (IDD4R - IDD3N) (4266 / 3200)^0.9, in amperes.
  const double idd4r2 = 30e-3 + (275e-3 - 30e-3) * std::pow(4266.0 / 3200.0, 0.9);
  const std::string memspec = slurp(dir / "memspec.json");
  const auto at = memspec.find("\"idd4r2\": ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stod(memspec.substr(at + 10)) == Approx(idd4r2).epsilon(1e-8));
  CHECK(memspec.find("\"memoryType\": \"LPDDR4\"") != std::string::npos);
  // The explorer's kinds add up to its total.
  std::istringstream ex(slurp(dir / "explorer.csv"));
  double parts = 0, total = 0;
  int kinds = 0;
  for (std::string line; std::getline(ex, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("kind,", 0) == 0) continue;
    const double v = std::stod(line.substr(line.find(',') + 1));
    if (line.rfind("total,", 0) == 0) {
      total = v;
    } else {
      parts += v;
      ++kinds;
    }
  }
  CHECK(kinds == 6);
  CHECK(total > 0);
  CHECK(total == Approx(parts).epsilon(1e-9));
  // HBM gives per-operation energies and is no DRAMPower v5.1 standard.
  try {
    export_drampower(preset("hbm3-6400.yaml"), req, dir.string());
    FAIL("HBM3 exported");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("HBM3") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
