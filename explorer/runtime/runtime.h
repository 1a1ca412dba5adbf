// The runtime stage: how the planned ops of each step are launched on the device, as a host runtime or a
// command processor would launch them. Plain C++ (no SystemC): a Plan and a RuntimeConfig in, a Schedule out;
// the Launcher turns a schedule into start times as the driver reports when the device is ready.
//
// Today every op is a kernel of its own, and launching one takes `dispatch_latency_ns`. Launched one by one
// (`dispatch_overlap: false`, e.g. a GPU runtime launching kernels eagerly) that time adds between kernels;
// pre-recorded (graph launch, fused schedule, `dispatch_overlap: true`) a launch overlaps the previous kernel
// and only shows when that kernel is shorter than a launch. Leaves out: kernel fusion, a minimum kernel
// duration, a fixed cost per token (the runtime model of issue 10 adds them here).
#pragma once

#include <cstdint>
#include <vector>

#include "explorer/plan/plan.h"
#include "models/core/params.h"

namespace llmx {

// Simulated time in the stages before the driver, in SystemC's default resolution (1 ps).
using Picoseconds = uint64_t;
// `ns` rounded to the picosecond, as sc_time(ns, SC_NS) rounds it.
Picoseconds picoseconds(double ns);

struct RuntimeConfig {
  double dispatch_latency_ns = 0;
  bool dispatch_overlap = false;

  // Reads the runtime's keys of `driver:` (dispatch_latency_ns, dispatch_overlap).
  static RuntimeConfig read(Params& driver);
};

struct Kernel {
  uint32_t first = 0;  // the step's planned ops [first, first + count)
  uint32_t count = 1;
  Picoseconds launch = 0;   // time to launch it
  bool overlapped = false;  // launched while the previous kernel runs
};

struct Schedule {
  std::vector<std::vector<Kernel>> steps;  // parallel to the plan's steps, kernels in launch order
};

Schedule make_schedule(const Plan& plan, const RuntimeConfig& config);

// Start times of kernels along simulated time (absolute picoseconds). The driver says when a step begins,
// when it synchronised its local time with the simulation, and when the device is ready for each kernel.
class Launcher {
 public:
  // A step's first kernel is launched from the step's start.
  void begin_step(Picoseconds now) { previous_start_ = now; }
  // The driver synchronised at `now`. As before the split, a launch then counts from `now` instead of from
  // the previous kernel's start, so an overlapped launch shows in full after every synchronisation (once per
  // simulation quantum). Kept so that results do not move with the split; the runtime model replaces it.
  void synchronised(Picoseconds now) { previous_start_ = now; }
  // When `kernel` starts, the device being ready for it at `ready`.
  Picoseconds start(const Kernel& kernel, Picoseconds ready);
  // Total time kernels waited for their launch.
  Picoseconds dispatch_time() const { return dispatch_; }

 private:
  Picoseconds previous_start_ = 0;
  Picoseconds dispatch_ = 0;
};

}  // namespace llmx
