// Transaction-level DRAM channel cost model calibrated from the command-level controller; see
// service_model.h. Left out: cross-transaction reordering.
#include "models/memory/dram/service_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "build_paths.h"
#include "models/core/config_tree.h"
#include "models/core/error.h"
#include "models/core/float_bits.h"
#include "models/memory/dram/memory_system.h"

namespace llmx::dram {

namespace fs = std::filesystem;

namespace {

constexpr double kDensityAlpha = 1.0 / 64;  // moving average over about 64 bursts

int64_t bank_index(const Organisation& o, const DecodedAddress& d) {
  return ((d.pseudo_channel * o.ranks + d.rank) * o.bank_groups + d.bank_group) * o.banks_per_group + d.bank;
}

enum Outcome { kMiss = 0, kHit = 1, kContinues = 2 };  // kContinues: a hit continuing a miss's row access

// Open-row classifier shared by calibration and the model, so both count hits the same way.
struct RowTable {
  const DramSpec& spec;
  std::vector<int64_t> open;
  int64_t last_bank = -1;
  bool last_missed = false;
  explicit RowTable(const DramSpec& s) : spec(s), open(size_t(s.org.total_banks()), -1) {}
  int64_t bank_of(const DecodedAddress& d) const { return bank_index(spec.org, d); }
  Outcome touch(uint64_t addr) {
    const DecodedAddress d = spec.mapping.decode(addr);
    const int64_t bank = bank_of(d);
    const int64_t row = d.row % spec.org.rows;
    Outcome r = kMiss;
    if (open[size_t(bank)] == row)
      r = last_missed && bank == last_bank ? kContinues : kHit;
    else
      open[size_t(bank)] = row;
    last_bank = bank;
    last_missed = r == kMiss;
    return r;
  }
};

// Hit rate over the bursts that start a row access.
double hit_rate(const DramSpec& spec, const std::vector<uint64_t>& addrs) {
  RowTable rows(spec);
  uint64_t hits = 0, starts = 0;
  for (uint64_t a : addrs) {
    const Outcome r = rows.touch(a);
    starts += r != kContinues;
    hits += r == kHit;
  }
  return starts ? double(hits) / double(starts) : 0;
}

// What a burst continuing a miss's row access costs at weight w (refresh-free): a burst plus the calibrated
// continuation extra, but never less than the bus needs for the pair (the miss cost a burst plus its extra).
double continuation_cost(const ServiceCalibration& c, double w) {
  const double miss_extra = (1 - w) * c.seq_miss_extra_ns + w * c.rand_miss_extra_ns;
  return std::max(0.0, std::max(c.burst_ns + w * c.cont_extra_ns, c.burst_ns - miss_extra));
}

}  // namespace

double miss_weight(double density, const ServiceCalibration& c) {
  const double d_seq = 1 - c.seq_hit_rate, d_rand = 1 - c.rand_hit_rate;
  const double w = d_rand - d_seq > 1e-6 ? (density - d_seq) / (d_rand - d_seq) : 1.0;
  return std::min(1.0, std::max(0.0, w));
}

int queue_depth(const DramSpec& spec, bool is_write) {
  const int channel = is_write ? spec.ctrl.write_queue : spec.ctrl.read_queue;
  if (spec.ctrl.per_bank_queue <= 0) return channel;
  return int(std::min<int64_t>(channel, int64_t(spec.ctrl.per_bank_queue) * spec.org.total_banks()));
}

double random_miss_scale(double requests, const ServiceCalibration& c, int queue_depth) {
  const double full = c.rand_ns_per_burst - c.burst_ns;
  if (!(full > 0) || requests >= double(queue_depth)) return 1.0;
  const double n[] = {1, 2, 4, 8, 16, double(queue_depth)};
  const double t[] = {c.rand_ns_depth1, c.rand_ns_depth2,  c.rand_ns_depth4,
                      c.rand_ns_depth8, c.rand_ns_depth16, c.rand_ns_per_burst};
  const double x = std::max(1.0, requests);
  size_t i = 0;
  while (i + 2 < 6 && x > n[i + 1]) ++i;
  const double hi = std::min(n[i + 1], double(queue_depth));
  const double f = hi > n[i] ? (1 / n[i] - 1 / x) / (1 / n[i] - 1 / hi) : 1.0;
  const double tn = t[i] + std::min(1.0, std::max(0.0, f)) * (t[i + 1] - t[i]);
  return std::max(1.0, (tn - c.burst_ns) / full);
}

namespace {

// Replays a burst stream through the open-row classifier and the miss-density average exactly as
// ChannelServiceModel::access does, calling visit(outcome, weight) for each burst (a burst continuing a
// miss's row access leaves the density as it is).
template <typename Visit>
void replay(const DramSpec& spec, const ServiceCalibration& c, const std::vector<uint64_t>& addrs,
            Visit visit) {
  RowTable rows(spec);
  double density = 0;
  for (uint64_t x : addrs) {
    const Outcome r = rows.touch(x);
    if (r != kContinues) density += ((r == kMiss ? 1.0 : 0.0) - density) * kDensityAlpha;
    visit(r, miss_weight(density, c));
  }
}

// Sums, over a burst stream, the weights of the stream-like and random-like miss extras (over its misses)
// and of the continuation extra (over the bursts continuing a miss's row access).
void miss_weights(const DramSpec& spec, const ServiceCalibration& c, const std::vector<uint64_t>& addrs,
                  double* a, double* b, double* cont) {
  replay(spec, c, addrs, [&](Outcome r, double w) {
    if (r == kContinues) *cont += w;
    if (r != kMiss) return;
    *a += 1 - w;
    *b += w;
  });
}

// Sums, over a burst stream, each burst's refresh-free cost split by its random-likeness weight: the channel
// time with refresh is A * refresh_factor_seq + B * refresh_factor_rand.
void refresh_weights(const DramSpec& spec, const ServiceCalibration& c, const std::vector<uint64_t>& addrs,
                     double* a, double* b) {
  replay(spec, c, addrs, [&](Outcome r, double w) {
    const double cost = r == kContinues ? continuation_cost(c, w)
                        : r == kHit     ? c.burst_ns
                                    : c.burst_ns + (1 - w) * c.seq_miss_extra_ns + w * c.rand_miss_extra_ns;
    *a += cost * (1 - w);
    *b += cost * w;
  });
}

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

// `pairs` random pairs of bursts to one bank and row, back to back: a random burst and the next burst after
// it in address order that shares its bank and row (searched up to 4096 bursts on; none: the burst is
// skipped). Empty when the mapping gives too few.
std::vector<uint64_t> random_pairs(const DramSpec& spec, uint64_t pairs) {
  const uint64_t tx = uint64_t(spec.org.tx_bytes());
  const uint64_t capacity_bursts = spec.org.capacity_bytes() / tx;
  RowTable rows(spec);
  std::vector<uint64_t> out;
  for (uint64_t k = 1; k <= 4 * pairs && out.size() < 2 * pairs; ++k) {
    const uint64_t a = mix(k ^ 0x5bd1e995u) % capacity_bursts;
    const DecodedAddress d = spec.mapping.decode(a * tx);
    for (uint64_t b = a + 1; b < std::min(capacity_bursts, a + 4097); ++b) {
      const DecodedAddress e = spec.mapping.decode(b * tx);
      if (rows.bank_of(e) == rows.bank_of(d) && e.row % spec.org.rows == d.row % spec.org.rows) {
        out.push_back(a * tx);
        out.push_back(b * tx);
        break;
      }
    }
  }
  if (out.size() < pairs) out.clear();
  return out;
}

ServiceCalibration run_calibration(const DramSpec& spec) {
  const uint64_t tx = uint64_t(spec.org.tx_bytes());
  const double burst_ns = double(tx) / spec.peak_bytes_per_s() * 1e9;
  // Long enough to hold about 20 refresh intervals, so refresh is represented at its average share.
  const uint64_t seq_bursts =
      std::max<uint64_t>(32768, uint64_t(std::ceil(20.0 * spec.timing.trefi_ns / burst_ns)));
  const uint64_t rand_bursts = 16384;
  const uint64_t capacity_bursts = spec.org.capacity_bytes() / tx;
  InjectionModel inj;
  inj.kind = InjectionModel::Kind::offer_per_tick;
  inj.limit = 16;
  ServiceCalibration c;
  std::vector<uint64_t> seq_addr, rand_addr;
  for (uint64_t k = 0; k < seq_bursts; ++k) seq_addr.push_back((k % capacity_bursts) * tx);
  for (uint64_t k = 1; k <= rand_bursts; ++k) rand_addr.push_back((mix(k) % capacity_bursts) * tx);
  const std::vector<uint64_t> pair_addr = random_pairs(spec, rand_bursts / 2);
  // Channel time per burst of an address stream on the command-level model, and its mean read latency.
  auto measure = [&](const DramSpec& s, const std::vector<uint64_t>& addrs, double* latency_ns) {
    MemorySystem m(s, 1, {}, inj);
    size_t i = 0;
    const auto r = m.run([&](Access& a) {
      if (i >= addrs.size()) return false;
      a.addr = addrs[i++];
      a.bytes = uint32_t(tx);
      return true;
    });
    if (latency_ns) *latency_ns = r.mean_read_latency_ns;
    return r.elapsed_ns / double(addrs.size());
  };
  DramSpec no_refresh = spec;
  no_refresh.ctrl.refresh = RefreshMode::none;
  c.pair_ns_per_burst = pair_addr.empty() ? 0.0 : measure(no_refresh, pair_addr, nullptr);
  const double seq_on = measure(spec, seq_addr, &c.seq_mean_latency_ns);
  const double rand_on = measure(spec, rand_addr, &c.rand_mean_latency_ns);
  const double seq_off =
      spec.ctrl.refresh == RefreshMode::none ? seq_on : measure(no_refresh, seq_addr, nullptr);
  const double rand_off =
      spec.ctrl.refresh == RefreshMode::none ? rand_on : measure(no_refresh, rand_addr, nullptr);
  // The miss extras are fitted on the refresh-free times.
  c.seq_ns_per_burst = seq_off;
  c.rand_ns_per_burst = rand_off;
  c.seq_hit_rate = hit_rate(spec, seq_addr);
  c.rand_hit_rate = hit_rate(spec, rand_addr);
  // A hit costs its burst; a miss adds an extra interpolated between a stream's and random traffic's by the
  // recent miss density, and a burst continuing its row access adds the continuation extra at the same
  // weight. Replaying the streams through the same classifier gives, per stream, the summed weights of the
  // extras; solving makes each stream cost exactly what the command-level model measured.
  c.burst_ns = burst_ns;
  double as = 0, bs = 0, cs = 0, ar = 0, br = 0, cr = 0, ap = 0, bp = 0, cp = 0;
  miss_weights(spec, c, seq_addr, &as, &bs, &cs);
  miss_weights(spec, c, rand_addr, &ar, &br, &cr);
  miss_weights(spec, c, pair_addr, &ap, &bp, &cp);
  const double rs = (c.seq_ns_per_burst - burst_ns) * double(seq_addr.size());
  const double rr = (c.rand_ns_per_burst - burst_ns) * double(rand_addr.size());
  const double rp = (c.pair_ns_per_burst - burst_ns) * double(pair_addr.size());
  const double det = as * br - bs * ar;
  const double det3 = as * (br * cp - cr * bp) - bs * (ar * cp - cr * ap) + cs * (ar * bp - br * ap);
  if (cp > 0 && std::fabs(det3) > 1e-9 * std::max(1.0, std::fabs(as * br * cp))) {
    c.seq_miss_extra_ns =
        (rs * (br * cp - cr * bp) - bs * (rr * cp - cr * rp) + cs * (rr * bp - br * rp)) / det3;
    c.rand_miss_extra_ns =
        (as * (rr * cp - cr * rp) - rs * (ar * cp - cr * ap) + cs * (ar * rp - rr * ap)) / det3;
    c.cont_extra_ns = (as * (br * rp - rr * bp) - bs * (ar * rp - rr * ap) + rs * (ar * bp - br * ap)) / det3;
  } else if (std::fabs(det) > 1e-9 * std::max(1.0, std::fabs(as * br))) {
    c.seq_miss_extra_ns = (rs * br - bs * rr) / det;
    c.rand_miss_extra_ns = (as * rr - rs * ar) / det;
  } else {
    c.seq_miss_extra_ns = c.rand_miss_extra_ns = (rs + rr) / std::max(1.0, as + bs + ar + br);
  }
  c.seq_miss_extra_ns = std::max(0.0, c.seq_miss_extra_ns);
  c.rand_miss_extra_ns = std::max(0.0, c.rand_miss_extra_ns);

  // Refresh factors: solved, like the extras, so that replaying both streams gives exactly the channel time
  // the command-level model measured with refresh.
  c.refresh_factor_seq = seq_on / seq_off;
  c.refresh_factor_rand = rand_on / rand_off;
  // Random traffic at shallower read queues (refresh-free, as the extras).
  const std::pair<int, double ServiceCalibration::*> depths[] = {{1, &ServiceCalibration::rand_ns_depth1},
                                                                 {2, &ServiceCalibration::rand_ns_depth2},
                                                                 {4, &ServiceCalibration::rand_ns_depth4},
                                                                 {8, &ServiceCalibration::rand_ns_depth8},
                                                                 {16, &ServiceCalibration::rand_ns_depth16}};
  const int full_depth = queue_depth(spec, false);
  for (const auto& [depth, field] : depths) {
    DramSpec shallow = no_refresh;
    shallow.ctrl.read_queue = depth;
    shallow.ctrl.per_bank_queue = 0;  // one queue of `depth`, whatever the buffer organisation
    c.*field = depth < full_depth ? measure(shallow, rand_addr, nullptr) : rand_off;
  }
  if (spec.ctrl.refresh != RefreshMode::none) {
    double fa = 0, fb = 0, ga = 0, gb = 0;
    refresh_weights(spec, c, seq_addr, &fa, &fb);
    refresh_weights(spec, c, rand_addr, &ga, &gb);
    const double ts = seq_on * double(seq_addr.size()), tr = rand_on * double(rand_addr.size());
    const double d = fa * gb - fb * ga;
    if (std::fabs(d) > 1e-9 * std::max(1.0, std::fabs(fa * gb))) {
      const double fs = (ts * gb - fb * tr) / d, fr = (fa * tr - ts * ga) / d;
      if (fs >= 1 && fr >= 1) {  // refresh never speeds anything up; else keep the plain ratios
        c.refresh_factor_seq = fs;
        c.refresh_factor_rand = fr;
      }
    }
  }
  return c;
}

}  // namespace

std::string timing_key(const DramSpec& s) {
  std::ostringstream k;
  k.precision(17);
  const auto& o = s.org;
  const auto& t = s.timing;
  k << s.standard << '|' << o.pseudo_channels << ',' << o.ranks << ',' << o.bank_groups << ','
    << o.banks_per_group << ',' << o.rows << ',' << o.page_bytes << ',' << o.dq_bits << ',' << o.burst_length
    << '|' << t.data_rate_mtps << ',' << t.tck_ns << ',' << t.ticks_per_ck << ',' << t.trcd_rd_ns << ','
    << t.trcd_wr_ns << ',' << t.trp_ns << ',' << t.trp_ab_ns << ',' << t.tras_ns << ',' << t.trc_ns << ','
    << t.rl_ns << ',' << t.wl_ns << ',' << t.tccd_s_ns << ',' << t.tccd_l_ns << ',' << t.tccd_r_ns << ','
    << t.trrd_s_ns << ','
    << t.trrd_l_ns << ',' << t.tfaw_ns << ',' << t.twr_ns << ',' << t.twtr_s_ns << ',' << t.twtr_l_ns << ','
    << t.trtp_ns << ',' << t.tppd_ns << ',' << t.rtw_gap_ck << ',' << t.trfc_ab_ns << ',' << t.trfc_pb_ns
    << ',' << t.trefi_ns << ',' << t.trefi_pb_ns << ',' << t.trrefd_ns << ',' << t.act_ck << ',' << t.pre_ck
    << ',' << t.rd_ck << ',' << t.wr_ck << ',' << t.ref_ck << ',' << t.split_activate << ',' << t.taad_ck
    << ',' << t.wck_sync << ',' << t.wckpst_ck << '|' << int(s.ctrl.bus) << int(s.ctrl.row_policy)
    << int(s.ctrl.refresh) << ',' << s.ctrl.read_queue << ',' << s.ctrl.write_queue << ','
    << s.ctrl.per_bank_queue << '|' << s.mapping.name() << ':';
  for (auto f : s.mapping.bits()) k << int(f);
  for (const auto& x : s.mapping.xors())
    k << ';' << int(x.target) << '.' << x.target_bit << '^' << int(x.source) << '.' << x.source_bit;
  return k.str();
}

namespace {

// The fields of a calibration, in file order.
std::vector<double ServiceCalibration::*> calibration_fields() {
  using C = ServiceCalibration;
  return {&C::burst_ns,
          &C::seq_miss_extra_ns,
          &C::rand_miss_extra_ns,
          &C::seq_ns_per_burst,
          &C::rand_ns_per_burst,
          &C::seq_hit_rate,
          &C::rand_hit_rate,
          &C::refresh_factor_seq,
          &C::refresh_factor_rand,
          &C::seq_mean_latency_ns,
          &C::rand_mean_latency_ns,
          &C::rand_ns_depth1,
          &C::rand_ns_depth2,
          &C::rand_ns_depth4,
          &C::rand_ns_depth8,
          &C::rand_ns_depth16,
          &C::cont_extra_ns,
          &C::pair_ns_per_burst};
}

// What identifies the running executable: a relinked binary (which may calibrate differently) gets new keys.
std::string executable_identity() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  struct stat st {};
  if (ec || ::stat(exe.c_str(), &st) != 0) return {};
  return cat(exe.string(), ':', st.st_size, ':', st.st_mtim.tv_sec, '.', st.st_mtim.tv_nsec, ':', st.st_ino);
}

ServiceCalibration calibrate_via_disk(const DramSpec& spec, const std::string& timing) {
  static const std::string exe = executable_identity();
  const std::string dir = calibration_cache_dir();
  if (dir.empty() || exe.empty()) return run_calibration(spec);
  const std::string key = "calibration v3|" + exe + "|" + timing;
  const fs::path file = fs::path(dir) / (fnv1a_hex(key) + ".txt");
  ServiceCalibration c;
  std::ifstream in(file);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    if (parse_calibration(text.str(), key, &c)) return c;
  }
  c = run_calibration(spec);
  // Best effort, written whole then renamed (concurrent sweep points may race; either file is complete).
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path tmp = file.string() + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp);
    out << calibration_text(key, c);
    if (!out.flush()) return c;
  }
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
  return c;
}

}  // namespace

