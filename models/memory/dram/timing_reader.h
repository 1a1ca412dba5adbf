// Reads a DRAM preset's speed and timing: the data rate (the speed bin), the command clock derived from it
// (tCK = bits_per_ck / data rate, so one data-rate override gives a consistent bin), the standard's speed-bin
// table (data-rate range and the clock counts JEDEC fixes per bin, such as RL and WL), and every timing as
// the standard defines it: in clocks (`name_ck`), in ns (`name_ns`, converted at the derived tCK with JEDEC's
// rounding in to_ticks), or both, meaning JEDEC's max(n nCK, t ns). Refused, each at its file:line and key: a
// tCK key that disagrees with the data rate, a data rate outside the table's range, and a clock count below
// the table's minimum for the bin. Left out: DVFS (several clock ratios in one preset) and mode-register
// options beyond one RL/WL set per bin.
#pragma once

#include "models/core/params.h"
#include "models/memory/dram/dram_spec.h"

namespace llmx::dram {

// Reads `data_rate_mtps` and `speed_bins` of a preset's map `p` and its `timing` map `t` (times in ns).
Timing read_timing(Params& p, Params& t, const Organisation& org);

}  // namespace llmx::dram
