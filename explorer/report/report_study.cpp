// The LPDDR-vs-HBM study's verdict; see report_study.h.
#include "explorer/report/report_study.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "models/core/error.h"

namespace llmx::report {
namespace {

double channels(const Point& p) {
  const auto it = p.swept.find("modules.dram.count");
  return it == p.swept.end() ? number_or(p.summary, "dram_channels", 0) : std::atof(it->second.c_str());
}
double jpt_max(const Point& p) {
  return number_or(p.summary, "j_per_token_max", p.jpt);
}
double per_usd(const Point& p) {
  return number_or(p.summary, "tokens_per_s_per_usd", NAN);
}
double per_w(const Point& p) {
  const double w = number_or(p.summary, "avg_power_w", 0);
  return w > 0 ? p.tps / w : NAN;
}
std::string who(bool lpddr) {
  return lpddr ? "LPDDR" : "HBM";
}

// One comparison: a model, weight format and batch (and any other swept key) on both memories.
struct Case {
  std::string model, format, batch, extra;
  std::vector<const Point*> lpddr;  // by channel count, ascending
  const Point* hbm = nullptr;
};

std::vector<Case> cases_of(const std::vector<Point>& points) {
  std::map<std::string, Case> by_key;
  std::vector<std::string> order;
  for (const auto& p : points) {
    const bool l = p.system_names("lpddr"), h = p.system_names("hbm");
    if (!l && !h) continue;
    std::string extra;
    for (const auto& [k, v] : p.swept)
      if (k != "system.name" && k.rfind("modules.dram", 0) != 0 && k != "workload.trace" &&
          k != "workload.batch")
        extra += ", " + (k == "workload.context_tokens" ? "context " + v : k + "=" + v);
    const std::string key =
        p.summary.at("model") + "|" + p.summary.at("batch") + extra + "|" + p.summary.at("weight_format");
    if (!by_key.count(key)) order.push_back(key);
    Case& c = by_key[key];
    c.model = p.summary.at("model"), c.format = p.summary.at("weight_format");
    c.batch = p.summary.at("batch"), c.extra = extra;
    if (l) c.lpddr.push_back(&p);
    if (h && !c.hbm) c.hbm = &p;
  }
  std::vector<Case> out;
  for (const auto& k : order) {
    Case c = by_key[k];
    if (!c.hbm || c.lpddr.empty()) continue;
    std::stable_sort(c.lpddr.begin(), c.lpddr.end(),
                     [](const Point* a, const Point* b) { return channels(*a) < channels(*b); });
    out.push_back(c);
  }
  return out;
}

// "LPDDR 0.21-0.25 vs HBM 0.17-0.20 J/token: HBM lower, survives the band"
std::string energy_line(const Point& l, const Point& h) {
  const bool lpddr_wins = l.jpt < h.jpt;
  const Point &w = lpddr_wins ? l : h, &o = lpddr_wins ? h : l;
  const bool survives = jpt_max(w) < o.jpt;
  return "J/token LPDDR " + fmt(l.jpt) + "-" + fmt(jpt_max(l)) + " vs HBM " + fmt(h.jpt) + "-" +
         fmt(jpt_max(h)) + " (typical-maximum): " + who(lpddr_wins) + " lower, ranking " +
         (survives ? "survives the band" : "does not survive the band (they overlap)");
}

std::string ratio_line(const char* basis, const char* unit, double l, double h) {
  if (!(l == l) || !(h == h)) return std::string(basis) + ": not priced";
  return std::string(basis) + ": LPDDR " + fmt(l, "%.3g") + " vs HBM " + fmt(h, "%.3g") + " " + unit + " (" +
         who(l > h) + " ahead, x" + fmt(std::max(l, h) / std::min(l, h), "%.2f") + ")";
}

// The LPDDR point of a case that is best on `score` (its channel count named in the line).
const Point& best_of(const Case& c, double (*score)(const Point&)) {
  const Point* b = c.lpddr.front();
  for (const Point* p : c.lpddr)
    if (score(*p) > score(*b)) b = p;
  return *b;
}

// Where LPDDR reaches HBM's tokens/s (within 5%) along the channel sweep, or how far the sweep gets.
std::string break_even_line(const Case& c) {
  const Point& h = *c.hbm;
  const BreakEven be = break_even(c.lpddr, kMatchShare * h.tps);
  const std::string hbm = " (HBM " + fmt(number_or(h.summary, "dram_peak_gbps", 0), "%.0f") + " GB/s)";
  const std::string lead = "break-even " + c.format + ": ";
  if (be.where == BreakEven::Where::beyond)
    return lead + "not reached in the sweep: the largest swept LPDDR, " + fmt(be.channels, "%.0f") +
           " channels = " + fmt(be.gbps, "%.0f") + " GB/s, gives " +
           fmt(c.lpddr.back()->tps / h.tps, "%.3f") + " of HBM's " + fmt(h.tps) + " tokens/s" + hbm;
  return lead + "LPDDR reaches 95% of HBM's " + fmt(h.tps) + " tokens/s at " + fmt(be.channels, "%.1f") +
         " channels = " + fmt(be.gbps, "%.0f") + " GB/s" + hbm + ", " + be.how;
}

std::string case_lines(const Case& c) {
  const Point &h = *c.hbm, &l = *c.lpddr.front();
  std::string o = "<li>" +
                  html_escape("same format " + c.format + ": LPDDR " + fmt(channels(l), "%.0f") +
                              " channels " + fmt(l.tps) + " vs HBM " + fmt(h.tps) + " tokens/s (LPDDR/HBM " +
                              fmt(l.tps / h.tps, "%.2f") + "); " + energy_line(l, h)) +
                  "</li>";
  const Point& lc = best_of(c, per_usd);
  o += "<li>" +
       html_escape(ratio_line(
           ("iso-cost " + c.format + " (LPDDR at " + fmt(channels(lc), "%.0f") + " channels, its best)")
               .c_str(),
           "tokens/s per $", per_usd(lc), per_usd(h))) +
       "</li>";
  const Point& lw = best_of(c, per_w);
  o += "<li>" +
       html_escape(ratio_line(
           ("iso-power " + c.format + " (LPDDR at " + fmt(channels(lw), "%.0f") + " channels, its best)")
               .c_str(),
           "tokens/s per W", per_w(lw), per_w(h))) +
       "</li>";
  o += "<li>" + html_escape(break_even_line(c)) + "</li>";
  return o;
}

// The claim's own basis: LPDDR's best compressed format against HBM at F16, per model and batch.
std::string baseline_line(const std::vector<const Case*>& group) {
  const Case* f16 = nullptr;
  const Point* best = nullptr;
  for (const Case* c : group) {
    if (c->format == "F16" || c->format == "BF16")
      f16 = c;
    else if (!best || c->lpddr.front()->tps > best->tps)
      best = c->lpddr.front();
  }
  if (!f16 || !best) return "";
  const Point& h = *f16->hbm;
  const bool holds = best->tps >= kMatchShare * h.tps && best->jpt < h.jpt;
  return "<li>" +
         html_escape("FP16 baseline (the claim): LPDDR " + best->summary.at("weight_format") + " " +
                     fmt(best->tps) + " vs HBM F16 " + fmt(h.tps) + " tokens/s; " + energy_line(*best, h) +
                     ": claim " + (holds ? "holds" : "breaks")) +
         "</li>";
}

}  // namespace

void require_fit(const std::vector<Point>& points) {
  std::string bad;
  for (const auto& p : points)
    if (number_or(p.summary, "offloaded_weight_bytes", 0) > 0)
      bad += (bad.empty() ? "" : "; ") + p.dir + " (" + p.summary.at("system") + ", " +
             p.summary.at("model") + " " + p.summary.at("weight_format") + " batch " + p.summary.at("batch") +
             ": " + fmt(number_or(p.summary, "offloaded_weight_bytes", 0) / 1e9) + " GB over the host link)";
  if (!bad.empty())
    throw Error("the study's systems must hold weights and KV cache, but these points stream weights: " +
                bad);
}

BreakEven break_even(const std::vector<const Point*>& l, double target_tps) {
  BreakEven b;
  if (l.empty()) return b;
  if (l.front()->tps >= target_tps) {
    b.where = BreakEven::Where::at_or_below;
    b.channels = channels(*l.front());
    b.how =
        "at or below the smallest swept count (" + fmt(b.channels, "%.0f") + " channels already reach it)";
  } else if (l.back()->tps < target_tps) {
    b.where = BreakEven::Where::beyond;
    b.channels = channels(*l.back());
    b.how = "beyond the largest swept count (" + fmt(b.channels, "%.0f") + " channels give " +
            fmt(l.back()->tps / target_tps, "%.3f") + " of it)";
  } else {
    for (size_t i = 1; i < l.size(); ++i) {
      const Point &a = *l[i - 1], &z = *l[i];
      if (z.tps < target_tps) continue;
      const double t = (target_tps - a.tps) / std::max(1e-12, z.tps - a.tps);
      b.where = BreakEven::Where::between;
      b.channels = channels(a) + t * (channels(z) - channels(a));
      b.how = "interpolated linearly between " + fmt(channels(a), "%.0f") + " and " +
              fmt(channels(z), "%.0f") + " swept channels";
      break;
    }
  }
  const Point& first = *l.front();
  b.gbps = b.channels * number_or(first.summary, "dram_peak_gbps", 0) / std::max(1.0, channels(first));
  return b;
}

std::string study_verdict_section(const std::vector<Point>& points) {
  const std::vector<Case> cases = cases_of(points);
  if (cases.empty()) return "";
  std::map<std::string, std::vector<const Case*>> groups;
  std::vector<std::string> order;
  for (const Case& c : cases) {
    const std::string g = c.model + ", batch " + c.batch + c.extra;
    if (!groups.count(g)) order.push_back(g);
    groups[g].push_back(&c);
  }
  std::string out =
      "<h2>Study verdict, basis by basis</h2><p>Per model and batch. Same format: LPDDR at its smallest "
      "swept "
      "channel count against HBM at the same weight format. Iso-cost: tokens/s per dollar of build cost "
      "(docs/COST.md); iso-power: tokens/s per watt of average power; each takes the LPDDR channel count "
      "that "
      "does best. The energy ranking survives the band when the winner's maximum J/token stays below the "
      "loser's typical. Break-even: the LPDDR bandwidth at which its tokens/s reaches 95% of HBM's (the "
      "claim's 'within 5%'), from the channel sweep.</p>";
  for (const auto& g : order) {
    out += "<h3>" + html_escape(g) + "</h3><ul>" + baseline_line(groups[g]);
    for (const Case* c : groups[g]) out += case_lines(*c);
    out += "</ul>";
  }
  return out;
}

}  // namespace llmx::report
