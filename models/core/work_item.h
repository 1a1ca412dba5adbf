// The command protocol: the decode driver hands each processing element its share of one op as a TLM
// generic payload carrying a WorkItem extension (command TLM_WRITE_COMMAND, data_length 0). Temporal
// decoupling: the PE issues no load later than `horizon` (local time) per call and keeps its progress in the
// item; the driver calls every PE in turn, moving the horizon on by a quantum, until all are `done`, so no PE
// runs more than a quantum ahead of the others when they share memory. When done, the annotated delay is the
// time the share completed, and the item says how long memory and compute took.
#pragma once

#include <systemc>
#include <tlm>

#include "models/core/work_share.h"

namespace llmx {

struct WorkItem : tlm::tlm_extension<WorkItem>, WorkShare {
  // input besides the share (WorkShare)
  sc_core::sc_time horizon = sc_core::sc_max_time();  // issue no load at or after this local time per call
  // outputs, filled by the PE
  bool kv_on_chip = false;  // where this item's KV traffic went
  bool done = false;
  sc_core::sc_time memory_time;   // first load issued -> last load data arrived
  sc_core::sc_time compute_time;  // time the datapath was computing
  uint64_t device_bytes_read = 0;
  uint64_t device_bytes_written = 0;

  // The PE's progress through the item between calls (its own bookkeeping).
  struct Progress {
    bool started = false;
    sc_core::sc_time start, ready, compute_total, compute_done, last_arrival;
    uint64_t streamed_bytes = 0;
    size_t stream = 0;  // index into loads of the stream being tiled
    uint64_t offset = 0;
    std::vector<sc_core::sc_time> slot_free;  // compute-done times of the tiles in the buffer slots (FIFO)
    size_t slot_head = 0;
    sc_core::sc_time window_free;  // the PE's window of loads in flight has room from here (bytes_in_flight)
  } progress;

  tlm::tlm_extension_base* clone() const override { return new WorkItem(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const WorkItem&>(other);
  }
};

}  // namespace llmx
