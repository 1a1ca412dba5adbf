// The transaction-level cost model a loosely-timed DRAM channel uses: every access is split into the bursts
// it stands for, each burst is classed as a row hit or miss against the channel's open rows (address mapping
// and bank table as in the command-level model), and the channel time each class costs is calibrated once per
// configuration by running the command-level controller (channel_controller.h) on a sequential and a random
// stream at the configured queue depth. Those two runs include refresh, FR-FCFS reordering, bank parallelism
// and tFAW, so a stream of bursts costs what the command-level model says it costs, without simulating
// commands per transaction. A hit costs its data-bus time (so nothing exceeds the peak); a miss adds an extra
// that depends on how dense misses are in the recent bursts (an average over about a queue's worth): sparse
// misses overlap with other banks' transfers as in a stream, dense ones cost what random traffic costs. The
// miss extras are fitted on refresh-free runs; refresh then stretches channel time by the factor the
// calibration measured (stream-like or random-like, by the same weight). The random extra holds for a full
// controller queue; random traffic is also measured at queues of 1-16 requests, and the channel scales the
// random-like extra by the occupancy its backlog implies (random_miss_scale). A burst to the bank and row
// the channel's previous burst opened (a miss) continues that row access: its data moves while the channel
// waits out the miss's activation, so it costs what the second burst of a random row access costs on the
// command level (a third calibration stream, random pairs of bursts to one row: on LPDDR4 with its 4-clock
// commands 1.25 ns where a burst takes 3.75 ns), weighted by random-likeness, and never so little that the
// pair moves data faster than the bus; it is part of the miss's row access, so the miss density counts row
// accesses, not bursts (a random 64 B line of two 32 B bursts is random traffic, not half a stream). A fixed
// pipeline latency (tRP, tRCD as needed, RL or WL) is added per transaction. Left out: reordering across
// transactions (they are served in arrival order), further bursts of a random row access beyond the second
// (priced as ordinary hits) and write-to-read turnaround inside mixed streams beyond what the calibration
// streams contain.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/memory/dram/dram_spec.h"

namespace llmx::dram {

struct ServiceCalibration {
  double burst_ns = 0;            // data-bus time of one burst: what a row hit costs
  double seq_miss_extra_ns = 0;   // extra channel time per miss when misses are as sparse as in a stream
  double rand_miss_extra_ns = 0;  // extra channel time per miss when (almost) every burst misses
  double seq_ns_per_burst = 0, rand_ns_per_burst = 0;  // measured without refresh
  // Hit rate over the bursts that start a row access (a burst continuing a miss's row access is not one).
  double seq_hit_rate = 0, rand_hit_rate = 0;
  // Extra channel time (usually negative) of a burst continuing a miss's row access, at random-likeness 1,
  // and the refresh-free channel time per burst of the random pair stream it is solved from.
  double cont_extra_ns = 0, pair_ns_per_burst = 0;
  // Refresh as a share of time, not a cost per miss: channel time with refresh / without, for each stream.
  // (Folding refresh into the miss extras charged a stream's whole refresh loss to its few row misses, so any
  // pattern with more misses, such as interleaved streams, paid it many times over.)
  double refresh_factor_seq = 1, refresh_factor_rand = 1;
  double seq_mean_latency_ns = 0, rand_mean_latency_ns = 0;
  // Random traffic's channel time per burst (refresh-free) with one controller read queue held at 1, 2, 4,
  // 8 and 16 requests: fewer candidates, fewer misses to distinct banks that overlap (tRRD, tFAW bound the
  // overlap, tRC serialises misses to one bank). Depths at or above queue_depth() hold the full queue's
  // figure (rand_ns_per_burst).
  double rand_ns_depth1 = 0, rand_ns_depth2 = 0, rand_ns_depth4 = 0, rand_ns_depth8 = 0, rand_ns_depth16 = 0;
};

// Requests the controller can hold for scheduling: its read (write) queue, or with bank-wise buffers their
// total (per_bank_queue x banks) when that is smaller.
int queue_depth(const DramSpec& spec, bool is_write);
// How much a random-like miss costs at a controller queue occupancy of `requests` (bursts waiting, this one
// included), relative to a full queue: (t(n) - burst) / (t(full) - burst), t interpolated linearly in 1/n
// between the calibrated depths; 1 at or above the configured queue depth, never below 1.
double random_miss_scale(double requests, const ServiceCalibration& c, int queue_depth);

// Runs (or returns the cached result of) the two calibration streams for this spec. Results are cached in
// the process and on disk (calibration_cache_dir()), keyed by timing_key and the identity of the running
// executable (path, size, modification time, inode: a rebuild never reads an older build's figures); the
// figures are stored exactly (hexadecimal floating point), so a cached run is byte-identical to a fresh one.
const ServiceCalibration& calibrate(const DramSpec& spec);
// Where calibrations are cached: $LLMX_CALIBRATION_CACHE ("off": nowhere), else calibration-cache/ beside
// the build's explorer binary; "" when off.
std::string calibration_cache_dir();
// The cache file's text for a calibration under `key`, and back (false when the text is not a complete
// record of that key).
std::string calibration_text(const std::string& key, const ServiceCalibration& c);
bool parse_calibration(const std::string& text, const std::string& key, ServiceCalibration* out);
// Weight of the random-like miss extra at a recent miss density (0: stream-like, 1: random-like).
double miss_weight(double density, const ServiceCalibration& c);
// A text that identifies everything in a spec that changes timing (the calibration cache key).
std::string timing_key(const DramSpec& spec);

class ChannelServiceModel {
 public:
  explicit ChannelServiceModel(const DramSpec& spec);

