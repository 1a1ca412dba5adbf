// Config loader and typed parameters: includes, overrides, validation, error locations, resolved output.
#include <catch2/catch.hpp>

#include "explorer/config/loader.h"
#include "models/core/params.h"
#include "tests/support.h"

using namespace llmx;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// The one-line message of the error `fn` throws.
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("expected an llmx::Error");
  return {};
}

}  // namespace

TEST_CASE("config: typed parameters read with units, defaults and ranges", "[config]") {
  auto tree = parse_yaml_text("bandwidth_gbps: 25.6\nchannels: 8\nname: x\nrefresh: true\nlist: [1, 2.5]\n", "t.yaml");
  auto resolved = ConfigNode::make_map({});
  Params p(tree, "mem", resolved);
  CHECK(p.required<double>("bandwidth_gbps", "bw", Bound::positive()) == 25.6);
  CHECK(p.required<int>("channels", "n", Bound::at_least(1)) == 8);
  CHECK(p.required<std::string>("name", "s") == "x");
  CHECK(p.required<bool>("refresh", "b") == true);
  CHECK(p.required<std::vector<double>>("list", "l") == std::vector<double>{1, 2.5});
  CHECK(p.optional<double>("latency_ns", 12.5, "lat") == 12.5);
  p.finish();
  // Defaults appear in the resolved configuration.
  const std::string text = to_yaml(*resolved);
  CHECK_THAT(text, Contains("latency_ns: 12.5"));
  CHECK_THAT(text, Contains("bandwidth_gbps: 25.6"));
}

TEST_CASE("config: an unknown key names file, line, column and key path, with a unit hint", "[config]") {
  auto tree = parse_yaml_text("memory:\n  bandwidth_mbps: 25\n", "sys.yaml");
  Params root(tree, "", nullptr);
  Params mem = root.required_child("memory", "m");
  mem.optional<double>("bandwidth_gbps", 1.0, "bw");
  const std::string msg = error_of([&] { root.finish(); });
  CHECK_THAT(msg, StartsWith("sys.yaml:2:3: memory.bandwidth_mbps: unknown key"));
  CHECK_THAT(msg, Contains("did you mean 'bandwidth_gbps'"));
  CHECK(msg.find('\n') == std::string::npos);
}

TEST_CASE("config: wrong types and out-of-range values are rejected with their location", "[config]") {
  auto tree = parse_yaml_text("a_gbps: fast\nb_gbps: -3\nc: \"12\"\nd: 1.5\ne: [1, x]\n", "w.yaml");
  Params p(tree, "", nullptr);
  CHECK_THAT(error_of([&] { p.required<double>("a_gbps", "bw"); }),
             StartsWith("w.yaml:1:9: a_gbps: expected a number"));
  CHECK_THAT(
      error_of([&] { p.required<double>("b_gbps", "bw", Bound::positive()); }),
      StartsWith(
          "w.yaml:2:9: b_gbps: -3 is out of range (must be greater than 0 and at most 1e+06: 1 PB/s)"));
  CHECK_THAT(error_of([&] { p.required<int>("c", "quoted is a string"); }), Contains("expected a whole number"));
  CHECK_THAT(error_of([&] { p.required<int>("d", "int"); }), Contains("expected a whole number"));
  CHECK_THAT(error_of([&] { p.required<std::vector<double>>("e", "list"); }), StartsWith("w.yaml:5:8: e: expected a number"));
  CHECK_THAT(error_of([&] { p.required<double>("missing_ns", "needed"); }), Contains("missing required key"));
  CHECK_THAT(error_of([&] { p.choice("a_gbps", {"open", "closed"}, std::nullopt, "policy"); }),
             Contains("'fast' is not one of: open, closed"));
}

