// The HTML report in a real browser: headless Chromium opens it offline, logs no console message, makes no
// request of its own (Chromium's NetLog: every request the page starts carries the page as initiator; the
// browser's own background services carry "not an origin"), and renders the charts (screenshot pixels).
#include <catch2/catch.hpp>

#include "tests/png.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

struct BrowserRun {
  int exit_code = -1;
  std::string log;     // Chromium's stderr (console messages appear as CONSOLE lines)
  std::string netlog;  // NetLog JSON
  test::Image shot;
};

BrowserRun open_in_chromium(const fs::path& page, const fs::path& work) {
  fs::create_directories(work);
  const std::string cmd =
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "
      "--user-data-dir='" +
      (work / "profile").string() +
      "' --window-size=1600,2600 --enable-logging=stderr --v=0 "
      "--log-net-log='" +
      (work / "net.json").string() + "' --screenshot='" + (work / "shot.png").string() + "' 'file://" +
      fs::absolute(page).string() + "'";
  const auto r = test::run_command(cmd);
  BrowserRun b;
  b.exit_code = r.exit_code;
  b.log = r.out;
  b.netlog = test::read_text(work / "net.json");
  const std::string png = test::read_text(work / "shot.png");
  if (!png.empty()) b.shot = test::decode_png(png);
  return b;
}

// Initiators of the requests in a NetLog other than the browser's own ("not an origin").
std::vector<std::string> page_initiated(const std::string& netlog) {
  std::vector<std::string> found;
  const std::string key = "\"initiator\":\"";
  for (size_t at = netlog.find(key); at != std::string::npos; at = netlog.find(key, at + 1)) {
    const size_t start = at + key.size(), end = netlog.find('"', start);
    const std::string value = netlog.substr(start, end - start);
    if (value != "not an origin") found.push_back(value);
  }
  return found;
}

}  // namespace

TEST_CASE("report: the HTML report opens offline in headless Chromium and its charts render", "[report]") {
  const auto dir = test::scratch_dir("report");
  auto r = test::explorer("sweep '" + test::source_dir() + "/configs/sweeps/example.yaml' -j 2 --out '" +
                          (dir / "sweep").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  r = test::explorer("report '" + (dir / "sweep").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const fs::path page = dir / "sweep/report.html";
  const std::string html = test::read_text(page);
  // Self-contained: nothing in the page could be fetched.
  for (const char* s :
       {"http:", "https:", "<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"})
    CHECK(html.find(s) == std::string::npos);
  CHECK_THAT(html, Contains("Pareto frontier"));
  CHECK_THAT(html, Contains("Roofline"));

  const BrowserRun b = open_in_chromium(page, dir / "chromium");
  INFO(b.log);
  REQUIRE(b.exit_code == 0);
  CHECK(b.log.find("CONSOLE") == std::string::npos);
  CHECK(page_initiated(b.netlog).empty());
  REQUIRE(b.shot.width == 1600);
  // Every chart drew: the bar colours of throughput, energy and bandwidth use, and the frontier's red.
  CHECK(test::count_color(b.shot, 0x1f77b4) > 1000);  // tokens/s bars
  CHECK(test::count_color(b.shot, 0xd62728) > 1000);  // J/token bars and the Pareto frontier
  CHECK(test::count_color(b.shot, 0x2ca02c) > 1000);  // bandwidth bars
  CHECK(test::count_color(b.shot, 0x9467bd) > 50);    // interconnect energy in the stacked bars
}

TEST_CASE("report: the browser checks catch a page that fetches or logs", "[report]") {
  // The same checks on a page that requests an image and logs to the console must fail, or they prove
  // nothing.
  const auto dir = test::scratch_dir("report-bad");
  const fs::path page = test::write_text(
      dir / "bad.html",
      "<html><body><img src='http://127.0.0.1:9/x.png'><script>console.error('boom')</script>"
      "</body></html>");
  const BrowserRun b = open_in_chromium(page, dir / "chromium");
  REQUIRE(b.exit_code == 0);
  CHECK(b.log.find("CONSOLE") != std::string::npos);
  CHECK_FALSE(page_initiated(b.netlog).empty());
}

TEST_CASE("report: a directory that is neither a run nor a sweep is a one-line error", "[report]") {
  const auto dir = test::scratch_dir("report-empty");
  const auto r = test::explorer("report '" + dir.string() + "'");
  CHECK(r.exit_code == 1);
  CHECK(test::count_lines(r.out) == 1);
  CHECK_THAT(r.out, Contains("neither a run"));
}

TEST_CASE("report: the LPDDR-vs-HBM claim check names where it holds and where it breaks, and why", "[report]") {
  // A small study: Llama-2-7B (from the llama.cpp F16 capture) at F16 and 3-bit binary-coded weights, batch 1,
  // on the LPDDR5X and HBM3 accelerators. Both are memory-bound; the 6x bandwidth gap exceeds the ~4.4x
  // compression, so the claim must break on throughput here (and the report must say why).
  const auto dir = test::scratch_dir("report-claim");
  const std::string root = test::source_dir();
  for (const char* f : {"F16", "BCQ3_G128"}) {
    auto r = test::explorer("trace quantize '" + root + "/traces/captured/llama-2-7b-f16.lxt.gz' --weights " + f +
                            " --steps 1 --out '" + (dir / (std::string(f) + ".lxt.gz")).string() + "'");
    REQUIRE(r.exit_code == 0);
  }
  test::write_text(dir / "study.yaml",
                   "base: " + root + "/configs/systems/lpddr5x-accel.yaml\n"
                   "set: {workload.decode_steps: 1}\n"
                   "axes:\n"
                   "  - zip:\n"
                   "      - {key: system.name, values: [lpddr5x-accel, hbm3-accel]}\n"
                   "      - {key: modules.dram.include, values: [" + root + "/configs/memory/lpddr5x-8533.yaml, " +
                       root + "/configs/memory/hbm3-6400.yaml]}\n"
                   "      - {key: modules.dram.count, values: [8, 16]}\n"
                   "  - {key: workload.trace, values: [F16.lxt.gz, BCQ3_G128.lxt.gz]}\n");
  auto r = test::explorer("sweep '" + (dir / "study.yaml").string() + "' -j 2 --out '" + (dir / "out").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  r = test::explorer("report '" + (dir / "out").string() + "'");
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(dir / "out/report.html");
  CHECK_THAT(html, Contains("Does LPDDR with compressed weights match HBM with FP16 weights?"));
  CHECK_THAT(html, Contains("in 0 of 1 cases"));
  CHECK_THAT(html, Contains("Llama-2-7B batch 1: LPDDR BCQ3_G128"));
  CHECK_THAT(html, Contains("both are memory-bound"));
  CHECK_THAT(html, Contains("does not cover the bandwidth gap (6.00x)"));
}