std::string calibration_cache_dir() {
  if (const char* env = std::getenv("LLMX_CALIBRATION_CACHE")) return std::string(env) == "off" ? "" : env;
  return (fs::path(LLMX_EXPLORER_BIN).parent_path() / "calibration-cache").string();
}

std::string calibration_text(const std::string& key, const ServiceCalibration& c) {
  std::string text = key + "\n";
  char buf[64];
  for (auto field : calibration_fields()) {
    std::snprintf(buf, sizeof buf, "%a\n", c.*field);
    text += buf;
  }
  return text + "end\n";
}

bool parse_calibration(const std::string& text, const std::string& key, ServiceCalibration* out) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != key) return false;
  ServiceCalibration c;
  for (auto field : calibration_fields()) {
    if (!std::getline(in, line) || line.empty()) return false;
    char* end = nullptr;
    c.*field = std::strtod(line.c_str(), &end);
    if (end != line.c_str() + line.size()) return false;
  }
  if (!std::getline(in, line) || line != "end") return false;
  *out = c;
  return true;
}

const ServiceCalibration& calibrate(const DramSpec& spec) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<ServiceCalibration>> cache;
  const std::string key = timing_key(spec);
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it == cache.end())
    it = cache.emplace(key, std::make_unique<ServiceCalibration>(calibrate_via_disk(spec, key))).first;
  return *it->second;
}

