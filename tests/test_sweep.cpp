// `explorer sweep`: point order (axes, zip groups, filters), a 24-point run with -j 2, a run killed half-way
// and resumed (only the missing points run; results identical to an uninterrupted run), failure isolation
// (an out-of-range axis value gives error rows, the other points complete), shards merged equal to the
// unsharded run, and one-line file:line errors for bad specs. Every sweep copies the configs and traces it
// uses into its scratch directory, so concurrent edits elsewhere in the tree cannot change its point keys.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "explorer/sweep/filter.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      cells.push_back(cell), cell.clear();
    else
      cell += c;
  }
  cells.push_back(cell);
  return cells;
}

// results.csv as rows of column -> value, checking every row is as wide as the header.
std::vector<std::map<std::string, std::string>> read_rows(const fs::path& path) {
  const auto lines = split_lines(test::read_text(path));
  REQUIRE(!lines.empty());
  const auto header = split_cells(lines[0]);
  std::vector<std::map<std::string, std::string>> rows;
  for (size_t l = 1; l < lines.size(); ++l) {
    const auto cells = split_cells(lines[l]);
    REQUIRE(cells.size() == header.size());
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

// A private copy of configs/ and the two TinyLlama traces under `dir`.
struct Inputs {
  fs::path system, trace_q4, trace_q8;
};

Inputs copy_inputs(const fs::path& dir) {
  const fs::path src = test::source_dir();
  fs::copy(src / "configs", dir / "configs", fs::copy_options::recursive);
  fs::create_directories(dir / "traces");
  Inputs in;
  in.system = dir / "configs/systems/ideal-roofline.yaml";
  in.trace_q4 = dir / "traces/q4.lxt.gz";
  in.trace_q8 = dir / "traces/q8.lxt.gz";
  fs::copy_file(src / "traces/captured/tinyllama-1.1b-q4_0.lxt.gz", in.trace_q4);
  fs::copy_file(src / "traces/captured/tinyllama-1.1b-q8_0.lxt.gz", in.trace_q8);
  return in;
}

const char* kBandwidths[] = {"8.533", "17.066", "34.132", "68.264"};

// 3 (PE/buffer counts, zipped) x 4 bandwidths x 2 traces = 24 points of 2 decode steps.
fs::path write_spec24(const fs::path& dir, const Inputs& in) {
  return test::write_text(dir / "sweep24.yaml",
                          "base: configs/systems/ideal-roofline.yaml\n"
                          "set:\n"
                          "  workload.decode_steps: 2\n"
                          "axes:\n"
                          "  - zip:\n"
                          "      - {key: modules.pe.count, values: [2, 4, 8]}\n"
                          "      - {key: modules.buf.count, values: [2, 4, 8]}\n"
                          "  - key: modules.mem.bandwidth_gbps\n"
                          "    values: [8.533, 17.066, 34.132, 68.264]\n"
                          "  - key: workload.trace\n"
                          "    values: [traces/q4.lxt.gz, traces/q8.lxt.gz]\n");
}

test::CommandResult sweep(const std::string& args) {
  return test::explorer("sweep " + args);
}

// Point directories holding finished results (summary.csv), with the identity of that file.
std::map<std::string, std::pair<ino_t, int64_t>> finished_points(const fs::path& out) {
  std::map<std::string, std::pair<ino_t, int64_t>> done;
  std::error_code ec;
  if (!fs::is_directory(out / "points", ec)) return done;
  for (const auto& e : fs::directory_iterator(out / "points", ec)) {
    // A point's staging directory (<key>.partial-<pid>, renamed into place when complete) is not a finished
    // point, even when a kill left it holding a summary.
    if (e.path().filename().string().find(".partial") != std::string::npos) continue;
    struct stat st {};
    if (::stat((e.path() / "summary.csv").c_str(), &st) == 0)
      done[e.path().filename().string()] = {
          st.st_ino, static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
  return done;
}

// Keys of the points runs.log names as run, without those a resumed run logged for a killed one.
std::vector<std::string> runs_log_keys(const fs::path& out) {
  std::vector<std::string> keys;
  for (const auto& line : split_lines(test::read_text(out / "runs.log"))) {
    std::istringstream in(line);
    std::string index, key, status, note;
    in >> index >> key >> status >> note;
    if (note.empty()) keys.push_back(key);
  }
  return keys;
}

void expect_one_line_error(const test::CommandResult& r, const std::string& where, const std::string& key) {
  INFO(r.out);
  CHECK(r.exit_code != 0);
  CHECK(test::count_lines(r.out) == 1);
  CHECK_THAT(r.out, StartsWith("explorer: " + where));
  CHECK_THAT(r.out, Contains(key));
}

}  // namespace

TEST_CASE("sweep: filters evaluate with precedence and types", "[sweep]") {
  const std::vector<std::string> keys{"a.count", "b.name", "c.flag"};
  const std::vector<FilterValue> values{FilterValue::from_scalar("4", false),
                                        FilterValue::from_scalar("hbm", false),
                                        FilterValue::from_scalar("true", false)};
  auto keeps = [&](const std::string& e) {
    return Filter(e, keys, {"spec.yaml", 3, 5}, "filters[0]").keeps(values);
  };
  CHECK(keeps("a.count * 2 <= 8"));
  CHECK(!keeps("a.count * 2 < 8"));
  CHECK(keeps("a.count + 2 * 3 == 10"));  // * binds tighter than +
  CHECK(keeps("(a.count + 2) * 3 == 18"));
  CHECK(keeps("-a.count == 0 - 4"));
  CHECK(keeps("a.count % 3 == 1"));
  CHECK(keeps("b.name == 'hbm' and c.flag"));
  CHECK(keeps("not b.name != \"hbm\""));
  CHECK(keeps("b.name == 'lpddr' or a.count > 3 and c.flag"));  // and binds tighter than or
  CHECK(!keeps("(b.name == 'lpddr' or a.count > 3) and not c.flag"));
  // A quoted YAML value is text, even when it looks like a number.
  CHECK(FilterValue::from_scalar("4", true).kind == FilterValue::Kind::text);

  auto error_of = [&](const std::string& e) {
    try {
      keeps(e);
    } catch (const std::exception& ex) {
      return std::string(ex.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("a.cuont > 1"), StartsWith("spec.yaml:3:5: filters[0]: 'a.cuont' is not a swept key"));
  CHECK_THAT(error_of("b.name < 3"), Contains("ordering needs a number, got text 'hbm'"));
  CHECK_THAT(error_of("b.name == 3"), Contains("cannot compare text 'hbm' with a number"));
  CHECK_THAT(error_of("a.count + 1"), Contains("not true or false"));
  CHECK_THAT(error_of("a.count = 4"), Contains("use '=='"));
  CHECK_THAT(error_of("(a.count > 1"), Contains("missing ')'"));
  CHECK_THAT(error_of("a.count / 0 > 1"), Contains("division by zero"));
  // Nesting past the stated depth is one located error, not a stack overflow, in every form it can take.
  const std::string deep_parens = std::string(10000, '(') + "c.flag" + std::string(10000, ')');
  CHECK_THAT(error_of(deep_parens), StartsWith("spec.yaml:3:5: filters[0]: nested deeper than 100 levels"));
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  CHECK_THAT(error_of(nots + "c.flag"), Contains("nested deeper than 100 levels"));
  CHECK_THAT(error_of(std::string(10000, '-') + "a.count > 1"), Contains("nested deeper than 100 levels"));
  std::string chain = "c.flag";
  for (int i = 0; i < 10000; ++i) chain += " or c.flag";
  CHECK_THAT(error_of(chain), Contains("nested deeper than 100 levels"));
  std::string nested_ok = std::string(20, '(') + "c.flag" + std::string(20, ')');
  CHECK(keeps(nested_ok));
}

TEST_CASE("sweep: points follow the axes in order, zip groups move together, filters drop points",
          "[sweep]") {
  const auto dir = test::scratch_dir("sweep-order");
  const Inputs in = copy_inputs(dir);
  const auto spec = test::write_text(dir / "order.yaml",
                                     "base: configs/systems/ideal-roofline.yaml\n"
                                     "axes:\n"
                                     "  - key: workload.decode_steps\n"
                                     "    values: [2, 3]\n"
                                     "  - zip:\n"
                                     "      - {key: modules.pe.count, values: [2, 4, 8]}\n"
                                     "      - {key: modules.buf.count, values: [2, 4, 8]}\n"
                                     "filters:\n"
                                     "  - modules.pe.count * workload.decode_steps != 12\n"
                                     "  - not (workload.decode_steps == 2 and modules.buf.count == 8)\n");
  auto r = sweep("'" + spec.string() + "' --list");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  auto lines = split_lines(r.out);
  // The SystemC banner may precede the table when it is not silenced; keep the CSV part.
  while (!lines.empty() && lines.front().rfind("point,", 0) != 0) lines.erase(lines.begin());
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "point,point_key,workload.decode_steps,modules.pe.count,modules.buf.count");
  const std::vector<std::string> expected{"0,2,2,2", "1,2,4,4", "2,3,2,2", "3,3,8,8"};
  std::set<std::string> keys;
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto cells = split_cells(lines[i + 1]);
    REQUIRE(cells.size() == 5);
    CHECK(cells[0] + "," + cells[2] + "," + cells[3] + "," + cells[4] == expected[i]);
    CHECK(cells[1].size() == 16);
    keys.insert(cells[1]);
  }
  CHECK(keys.size() == expected.size());
  // Shards take every n-th point of that order.
  r = sweep("'" + spec.string() + "' --list --shard 1/3");
  lines = split_lines(r.out);
  while (!lines.empty() && lines.front().rfind("point,", 0) != 0) lines.erase(lines.begin());
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[1], StartsWith("1,"));
  // The shipped example expands too (7 points: 9 combinations less 2 filtered).
  r = sweep("'" + test::source_dir() + "/configs/sweeps/example.yaml' --list");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  lines = split_lines(r.out);
  while (!lines.empty() && lines.front().rfind("point,", 0) != 0) lines.erase(lines.begin());
  CHECK(lines.size() == 8);
}

TEST_CASE("sweep: a 24-point sweep killed half-way resumes with only the missing points", "[sweep]") {
  const auto dir = test::scratch_dir("sweep-resume");
  const Inputs in = copy_inputs(dir);
  const fs::path spec = write_spec24(dir, in);

  // Uninterrupted reference run.
  const fs::path full = dir / "full";
  auto r = sweep("'" + spec.string() + "' -j 2 --out '" + full.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto rows = read_rows(full / "results.csv");
  REQUIRE(rows.size() == 24);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    CHECK(row.at("point") == std::to_string(i));
    CHECK(row.at("status") == "ok");
    CHECK(row.at("error").empty());
    // Order: the PE/buffer zip slowest, then bandwidth, then the trace.
    CHECK(row.at("modules.pe.count") == std::to_string(2 << (i / 8)));
    CHECK(row.at("modules.buf.count") == row.at("modules.pe.count"));
    CHECK(row.at("modules.mem.bandwidth_gbps") == kBandwidths[(i / 2) % 4]);
    CHECK(row.at("workload.trace") == (i % 2 ? "traces/q8.lxt.gz" : "traces/q4.lxt.gz"));
    CHECK(row.at("decode_steps") == "2");
    // 8 memory channels at the swept bandwidth each.
    CHECK(std::stod(row.at("dram_peak_gbps")) == Approx(8 * std::stod(row.at("modules.mem.bandwidth_gbps"))));
    CHECK(fs::exists(full / "points" / row.at("point_key") / "tokens.csv"));
  }
  CHECK(split_lines(test::read_text(full / "results.csv"))[0].rfind(
            "point,point_key,modules.pe.count,modules.buf.count,modules.mem.bandwidth_gbps,workload.trace,"
            "status,error,"
            "config_hash,",
            0) == 0);
  CHECK(runs_log_keys(full).size() == 24);

  // Start the same sweep into another directory and kill it (SIGKILL) once some points are done.
  const fs::path killed = dir / "killed";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    const std::string log = (dir / "killed.log").string();
    std::freopen(log.c_str(), "w", stderr);
    ::execl(test::explorer_bin().c_str(), test::explorer_bin().c_str(), "sweep", spec.c_str(), "-j", "2",
            "--out", killed.c_str(), nullptr);
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (finished_points(killed).size() < 8 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  const auto before = finished_points(killed);
  INFO("finished before the kill: " << before.size());
  REQUIRE(before.size() >= 8);
  REQUIRE(before.size() < 24);
  // The point processes die with the sweep: nothing finishes behind its back.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(finished_points(killed).size() == before.size());
  // What the killed run left in results.csv is whole rows, each point at most once.
  if (fs::exists(killed / "results.csv")) {
    std::set<std::string> seen;
    for (const auto& row : read_rows(killed / "results.csv")) CHECK(seen.insert(row.at("point")).second);
  }
  const size_t logged_before = runs_log_keys(killed).size();

  r = sweep("'" + spec.string() + "' -j 2 --out '" + killed.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(test::read_text(killed / "results.csv") == test::read_text(full / "results.csv"));
  // Only the missing points ran: the re-run logged exactly them, and the finished ones were not touched.
  const auto logged = runs_log_keys(killed);
  const std::vector<std::string> rerun(logged.begin() + static_cast<long>(logged_before), logged.end());
  CHECK(rerun.size() == 24 - before.size());
  for (const auto& key : rerun) CHECK(before.count(key) == 0);
  CHECK(std::set<std::string>(rerun.begin(), rerun.end()).size() == rerun.size());
  const auto after = finished_points(killed);
  CHECK(after.size() == 24);
  // runs.log names every point, those a kill took between installing and logging them included.
  std::set<std::string> logged_all;
  for (const auto& line : split_lines(test::read_text(killed / "runs.log")))
    logged_all.insert(line.substr(line.find(' ') + 1, 16));
  for (const auto& [key, identity] : after) CHECK(logged_all.count(key) == 1);
  for (const auto& [key, identity] : before) CHECK(after.at(key) == identity);
  // Nothing left over from the killed processes.
  for (const auto& e : fs::directory_iterator(killed / "points"))
    CHECK(e.path().filename().string().find("partial") == std::string::npos);

  // A third run has nothing to do.
  r = sweep("'" + spec.string() + "' -j 2 --out '" + killed.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(runs_log_keys(killed).size() == logged.size());
  CHECK_THAT(r.out, Contains("(24 already done, 0 run)"));
}

TEST_CASE("sweep: a point with an out-of-range value gives an error row and the others complete", "[sweep]") {
  const auto dir = test::scratch_dir("sweep-errors");
  const Inputs in = copy_inputs(dir);
  const auto spec = test::write_text(dir / "errors.yaml",
                                     "base: configs/systems/ideal-roofline.yaml\n"
                                     "trace: traces/q4.lxt.gz\n"
                                     "set: {workload.decode_steps: 2}\n"
                                     "axes:\n"
                                     "  - key: modules.mem.bandwidth_gbps\n"
                                     "    values: [-5, 17.066, 34.132]\n"
                                     "  - key: modules.pe.count\n"
                                     "    values: [8, 'many']\n");
  const fs::path out = dir / "out";
  auto r = sweep("'" + spec.string() + "' -j 2 --out '" + out.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto rows = read_rows(out / "results.csv");
  REQUIRE(rows.size() == 6);
  for (const auto& row : rows) {
    INFO(row.at("point") << " " << row.at("error"));
    const bool negative = row.at("modules.mem.bandwidth_gbps") == "-5";
    const bool text = row.at("modules.pe.count") == "many";
    if (negative || text) {
      CHECK(row.at("status") == "error");
      // The message names the rejected key (either one when both values are bad).
      const std::string& error = row.at("error");
      CHECK(((negative && error.find("modules.mem.bandwidth_gbps") != std::string::npos) ||
             (text && error.find("modules.pe.count") != std::string::npos)));
      CHECK(row.at("config_hash").empty());
      CHECK(fs::exists(out / "points" / row.at("point_key") / "error.txt"));
    } else {
      CHECK(row.at("status") == "ok");
      CHECK(row.at("error").empty());
      CHECK(std::stod(row.at("tokens_per_s")) > 0);
    }
  }
  CHECK(rows[0].at("status") == "error");  // -5 with 8 PEs
  CHECK(rows[2].at("status") == "ok");     // 17.066 with 8 PEs
  // Rejected points are results too: a re-run does not run them again.
  const size_t logged = runs_log_keys(out).size();
  CHECK(logged == 6);
  r = sweep("'" + spec.string() + "' -j 2 --out '" + out.string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK(runs_log_keys(out).size() == logged);
}

TEST_CASE("sweep: results.csv with error rows is byte-identical in checkouts at different paths", "[sweep]") {
  // Two copies of the same inputs, one nested deeper and run from another working directory, one reached
  // through a symlink: point keys and error rows must not carry where the checkout lies.
  const auto dir = test::scratch_dir("sweep-portable");
  const fs::path a = dir / "a", b = dir / "elsewhere/deeper/b", link = dir / "link";
  const std::string spec_text =
      "base: ../configs/systems/ideal-roofline.yaml\n"
      "trace: ../traces/q4.lxt.gz\n"
      "set: {workload.decode_steps: 1}\n"
      "axes:\n"
      "  - key: modules.pe.count\n"
      "    values: [8, 0, 2]\n"
      "  - key: workload.trace\n"
      "    values: [../traces/q4.lxt.gz, ../configs/README.md, ../traces/missing.lxt.gz]\n";
  for (const fs::path& root : {a, b}) {
    fs::create_directories(root);
    copy_inputs(root);
    test::write_text(root / "configs/README.md", "not a trace\n");
    test::write_text(root / "sweeps/errors.yaml", spec_text);
  }
  fs::create_directory_symlink(b, link);
  auto ra = test::run_command("cd '" + a.string() + "' && SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '" +
                              test::explorer_bin() + "' sweep sweeps/errors.yaml -j 2 --out '" +
                              (dir / "out-a").string() + "'");
  auto rb =
      sweep("'" + (b / "sweeps/errors.yaml").string() + "' -j 2 --out '" + (dir / "out-b").string() + "'");
  auto rl = test::run_command("cd '" + (link / "configs").string() +
                              "' && SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '" + test::explorer_bin() +
                              "' sweep ../sweeps/errors.yaml -j 2 --out '" + (dir / "out-l").string() + "'");
  INFO(ra.out << rb.out << rl.out);
  REQUIRE(ra.exit_code == 0);
  REQUIRE(rb.exit_code == 0);
  REQUIRE(rl.exit_code == 0);
  const std::string text = test::read_text(dir / "out-a/results.csv");
  CHECK(text == test::read_text(dir / "out-b/results.csv"));
  CHECK(text == test::read_text(dir / "out-l/results.csv"));
  CHECK(text.find(dir.string()) == std::string::npos);
  const auto rows = read_rows(dir / "out-a/results.csv");
  REQUIRE(rows.size() == 9);
  size_t errors = 0, naming_a_file = 0;
  for (const auto& row : rows) {
    errors += row.at("status") == "error";
    naming_a_file += row.at("error").find("../configs/README.md") != std::string::npos ||
                     row.at("error").find("../traces/missing.lxt.gz") != std::string::npos;
  }
  CHECK(errors == 8);  // only 8 PEs (as many as buffers) on the real trace runs
  CHECK(naming_a_file >= 4);
}

TEST_CASE("sweep: shards 0/3, 1/3 and 2/3 merged equal the unsharded run", "[sweep]") {
  const auto dir = test::scratch_dir("sweep-shards");
  const Inputs in = copy_inputs(dir);
  const fs::path spec = write_spec24(dir, in);
  auto r = sweep("'" + spec.string() + "' -j 2 --out '" + (dir / "whole").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  std::string shard_dirs;
  for (int i = 0; i < 3; ++i) {
    const fs::path out = dir / ("shard" + std::to_string(i));
    r = sweep("'" + spec.string() + "' -j 2 --shard " + std::to_string(i) + "/3 --out '" + out.string() +
              "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_rows(out / "results.csv");
    REQUIRE(rows.size() == 8);
    for (size_t k = 0; k < rows.size(); ++k) CHECK(rows[k].at("point") == std::to_string(3 * k + i));
    shard_dirs += " '" + out.string() + "'";
  }
  // Shards in any order on the command line.
  const std::string reordered = " '" + (dir / "shard2").string() + "' '" + (dir / "shard0").string() + "' '" +
                                (dir / "shard1").string() + "'";
  r = sweep("merge" + reordered + " --out '" + (dir / "merged").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const std::string whole = test::read_text(dir / "whole/results.csv");
  CHECK(test::count_lines(whole) == 25);
  CHECK(test::read_text(dir / "merged/results.csv") == whole);
  for (const auto& row : read_rows(dir / "merged/results.csv"))
    CHECK(fs::exists(dir / "merged/points" / row.at("point_key") / "summary.csv"));

  // A missing or repeated shard, or a shard of another sweep, is refused with one line.
  r = sweep("merge '" + (dir / "shard0").string() + "' '" + (dir / "shard1").string() + "' --out '" +
            (dir / "m2").string() + "'");
  expect_one_line_error(r, "sweep merge: shard 2/3 is missing", "2/3");
  CHECK(!fs::exists(dir / "m2/results.csv"));
  r = sweep("merge" + shard_dirs + " '" + (dir / "shard1").string() + "' --out '" + (dir / "m3").string() +
            "'");
  expect_one_line_error(r, (dir / "shard1/sweep.txt").string(), "given twice");
  r = sweep("merge" + shard_dirs + " '" + (dir / "whole").string() + "' --out '" + (dir / "m4").string() +
            "'");
  expect_one_line_error(r, (dir / "whole/sweep.txt").string(), "not a shard of the same sweep");
}

TEST_CASE("sweep: a bad spec gives one line naming file:line and key, and writes nothing", "[sweep]") {
  const auto dir = test::scratch_dir("sweep-bad");
  const Inputs in = copy_inputs(dir);
  struct Case {
    std::string text, where, key;
  };
  const std::string head = "base: configs/systems/ideal-roofline.yaml\n";
  const std::vector<Case> cases{
      {head + "axes:\n  - key: modules.pe.count\n    values: [2, 4]\nfilter:\n  - modules.pe.count > 2\n",
       ":5:1:", "filter"},
      {head + "axes:\n  - key: modules.pe.count\n    values: 4\n", ":4:13:", "axes[0].values"},
      {head + "axes:\n  - key: modules.pe.count\n    values: [2, 2]\n", ":4:17:", "axes[0].values[1]"},
      {head + "axes:\n  - zip:\n      - {key: modules.pe.count, values: [2, 4]}\n"
              "      - {key: modules.buf.count, values: [2, 4, 8]}\n",
       ":5:34:", "axes[0].zip[1].values"},
      {head +
           "axes:\n  - key: modules.pe.count\n    values: [2]\n  - key: modules.pe.count\n    values: [4]\n",
       ":5:10:", "axes[1].key"},
      {head + "axes:\n  - {key: modules.pe.count, values: [2]}\nfilters:\n  - modules.buf.count > 2\n",
       ":5:5:", "filters[0]: 'modules.buf.count' is not a swept key"},
      {head + "axes:\n  - {key: modules.pe.count, values: [2]}\nfilters:\n  - modules.pe.count >> 2\n",
       ":5:5:", "filters[0]"},
      {"base: configs/systems/nowhere.yaml\naxes:\n  - {key: modules.pe.count, values: [2]}\n",
       ":1:7:", "base"},
      {head + "axes:\n  - {key: modules.pe.count, values: [2], step: 1}\n", ":3:42:", "axes[0].step"},
      {head + "axes: []\n", ":2:1:", "axes"},
      {head + "set: {workload.decode_steps: [1, 2]}\naxes:\n  - {key: modules.pe.count, values: [2]}\n",
       ":2:7:", "set.workload.decode_steps"},
      {head + "axes:\n  - {key: base, values: [configs/systems/hbm3-2x-tp.yaml]}\n",
       ":1:7:", "base: an axis sweeps base"},
      {"axes:\n  - {key: modules.pe.count, values: [2]}\n", ":1:1:", "base: missing required key"},
      {"axes:\n  - {key: base, values: [configs/systems/ideal-roofline.yaml, configs/systems/none.yaml]}\n",
       ":2:63:", "axes[0].values[1]: cannot open system config 'configs/systems/none.yaml'"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto spec = test::write_text(dir / ("bad" + std::to_string(i) + ".yaml"), cases[i].text);
    const fs::path out = dir / ("out" + std::to_string(i));
    auto r = sweep("'" + spec.string() + "' -j 2 --out '" + out.string() + "'");
    INFO(i << ": " << cases[i].text);
    expect_one_line_error(r, spec.string() + cases[i].where, cases[i].key);
    CHECK(!fs::exists(out));
  }
  // Wrong options are one line too.
  auto r = sweep("'" + (dir / "bad0.yaml").string() + "' --shard 3/3");
  expect_one_line_error(r, "sweep: --shard: ", "need 0 <= i < n, got '3/3'");
}

TEST_CASE("sweep: an axis on base compares a one-device system with a multi-device one", "[sweep]") {
  const auto dir = test::scratch_dir("sweep-base");
  const Inputs in = copy_inputs(dir);
  const auto spec =
      test::write_text(dir / "base.yaml",
                       "trace: traces/q4.lxt.gz\n"
                       "set: {workload.decode_steps: 1}\n"
                       "axes:\n"
                       "  - key: base\n"
                       "    values: [configs/systems/hbm3-accel.yaml, configs/systems/hbm3-2x-tp.yaml]\n"
                       "  - {key: simulation.quantum_ns, values: [1000, 2000]}\n"
                       "filters:\n"
                       "  - base == 'configs/systems/hbm3-accel.yaml' or simulation.quantum_ns == 1000\n");
  const fs::path out = dir / "out";
  auto r = sweep("'" + spec.string() + "' -j 2 --out '" + out.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto rows = read_rows(out / "results.csv");
  REQUIRE(rows.size() == 3);
  std::set<std::string> systems;
  for (const auto& row : rows) {
    INFO(row.at("point") << " " << row.at("error"));
    CHECK(row.at("status") == "ok");
    systems.insert(row.at("system"));
  }
  CHECK(rows[0].at("base") == "configs/systems/hbm3-accel.yaml");
  CHECK(rows[2].at("base") == "configs/systems/hbm3-2x-tp.yaml");
  CHECK(systems == std::set<std::string>{"hbm3-accel", "hbm3-2x-tp"});
  CHECK(fs::exists(out / "points" / rows[2].at("point_key") / "devices.csv"));
  CHECK(!fs::exists(out / "points" / rows[0].at("point_key") / "devices.csv"));
  // The multi-device point's extra columns are blank in the others' rows; shards of it (one holding only
  // one-device points) merge into the same table.
  for (const auto& [name, value] : rows[2])
    if (!rows[0].count(name)) FAIL("column " << name << " missing from the one-device row");
  std::string shards;
  for (int i = 0; i < 2; ++i) {
    const fs::path shard = dir / ("shard" + std::to_string(i));
    r = sweep("'" + spec.string() + "' --shard " + std::to_string(i) + "/2 --out '" + shard.string() + "'");
    REQUIRE(r.exit_code == 0);
    shards = " '" + shard.string() + "'" + shards;
  }
  r = sweep("merge" + shards + " --out '" + (dir / "merged").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(test::read_text(dir / "merged/results.csv") == test::read_text(out / "results.csv"));
}
