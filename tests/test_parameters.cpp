// Parameter declarations (models/core/param_schema.h): `explorer types dram` lists every key the shipped DRAM
// presets use, each with a unit; units agree with the key's suffix; docs/PARAMETERS.md is what the binary
// generates; reading a key nobody declared is an internal error, so the loader cannot accept an undocumented
// key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "explorer/config/loader.h"
#include "models/core/param_schema.h"
#include "models/core/params.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;

namespace {

// Leaf key paths of a config tree, lists as "key[]" and the named rails as "<name>"; `cost` (priced by the
// cost model, `explorer types cost`) is one key.
void collect(const ConfigNodePtr& n, const std::string& path, std::set<std::string>& out) {
  if (n->kind == ConfigNode::Kind::map && path != "cost") {
    for (const auto& [k, v] : n->entries) {
      const std::string key = path == "energy.rails" ? "<name>" : k;
      collect(v, path.empty() ? key : path + "." + key, out);
    }
  } else if (n->kind == ConfigNode::Kind::sequence && !n->items.empty() &&
             n->items.front()->kind == ConfigNode::Kind::map) {
    for (const auto& item : n->items) collect(item, path + "[]", out);
  } else {
    out.insert(path);
  }
}

// `explorer types TYPE` as key -> unit (the first two columns of its key lines).
std::map<std::string, std::string> listed_units(const std::string& type) {
  const auto r = test::run_command("'" + test::explorer_bin() + "' types " + type);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, std::string> units;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);  // title
  std::getline(in, line);  // column heads
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string key, unit;
    l >> key >> unit;
    if (!key.empty() && key.front() != '[') units[key] = unit;
  }
  return units;
}

}  // namespace

TEST_CASE("parameters: explorer types dram lists every key of every shipped DRAM preset, with its unit",
          "[parameters][dram]") {
  std::map<std::string, std::map<std::string, std::string>> by_type;
  int presets = 0;
  for (const auto& e : fs::directory_iterator(fs::path(test::source_dir()) / "configs" / "memory")) {
    if (e.path().extension() != ".yaml") continue;
    ++presets;
    const auto tree = load_config(e.path().string());
    // A preset for another type says so (configs/memory/ideal-*.yaml: ideal_memory); the others are dram.
    const std::string type = tree->find("type") ? tree->find("type")->scalar : "dram";
    if (!by_type.count(type)) by_type[type] = listed_units(type);
    const auto& units = by_type.at(type);
    std::set<std::string> keys;
    collect(tree, "", keys);
    for (const auto& k : keys) {
      INFO(e.path().filename().string() << " (" << type << "): " << k);
      REQUIRE(units.count(k));
      CHECK_FALSE(units.at(k).empty());
    }
  }
  CHECK(presets >= 12);
  CHECK(by_type.at("dram").size() > 100);
}

TEST_CASE("parameters: explorer types memtrace lists the keys memtrace reads from memory.yaml, with units",
          "[parameters][memtrace]") {
  const auto units = listed_units("memtrace");
  for (const char* k :
       {"channels", "count", "channel_interleave_bytes", "trace_clock_mhz", "access_bytes", "injection.model",
        "injection.limit", "injection.in_order_responses", "injection.channel_queues"}) {
    INFO(k);
    REQUIRE(units.count(k));
    CHECK_FALSE(units.at(k).empty());
  }
  CHECK(units.at("channel_interleave_bytes") == "B");
  CHECK(units.at("trace_clock_mhz") == "MHz");
}

// The leaf key paths of a `cost:` map, prefixed as `explorer types cost` lists them.
void collect_cost(const ConfigNodePtr& cost, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [k, v] : cost->entries) {
    if (v->kind == ConfigNode::Kind::map)
      collect_cost(v, prefix + k + ".", out);
    else
      out.insert(prefix + k);
  }
}

TEST_CASE(
    "parameters: explorer types cost lists every cost key of every shipped system and preset, with its unit",
    "[parameters][cost]") {
  const auto units = listed_units("cost");
  std::set<std::string> keys;
  int systems = 0, modules = 0;
  for (const char* dir : {"systems", "memory", "compute", "host"})
    for (const auto& e : fs::directory_iterator(fs::path(test::source_dir()) / "configs" / dir)) {
      if (e.path().extension() != ".yaml") continue;
      const auto tree = load_config(e.path().string());
      if (std::string(dir) == "systems") {
        if (auto cost = tree->find("cost")) {
          ++systems;
          collect_cost(cost, "", keys);
        }
        if (auto mods = tree->find("modules"))
          for (const auto& [name, m] : mods->entries)
            if (auto cost = m->find("cost")) {
              ++modules;
              collect_cost(cost, "<module>.cost.", keys);
            }
      } else if (auto cost = tree->find("cost")) {
        ++modules;
        collect_cost(cost, "<module>.cost.", keys);
      }
    }
  for (const auto& k : keys) {
    INFO(k);
    REQUIRE(units.count(k));
    CHECK_FALSE(units.at(k).empty());
  }
  CHECK(systems >= 3);
  CHECK(modules >= 12);
  CHECK(keys.count("<module>.cost.interposer_usd_per_mm2_high"));
  CHECK(keys.count("mac_um2.int4_low"));
}