namespace {

// q^k from the table of powers when it holds k (the same values: the table is filled by std::pow).
double decay_pow(const std::vector<double>& table, uint64_t k) {
  return k < table.size() ? table[k] : std::pow(1.0 - kDensityAlpha, double(k));
}

// Sum over j = 1..n of miss_weight(d0 * q^j), q = 1 - alpha: the weights of n hits in a row, in closed form
// (the weight is the density clipped linearly between the stream's and random traffic's miss densities).
double decayed_weight_sum(double d0, uint64_t n, const ServiceCalibration& c, const std::vector<double>& pw) {
  const double q = 1.0 - kDensityAlpha;
  if (n <= 64) {
    double sum = 0, d = d0;
    for (uint64_t j = 0; j < n; ++j) sum += miss_weight(d *= q, c);
    return sum;
  }
  const double ds = 1 - c.seq_hit_rate, dr = 1 - c.rand_hit_rate;
  if (!(dr - ds > 1e-6)) return double(n);  // miss_weight is 1 throughout
  if (d0 <= 0) return ds < 0 ? double(n) : 0.0;
  // First j whose density falls below `level` (d0 q^j < level), clamped to [1, n + 1].
  auto first_below = [&](double level, bool or_equal) {
    if (level <= 0) return n + 1;
    const auto below = [&](uint64_t k) {
      const double d = d0 * decay_pow(pw, k);
      return or_equal ? d <= level : d < level;
    };
    double j = std::ceil(std::log(level / d0) / std::log(q));
    uint64_t k = uint64_t(std::max(1.0, std::min(double(n + 1), j)));
    while (k > 1 && below(k - 1)) --k;
    while (k <= n && !below(k)) ++k;
    return k;
  };
  const uint64_t j1 = first_below(dr, false);               // j < j1: weight 1
  const uint64_t j2 = std::max(j1, first_below(ds, true));  // j >= j2: weight 0
  const double geometric = d0 * (decay_pow(pw, j1) - decay_pow(pw, j2)) / (1 - q);
  return double(j1 - 1) + (geometric - ds * double(j2 - j1)) / (dr - ds);
}

}  // namespace

