// The systems of ../shared/reference/dram-cycle-level.md, configured as the reference simulators ran them
// (organisation, timing from that document's preset table, address and channel mapping, queues, injection,
// refresh), plus the two reference traffic patterns. Timing-only: the energies are not part of the reference
// runs and are left at zero here. Used by the validation tests and the benchmark.
#pragma once

#include <cstdint>
#include <functional>

#include "models/memory/dram/memory_system.h"

namespace llmx::dram::reference {

struct System {
  DramSpec spec;
  int channels = 1;
  std::vector<int> channel_bits;
  InjectionModel injection;
  uint32_t request_bytes = 32;  // bytes per trace request (Ramulator: 32 B, two per 64 B line)
};

inline FieldSizes sizes_of(const Organisation& o) {
  auto lg = [](int64_t v) {
    int n = 0;
    while ((int64_t(1) << n) < v) ++n;
    return n;
  };
  FieldSizes s;
  s.bits[int(Field::pseudo_channel)] = lg(o.pseudo_channels);
  s.bits[int(Field::rank)] = lg(o.ranks);
  s.bits[int(Field::bank_group)] = lg(o.bank_groups);
  s.bits[int(Field::bank)] = lg(o.banks_per_group);
  s.bits[int(Field::row)] = lg(o.rows);
  s.bits[int(Field::column)] = lg(o.columns_per_row());
  return s;
}

inline void ramulator_controller(System& s, bool refresh) {
  s.spec.ctrl.row_policy = RowPolicy::open;
  s.spec.ctrl.refresh = refresh ? RefreshMode::all_bank : RefreshMode::none;
  s.spec.ctrl.read_queue = 32;
  s.spec.ctrl.write_queue = 32;
  s.spec.mapping = AddressMapping::named("MOP4CLXOR", 5, sizes_of(s.spec.org));
  s.channel_bits = MemorySystem::interleave_bits(s.channels, 64);  // CacheLineInterleave, interleave_bits=1
  s.injection = InjectionModel{};
  s.injection.kind = InjectionModel::Kind::offer_per_tick;
  s.injection.limit = 16;
  s.request_bytes = 32;
}

// Ramulator 2.1 LPDDR5_16Gb_x16 / LPDDR5_6400, 8 channels x 16 bit.
inline System ramulator_lpddr5_6400(bool refresh = true) {
  System s;
  auto& o = s.spec.org;
  s.spec.standard = "LPDDR5";
  o.bank_groups = 4;
  o.banks_per_group = 4;
  o.rows = 65536;
  o.page_bytes = 2048;
  o.dq_bits = 16;
  o.burst_length = 16;
  auto& t = s.spec.timing;
  t.data_rate_mtps = 6400;
  t.tck_ns = 1.25;
  t.trcd_rd_ns = t.trcd_wr_ns = 18.75;
  t.trp_ns = 18.75;
  t.trp_ab_ns = 21.25;
  t.tras_ns = 42.5;
  t.trc_ns = 61.25;
  t.rl_ns = 21.25;
  t.wl_ns = 11.25;
  t.tccd_s_ns = 2.5;
  t.tccd_l_ns = 5.0;
  t.trrd_s_ns = t.trrd_l_ns = 5.0;
  t.tfaw_ns = 20.0;
  t.twr_ns = 35.0;
  t.twtr_s_ns = 6.25;
  t.twtr_l_ns = 12.5;
  t.trtp_ns = 10.0;
  t.tppd_ns = 2.5;
  t.trfc_ab_ns = 280.0;
  t.trfc_pb_ns = 140.0;
  t.trefi_ns = 3906.25;
  t.trefi_pb_ns = 3906.25 / 16;
  t.trrefd_ns = 5.0;
  t.split_activate = true;
  t.taad_ck = 8;
  t.wck_sync = true;
  t.wckpst_ck = 1;
  t.burst_length_cache = 16;
  s.spec.ctrl.bus = CommandBus::single;
  s.channels = 8;
  ramulator_controller(s, refresh);
  return s;
}

// Ramulator 2.1 HBM3_16Gb_8hi / HBM3_6400Mbps, 16 channels x 2 pseudo-channels x 32 bit, half-CK ticks; every
// clock count of python/ramulator/dram/hbm3.py at c5b1c3a, the stack-ID gap nCCDR included.
inline System ramulator_hbm3_6400(bool refresh = true) {
  System s;
  auto& o = s.spec.org;
  s.spec.standard = "HBM3";
  o.pseudo_channels = 2;
  o.ranks = 2;  // stack IDs
  o.bank_groups = 4;
  o.banks_per_group = 4;
  o.rows = 16384;
  o.page_bytes = 1024;
  o.dq_bits = 32;
  o.burst_length = 8;
  auto& t = s.spec.timing;
  t.data_rate_mtps = 6400;
  t.tck_ns = 0.625;
  t.ticks_per_ck = 2;
  t.trcd_rd_ns = 19.375;
  t.trcd_wr_ns = 9.375;
  t.trp_ns = t.trp_ab_ns = 16.25;
  t.tras_ns = 28.125;
  t.trc_ns = 45.0;
  t.rl_ns = 12.5;
  t.wl_ns = 6.25;
  t.tccd_s_ns = 1.25;
  t.tccd_l_ns = 2.5;
  t.trrd_s_ns = 2.5;
  t.trrd_l_ns = 3.125;
  t.tfaw_ns = 15.0;
  t.twr_ns = 20.625;
  t.twtr_s_ns = 4.375;  // nWTRS 7
  t.twtr_l_ns = 6.25;   // nWTRL 10
  t.trtp_ns = 5.625;    // nRTP 9
  t.tppd_ns = 1.25;
  t.tccd_r_ns = 1.875;  // nCCDR 3: RD to RD on the other stack ID
  t.rtw_gap_ck = 8;     // nRTW 20 = nCL 20 + nBL 2 + 8 - nCWL 10
  t.trfc_ab_ns = 350.0;
  t.trfc_pb_ns = 200.0;
  t.trefi_ns = 3900.0;
  t.trefi_pb_ns = 3900.0 / 64;
  t.trrefd_ns = 8.0;
  t.act_ck = 1.5;
  t.pre_ck = 0.5;
  t.ref_ck = 0.5;
  t.burst_length_cache = 8;
  s.spec.ctrl.bus = CommandBus::dual;
  s.channels = 16;
  ramulator_controller(s, refresh);
  return s;
}

// Ramulator 2.1 HBM2_8Gb / HBM2_2000Mbps, 8 channels x 2 pseudo-channels x 64 bit.
inline System ramulator_hbm2_2000(bool refresh = true) {
  System s;
  auto& o = s.spec.org;
  s.spec.standard = "HBM2";
  o.pseudo_channels = 2;
  o.bank_groups = 4;
  o.banks_per_group = 4;
  o.rows = 65536;
  o.page_bytes = 1024;
  o.dq_bits = 64;
  o.burst_length = 4;
  auto& t = s.spec.timing;
  t.data_rate_mtps = 2000;
  t.tck_ns = 1.0;
  t.trcd_rd_ns = 14.0;
  t.trcd_wr_ns = 12.0;
  t.trp_ns = t.trp_ab_ns = 14.0;
  t.tras_ns = 34.0;
  t.trc_ns = 48.0;
  t.rl_ns = 14.0;
  t.wl_ns = 5.0;
  t.tccd_s_ns = 2.0;
  t.tccd_l_ns = 4.0;
  t.trrd_s_ns = t.trrd_l_ns = 4.0;
  t.tfaw_ns = 15.0;
  t.twr_ns = 16.0;
  t.twtr_s_ns = 6.0;
  t.twtr_l_ns = 8.0;
  t.trtp_ns = 5.0;
  t.trfc_ab_ns = 350.0;
  t.trfc_pb_ns = 160.0;
  t.trefi_ns = 3900.0;
  t.trefi_pb_ns = 3900.0 / 32;
  t.trrefd_ns = 8.0;
  t.act_ck = 2;
  t.burst_length_cache = 4;
  s.spec.ctrl.bus = CommandBus::dual;
  s.channels = 8;
  ramulator_controller(s, refresh);
  return s;
}

// DRAMSys 5.1 JEDEC_1Gbx16_LPDDR4-4266 with 8 channels, one StlPlayer, 128 in flight.
inline System dramsys_lpddr4_4266() {
  System s;
  auto& o = s.spec.org;
  s.spec.standard = "LPDDR4";
  o.bank_groups = 1;
  o.banks_per_group = 8;
  o.rows = 131072;
  o.page_bytes = 2048;
  o.dq_bits = 16;
  o.burst_length = 16;
  auto& t = s.spec.timing;
  t.data_rate_mtps = 4264;
  t.tck_ns = 2000.0 / 4264;
  t.trcd_rd_ns = t.trcd_wr_ns = 18.29;
  t.trp_ns = 18.29;
  t.trp_ab_ns = 21.11;
  t.tras_ns = 42.21;
  t.trc_ns = 60.50;
  t.rl_ns = 16.88;
  t.wl_ns = 8.44;
  t.tccd_s_ns = t.tccd_l_ns = 3.75;
  t.trrd_s_ns = t.trrd_l_ns = 10.32;
  t.tfaw_ns = 40.33;
  t.twr_ns = 18.29;
  t.twtr_s_ns = t.twtr_l_ns = 10.0;
  t.trtp_ns = 7.5;
  t.trfc_ab_ns = 380.83;
  t.trfc_pb_ns = 190.41;
  t.trefi_ns = 3911.93;
  t.trefi_pb_ns = 3911.93 / 8;
  t.trrefd_ns = 10.32;
  // LPDDR4 commands span several CA-bus clocks: ACT and RD/WR 4, PRE and REF 2 (JESD209-4 command truth
  // table).
  t.act_ck = 4;
  t.rd_ck = 4;
  t.wr_ck = 4;
  t.pre_ck = 2;
  t.ref_ck = 2;
  t.burst_length_cache = 16;
  s.spec.ctrl.bus = CommandBus::single;
  s.spec.ctrl.row_policy = RowPolicy::open;
  s.spec.ctrl.refresh = RefreshMode::all_bank;
  s.spec.ctrl.per_bank_queue = 8;
  s.spec.ctrl.read_queue = 1 << 20;
  s.spec.ctrl.write_queue = 1 << 20;
  // byte 0 | column 1-5 | channel 6-8 | column 9 | bank 10-12 | column 13-16 | row 17-33 (column = 2-byte
  // beat; a 32-byte burst spans beats 0-15, so address bits 0-4 are the offset within a burst).
  std::vector<Field> bits = {Field::column, Field::column, Field::bank,   Field::bank,  Field::bank,
                             Field::column, Field::column, Field::column, Field::column};
  s.spec.mapping = AddressMapping("DRAMSys LPDDR4 8ch", 5, bits, {}, sizes_of(o));
  s.channels = 8;
  s.channel_bits = {6, 7, 8};
  s.injection = InjectionModel{};
  s.injection.kind = InjectionModel::Kind::in_flight;
  s.injection.limit = 128;
  s.injection.in_order_responses = false;  // response queue Fifo: responses leave as they complete
  s.injection.channel_queues = true;       // the arbiter queues per channel
  s.request_bytes = 64;
  return s;
}

// Reference traffic: `seq` reads 256 MiB from address 0; `rand` reads uniform random 64 B-aligned lines in
// [0, 4 GiB). Each 64 B line is issued as 64 / request_bytes consecutive requests. `lines` limits the count.
inline std::function<bool(Access&)> sequential(uint64_t lines, uint32_t request_bytes) {
  auto state = std::make_shared<uint64_t>(0);
  const uint64_t per_line = 64 / request_bytes;
  return [=](Access& a) {
    const uint64_t i = (*state)++;
    if (i >= lines * per_line) return false;
    a.addr = i * request_bytes;
    a.bytes = request_bytes;
    a.is_write = false;
    return true;
  };
}

inline std::function<bool(Access&)> random_lines(uint64_t lines, uint32_t request_bytes, uint64_t seed = 1) {
  struct St {
    uint64_t i = 0, x = 0, line = 0;
  };
  auto st = std::make_shared<St>();
  st->x = seed * 0x9E3779B97F4A7C15ull + 1;
  const uint64_t per_line = 64 / request_bytes;
  return [=](Access& a) {
    if (st->i >= lines * per_line) return false;
    if (st->i % per_line == 0) {
      // xorshift64*: deterministic, uniform enough for bank/row spread
      st->x ^= st->x >> 12;
      st->x ^= st->x << 25;
      st->x ^= st->x >> 27;
      st->line = ((st->x * 0x2545F4914F6CDD1Dull) >> 20) & ((uint64_t(4) << 30) / 64 - 1);
    }
    a.addr = st->line * 64 + (st->i % per_line) * request_bytes;
    a.bytes = request_bytes;
    a.is_write = false;
    ++st->i;
    return true;
  };
}

inline SystemResult run(const System& s, const std::function<bool(Access&)>& gen) {
  MemorySystem m(s.spec, s.channels, s.channel_bits, s.injection);
  return m.run(gen);
}

}  // namespace llmx::dram::reference
