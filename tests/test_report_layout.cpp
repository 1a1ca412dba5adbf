// The report's charts as a reader sees them: headless Chromium lays the page out, and a measuring script
// (added to a copy of the page for the test only; the report itself has none) reads every chart's text boxes
// (getBoundingClientRect, after rotation) and classes. Checked: every chart has a title, axis titles with
// units on its value axes, a legend, and no two of its texts (tick labels, legend entries, titles, roof
// labels) overlap; the study-like sweep's legends name its systems and weight formats.
#include <catch2/catch.hpp>

#include <sstream>

#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

// Writes, per chart, "CHART <class>|<title>" then "AXIS <text>", "LEGEND <text>" lines, "OVERLAP <a> | <b>"
// for every pair of its texts whose boxes intersect by more than half a pixel each way, and "CLIPPED <text>"
// for a text reaching more than half a pixel beyond the chart's left or right edge.
const char* kMeasure = R"(<script>
(function () {
  const out = [];
  document.querySelectorAll('svg.chart').forEach(function (svg, n) {
    const texts = Array.from(svg.querySelectorAll('text'));
    const title = texts.filter(t => t.classList.contains('title')).map(t => t.textContent).join('');
    out.push('CHART ' + svg.getAttribute('class') + '|' + title);
    texts.filter(t => t.classList.contains('axis-title')).forEach(t => out.push('AXIS ' + t.textContent));
    texts.filter(t => t.classList.contains('legend')).forEach(t => out.push('LEGEND ' + t.textContent));
    const boxes = texts.map(t => t.getBoundingClientRect());
    const edge = svg.getBoundingClientRect();
    texts.forEach(function (t, i) {
      if (boxes[i].left < edge.left - 0.5 || boxes[i].right > edge.right + 0.5) out.push('CLIPPED ' + t.textContent);
    });
    for (let i = 0; i < texts.length; ++i)
      for (let j = i + 1; j < texts.length; ++j) {
        const a = boxes[i], b = boxes[j];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 0.5 && h > 0.5) out.push('OVERLAP ' + texts[i].textContent + ' | ' + texts[j].textContent);
      }
  });
  const pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = out.join('\n');
  document.body.appendChild(pre);
})();
</script>)";

struct Chart {
  std::string kind, title;
  std::vector<std::string> axes, legend, overlaps, clipped;
};

// Lays `page` out in headless Chromium and reads the charts back.
std::vector<Chart> measure(const fs::path& page, const fs::path& work) {
  std::string html = test::read_text(page);
  html.insert(html.rfind("</body>"), kMeasure);
  const fs::path copy = test::write_text(work / "measured.html", html);
  const auto r = test::run_command(
      "timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir='" +
      (work / "profile").string() +
      "' --window-size=1600,2600 --virtual-time-budget=5000 --dump-dom 'file://" +
      fs::absolute(copy).string() + "' 2>/dev/null");
  REQUIRE(r.exit_code == 0);
  const size_t at = r.out.find("<pre id=\"layout\">");
  REQUIRE(at != std::string::npos);
  std::istringstream in(r.out.substr(at + 17, r.out.find("</pre>", at) - at - 17));
  std::vector<Chart> charts;
  for (std::string line; std::getline(in, line);) {
    auto rest = [&](size_t n) {  // entities the DOM dump escapes
      std::string t = line.substr(n);
      for (auto [from, to] :
           {std::pair<std::string, std::string>{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}})
        for (size_t p; (p = t.find(from)) != std::string::npos;) t.replace(p, from.size(), to);
      return t;
    };
    if (line.rfind("CHART ", 0) == 0) {
      const std::string t = rest(6);
      charts.push_back({t.substr(0, t.find('|')), t.substr(t.find('|') + 1), {}, {}, {}, {}});
    } else if (!charts.empty() && line.rfind("AXIS ", 0) == 0) {
      charts.back().axes.push_back(rest(5));
    } else if (!charts.empty() && line.rfind("LEGEND ", 0) == 0) {
      charts.back().legend.push_back(rest(7));
    } else if (!charts.empty() && line.rfind("OVERLAP ", 0) == 0) {
      charts.back().overlaps.push_back(rest(8));
    } else if (!charts.empty() && line.rfind("CLIPPED ", 0) == 0) {
      charts.back().clipped.push_back(rest(8));
    }
  }
  return charts;
}

void check_charts(const std::vector<Chart>& charts) {
  REQUIRE(charts.size() >= 5);
  for (const Chart& c : charts) {
    std::string axes;
    for (const auto& a : c.axes) axes += " [" + a + "]";
    INFO(c.kind << ": " << c.title << ";" << axes);
    CHECK_FALSE(c.title.empty());
    CHECK_FALSE(c.legend.empty());
    size_t with_unit = 0;
    for (const auto& a : c.axes)
      with_unit += a.find('(') != std::string::npos && a.find(')') != std::string::npos;
    // x-y charts: both axes carry their unit; bar charts: the value axis does (the other names the
    // categories).
    CHECK(with_unit >= (c.kind.find("xy") != std::string::npos ? 2u : 1u));
    for (const auto& o : c.overlaps) FAIL_CHECK("overlapping texts: " << o);
    for (const auto& t : c.clipped) FAIL_CHECK("text cut at the chart's edge: " << t);
  }
}