namespace {
constexpr size_t kMemoEntries = 4096;
size_t memo_slot(uint64_t a, uint64_t b, uint64_t n) {
  return size_t(mix(a ^ (b * 0x9e3779b97f4a7c15ull) ^ (n * 0xc2b2ae3d27d4eb4full)) % kMemoEntries);
}
}  // namespace

ChannelServiceModel::ChannelServiceModel(const DramSpec& spec)
    : spec_(spec), cal_(calibrate(spec)), open_row_(size_t(spec.org.total_banks()), -1) {
  const TickTiming k = to_ticks(spec_);
  const double tick = spec_.tick_ns();
  hit_pipeline_rd_ns_ = double(k.rl) * tick;
  hit_pipeline_wr_ns_ = double(k.wl) * tick;
  act_ns_ = double(k.rcd_rd) * tick;
  pre_ns_ = double(k.rp) * tick;
  row_on_top_ = build_stripe_tables();
}

// The closed-form path needs the row to be the address's top field and the bank a function of the offset in
// the stripe: tabulate the banks of stripe 0, then check both on every stripe boundary region of a spread of
// addresses (deterministic). Returns false (burst-by-burst decoding) otherwise.
bool ChannelServiceModel::build_stripe_tables() {
  const auto& o = spec_.org;
  stripe_bytes_ = uint64_t(o.total_banks()) * uint64_t(o.page_bytes);
  const uint64_t tx = uint64_t(o.tx_bytes());
  const uint64_t capacity = o.capacity_bytes();
  if (stripe_bytes_ == 0 || capacity % stripe_bytes_ != 0 || stripe_bytes_ % tx != 0 ||
      stripe_bytes_ / tx > (uint64_t(1) << 22))
    return false;
  auto bank_of = [&](uint64_t a) {
    const DecodedAddress d = spec_.mapping.decode(a);
    return uint32_t(
        ((d.pseudo_channel * o.ranks + d.rank) * o.bank_groups + d.bank_group) * o.banks_per_group + d.bank);
  };
  const uint64_t stripe_bursts = stripe_bytes_ / tx;
  tx_div_ = Divisor(tx);
  stripe_div_ = Divisor(stripe_bytes_);
  rows_div_ = Divisor(uint64_t(o.rows));
  bank_of_burst_.resize(size_t(stripe_bursts));
  for (uint64_t i = 0; i < stripe_bursts; ++i) bank_of_burst_[size_t(i)] = bank_of(i * tx);
  uint64_t lcg = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 4096; ++i) {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    const uint64_t a = (lcg >> 11) % capacity / tx * tx;
    for (uint64_t probe :
         {a, a / stripe_bytes_ * stripe_bytes_, a / stripe_bytes_ * stripe_bytes_ + stripe_bytes_ - tx}) {
      if (spec_.mapping.decode(probe).row % o.rows != int64_t((probe / stripe_bytes_) % uint64_t(o.rows)) ||
          bank_of(probe) != bank_of_burst_[size_t(probe % stripe_bytes_ / tx)]) {
        bank_of_burst_.clear();
        return false;
      }
    }
  }
  // Sliding window over the stripe's bursts: which windows of total_banks bursts see every bank once.
  const size_t banks = size_t(o.total_banks());
  covers_banks_.assign(size_t(stripe_bursts), 0);
  std::vector<uint32_t> in_window(banks, 0);
  size_t distinct = 0;
  for (size_t i = 0; i < size_t(stripe_bursts); ++i) {
    distinct += in_window[bank_of_burst_[i]]++ == 0;
    if (i + 1 < banks) continue;
    const size_t start = i + 1 - banks;
    covers_banks_[start] = distinct == banks;
    distinct -= --in_window[bank_of_burst_[start]] == 0;
  }
  run_hits_.assign(size_t(stripe_bursts), 0);
  static std::map<std::string, std::weak_ptr<Memo>> shared;  // simulation is single-threaded
  auto& slot = shared[timing_key(spec_)];
  memo_ = slot.lock();
  if (!memo_) {
    memo_ = std::make_shared<Memo>();
    memo_->runs.resize(kMemoEntries);
    memo_->hits.resize(kMemoEntries);
    slot = memo_;
  }
  decay_pow_.resize(size_t(stripe_bursts + 2));
  for (size_t j = 0; j < decay_pow_.size(); ++j) decay_pow_[j] = std::pow(1.0 - kDensityAlpha, double(j));
  return true;
}