TEST_CASE("config: includes merge presets under local keys, relative to the including file", "[config]") {
  auto dir = test::scratch_dir("include");
  test::write_text(dir / "presets/mem.yaml", "type: ideal\nbandwidth_gbps: 10\nlatency_ns: 40\n");
  test::write_text(dir / "presets/base.yaml", "include: mem.yaml\nlatency_ns: 45\ncapacity_gib: 2\n");
  test::write_text(dir / "sys.yaml", "modules:\n  mem:\n    include: presets/base.yaml\n    bandwidth_gbps: 12\n");
  auto tree = load_config((dir / "sys.yaml").string());
  auto mem = tree->find("modules")->find("mem");
  REQUIRE(mem);
  CHECK(mem->find("type")->scalar == "ideal");
  CHECK(mem->find("bandwidth_gbps")->scalar == "12");  // the including file wins
  CHECK(mem->find("latency_ns")->scalar == "45");      // the nearer preset wins
  CHECK(mem->find("capacity_gib")->scalar == "2");
  CHECK(!mem->find("include"));
  // A value keeps the location it came from, so errors point into the preset.
  CHECK_THAT(mem->find("latency_ns")->location.str(), Contains("base.yaml:2:"));
}

TEST_CASE("config: a missing include file is an error at the include key", "[config]") {
  auto dir = test::scratch_dir("missing-include");
  test::write_text(dir / "sys.yaml", "modules:\n  mem:\n    include: nowhere.yaml\n");
  const std::string msg = error_of([&] { load_config((dir / "sys.yaml").string()); });
  CHECK_THAT(msg, Contains("sys.yaml:3:14: modules.mem.include: cannot open included file 'nowhere.yaml'"));
}

TEST_CASE("config: include cycles, duplicate keys and YAML syntax errors are reported", "[config]") {
  auto dir = test::scratch_dir("cycle");
  test::write_text(dir / "a.yaml", "include: b.yaml\nx: 1\n");
  test::write_text(dir / "b.yaml", "include: a.yaml\n");
  CHECK_THAT(error_of([&] { load_config((dir / "a.yaml").string()); }), Contains("include cycle"));
  test::write_text(dir / "dup.yaml", "x: 1\nx: 2\n");
  CHECK_THAT(error_of([&] { load_config((dir / "dup.yaml").string()); }), Contains("dup.yaml:2:1: x: duplicate key"));
  test::write_text(dir / "bad.yaml", "x: [1, 2\n");
  CHECK_THAT(error_of([&] { load_config((dir / "bad.yaml").string()); }), Contains("YAML syntax error"));
}

TEST_CASE("config: --set overrides any key, after includes, and is named in errors", "[config]") {
  auto dir = test::scratch_dir("override");
  test::write_text(dir / "mem.yaml", "channels: 8\n");
  test::write_text(dir / "sys.yaml", "memory:\n  include: mem.yaml\n");
  auto tree = load_config((dir / "sys.yaml").string(), {"memory.channels=16", "memory.new_key_ns=3"});
  CHECK(tree->find("memory")->find("channels")->scalar == "16");
  Params root(tree, "", nullptr);
  Params mem = root.required_child("memory", "m");
  CHECK(mem.required<int>("channels", "n") == 16);
  // The new key is checked like any other: unknown keys from the command line are errors too.
  CHECK_THAT(error_of([&] { root.finish(); }), StartsWith("--set memory.new_key_ns=3: memory.new_key_ns: unknown key"));
  auto tree2 = load_config((dir / "sys.yaml").string(), {"memory.channels=lots"});
  Params root2(tree2, "", nullptr);
  Params mem2 = root2.required_child("memory", "m");
  CHECK_THAT(error_of([&] { mem2.required<int>("channels", "n"); }),
             StartsWith("--set memory.channels=lots: memory.channels: expected a whole number"));
  CHECK_THAT(error_of([&] { apply_override(*tree, "memory.channels.x=1"); }), Contains("not a map"));
  CHECK_THAT(error_of([&] { apply_override(*tree, "novalue"); }), Contains("expected key.path=value"));
}