TEST_CASE("parameters: explorer types SECTION lists every key the shipped systems give that section",
          "[parameters]") {
  for (const std::string section : {"parallelism", "connections", "links", "devices"}) {
    const auto units = listed_units(section);
    int systems = 0;
    for (const auto& e : fs::directory_iterator(fs::path(test::source_dir()) / "configs" / "systems")) {
      if (e.path().extension() != ".yaml") continue;
      const auto tree = load_config(e.path().string());
      auto node = tree->find(section);
      if (!node && tree->find("devices")) node = tree->find("devices")->find(section);
      if (node &&
          section == "devices") {  // count, and each module's instance keys (its own: explorer types TYPE)
        std::set<std::string> keys{"count"};
        for (const auto& [name, m] : node->find("modules")->entries)
          for (const char* k : {"type", "count", "cost"})
            if (m->find(k)) keys.insert(std::string("modules.<name>.") + k);
        ++systems;
        for (const auto& k : keys) {
          INFO(e.path().filename().string() << ": devices." << k);
          REQUIRE(units.count(k));
          CHECK_FALSE(units.at(k).empty());
        }
        continue;
      }
      if (!node) continue;
      ++systems;
      std::set<std::string> keys;
      if (node->kind == ConfigNode::Kind::sequence)  // a list of maps: each item's keys
        for (const auto& item : node->items) collect(item, "", keys);
      else
        collect(node, "", keys);
      for (const auto& k : keys) {
        INFO(e.path().filename().string() << ": " << section << "." << k);
        REQUIRE(units.count(k));
        CHECK_FALSE(units.at(k).empty());
      }
    }
    INFO(section);
    CHECK(systems >= 3);
  }
}

TEST_CASE("parameters: every declared key has a unit that agrees with its suffix", "[parameters]") {
  const std::map<std::string, std::string> by_suffix{
      {"_ns", "ns"},   {"_ck", "clocks"}, {"_mtps", "MT/s"}, {"_mhz", "MHz"}, {"_gbps", "GB/s"},
      {"_bytes", "B"}, {"_kib", "KiB"},   {"_gib", "GiB"},   {"_pj", "pJ"},   {"_mw", "mW"},
      {"_ma", "mA"},   {"_v", "V"},       {"_ohm", "ohm"},   {"_pf", "pF"},   {"_bits", "bits"}};
  const auto all = SchemaRegistry::instance().all();
  REQUIRE(all.size() >= 12);
  for (const ParamSchema* s : all)
    for (const auto& sec : s->sections)
      for (const auto& d : sec.keys) {
        INFO(s->name << ": " << sec.path << "." << d.key);
        const std::string unit = unit_of(d);
        CHECK_FALSE(unit.empty());
        CHECK_FALSE(d.description.empty());
        if (d.key.find("_per_") != std::string::npos) continue;
        for (const auto& [suffix, u] : by_suffix)
          if (d.key.size() > suffix.size() &&
              d.key.compare(d.key.size() - suffix.size(), suffix.size(), suffix) == 0)
            CHECK(unit == u);
      }
}

TEST_CASE("parameters: docs/PARAMETERS.md is what explorer types --markdown prints", "[parameters][docs]") {
  const auto r = test::run_command("'" + test::explorer_bin() + "' types --markdown");
  REQUIRE(r.exit_code == 0);
  const std::string checked_in = test::read_text(fs::path(test::source_dir()) / "docs" / "PARAMETERS.md");
  INFO(
      "docs/PARAMETERS.md is stale: regenerate it with `build/explorer types --markdown > "
      "docs/PARAMETERS.md`");
  CHECK(checked_in == r.out);
}

TEST_CASE("parameters: a key read without a declaration is an internal error; a declared one is documented",
          "[parameters]") {
  const ParamSchema* dram = SchemaRegistry::instance().find("dram");
  REQUIRE(dram);
  auto node = ConfigNode::make_map({});
  node->set("standard", ConfigNode::make_scalar("LPDDR5", {}, false));
  Params p(node, "mem", nullptr);
  p.bind(*dram);
  CHECK(p.get<std::string>("standard") == "LPDDR5");
  CHECK(p.get<double>("booking_window_ns") == 50.0);  // the declared default
  CHECK_THROWS_WITH(p.get<double>("undeclared_ns"), Catch::Contains("not declared"));
  CHECK_THROWS_WITH(p.optional<double>("undeclared_ns", 1.0, "x"), Catch::Contains("not declared"));
  CHECK_THROWS_WITH(p.get<int>("standard"), Catch::Contains("internal error"));  // read as another kind
  const auto r = test::run_command("'" + test::explorer_bin() + "' types nosuchtype");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("known:"));
}