// One burst to `bank` in `row`, classified against the open rows, which it updates.
void ChannelServiceModel::classify_burst(size_t bank, int64_t row, bool is_write, bool* first_burst,
                                         Cost* c) {
  const int64_t open = open_row_[bank];
  const bool hit = open == row;
  const bool continues = hit && last_missed_ && int64_t(bank) == last_bank_;
  if (*first_burst) {
    c->pipeline_ns = is_write ? hit_pipeline_wr_ns_ : hit_pipeline_rd_ns_;
    if (!hit) c->pipeline_ns += act_ns_ + (open >= 0 ? pre_ns_ : 0.0);
    *first_burst = false;
  }
  if (!hit && row_on_top_) ++banks_on_row_;
  open_row_[bank] = row;
  last_bank_ = int64_t(bank);
  last_missed_ = !hit;
  ++c->bursts;
  // Moving average of whether recent row accesses missed.
  if (!continues) miss_density_ += ((hit ? 0.0 : 1.0) - miss_density_) * kDensityAlpha;
  double cost = cal_.burst_ns;
  const double w = miss_weight(miss_density_, cal_);
  if (!hit) {
    cost += (1 - w) * cal_.seq_miss_extra_ns + w * cal_.rand_miss_extra_ns;
    c->random_miss_ns += w * cal_.rand_miss_extra_ns * refresh_factor(w);
    ++c->misses;
  } else {
    if (continues) cost = continuation_ns(w);
    ++c->hits;
  }
  c->busy_ns += cost * refresh_factor(w);
}