bool any_contains(const std::vector<std::string>& texts, const std::string& s) {
  for (const auto& t : texts)
    if (t.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE(
    "report layout: study-like sweep charts have titles, units, legends naming systems and formats, "
    "and no overlapping text",
    "[report]") {
  // LPDDR5X and HBM3 accelerators x F16 and 3-bit binary-coded weights x batch 1 and 8 (TinyLlama, one step).
  const auto dir = test::scratch_dir("report-layout");
  const std::string root = test::source_dir();
  std::string traces;
  for (const char* f : {"F16", "BCQ3_G128"})
    for (int batch : {1, 8}) {
      const std::string name = std::string(f) + "-b" + std::to_string(batch) + ".lxt.gz";
      auto r = test::explorer("trace quantize '" + root +
                              "/traces/captured/tinyllama-1.1b-f16.lxt.gz' --weights " + f + " --batch " +
                              std::to_string(batch) + " --steps 1 --out '" + (dir / name).string() + "'");
      REQUIRE(r.exit_code == 0);
      traces += (traces.empty() ? "" : ", ") + name;
    }
  test::write_text(dir / "study.yaml", "base: " + root +
                                           "/configs/systems/lpddr5x-accel.yaml\n"
                                           "set: {workload.decode_steps: 1}\n"
                                           "axes:\n"
                                           "  - zip:\n"
                                           "      - {key: system.name, values: [lpddr5x-accel, hbm3-accel]}\n"
                                           "      - {key: modules.dram.include, values: [" +
                                           root + "/configs/memory/lpddr5x-8533.yaml, " + root +
                                           "/configs/memory/hbm3-6400.yaml]}\n"
                                           "      - {key: modules.dram.count, values: [8, 16]}\n"
                                           "  - {key: workload.trace, values: [" +
                                           traces + "]}\n");
  auto r = test::explorer("sweep '" + (dir / "study.yaml").string() + "' -j 2 --out '" +
                          (dir / "out").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  r = test::explorer("report '" + (dir / "out").string() + "'");
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_text(dir / "out/report.html");
  CHECK_THAT(html, Contains("Like for like: the same weight format on both memories"));
  CHECK_THAT(html, Contains("Basis iso-cost"));
  CHECK_THAT(html, Contains("what would flip it"));
  const auto charts = measure(dir / "out/report.html", dir / "chromium");
  check_charts(charts);
  // The throughput-energy chart's legend names both systems and both formats.
  bool found = false;
  for (const Chart& c : charts)
    if (c.title == "Decode throughput against energy per token") {
      found = true;
      for (const char* name : {"lpddr5x-accel", "hbm3-accel", "F16", "BCQ3_G128"})
        CHECK(any_contains(c.legend, name));
    }
  CHECK(found);
  // A roof per MAC precision of the PEs (fp16, int8, int4) and the host link's.
  for (const Chart& c : charts)
    if (c.title.rfind("Roofline", 0) == 0) CHECK(any_contains(c.legend, "host-link roof"));
  CHECK_THAT(html, Contains("fp16 MACs:") && Contains("int8 MACs:") && Contains("int4 MACs:") &&
                       Contains("host link 29 GB/s"));
  // Batch varies: a curve of throughput against batch.
  CHECK(std::any_of(charts.begin(), charts.end(),
                    [](const Chart& c) { return c.title.find("against batch") != std::string::npos; }));
}

TEST_CASE(
    "report layout: a single run's report shows per-layer, per-op-kind and per-component views without "
    "overlapping text",
    "[report]") {
  const auto dir = test::scratch_dir("report-layout-run");
  auto r = test::explorer("run '" + test::source_dir() + "/configs/systems/lpddr5x-accel.yaml' --trace '" +
                          test::source_dir() +
                          "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz' "
                          "--set workload.decode_steps=3 --out '" +
                          (dir / "run").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  r = test::explorer("report '" + (dir / "run").string() + "'");
  REQUIRE(r.exit_code == 0);
  const auto charts = measure(dir / "run/report.html", dir / "chromium");
  check_charts(charts);
  std::vector<std::string> titles;
  for (const Chart& c : charts) titles.push_back(c.title);
  for (const char* t :
       {"Decode time per layer", "Decode time by op kind", "Energy per token by component and kind",
        "Component utilization (busy time over the run)", "What each system costs to build, by part"})
    CHECK(any_contains(titles, t));
}

TEST_CASE("report layout: the measurement finds overlapping texts and a chart without a legend", "[report]") {
  // A page with two tick labels drawn at the same place must show one overlap, or the checks above prove
  // nothing.
  const auto dir = test::scratch_dir("report-layout-bad");
  const fs::path page =
      test::write_text(dir / "bad.html",
                       "<html><body><svg class='chart xy' width='300' height='200' font-family='DejaVu Sans'>"
                       "<text class='title' x='150' y='20' text-anchor='middle'>bad</text>"
                       "<text class='tick' x='40' y='100' font-size='12'>1000</text>"
                       "<text class='tick' x='50' y='104' font-size='12'>2000</text>"
                       "<text class='tick' x='6' y='150' font-size='12' text-anchor='end'>batch 64, "
                       "dram.count 32</text></svg></body></html>");
  const auto charts = measure(page, dir / "chromium");
  REQUIRE(charts.size() == 1);
  CHECK(charts[0].overlaps.size() == 1);
  CHECK(charts[0].clipped.size() == 1);
  CHECK(charts[0].legend.empty());
  CHECK(charts[0].axes.empty());
}
