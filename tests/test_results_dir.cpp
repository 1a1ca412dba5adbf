// Output directories: the explorer replaces or deletes only what it wrote itself. User files beside earlier
// results, changed results, the working directory and directories holding inputs are refused with one line
// and left as they were; replacing an earlier result swaps it whole.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <set>

#include "explorer/run/results_dir.h"
#include "models/core/error.h"
#include "tests/support.h"

namespace {

namespace fs = std::filesystem;
using namespace llmx;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

// Every file under `dir` with its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    files[fs::relative(e.path(), dir).string()] = e.is_regular_file() ? test::read_text(e.path()) : "<dir>";
  return files;
}

std::string refusal(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const std::vector<OutputFile> kFirst{{"summary.csv", "a,b\n1,2\n"}, {"tokens.csv", "step\n0\n"}};
const std::vector<OutputFile> kSecond{{"summary.csv", "a,b\n3,4\n"}};

}  // namespace

TEST_CASE("results dir: an earlier result is replaced whole, and only while it holds nothing else",
          "[results_dir]") {
  const fs::path dir = test::scratch_dir("results-dir");
  const fs::path out = dir / "out";
  install_results_dir(out, kFirst, {});
  CHECK(test::read_text(out / "tokens.csv") == "step\n0\n");
  CHECK_THAT(test::read_text(out / kManifestName), Contains(" summary.csv\n") && Contains(" tokens.csv\n"));

  install_results_dir(out, kSecond, {});  // replaced whole: tokens.csv of the first result is gone
  CHECK(snapshot(out).size() == 2);
  CHECK(test::read_text(out / "summary.csv") == "a,b\n3,4\n");

  const std::map<std::string, std::function<void()>> user_edits{
      {"a user's file beside the results", [&] { test::write_text(out / "notes.txt", "mine\n"); }},
      {"a result the user changed", [&] { test::write_text(out / "summary.csv", "edited\n"); }},
      {"a user's subdirectory", [&] { fs::create_directories(out / "plots"); }},
      {"a link", [&] { fs::create_symlink("/etc/hostname", out / "summary.csv.link"); }},
      {"a manifest the explorer did not write",
       [&] { test::write_text(out / kManifestName, "summary.csv\n"); }},
  };
  for (const auto& [name, edit] : user_edits) {
    SECTION(name) {
      edit();
      const auto before = snapshot(dir);
      const std::string why = refusal([&] { install_results_dir(out, kFirst, {}); });
      INFO(why);
      CHECK_THAT(why, StartsWith(out.string() + ": ") && Contains("not replacing it"));
      CHECK(why.find('\n') == std::string::npos);
      CHECK(snapshot(dir) == before);  // nothing deleted, nothing left behind
      CHECK_FALSE(remove_results_dir(out, false));
      CHECK(snapshot(dir) == before);
    }
  }
  SECTION("the explorer deletes its own results by the manifest") {
    CHECK(remove_results_dir(out, false));
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("results dir: never the working directory, a directory holding it, or one holding an input",
          "[results_dir]") {
  const fs::path dir = test::scratch_dir("results-dir-places");
  const fs::path config = test::write_text(dir / "configs" / "system.yaml", "x: 1\n");
  test::write_text(dir / "empty-trace-dir" / ".keep", "");
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  const auto before = snapshot(dir);
  for (const std::string& out :
       std::vector<std::string>{".", "./", "..", dir.string(), dir.parent_path().string(), "configs",
                                "configs/", (dir / "configs/../configs").string()}) {
    const std::string why = refusal([&] { install_results_dir(out, kFirst, {config.string()}); });
    INFO(out << " -> " << why);
    CHECK_THAT(why, Contains("give the results a directory of their own"));
    CHECK(snapshot(dir) == before);
  }
  const std::string why = refusal([&] { install_results_dir("configs/system.yaml", kFirst, {}); });
  CHECK_THAT(why, StartsWith("configs/system.yaml: exists and is not a directory"));
  install_results_dir("results/", kFirst, {config.string()});  // a trailing separator names the directory
  CHECK(fs::exists(dir / "results" / "summary.csv"));
  fs::current_path(cwd);
  for (const auto& e : fs::directory_iterator(dir))
    CHECK(e.path().filename().string().find("partial") == std::string::npos);
}

TEST_CASE("results dir: a staging directory a kill left is cleaned by its manifest, a user's file kept",
          "[results_dir]") {
  const fs::path dir = test::scratch_dir("results-dir-staging");
  const fs::path stage = dir / "out.partial-1";
  install_results_dir(stage, kFirst, {});
  test::write_text(stage / "summary.csv", "half");  // half-written: hashes are not checked for staging
  CHECK(remove_results_dir(stage, true));
  CHECK_FALSE(fs::exists(stage));

  install_results_dir(stage, kFirst, {});
  test::write_text(stage / "mine.txt", "keep me");
  CHECK_FALSE(remove_results_dir(stage, true));
  CHECK(test::read_text(stage / "mine.txt") == "keep me");
  CHECK(fs::exists(stage / "summary.csv"));
}

TEST_CASE("results dir: single output files replace only the explorer's own of the same kind",
          "[results_dir]") {
  const fs::path dir = test::scratch_dir("results-dir-files");
  auto ours = [](const std::string& head) { return head.rfind("REPORT", 0) == 0; };
  const fs::path report = dir / "report.html";
  write_output_file(report, "REPORT 1", "report", ours);
  write_output_file(report, "REPORT 2", "report", ours);
  CHECK(test::read_text(report) == "REPORT 2");
  const fs::path user = test::write_text(dir / "paper.html", "my paper");
  CHECK_THAT(refusal([&] { write_output_file(user, "REPORT", "report", ours); }),
             Equals(user.string() + ": exists and is not an explorer report; not replacing it"));
  CHECK(test::read_text(user) == "my paper");
  CHECK_THAT(refusal([&] { write_output_file(dir, "REPORT", "report", ours); }), Contains("is not a file"));
  CHECK(snapshot(dir).size() == 2);
}

TEST_CASE("results dir: explorer run, report and sweep keep a user's files beside earlier results",
          "[results_dir]") {
  const fs::path dir = test::scratch_dir("results-dir-cli");
  const std::string src = test::source_dir();
  const std::string run = "run '" + src + "/configs/systems/ideal-roofline.yaml' --trace '" + src +
                          "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz' --set workload.decode_steps=1 --out ";
  const fs::path out = dir / "prev";
  REQUIRE(test::explorer(run + "'" + out.string() + "'").exit_code == 0);
  REQUIRE(test::explorer("report '" + out.string() + "'").exit_code == 0);  // joins the run's manifest
  REQUIRE(test::explorer(run + "'" + out.string() + "'").exit_code == 0);
  CHECK_FALSE(fs::exists(out / "report.html"));  // the report described the replaced results

  test::write_text(out / "notes.txt", "my notes\n");
  test::write_text(dir / "paper.html", "my paper\n");
  test::write_text(dir / "results.csv", "mine\n");
  const auto before = snapshot(dir);
  const std::vector<std::pair<std::string, std::string>> refused{
      {run + "'" + out.string() + "'",
       out.string() + ": holds 'notes.txt', which the explorer did not write"},
      {"report '" + out.string() + "' --out '" + (dir / "paper.html").string() + "'",
       (dir / "paper.html").string() + ": exists and is not an explorer HTML report"},
      {"report '" + out.string() + "' --out '" + (out / "summary.csv").string() + "'",
       (out / "summary.csv").string() + ": exists and is not an explorer HTML report"},
      {"sweep '" + src + "/configs/sweeps/example.yaml' --out '" + dir.string() + "'",
       (dir / "results.csv").string() + ": exists and is not a sweep's"},
  };
  for (const auto& [args, message] : refused) {
    const auto r = test::explorer(args);
    INFO(args << "\n" << r.out);
    CHECK(r.exit_code == 1);
    CHECK(test::count_lines(r.out) == 1);
    CHECK_THAT(r.out, StartsWith("explorer: " + message));
    CHECK(snapshot(dir) == before);
  }
}

TEST_CASE("results dir: a run interrupted by SIGINT or SIGTERM leaves the earlier result as it was",
          "[results_dir]") {
  const fs::path dir = test::scratch_dir("results-dir-signal");
  const std::string src = test::source_dir();
  const std::string system = "'" + src + "/configs/systems/hbm3-accel.yaml' --trace '" + src +
                             "/traces/captured/llama-2-7b-f16.lxt.gz' --out '" + (dir / "prev").string() +
                             "'";
  REQUIRE(test::explorer("run " + system + " --set workload.decode_steps=1").exit_code == 0);
  const auto before = snapshot(dir);
  for (const char* signal : {"INT", "TERM"}) {
    // 64 steps of a 7B FP16 decode take over 10 CPU seconds: the signal lands while it simulates. A shell
    // starts `&` commands with SIGINT ignored; env --default-signal gives the explorer a terminal's default.
    const std::string command = "cd '" + dir.string() +
                                "' && (SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 env --default-signal=INT '" +
                                test::explorer_bin() + "' run " + system +
                                " --set workload.decode_steps=64 & pid=$!; sleep 1; kill -" + signal +
                                " $pid; wait $pid; echo rc=$?)";
    const auto r = test::run_command(command);
    INFO(signal << ": " << r.out);
    CHECK_THAT(r.out, Contains(signal == std::string("INT") ? "rc=130" : "rc=143"));
    CHECK(snapshot(dir) == before);
  }
}