// The bursts of [x, stop) in stripe `base` (row `row`) one by one until every bank holds the row: first the
// open rows and hit flags, then their cost; returns where it stopped.
uint64_t ChannelServiceModel::classify_run(uint64_t x, uint64_t stop, uint64_t base, int64_t row,
                                           bool is_write, bool* first_burst, Cost* c) {
  const uint64_t tx = uint64_t(spec_.org.tx_bytes());
  const int total_banks = spec_.org.total_banks();
  size_t index = size_t(tx_div_.div(x - base));
  if (banks_on_row_ == 0 && covers_banks_[index] && stop - x > uint64_t(total_banks - 1) * tx) {
    // Every bank once, none on the row: all misses.
    if (*first_burst) {
      c->pipeline_ns = is_write ? hit_pipeline_wr_ns_ : hit_pipeline_rd_ns_;
      const int64_t open = rows_uniform_ ? uniform_row_ : open_row_[bank_of_burst_[index]];
      c->pipeline_ns += act_ns_ + (open >= 0 ? pre_ns_ : 0.0);
      *first_burst = false;
    }
    rows_uniform_ = true;
    uniform_row_ = row;
    banks_on_row_ = total_banks;
    last_bank_ = int64_t(bank_of_burst_[index + size_t(total_banks) - 1]);
    last_missed_ = true;
    std::fill(run_hits_.begin(), run_hits_.begin() + total_banks, uint8_t(0));
    cost_run(size_t(total_banks), true, c);
    return x + uint64_t(total_banks) * tx;
  }
  materialize_rows();
  int on_row = banks_on_row_;
  size_t n = 0;
  bool all_miss = true;
  for (; x < stop && on_row < total_banks; x += tx, ++n, ++index) {
    const size_t bank = bank_of_burst_[index];
    const int64_t open = open_row_[bank];
    const bool hit = open == row;
    if (*first_burst) {
      c->pipeline_ns = is_write ? hit_pipeline_wr_ns_ : hit_pipeline_rd_ns_;
      if (!hit) c->pipeline_ns += act_ns_ + (open >= 0 ? pre_ns_ : 0.0);
      *first_burst = false;
    }
    run_hits_[n] = hit ? (last_missed_ && int64_t(bank) == last_bank_ ? 2 : 1) : 0;
    last_bank_ = int64_t(bank);
    last_missed_ = !hit;
    if (hit) {
      all_miss = false;
      continue;
    }
    ++on_row;
    open_row_[bank] = row;
  }
  banks_on_row_ = on_row;
  cost_run(n, all_miss, c);
  return x;
}