  struct Cost {
    double busy_ns = 0;      // channel time the access occupies (to book)
    double pipeline_ns = 0;  // latency from service start of the first burst to data (RL/WL, plus ACT/PRE)
    uint64_t bursts = 0, hits = 0, misses = 0;
    double random_miss_ns = 0;  // the share of busy_ns that is random-like miss extra (full-queue figure)
  };
  // Classifies the bursts of [addr, addr + bytes) against the open rows, updating them.
  Cost access(uint64_t addr, uint64_t bytes, bool is_write);
  // The same, decoding every burst through the address mapping: the reference `access` matches to the bit
  // (and what it does for mappings whose row is not the top field).
  Cost access_decoded(uint64_t addr, uint64_t bytes, bool is_write);
  bool closed_form() const { return row_on_top_; }

  const ServiceCalibration& calibration() const { return cal_; }
  // Channel-time stretch by refresh at random-likeness weight w (0: stream, 1: random traffic).
  double refresh_factor(double w) const {
    return (1 - w) * cal_.refresh_factor_seq + w * cal_.refresh_factor_rand;
  }
  const DramSpec& spec() const { return spec_; }

 private:
  DramSpec spec_;
  ServiceCalibration cal_;
  // Each bank's open row (-1: none). While rows_uniform_, every bank holds uniform_row_ and open_row_ is
  // stale: a run that opens every bank once (a stream's usual stripe) writes one value, not the table.
  std::vector<int64_t> open_row_;
  bool rows_uniform_ = false;
  int64_t uniform_row_ = -1;
  void materialize_rows() {
    if (!rows_uniform_) return;
    std::fill(open_row_.begin(), open_row_.end(), uniform_row_);
    rows_uniform_ = false;
  }
  int banks_holding(int64_t row) const {
    if (rows_uniform_) return uniform_row_ == row ? int(open_row_.size()) : 0;
    return int(std::count(open_row_.begin(), open_row_.end(), row));
  }
  double miss_density_ = 0;  // moving average of the miss indicator over recent row accesses
  // The channel's previous burst: its bank and whether it missed.
  int64_t last_bank_ = -1;
  bool last_missed_ = false;
  // Fast path, exact for mappings whose row bits sit above all other bits (every preset's): a "stripe" of
  // total_banks x page_bytes consecutive bytes is one row in every bank, so once every bank holds the
  // stripe's row, the rest of the stripe is all hits and is counted in bulk instead of burst by burst.
  // The bank of a burst is then a function of its offset in the stripe (a table). When no bank holds the
  // stripe's row and the next total_banks bursts go to distinct banks (a second table), they are all misses
  // and leave every bank on the row: classified in one step.
  bool row_on_top_ = false;
  uint64_t stripe_bytes_ = 0;
  int64_t stripe_row_ = -1;  // row of the stripe the last burst was in
  int banks_on_row_ = 0;     // banks whose open row is stripe_row_
  struct Divisor {           // integer division, by a shift when the divisor is a power of two
    uint64_t d = 1;
    int shift = 0;
    explicit Divisor(uint64_t v = 1) : d(v), shift(v && !(v & (v - 1)) ? __builtin_ctzll(v) : -1) {}
    uint64_t div(uint64_t a) const { return shift >= 0 ? a >> shift : a / d; }
    uint64_t mod(uint64_t a) const { return shift >= 0 ? a & (d - 1) : a % d; }
  };
  Divisor tx_div_, stripe_div_, rows_div_;
  std::vector<uint32_t> bank_of_burst_;  // bank of each burst of a stripe, by its index in the stripe
  std::vector<uint8_t> covers_banks_;    // per burst index: the total_banks bursts from it hit distinct banks
  std::vector<double> decay_pow_;        // (1 - alpha)^k for k up to a stripe's bursts + 1
  double hit_pipeline_rd_ns_, hit_pipeline_wr_ns_, act_ns_, pre_ns_;

  bool build_stripe_tables();
  void classify_burst(size_t bank, int64_t row, bool is_write, bool* first_burst, Cost* c);
  // Memos of results that are pure functions of their key and the timing (exact: the same operations gave
  // them): the cost of a run of misses by (density, busy so far, bursts) and the weight sum of a run of hits
  // by (density, bursts). Shared by the channels of one timing key, so the few keys a stream pattern
  // produces stay in cache. Direct-mapped; a collision only recomputes.
  struct RunMemo {
    uint64_t density_bits = ~uint64_t(0), busy_bits = 0, bursts = 0;
    double density = 0, busy = 0, random_miss = 0;  // random_miss: added by the run
  };
  struct HitMemo {
    uint64_t density_bits = ~uint64_t(0), bursts = 0;
    double sum_w = 0;
  };
  struct Memo {
    std::vector<RunMemo> runs;
    std::vector<HitMemo> hits;
  };
  std::shared_ptr<Memo> memo_;
  std::vector<uint8_t> run_hits_;  // hit flags of the current run of bursts (2: continues the miss before it)

  uint64_t classify_run(uint64_t x, uint64_t stop, uint64_t base, int64_t row, bool is_write,
                        bool* first_burst, Cost* c);
  void cost_run(size_t bursts, bool all_miss, Cost* c);
  // Cost of a burst continuing the previous burst's (a miss's) row access at weight w, refresh-free.
  double continuation_ns(double w) const;
  void bulk_hits(uint64_t n, bool is_write, bool* first_burst, Cost* c);
};

}  // namespace llmx::dram
