// The bad-input suite: a table of hostile inputs to every command (configs, --set, traces, memory traces,
// sweep specs, reports, output directories, command-line use), each run as the user would, in a scratch
// working directory holding its input files. Every case must exit non-zero (1 for bad input, 2 for bad
// command-line use) without a signal or a timeout, print exactly one line naming where (file:line, the
// --set or the option) and the key, and leave the working directory exactly as it was: no output directory,
// no partial file, no file deleted. Cases fail at validation or run one TinyLlama step, so the suite is
// quick.
#include <catch2/catch.hpp>

#include <map>
#include <regex>

#include "explorer/trace/trace.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;

namespace {

struct Case {
  std::string args;   // explorer's arguments, run in the scratch directory
  std::string where;  // the location the line must name (a file name followed by ':' needs a line number)
  std::string key;    // and the key, option or record it must name
  int exit_code = 1;
};

std::string src() {
  return test::source_dir();
}
std::string ideal() {
  return "'" + src() + "/configs/systems/ideal-roofline.yaml'";
}
std::string lpddr() {
  return "'" + src() + "/configs/systems/lpddr5x-accel.yaml'";
}
std::string tiny() {
  return "'" + src() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz'";
}
std::string hbm_memory() {
  return "'" + src() + "/configs/memory/hbm3-6400.yaml'";
}

// The shipped ideal-roofline system with its includes made absolute (same lines), one step of TinyLlama.
std::string system_text() {
  std::string text = test::read_text(src() + "/configs/systems/ideal-roofline.yaml");
  for (size_t at; (at = text.find(" ../")) != std::string::npos;)
    text.replace(at, 4, " " + src() + "/configs/");
  const std::string steps = "decode_steps: 0";
  text.replace(text.find(steps), steps.size(), "decode_steps: 1");
  return text;
}

std::string edited(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Every file under `dir` with its bytes: the state a failed command must leave unchanged.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    files[fs::relative(e.path(), dir).string()] = e.is_regular_file() ? test::read_text(e.path()) : "<dir>";
  return files;
}

void run_cases(const std::string& group, const std::map<std::string, std::string>& files,
               const std::vector<Case>& cases) {
  const fs::path dir = test::scratch_dir("bad-input-" + group);
  for (const auto& [name, text] : files) test::write_text(dir / name, text);
  const auto before = snapshot(dir);
  for (const Case& c : cases) {
    const std::string command = "cd '" + dir.string() +
                                "' && SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 timeout 60 '" +
                                test::explorer_bin() + "' " + c.args;
    const auto r = test::run_command(command);
    INFO(group << ": explorer " << c.args << "\n" << r.out);
    CHECK(r.exit_code == c.exit_code);  // not 124 (timeout) nor 128+ (a signal)
    CHECK(test::count_lines(r.out) == 1);
    CHECK(r.out.rfind("explorer", 0) == 0);
    const size_t at = r.out.find(c.where);
    CHECK(at != std::string::npos);
    if (at != std::string::npos && !c.where.empty() && c.where.back() == ':' &&
        c.where.find(".") != std::string::npos)
      CHECK(std::isdigit(static_cast<unsigned char>(r.out[at + c.where.size()])));
    CHECK(r.out.find(c.key) != std::string::npos);
    CHECK(snapshot(dir) == before);
  }
}

// Nine aliases of nine aliases, eight deep: 9^9 values once expanded ("billion laughs").
std::string laughs() {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    const std::string prev(1, char(c - 1));
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) text += (i ? ", *" : "*") + prev;
    text += "]\n";
  }
  return text;
}

// `--set key=value` on a shipped system: the line names the option and the key.
Case set(const std::string& system, const std::string& assignment, const std::string& extra = "") {
  const std::string key = assignment.substr(0, assignment.find('='));
  return {"run " + system + " --trace " + tiny() + " --set workload.decode_steps=1 --set '" + assignment +
              "' " + extra + " --out out",
          "--set " + assignment + ": ", key};
}

}  // namespace

