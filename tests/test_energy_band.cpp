// The maximum energy bound of on-chip components (models/core/energy_band.h): every per-operation energy
// scales by the dynamic ratio and static power by the static ratio, each bound is the sum of its parts,
// components without a maximum figure report one bound, the shipped PE and SRAM presets carry one, and
// ratios below 1 are refused at file:line and key.
#include <catch2/catch.hpp>

#include "explorer/config/loader.h"
#include "models/core/energy_band.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;

namespace {

EnergyBand band_of(const std::string& text) {
  const auto dir = test::scratch_dir("energy-band");
  const auto path = test::write_text(dir / "band.yaml", text);
  auto root = load_config(path.string());
  Params p(root, "", nullptr);
  EnergyBand b = read_energy_band(p);
  p.finish();
  return b;
}

}  // namespace

TEST_CASE("energy band: dynamic kinds by the supply ratio, static power by the leakage ratio", "[energy]") {
  const EnergyBand b = band_of("maximum_over_typical: {dynamic: 1.21, static: 3.0}\n");
  REQUIRE(b.given);
  ComponentStats s;
  s.energy[EnergyKind::compute] = 2.0;
  s.energy[EnergyKind::read_array] = 1.0;
  s.energy[EnergyKind::static_power] = 0.5;
  b.fill(s);
  REQUIRE(s.energy_max);
  CHECK((*s.energy_max)[EnergyKind::compute] == Approx(2.42));
  CHECK((*s.energy_max)[EnergyKind::read_array] == Approx(1.21));
  CHECK((*s.energy_max)[EnergyKind::static_power] == Approx(1.5));
  CHECK(s.energy_max->total() == Approx(2.42 + 1.21 + 1.5));
  CHECK(&s.energy_at(false) == &s.energy);
  // No maximum figure: one bound stands for both.
  ComponentStats t;
  t.energy[EnergyKind::compute] = 1.0;
  band_of("{}\n").fill(t);
  CHECK_FALSE(t.energy_max);
  CHECK(&t.energy_at(true) == &t.energy);
}

TEST_CASE("energy band: the PE and SRAM presets carry a maximum bound; ratios below 1 are refused",
          "[energy]") {
  for (const char* preset : {"compute/pe-fp16-1ghz.yaml", "compute/pe-fpga-250mhz.yaml",
                             "compute/pe-gpu-cluster.yaml", "buffers/sram-512kib.yaml"}) {
    auto root = load_config(test::source_dir() + "/configs/" + preset);
    Params p(root, "", nullptr);
    INFO(preset);
    CHECK(read_energy_band(p).given);
  }
  const auto dir = test::scratch_dir("energy-band-bad");
  const auto path = test::write_text(dir / "bad.yaml", "maximum_over_typical:\n  dynamic: 0.9\n  static: 2\n");
  std::string msg;
  try {
    auto root = load_config(path.string());
    Params p(root, "", nullptr);
    read_energy_band(p);
  } catch (const Error& e) {
    msg = e.what();
  }
  INFO(msg);
  CHECK(msg.find("bad.yaml:2") != std::string::npos);
  CHECK(msg.find("dynamic") != std::string::npos);
}
