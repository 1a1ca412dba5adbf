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