TEST_CASE("bad input: --set values out of their physical range or of the wrong type", "[bad-input]") {
  const std::vector<Case> cases{
      set(ideal(), "modules.mem.latency_ns=1e13"),
      set(ideal(), "modules.mem.latency_ns=1e12"),
      set(ideal(), "modules.mem.latency_ns=-1"),
      set(ideal(), "modules.mem.latency_ns=nan"),
      set(ideal(), "modules.mem.bandwidth_gbps=1e30"),
      set(ideal(), "modules.mem.bandwidth_gbps=0"),
      set(ideal(), "modules.mem.bandwidth_gbps=fast"),
      set(ideal(), "modules.mem.capacity_gib=1e7"),
      set(ideal(), "modules.mem.capacity_gib=0"),
      set(ideal(), "modules.mem.background_power_mw=1e9"),
      set(ideal(), "modules.mem.read_energy_pj_per_bit=1e12"),
      set(ideal(), "modules.mem.booking_window_ns=1e10"),
      set(ideal(), "modules.pe.clock_mhz=1e308"),
      set(ideal(), "modules.pe.clock_mhz=0"),
      set(ideal(), "modules.pe.count=0"),
      set(ideal(), "modules.pe.count=100000"),
      set(ideal(), "modules.pe.count=eight"),
      set(ideal(), "modules.pe.count=2.5"),
      set(ideal(), "modules.pe.tile_bytes=1e20"),
      set(ideal(), "modules.pe.static_power_mw=1e12"),
      set(ideal(), "modules.pe.load_latency_ns=1e15"),
      set(ideal(), "modules.buf.capacity_kib=1e13"),
      set(ideal(), "modules.buf.latency_ns=1e10"),
      set(ideal(), "modules.buf.leakage_power_mw=-5"),
      set(ideal(), "modules.buf.clock_mhz=2e6"),
      set(ideal(), "modules.noc.link_bandwidth_gbps=1e7"),
      set(ideal(), "modules.noc.hop_latency_ns=1e12"),
      set(ideal(), "modules.noc.interleave_bytes=1e16"),
      set(ideal(), "modules.host.latency_ns=1e13"),
      set(ideal(), "modules.host.bandwidth_gbps=-3"),
      set(ideal(), "simulation.quantum_ns=1e-30"),
      set(ideal(), "simulation.quantum_ns=1e12"),
      set(ideal(), "driver.dispatch_latency_ns=1e12"),
      set(ideal(), "driver.token_overhead_ns=1e11"),
      set(ideal(), "driver.min_kernel_ns=1e10"),
      set(ideal(), "workload.token_bytes=1e18"),
      set(ideal(), "workload.batch=4000000000"),
      set(ideal(), "workload.token_bytes=4000000000"),
      set(ideal(), "workload.context_tokens=20000000"),
      set(ideal(), "workload.prompt_tokens=20000000"),
      set(ideal(), "workload.decode_steps=20000000"),
      set(ideal(), "workload.decode_steps=99999999999"),
      set(ideal(), "modules.buf.banks=1000000000"),
      set(ideal(), "modules.buf.bank_width_bits=1000000000"),
      set(ideal(), "modules.buf.banks=4096", "--set modules.buf.bank_width_bits=65536"),
      set(ideal(), "modules.pe.bytes_in_flight=1e18"),
      set(ideal(), "modules.pe.buffer_slots=65"),
      set(ideal(), "modules.noc.hops=0x10"),
      set(ideal(), "modules.pe.count=1_000"),
      set(ideal(), "modules.pe.count=-8"),
      set(ideal(), "modules.pe.count=inf"),
      set(ideal(), "parallelism.tensor=4096"),
      set(lpddr(), "modules.dram.controller.read_queue=100000"),
      set(lpddr(), "modules.dram.organisation.ranks=1000"),
      set(lpddr(), "modules.dram.organisation.rows=1e9"),
      set(lpddr(), "modules.dram.timing.trcd_ns=1e12"),
      set(lpddr(), "modules.dram.timing.trefi_ns=1e13"),
      set(lpddr(), "modules.dram.timing.tccd_l_ck=1e9"),
      set(lpddr(), "modules.dram.data_rate_mtps=1e9"),
      set(lpddr(), "modules.dram.organisation.page_bytes=1e18"),
      set(lpddr(), "modules.dram.energy.rails.vdd2.idd4r_ma=-1"),
      set(ideal(), "modules.mem.unknown_key_ns=5"),
      set(ideal(), "modules.nothere.type=pe"),
  };
  run_cases("set", {}, cases);
}

