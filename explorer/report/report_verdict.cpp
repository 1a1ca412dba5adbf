// The LPDDR-vs-HBM sections; see report_verdict.h.
#include "explorer/report/report_verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

namespace llmx::report {
namespace {

bool is_lpddr(const Point& p) {
  return p.system_names("lpddr");
}
bool is_hbm(const Point& p) {
  return p.system_names("hbm");
}
bool compressed(const std::string& format) {
  return format != "F16" && format != "BF16" && format != "F32";
}
double offloaded(const Point& p) {
  return number_or(p.summary, "offloaded_weight_bytes", 0);
}
double cost(const Point& p) {
  return number_or(p.summary, "cost_usd", NAN);
}
bool priced(const Point& p) {
  return cost(p) == cost(p);
}
double bytes_per_token(const Point& p) {
  return (number_or(p.summary, "dram_read_bytes", 0) + number_or(p.summary, "dram_write_bytes", 0)) /
         std::max(1.0, number_or(p.summary, "tokens", 1));
}

// The memory bits' line of a point's bill: (usd, GiB).
std::pair<double, double> memory_bits(const Point& p) {
  for (const Row& r : p.cost)
    if (r.at("item") == "memory bits") return {number_or(r, "usd", 0), number_or(r, "quantity", 0)};
  return {0, 0};
}

// The resource class that bounds a point (bottleneck.csv's classes); for results from before that column,
// DRAM bandwidth when the DRAM ran at half its peak or more, else "".
std::string bound(const Point& p) {
  auto it = p.summary.find("bound_resource");
  if (it != p.summary.end()) return it->second;
  return number_or(p.summary, "dram_bandwidth_share", 0) >= 0.5 ? "dram_bandwidth" : "";
}

// "its on-chip buffers (SRAM at 96%; DRAM at 30% of peak)": the bound in words, with the DRAM share.
std::string bound_text(const Point& p) {
  static const std::map<std::string, std::string> names{
      {"dram_bandwidth", "its DRAM bandwidth"}, {"pe_compute", "its PE compute"},
      {"sram", "its on-chip buffers (SRAM)"},   {"crossbar", "its on-chip interconnect"},
      {"host_link", "its host link"},           {"chip_link", "its chip-to-chip links"},
      {"runtime_dispatch", "runtime dispatch"}};
  const std::string b = bound(p);
  auto it = names.find(b);
  return (it == names.end() ? (b.empty() ? std::string("an unreported resource") : b) : it->second) + " at " +
         fmt(100 * number_or(p.summary, "bound_utilization", 0), "%.0f") + "% (DRAM at " +
         fmt(100 * number_or(p.summary, "dram_bandwidth_share", 0), "%.0f") + "% of peak)";
}

// Why the claim holds or breaks for one case.
std::string why(const Point& l, const Point& h) {
  const double oh = offloaded(h), ol = offloaded(l);
  if (oh > 0 && ol > 0)
    return "both exceed device memory and stream weights over the host link (" + fmt(oh / 1e9) + " GB vs " +
           fmt(ol / 1e9) +
           " GB per step): the link, not the DRAM, sets the pace, and fewer bits mean less to stream";
  if (oh > 0)
    return "FP16 weights do not fit the HBM system's memory: " + fmt(oh / 1e9) +
           " GB stream over the host link every step, while the compressed model fits the LPDDR system";
  if (bound(h) != "dram_bandwidth" || bound(l) != "dram_bandwidth") {
    const bool faster = l.tps >= 0.95 * h.tps;
    return "the HBM system is bound by " + bound_text(h) + ", the LPDDR system by " + bound_text(l) +
           "; per token they move " + fmt(bytes_per_token(h) / 1e9) + " and " +
           fmt(bytes_per_token(l) / 1e9) + " GB: " +
           (faster ? "fewer bytes through the same PEs and buffers decide"
            : bound(l) == "dram_bandwidth"
                ? "LPDDR's DRAM bandwidth limits it while the HBM system's has headroom"
                : "the same datapath with less headroom limits it");
  }
  const double ph = number_or(h.summary, "dram_peak_gbps", 0), pl = number_or(l.summary, "dram_peak_gbps", 1);
  const bool faster = l.tps >= 0.95 * h.tps;
  return "both are memory-bound: per token the LPDDR system moves " + fmt(bytes_per_token(l) / 1e9) +
         " GB at " + fmt(pl) + " GB/s peak, the HBM system " + fmt(bytes_per_token(h) / 1e9) + " GB at " +
         fmt(ph) + " GB/s: compression (" + fmt(bytes_per_token(h) / bytes_per_token(l), "%.2f") +
         "x fewer bytes) " + (faster ? "covers" : "does not cover") + " the bandwidth gap (" +
         fmt(ph / pl, "%.2f") + "x)";
}

// The parameter that would flip the throughput comparison, when LPDDR is the slower and memory-bound.
std::string flip_throughput(const Point& l, const Point& h) {
  if (l.tps >= 0.95 * h.tps) return "LPDDR is as fast";
  if (!bound(l).empty() && bound(l) != "dram_bandwidth")
    return "LPDDR is bound by " + bound_text(l) + ": not its bandwidth";
  if (bound(l).empty() && number_or(l.summary, "dram_bandwidth_share", 0) < 0.5)
    return "LPDDR is compute-bound: more PEs, not bandwidth";
  const double need = number_or(l.summary, "dram_peak_gbps", 0) * 0.95 * h.tps / l.tps;
  return "LPDDR peak bandwidth >= " + fmt(need, "%.0f") + " GB/s (now " +
         fmt(number_or(l.summary, "dram_peak_gbps", 0), "%.0f") + ")";
}

// The price per GiB of the loser's memory bits at which tokens/s per dollar would tie.
std::string flip_cost(const Point& l, const Point& h) {
  if (!priced(l) || !priced(h)) return "not priced";
  const bool lpddr_wins = l.tps / cost(l) > h.tps / cost(h);
  const Point& loser = lpddr_wins ? h : l;
  const Point& winner = lpddr_wins ? l : h;
  const double tie_cost = loser.tps * cost(winner) / winner.tps;  // the loser's cost at which they tie
  const auto [bits_usd, gib] = memory_bits(loser);
  if (gib <= 0) return "-";
  const double per_gib = (bits_usd + tie_cost - cost(loser)) / gib;
  const std::string who = lpddr_wins ? "HBM" : "LPDDR";
  if (per_gib <= 0) return "no " + who + " price per GiB flips it: the rest of its system costs more";
  return who + " memory at <= $" + fmt(per_gib, "%.3g") + "/GiB (now $" + fmt(bits_usd / gib, "%.3g") + ")";
}

// The factor on the LPDDR system's DRAM energy at which tokens per joule would tie.
std::string flip_energy(const Point& l, const Point& h) {
  const double tokens = std::max(1.0, number_or(l.summary, "tokens", 1));
  const double dram = l.dram_energy_j() / tokens;
  if (dram <= 0) return "-";
  const double f = 1 + (h.jpt - l.jpt) / dram;
  if (f <= 0) return "no LPDDR DRAM energy flips it: the rest of the LPDDR system spends more";
  return "LPDDR DRAM energy x" + fmt(f, "%.2f");
}

struct Case {
  const Point* lpddr = nullptr;
  const Point* hbm = nullptr;
  std::string name;
};

std::vector<Case> same_format_cases(const std::vector<Point>& points) {
  std::map<std::string, Case> cases;
  std::vector<std::string> order;
  for (const auto& p : points) {
    if (!is_lpddr(p) && !is_hbm(p)) continue;
    std::string key =
        p.summary.at("model") + ", " + p.summary.at("weight_format") + ", batch " + p.summary.at("batch");
    for (const auto& [k, v] : p.swept)
      if (k != "system.name" && k.find("dram") == std::string::npos && k != "workload.trace")
        key += ", " + k + "=" + v;
    if (!cases.count(key)) order.push_back(key);
    Case& c = cases[key];
    c.name = key;
    if (is_lpddr(p) && !c.lpddr) c.lpddr = &p;
    if (is_hbm(p) && !c.hbm) c.hbm = &p;
  }
  std::vector<Case> out;
  for (const auto& k : order)
    if (cases[k].lpddr && cases[k].hbm) out.push_back(cases[k]);
  return out;
}

}  // namespace

std::string claim_section(const std::vector<Point>& points) {
  struct Group {
    const Point* hbm_fp16 = nullptr;
    const Point* lpddr_best = nullptr;
  };
  std::map<std::pair<std::string, int>, Group> groups;
  for (const auto& p : points) {
    std::string model = p.summary.at("model");  // with the other swept keys, e.g. the context
    for (const auto& [k, v] : p.swept)
      if (k != "system.name" && k.rfind("modules.dram", 0) != 0 && k != "workload.trace" &&
          k != "workload.batch")
        model += ", " + k + "=" + v;
    Group& g = groups[{model, int(number_or(p.summary, "batch", 1))}];
    const std::string f = p.summary.at("weight_format");
    if (is_hbm(p) && (f == "F16" || f == "BF16")) g.hbm_fp16 = &p;
    // The smallest LPDDR system swept (modules.dram.count), then its fastest compressed format.
    const auto n = [](const Point& q) {
      return q.swept.count("modules.dram.count") ? std::atof(q.swept.at("modules.dram.count").c_str()) : 0.0;
    };
    if (is_lpddr(p) && compressed(f) &&
        (!g.lpddr_best || n(p) < n(*g.lpddr_best) || (n(p) == n(*g.lpddr_best) && p.tps > g.lpddr_best->tps)))
      g.lpddr_best = &p;
  }
  std::vector<std::vector<std::string>> rows;
  std::string holds, breaks;
  int n_holds = 0, n = 0;
  for (const auto& [key, g] : groups) {
    if (!g.hbm_fp16 || !g.lpddr_best) continue;
    ++n;
    const Point &h = *g.hbm_fp16, &l = *g.lpddr_best;
    const bool faster = l.tps >= 0.95 * h.tps, cheaper = l.jpt < h.jpt;
    const std::string verdict = faster && cheaper ? "holds"
                                : faster          ? "breaks: as fast, not cheaper"
                                : cheaper         ? "breaks: cheaper, not as fast"
                                                  : "breaks";
    if (faster && cheaper) ++n_holds;
    const std::string line = key.first + " batch " + std::to_string(key.second) + ": LPDDR " +
                             l.summary.at("weight_format") + " " + fmt(l.tps) + " tokens/s, " + fmt(l.jpt) +
                             " J/token vs HBM F16 " + fmt(h.tps) + " tokens/s, " + fmt(h.jpt) + " J/token; " +
                             why(l, h) + ".";
    (faster && cheaper ? holds : breaks) += "<li>" + html_escape(line) + "</li>";
    rows.push_back({key.first, std::to_string(key.second), fmt(h.tps), fmt(h.jpt),
                    l.summary.at("weight_format"), fmt(l.tps), fmt(l.jpt), verdict, flip_throughput(l, h)});
  }
  if (n == 0) return "";
  std::string out = "<h2>Does LPDDR with compressed weights match HBM with FP16 weights?</h2>";
  out +=
      "<p>Basis: the claim as stated. Per model and batch, the LPDDR system's fastest compressed format "
      "against the "
      "HBM system with FP16 weights. The claim holds where LPDDR is within 5% of HBM's tokens/s or faster, "
      "at lower "
      "J/token: in " +
      std::to_string(n_holds) + " of " + std::to_string(n) +
      " cases. It compares different weight formats; the like-for-like section below does not.</p>";
  if (!holds.empty()) out += "<p>Where it holds:</p><ul>" + holds + "</ul>";
  if (!breaks.empty()) out += "<p>Where it breaks:</p><ul>" + breaks + "</ul>";
  out += table({"model", "batch", "HBM F16 tokens/s", "J/token", "LPDDR format", "tokens/s", "J/token",
                "claim", "what would flip the throughput"},
               rows);
  return out;
}

std::string like_for_like_section(const std::vector<Point>& points) {
  const std::vector<Case> cases = same_format_cases(points);
  if (cases.empty()) return "";
  std::vector<std::vector<std::string>> rows, capacity_rows;
  int n = 0, fast = 0, efficient = 0, cheap = 0, n_priced = 0;
  for (const Case& c : cases) {
    const Point &l = *c.lpddr, &h = *c.hbm;
    const bool any_offload = offloaded(l) > 0 || offloaded(h) > 0;
    const bool both_priced = priced(l) && priced(h);
    std::vector<std::string> row{c.name,
                                 fmt(l.tps),
                                 fmt(h.tps),
                                 fmt(l.tps / h.tps, "%.2f"),
                                 fmt(l.jpt),
                                 fmt(h.jpt),
                                 both_priced ? fmt(cost(l), "%.0f") : "-",
                                 both_priced ? fmt(cost(h), "%.0f") : "-",
                                 both_priced ? fmt(l.tps / cost(l), "%.3g") : "-",
                                 both_priced ? fmt(h.tps / cost(h), "%.3g") : "-"};
    if (any_offload) {
      row.push_back("weights stream over the host link (" + fmt((offloaded(l) + offloaded(h)) / 1e9, "%.3g") +
                    " GB per step): capacity, not memory technology");
      capacity_rows.push_back(row);
      continue;
    }
    ++n;
    fast += l.tps >= 0.95 * h.tps;
    efficient += l.jpt < h.jpt;
    if (both_priced) ++n_priced, cheap += l.tps / cost(l) > h.tps / cost(h);
    row.push_back(flip_throughput(l, h) + "; " + flip_energy(l, h) + "; " + flip_cost(l, h));
    rows.push_back(row);
  }
  const std::vector<std::string> header{"case (same model, weights, batch)",
                                        "LPDDR tokens/s",
                                        "HBM tokens/s",
                                        "LPDDR/HBM",
                                        "LPDDR J/token",
                                        "HBM J/token",
                                        "LPDDR $",
                                        "HBM $",
                                        "LPDDR tokens/s per $",
                                        "HBM tokens/s per $",
                                        "what would flip it (throughput; energy; cost)"};
  std::string out = "<h2>Like for like: the same weight format on both memories</h2>";
  out += "<p>Verdict on " + std::to_string(n) +
         " cases where the model fits both systems (no weights over the host link):</p><ul>";
  out += "<li>Basis same format, throughput: LPDDR within 5% of HBM's tokens/s or faster in " +
         std::to_string(fast) + " of " + std::to_string(n) + ".</li>";
  out += "<li>Basis iso-power (tokens per joule, the same as tokens/s per watt): LPDDR ahead in " +
         std::to_string(efficient) + " of " + std::to_string(n) + ".</li>";
  if (n_priced > 0)
    out += "<li>Basis iso-cost (tokens/s per dollar of build cost, docs/COST.md): LPDDR ahead in " +
           std::to_string(cheap) + " of " + std::to_string(n_priced) + ".</li>";
  out +=
      "</ul><p>The last column names, per case, the parameter that would flip each comparison: the LPDDR "
      "bandwidth "
      "that would reach 95% of HBM's tokens/s (memory-bound cases), the factor on the LPDDR system's DRAM "
      "energy "
      "that would tie J/token, and the loser's DRAM price per GiB that would tie tokens/s per dollar.</p>";
  out += table(header, rows);
  if (!capacity_rows.empty()) {
    out +=
        "<h3>Capacity effect (left out of the verdict)</h3><p>In these cases a model does not fit a system's "
        "memory and the rest of its weights cross the host link every step.</p>";
    auto h2 = header;
    h2.back() = "why";
    out += table(h2, capacity_rows);
  }
  return out;
}

}  // namespace llmx::report
