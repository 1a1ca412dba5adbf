// The decode driver's collectives: rounds of transfers (explorer/plan/collectives.h) over the link modules
// bound to its `link` socket, each transfer hop by hop along the topology's route (explorer/plan/topology.h).
#include "explorer/run/decode_driver.h"

#include <algorithm>

#include "models/core/link_transfer.h"

namespace llmx {

using sc_core::sc_time;

Picoseconds DecodeDriver::link_transfer(const Transfer& x, Picoseconds start, CollectiveRecord& rec) {
  LinkTransfer hop_ext;
  link_payload_.set_extension(&hop_ext);
  Picoseconds t = start;
  for (const LinkHop& hop : topology_.route(x.from, x.to)) {
    hop_ext.from_device = hop.from;
    hop_ext.to_device = hop.to;
    hop_ext.energy_j = 0;
    link_payload_.set_command(tlm::TLM_WRITE_COMMAND);
    link_payload_.set_address(0);
    link_payload_.set_data_ptr(scratch_data());
    link_payload_.set_data_length(static_cast<unsigned int>(x.bytes));
    link_payload_.set_streaming_width(static_cast<unsigned int>(x.bytes));
    link_payload_.set_byte_enable_ptr(nullptr);
    link_payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = local(t);
    link[static_cast<int>(hop.link)]->b_transport(link_payload_, delay);
    if (link_payload_.is_response_error())
      SC_REPORT_FATAL(name(), "a link rejected a transfer between its devices");
    t = absolute(delay);
    rec.energy_j += hop_ext.energy_j;
    rec.link_bytes += x.bytes;
  }
  link_payload_.clear_extension(&hop_ext);
  return t;
}

Picoseconds DecodeDriver::run_collective(const WorkloadStep& step, const PlannedCollective& c,
                                         Picoseconds start) {
  CollectiveRecord rec;
  rec.step = step.index;
  rec.phase = step.phase;
  rec.layer = c.layer;
  rec.kind = c.kind;
  rec.bytes = c.bytes;
  const std::vector<Round> rounds = collective_rounds(c);
  Picoseconds t = start;
  for (const Round& round : rounds) {
    Picoseconds round_end = t;
    for (const Transfer& x : round) round_end = std::max(round_end, link_transfer(x, t, rec));
    t = round_end;
  }
  for (uint32_t d : c.devices) rec.max_device_bytes = std::max(rec.max_device_bytes, bytes_sent(rounds, d));
  rec.start = sc_time::from_value(start);
  rec.end = sc_time::from_value(t);
  collective_records_.push_back(rec);
  return t;
}

}  // namespace llmx