TEST_CASE("bad input: system config files", "[bad-input]") {
  const std::string base = system_text();
  std::string multi = test::read_text(src() + "/configs/systems/hbm3-2x-tp.yaml");
  for (size_t at; (at = multi.find(" ../")) != std::string::npos;)
    multi.replace(at, 4, " " + src() + "/configs/");
  const std::map<std::string, std::string> files{
      {"unknown.yaml", edited(base, "  noc:\n", "  noc:\n    hop_latency_us: 3\n")},
      {"type.yaml", edited(base, "    count: 8\n", "    count: eight\n")},
      {"negative.yaml", edited(base, "  noc:\n", "  noc:\n    link_bandwidth_gbps: -64\n")},
      {"huge-latency.yaml", edited(base, "  noc:\n", "  noc:\n    hop_latency_ns: 1e13\n")},
      {"self.yaml", edited(base, "  - {from: noc.out, to: mem.target}\n",
                           "  - {from: noc.out, to: mem.target}\n  - {from: noc.out, to: noc.in}\n")},
      {"loop.yaml", edited(edited(base, "  mem:\n",
                                  "  noc2:\n    type: crossbar\n    include: " + src() +
                                      "/configs/interconnect/crossbar-1ghz.yaml\n  mem:\n"),
                           "  - {from: noc.out, to: mem.target}\n",
                           "  - {from: noc.out, to: mem.target}\n  - {from: noc.out, to: noc2.in}\n"
                           "  - {from: noc2.out, to: noc.in}\n")},
      {"mistyped.yaml",
       edited(base, "{from: pe.buffer, to: buf.target}", "{from: pe.buffer, to: host.target}")},
      {"unbound.yaml", edited(base, "  - {from: pe.buffer, to: buf.target}\n", "")},
      {"no-socket.yaml",
       edited(base, "{from: pe.buffer, to: buf.target}", "{from: pe.buffer, to: buf.nowhere}")},
      {"no-instance.yaml",
       edited(base, "{from: pe.buffer, to: buf.target}", "{from: pe.buffer, to: ghost.target}")},
      {"counts.yaml", edited(base, "    count: 8\n    include: " + src() + "/configs/buffers",
                             "    count: 3\n    include: " + src() + "/configs/buffers")},
      {"twice.yaml",
       edited(base, "  - {from: driver.host, to: host.target}\n",
              "  - {from: driver.host, to: host.target}\n  - {from: driver.host, to: host.target}\n")},
      {"include.yaml",
       edited(base, "/configs/memory/ideal-lpddr5x-8533-x16.yaml", "/configs/memory/nothere.yaml")},
      {"cycle.yaml", "include: cycle2.yaml\n"},
      {"cycle2.yaml", "include: cycle.yaml\n"},
      {"bad-type.yaml", edited(base, "    type: crossbar\n", "    type: crossbow\n")},
      {"syntax.yaml", edited(base, "  noc:\n", "  noc: [\n")},
      {"list.yaml", "- a\n- b\n"},
      {"quantum.yaml", edited(base, "quantum_ns: 1000", "quantum_ns: 0")},
      {"steps.yaml", edited(base, "decode_steps: 1", "decode_steps: -1")},
      {"nul.yaml", "\xef\xbb\xbfsystem: {name: \"a\\\x01\"}\n"},
      {"trace-missing.yaml", edited(base, "tinyllama-1.1b-q4_0.lxt.gz", "nothere.lxt.gz")},
      {"laughs.yaml", laughs()},
      {"dupkey.yaml", edited(base, "  noc:\n", "  noc:\n    hops: 1\n    hops: 2\n")},
      {"deep.yaml", "a: " + std::string(20000, '[') + std::string(20000, ']') + "\n"},
      {"tab.yaml", edited(base, "    type: crossbar", "\ttype: crossbar")},
      {"nan.yaml", edited(base, "quantum_ns: 1000", "quantum_ns: .nan")},
      {"hex.yaml", edited(base, "    count: 8\n", "    count: 0x8\n")},
      {"bool.yaml", edited(base, "    count: 8\n", "    count: true\n")},
      {"latin1.yaml", edited(base, "name: ideal-roofline", "name: ideal-\xe9")},
      {"cost-key.yaml", edited(base, "/configs/cost/process-tsmc-n5.yaml\n",
                               "/configs/cost/process-tsmc-n5.yaml\n  wafer_dollars: 3\n")},
      {"cost-range.yaml", edited(base, "/configs/cost/process-tsmc-n5.yaml\n",
                                 "/configs/cost/process-tsmc-n5.yaml\n  package_usd_low: 30\n")},
      {"parallel-key.yaml", edited(base, "\nworkload:", "\nparallelism: {tensors: 2}\nworkload:")},
      {"conn-key.yaml",
       edited(base, "{from: noc.out, to: mem.target}", "{from: noc.out, to: mem.target, form: noc.out}")},
      {"links-key.yaml", edited(base, "\nworkload:", "\nlinks: {topology: ring, latency_us: 3}\nworkload:")},
      {"devices-key.yaml", edited(multi, "  count: 2\n", "  count: 2\n  counts: 3\n")},
  };
  const auto run = [](const std::string& file) { return "run " + file + " --out out"; };
  const std::vector<Case> cases{
      {run("unknown.yaml"), "unknown.yaml:", "modules.noc.hop_latency_us: unknown key"},
      {run("type.yaml"), "type.yaml:", "modules.pe.count: expected a whole number"},
      {run("negative.yaml"), "negative.yaml:", "modules.noc.link_bandwidth_gbps"},
      {run("huge-latency.yaml"), "huge-latency.yaml:", "modules.noc.hop_latency_ns"},
      {run("self.yaml"), "self.yaml:", "wired to its own"},
      {run("loop.yaml"), "loop.yaml:", "wiring loop"},
      {run("mistyped.yaml"), "mistyped.yaml:", "mistyped connection"},
      {run("unbound.yaml"), "unbound.yaml:", "is not bound"},
      {run("no-socket.yaml"), "no-socket.yaml:", "nowhere"},
      {run("no-instance.yaml"), "no-instance.yaml:", "ghost"},
      {run("counts.yaml"), "counts.yaml:", "cannot connect"},
      {run("twice.yaml"), "twice.yaml:", "bound twice"},
      {run("include.yaml"), "include.yaml:", "cannot open included file"},
      {run("cycle.yaml"), "cycle", "include cycle"},
      {run("bad-type.yaml"), "bad-type.yaml:", "crossbow"},
      {run("syntax.yaml"), "syntax.yaml:", ""},
      {run("list.yaml"), "list.yaml:", "top level"},
      {run("quantum.yaml"), "quantum.yaml:", "simulation.quantum_ns"},
      {run("steps.yaml"), "steps.yaml:", "workload.decode_steps"},
      {run("trace-missing.yaml"), "trace-missing.yaml:", "workload.trace: cannot open trace file"},
      {run("absent.yaml"), "absent.yaml", "cannot open config file"},
      {run("nul.yaml"), "nul.yaml:", "YAML syntax error"},
      {run("laughs.yaml"), "laughs.yaml:", "expands to more than 1000000 values"},
      {run("dupkey.yaml"), "dupkey.yaml:", "modules.noc.hops: duplicate key"},
      {run("deep.yaml"), "deep.yaml:", "YAML syntax error"},
      {run("tab.yaml"), "tab.yaml:", "YAML syntax error"},
      {run("nan.yaml"), "nan.yaml:", "simulation.quantum_ns"},
      {run("hex.yaml"), "hex.yaml:", "modules.pe.count"},
      {run("bool.yaml"), "bool.yaml:", "modules.pe.count"},
      {run("latin1.yaml"), "latin1.yaml:", "system.name: not valid UTF-8"},
      {run("cost-key.yaml"), "cost-key.yaml:", "cost.wafer_dollars: unknown key (did you mean 'wafer_usd'?"},
      {run("parallel-key.yaml"),
       "parallel-key.yaml:", "parallelism.tensors: unknown key (did you mean 'tensor'?)"},
      {run("conn-key.yaml"), "conn-key.yaml:", "connections[4].form: unknown key (did you mean 'from'?)"},
      {run("links-key.yaml"), "links-key.yaml:", "links.latency_us: unknown key"},
      {run("devices-key.yaml"), "devices-key.yaml:", "devices.counts: unknown key (did you mean 'count'?)"},
      {run("cost-range.yaml"),
       "process-tsmc-n5.yaml:", "cost.package_usd: 20 lies outside its range [30, 40]"},
      {run("."), ".: ", "is a directory"},
  };
  run_cases("config", files, cases);
}