TEST_CASE("config: --set of an include swaps a preset, relative to the working directory", "[config]") {
  auto dir = test::scratch_dir("swap");
  test::write_text(dir / "a.yaml", "bandwidth_gbps: 10\nlatency_ns: 5\n");
  test::write_text(dir / "b.yaml", "bandwidth_gbps: 20\n");
  test::write_text(dir / "sys.yaml", "link:\n  include: a.yaml\n  latency_ns: 7\n");
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  auto tree = load_config("sys.yaml", {"link.include=b.yaml"});
  std::filesystem::current_path(cwd);
  auto link = tree->find("link");
  CHECK(link->find("bandwidth_gbps")->scalar == "20");
  CHECK(link->find("latency_ns")->scalar == "7");
}

TEST_CASE("config: finish() reaches keys inside child maps and lists", "[config]") {
  auto tree = parse_yaml_text("outer:\n  inner:\n    typo_ns: 1\nitems:\n  - {a: 1, b: 2}\n", "c.yaml");
  {
    Params root(tree, "", nullptr);
    Params outer = root.required_child("outer", "o");
    outer.optional_child("inner", "i");
    root.map_list("items", "l", false);
    CHECK_THAT(error_of([&] { root.finish(); }), StartsWith("c.yaml:3:5: outer.inner.typo_ns: unknown key"));
  }
  {
    Params root(tree, "", nullptr);
    root.claim("outer");
    auto items = root.map_list("items", "l", true);
    REQUIRE(items.size() == 1);
    items[0].required<int>("a", "a");
    CHECK_THAT(error_of([&] { root.finish(); }), StartsWith("c.yaml:5:12: items[0].b: unknown key"));
  }
}

TEST_CASE("config: the identity hash follows the resolved text", "[config]") {
  CHECK(fnv1a_hex("") == "cbf29ce484222325");  // FNV-1a 64-bit offset basis
  CHECK(fnv1a_hex("a") == "af63dc4c8601ec8c");  // published FNV-1a test vector
  CHECK(fnv1a_hex("x: 1\n") != fnv1a_hex("x: 2\n"));
}

TEST_CASE("config: every key with a unit has a physical range, on top of its reader's bound", "[config]") {
  auto tree = parse_yaml_text(
      "latency_ns: 1e12\nwait_us: 2e6\ntrcd_ck: 1e7\nclock_ghz: 2000\nbandwidth_gbps: 1e30\n"
      "static_power_mw: 2e7\nboard_w: 5e4\nrefresh_pj: 1e10\nenergy_pj_per_bit: 1e10\ntile_bytes: "
      "1000000000000000000\n"
      "capacity_gib: 2e6\ndie_area_mm2: 1e6\nusd_per_gib: 1e9\nmacs_per_cycle: 1e12\nok_ns: 1e9\n",
      "u.yaml");
  Params p(tree, "", nullptr);
  for (const char* key : {"latency_ns", "wait_us", "trcd_ck", "clock_ghz", "bandwidth_gbps",
                          "static_power_mw", "board_w", "refresh_pj", "energy_pj_per_bit", "die_area_mm2"}) {
    INFO(key);
    CHECK_THAT(error_of([&] { p.required<double>(key, "x", Bound::non_negative()); }),
               Contains(std::string(key) + ": ") && Contains("is out of range (must be between 0 and"));
  }
  CHECK_THAT(error_of([&] { p.required<uint64_t>("tile_bytes", "x"); }),
             Contains("at most 1.1259e+15: 1 PiB"));
  CHECK_THAT(error_of([&] { p.required<double>("capacity_gib", "x", Bound::positive()); }),
             Contains("greater than 0 and at most 1.04858e+06: 1 PiB"));
  // A price per GiB or a count per cycle has no unit range; a second in ns is inside it.
  CHECK(p.required<double>("usd_per_gib", "x") == 1e9);
  CHECK(p.required<double>("macs_per_cycle", "x") == 1e12);
  CHECK(p.required<double>("ok_ns", "x", Bound::non_negative()) == 1e9);
  // A reader's tighter bound stays.
  CHECK(unit_bound("quantum_ns").max == 1e9);
  CHECK(unit_bound("decode_steps").max == std::numeric_limits<double>::infinity());
}