// The cost of the classified run in run_hits_, burst by burst as classify_burst does it (the same operations
// in the same order, on local copies), or from the memo when the run is all misses.
void ChannelServiceModel::cost_run(size_t bursts, bool all_miss, Cost* c) {
  RunMemo* memo = nullptr;
  if (all_miss) {
    const uint64_t d = bits_of(miss_density_), b = bits_of(c->busy_ns);
    memo = &memo_->runs[memo_slot(d, b, bursts)];
    if (memo->density_bits == d && memo->busy_bits == b && memo->bursts == bursts) {
      miss_density_ = memo->density;
      c->busy_ns = memo->busy;
      c->random_miss_ns += memo->random_miss;
      c->bursts += bursts;
      c->misses += bursts;
      return;
    }
    *memo = RunMemo{d, b, bursts, 0, 0, 0};
  }
  const double d_seq = 1 - cal_.seq_hit_rate, span = (1 - cal_.rand_hit_rate) - d_seq;
  const bool linear = span > 1e-6;
  const double burst_ns = cal_.burst_ns, seq_extra = cal_.seq_miss_extra_ns;
  const double rand_extra = cal_.rand_miss_extra_ns;
  const double f_seq = cal_.refresh_factor_seq, f_rand = cal_.refresh_factor_rand;
  double density = miss_density_, busy = c->busy_ns, random_miss = 0;
  uint64_t hits = 0;
  for (size_t k = 0; k < bursts; ++k) {
    const bool hit = run_hits_[k] != 0;
    if (run_hits_[k] != 2) density += ((hit ? 0.0 : 1.0) - density) * kDensityAlpha;
    const double w = std::min(1.0, std::max(0.0, linear ? (density - d_seq) / span : 1.0));
    double cost = burst_ns;
    const double f = (1 - w) * f_seq + w * f_rand;
    if (!hit) {
      cost += (1 - w) * seq_extra + w * rand_extra;
      random_miss += w * rand_extra * f;
    } else {
      if (run_hits_[k] == 2) cost = continuation_ns(w);
      ++hits;
    }
    busy += cost * f;
  }
  miss_density_ = density;
  c->busy_ns = busy;
  c->random_miss_ns += random_miss;
  c->bursts += bursts;
  c->hits += hits;
  c->misses += bursts - hits;
  if (memo) {
    memo->density = density;
    memo->busy = busy;
    memo->random_miss = random_miss;
  }
}

double ChannelServiceModel::continuation_ns(double w) const {
  return continuation_cost(cal_, w);
}