TEST_CASE("bad input: decode traces", "[bad-input]") {
  const std::string text =
      trace::render_trace(trace::read_trace(src() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz"));
  std::vector<std::string> lines;
  {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  const auto line_starting = [&](const std::string& start) {
    for (size_t i = 0; i < lines.size(); ++i)
      if (lines[i].rfind(start, 0) == 0) return i;
    FAIL("no line starting " << start);
    return size_t{0};
  };
  const auto with_field = [&](size_t line, size_t field, const std::string& value) {
    std::vector<std::string> copy = lines;
    std::string& l = copy[line];
    size_t pos = 0;
    for (size_t f = 0; f < field; ++f) pos = l.find('\t', pos) + 1;
    const size_t end = l.find('\t', pos);
    l.replace(pos, end == std::string::npos ? std::string::npos : end - pos, value);
    std::string out;
    for (const auto& s : copy) out += s + "\n";
    return out;
  };
  const size_t op = line_starting("0\t") + 3, weight = line_starting("w\t1\t"),
               batch = line_starting("h\tbatch\t");
  const std::string gz = test::read_text(src() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz");
  const std::map<std::string, std::string> files{
      {"batch0.lxt", with_field(batch, 2, "0")},
      {"kv-huge.lxt", with_field(op, 11, "18446744073709551615")},
      {"kv-neg.lxt", with_field(op, 11, "-1")},
      {"weight-bytes.lxt", with_field(op, 9, "1e9")},
      {"shape-overflow.lxt", with_field(weight, 4, "2048,4294967296,4294967296")},
      {"name-utf8.lxt", with_field(weight, 2, "blk\xff\xfe")},
      {"engine-utf8.lxt", with_field(op, 4, "MUL\xc0\xaf")},
      {"kind.lxt", with_field(op, 3, "matmul_qq")},
      {"layer.lxt", with_field(op, 2, "99")},
      {"phase.lxt", with_field(op, 1, "decoding")},
      {"fields.lxt", with_field(op, 15, "1\t2")},
      {"checksum.lxt", with_field(op, 10, "77")},
      {"version.lxt", "LXT\t9\n"},
      {"not-lxt.lxt", "hello\n"},
      {"empty.lxt", ""},
      {"trailing.lxt.gz", gz + "garbage"},
      {"half.lxt.gz", gz.substr(0, gz.size() / 2)},
      {"after-end.lxt", text + "1\tdecode\n"},
      {"concat.lxt.gz", gz + gz},
  };
  std::vector<Case> cases;
  for (const auto& [name, content] : files) {
    (void)content;
    cases.push_back({"run " + ideal() + " --set workload.decode_steps=1 --trace " + name + " --out out",
                     name + ": record ", ""});
  }
  cases.push_back(
      {"run " + ideal() + " --trace nothere.lxt.gz --out out", "--trace nothere.lxt.gz", "cannot open"});
  cases.push_back({"run " + ideal() + " --trace . --out out", "--trace .", "is a directory"});
  cases.push_back(
      {"trace info trailing.lxt.gz", "trailing.lxt.gz: record ", "after the end of the gzip stream"});
  cases.push_back({"trace info batch0.lxt", "batch0.lxt: record ", "batch is 0"});
  cases.push_back(
      {"trace gen TinyLlama-1.1B --prompt 32 --steps 4000000000 --out g.lxt.gz", "steps", "positions"});
  cases.push_back(
      {"trace gen TinyLlama-1.1B --batch 4000000000 --steps 1 --out g.lxt.gz", "batch", "1048576"});
  cases.push_back(
      {"trace quantize kind.lxt --weights Q4_0 --out q.lxt.gz", "kind.lxt: record ", "matmul_qq"});
  run_cases("trace", files, cases);
}

TEST_CASE("bad input: memory traces", "[bad-input]") {
  const std::map<std::string, std::string> files{
      {"vt.stl", "\v\n0: read 0x40\n1: read -0x40\n"},
      {"neg.trace", "-5 0x10\n"},
      {"negaddr.trace", "LD -64\n"},
      {"nonhex.stl", "0: read 0x40 zz\n"},
      {"extra.stl", "0: read 0x40 00ff junk\n"},
      {"empty.stl", ""},
      {"blank.stl", " \f\v\t\n# only a comment\n"},
      {"big.trace", "LD 0x1ffffffffffffffff\n"},
      {"cmd.stl", "0: fetch 0x40\n"},
      {"time.stl", "5: read 0x40\n3: read 0x80\n"},
      {"hugetime.stl", "99999999999999999999999: read 0x40\n"},
      {"nantime.stl", "nan: read 0x40\n"},
      {"sub.d/keep.txt", "a user's file\n"},
  };
  std::vector<Case> cases;
  for (const auto& [name, content] : files) {
    (void)content;
    if (name.find('/') != std::string::npos) continue;
    cases.push_back({"memtrace " + hbm_memory() + " " + name + " --out m.csv", name + ":", ""});
  }
  cases.push_back({"memtrace " + hbm_memory() + " sub.d --out m.csv", "sub.d", "is a directory"});
  cases.push_back({"memtrace " + hbm_memory() + " nothere.stl --out m.csv", "nothere.stl", "cannot open"});
  cases.push_back(
      {"memtrace " + hbm_memory() + " vt.stl --set channels=0 --out m.csv", "--set channels=0", "channels"});
  run_cases("memtrace", files, cases);
}

TEST_CASE("bad input: sweep specs", "[bad-input]") {
  const std::string base = "base: " + src() + "/configs/systems/ideal-roofline.yaml\n";
  const std::string axis = "axes:\n  - key: modules.pe.count\n    values: [2, 4]\n";
  std::string deep = "filters:\n  - ";
  for (int i = 0; i < 10000; ++i) deep += "(";
  deep += "modules.pe.count == 2";
  for (int i = 0; i < 10000; ++i) deep += ")";
  const std::map<std::string, std::string> files{
      {"no-base.yaml", axis},
      {"missing-base.yaml", "base: nothere.yaml\n" + axis},
      {"no-axes.yaml", base},
      {"empty-values.yaml", base + "axes:\n  - key: modules.pe.count\n    values: []\n"},
      {"twice.yaml", base + axis + "  - key: modules.pe.count\n    values: [8]\n"},
      {"bad-key.yaml", base + "axes:\n  - key: modules..count\n    values: [2]\n"},
      {"zip.yaml", base + "axes:\n  - zip:\n      - {key: modules.pe.count, values: [2, 4]}\n"
                          "      - {key: modules.buf.count, values: [2]}\n"},
      {"filter-syntax.yaml", base + axis + "filters:\n  - modules.pe.count ==\n"},
      {"filter-type.yaml", base + axis + "filters:\n  - modules.pe.count and 3\n"},
      {"filter-none.yaml", base + axis + "filters:\n  - modules.pe.count > 100\n"},
      {"filter-deep.yaml", base + axis + deep + "\n"},
      {"unknown.yaml", base + axis + "colour: blue\n"},
      {"list.yaml", "- 1\n"},
      {"trace.yaml", base + "trace: nothere.lxt.gz\n" + axis},
      {"nan-value.yaml", base + "axes:\n  - key: modules.mem.latency_ns\n    values: [10, .nan]\n"},
      {"inf-value.yaml", base + "axes:\n  - key: modules.pe.count\n    values: [-.Inf]\n"},
      {"huge-value.yaml", base + "axes:\n  - key: modules.pe.count\n    values: [1e999]\n"},
  };
  std::vector<Case> cases;
  for (const auto& [name, content] : files) {
    (void)content;
    cases.push_back({"sweep " + name + " --out sw", name + ":", ""});
  }
  cases.push_back({"sweep " + std::string("filter-deep.yaml --list"), "filter-deep.yaml:", "deep"});
  cases.push_back({"sweep nothere.yaml --out sw", "nothere.yaml", "cannot open"});
  cases.push_back({"sweep nan-value.yaml --list", "nan-value.yaml:4:", "not a finite number"});
  run_cases("sweep", files, cases);
}

TEST_CASE("bad input: command-line use, output directories and reports", "[bad-input]") {
  const std::map<std::string, std::string> files{
      {"keep.txt", "a user's file\n"},
      {"prev/summary.csv", "a,b\n1,2\n"},
      {"prev/resolved_config.yaml", "x: 1\n"},
      {"prev/mine.txt", "kept beside an earlier result\n"},
      {"rep/summary.csv", "config_hash,system\n1,x\n"},
      {"notjson.txt", "not json\n"},
      {"models-missing.json", "{\"models\": [{\"name\": \"x\"}]}\n"},
      {"models-nolist.json", "{\"x\": 1}\n"},
  };
  const std::vector<Case> cases{
      {"run " + ideal() + " --out .", ".: ", "working directory", 1},
      {"run " + ideal() + " --out prev", "prev", "", 1},
      {"run " + ideal() + " --out keep.txt", "keep.txt", "", 1},
      {"run " + ideal() + " --out '" + src() + "/configs/systems'", "configs/systems", "", 1},
      {"run " + ideal() + " --bogus", "--bogus", "", 2},
      {"run " + ideal() + " --set", "--set", "", 2},
      {"run " + ideal() + " --set nokeyvalue --out out", "--set nokeyvalue", "key.path=value", 1},
      {"run", "run", "", 2},
      {"frobnicate", "frobnicate", "", 2},
      {"sweep " + std::string("x.yaml -j 0 --out sw"), "--jobs", "", 2},
      {"sweep x.yaml --shard 3/2 --out sw", "--shard", "3/2", 2},
      {"report rep", "rep/", "", 1},
      {"report nowhere", "nowhere", "", 1},
      {"trace gen TinyLlama-1.1B --configs notjson.txt --out g.lxt.gz", "notjson.txt", "", 1},
      {"trace gen x --configs models-missing.json --out g.lxt.gz", "models-missing.json:1:", "architecture", 1},
      {"trace gen x --configs models-nolist.json --out g.lxt.gz", "models-nolist.json:1", "models", 1},
      {"memtrace " + hbm_memory(), "memtrace", "", 2},
      {"trace info", "trace", "", 2},
      {"sweep x.yaml -j 99999999999 --out sw", "--jobs", "99999999999", 2},
      {"trace gen TinyLlama-1.1B --prompt 99999999999 --steps 1 --out g.lxt.gz", "--prompt", "", 2},
  };
  run_cases("cli", files, cases);
}

TEST_CASE("bad input: a file-size limit (ulimit -f) mid-write is one line and leaves nothing",
          "[bad-input]") {
  const fs::path dir = test::scratch_dir("bad-input-fsize");
  test::write_text(dir / "keep.txt", "a user's file\n");
  const auto before = snapshot(dir);
  const auto r = test::run_command(
      "cd '" + dir.string() + "' && ulimit -f 1 && SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " + "timeout 60 '" +
      test::explorer_bin() + "' run " + ideal() + " --set workload.decode_steps=1 --out out");
  INFO(r.out);
  CHECK(r.exit_code == 1);  // not 153: SIGXFSZ
  CHECK(test::count_lines(r.out) == 1);
  CHECK(r.out.find("File too large") != std::string::npos);
  CHECK(snapshot(dir) == before);
}