// n hits in a row, in closed form: as burst by burst, each hit decays the density, then its weight sets its
// refresh factor.
void ChannelServiceModel::bulk_hits(uint64_t n, bool is_write, bool* first_burst, Cost* c) {
  if (*first_burst) {
    c->pipeline_ns = is_write ? hit_pipeline_wr_ns_ : hit_pipeline_rd_ns_;
    *first_burst = false;
  }
  c->bursts += n;
  c->hits += n;
  if (n > 0) last_missed_ = false;
  const uint64_t d = bits_of(miss_density_);
  HitMemo& memo = memo_->hits[memo_slot(d, 0, n)];
  if (memo.density_bits != d || memo.bursts != n)
    memo = HitMemo{d, n, decayed_weight_sum(miss_density_, n, cal_, decay_pow_)};
  const double sum_w = memo.sum_w;
  miss_density_ *= decay_pow(decay_pow_, n);
  c->busy_ns += cal_.burst_ns * (double(n) * cal_.refresh_factor_seq +
                                 sum_w * (cal_.refresh_factor_rand - cal_.refresh_factor_seq));
}

// Stripe by stripe: bursts one by one (bank from the table) until every bank holds the stripe's row, then
// the rest of the stripe as hits in bulk.
ChannelServiceModel::Cost ChannelServiceModel::access(uint64_t addr, uint64_t bytes, bool is_write) {
  if (!row_on_top_) return access_decoded(addr, bytes, is_write);
  Cost c;
  const uint64_t tx = uint64_t(spec_.org.tx_bytes());
  const int total_banks = spec_.org.total_banks();
  const uint64_t end = addr + std::max<uint64_t>(bytes, 1);
  bool first_burst = true;
  for (uint64_t x = tx_div_.div(addr) * tx; x < end;) {
    const uint64_t stripe = stripe_div_.div(x);
    const int64_t row = int64_t(rows_div_.mod(stripe));
    const uint64_t base = stripe * stripe_bytes_;
    const uint64_t stop = std::min(end, base + stripe_bytes_);
    if (row != stripe_row_) {
      stripe_row_ = row;
      // Every bank on the old row: none on this one; else count them.
      banks_on_row_ = banks_on_row_ == total_banks ? 0 : banks_holding(row);
    }
    // With every bank on the row already, classify_run would classify nothing (and add nothing).
    if (banks_on_row_ < total_banks) x = classify_run(x, stop, base, row, is_write, &first_burst, &c);
    if (x < stop && last_missed_ && int64_t(bank_of_burst_[size_t(tx_div_.div(x - base))]) == last_bank_) {
      // The first of the hits continues the row access of the miss before it.
      if (first_burst) {
        c.pipeline_ns = is_write ? hit_pipeline_wr_ns_ : hit_pipeline_rd_ns_;
        first_burst = false;
      }
      run_hits_[0] = 2;
      last_missed_ = false;
      cost_run(1, false, &c);
      x += tx;
    }
    if (x < stop) {
      const uint64_t n = tx_div_.div(stop - x + tx - 1);
      bulk_hits(n, is_write, &first_burst, &c);
      x += n * tx;
    }
  }
  return c;
}

ChannelServiceModel::Cost ChannelServiceModel::access_decoded(uint64_t addr, uint64_t bytes, bool is_write) {
  materialize_rows();
  Cost c;
  const uint64_t tx = uint64_t(spec_.org.tx_bytes());
  const uint64_t first = addr / tx * tx;
  const uint64_t end = addr + std::max<uint64_t>(bytes, 1);
  const auto& o = spec_.org;
  const int total_banks = o.total_banks();
  bool first_burst = true;
  for (uint64_t x = first; x < end;) {
    if (row_on_top_ && banks_on_row_ == total_banks &&
        int64_t((x / stripe_bytes_) % uint64_t(o.rows)) == stripe_row_ &&
        !(last_missed_ && bank_index(o, spec_.mapping.decode(x)) == last_bank_)) {
      // Every bank holds this stripe's row: the bursts up to the stripe's end are hits.
      const uint64_t stop = std::min(end, (x / stripe_bytes_ + 1) * stripe_bytes_);
      const uint64_t n = (stop - x + tx - 1) / tx;
      bulk_hits(n, is_write, &first_burst, &c);
      x += n * tx;
      continue;
    }
    const DecodedAddress d = spec_.mapping.decode(x);
    const size_t bank = size_t(
        ((d.pseudo_channel * o.ranks + d.rank) * o.bank_groups + d.bank_group) * o.banks_per_group + d.bank);
    const int64_t row = d.row % o.rows;
    if (row_on_top_ && row != stripe_row_) {
      stripe_row_ = row;
      banks_on_row_ = banks_holding(row);
    }
    classify_burst(bank, row, is_write, &first_burst, &c);
    x += tx;
  }
  return c;
}

}  // namespace llmx::dram
