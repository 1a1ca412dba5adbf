// The runtime stage: how the planned ops of each step become kernels and how the host runtime launches them,
// as an inference engine's backend (llama.cpp's Metal or CUDA backend) does. Plain C++ (no SystemC): a Plan
// and a RuntimeConfig in, a Schedule out; the Launcher turns a schedule into start and end times as the
// driver reports when the device is ready.
//
// Modelled, each from the runtime preset (configs/runtime/):
// - a fixed cost per step (`token_overhead_ns`: graph build, command encoding, synchronisation, sampling on
//   the host), paid before the step's first kernel can start;
// - kernels per op kind: consecutive ops of one layer whose engine ops match a `fuse_ops` entry
//   ("RMS_NORM+MUL") run as one kernel; an engine op named in `split_ops` ("SOFT_MAX=3") runs as that many
//   kernels (a runtime older than the trace's engine that has not fused them yet);
// - a launch latency per kernel (`dispatch_latency_ns`), either added after the device is ready (eager
//   launch, `dispatch_overlap: false`) or pipelined behind the running kernel (graph launch,
//   `dispatch_overlap: true`: a launch shows only when the kernel before it was shorter than a launch, so an
//   overlapped schedule is never slower than a serial one);
// - a minimum kernel duration, below which no launched kernel ends: `min_kernel_cycles` in the device's
//   core clock (the graph's kernel-to-kernel gap in the front end, spreading a kernel's blocks over every
//   core, its barriers and reductions, draining them: work of the cores and their scheduler, so it follows
//   their clock) plus `min_kernel_ns` of fixed time. The memory round trips of a short kernel are not part of
//   it: the simulation charges them to the kernel's ops (load latency and the memory's own timing).
// Leaves out: concurrent kernels (independent ops overlapping on the device), CPU-side launch throughput as
// a separate limit, runtime costs that depend on the op's shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/plan/plan.h"
#include "models/core/params.h"

namespace llmx {

// Simulated time in the stages before the driver, in SystemC's default resolution (1 ps).
using Picoseconds = uint64_t;
// `ns` rounded to the picosecond, as sc_time(ns, SC_NS) rounds it.
Picoseconds picoseconds(double ns);

struct RuntimeConfig {
  double dispatch_latency_ns = 0;  // per kernel launch
  bool dispatch_overlap = false;   // graph launch: launches pipelined behind the running kernel
  double token_overhead_ns = 0;    // per step, on the host, before the step's first kernel
  double min_kernel_ns = 0;        // shortest kernel, launch excluded: fixed part
  double min_kernel_cycles = 0;    // shortest kernel: part counted in core-clock cycles
  std::vector<std::vector<std::string>> fuse_ops;       // engine-op sequences launched as one kernel
  std::vector<std::pair<std::string, uint32_t>> split;  // engine op, kernels it takes

  // Reads the runtime's keys of `driver:`; file:line errors for malformed entries.
  static RuntimeConfig read(Params& driver);
  // The shortest kernel on cores clocked at `core_clock_hz` (0: no cores; then min_kernel_cycles must be 0).
  Picoseconds min_kernel(double core_clock_hz) const;
};

struct Kernel {
  uint32_t first = 0;  // the step's planned ops [first, first + count)
  uint32_t count = 1;
  uint32_t launches = 1;         // device kernels it takes (split ops take several)
  Picoseconds launch = 0;        // time to launch it (all its launches)
  Picoseconds min_duration = 0;  // it ends no earlier than this after its start
  bool overlapped = false;       // launched while the previous kernel runs
};

struct Schedule {
  std::vector<std::vector<Kernel>> steps;  // parallel to the plan's steps, kernels in launch order
  Picoseconds token_overhead = 0;          // host time per step before its first kernel
};

// The kernels of `plan`'s steps; `workload` is the one the plan was made from (its ops' engine names are
// what the fusion rules match); `core_clock_hz` counts min_kernel_cycles (the slowest PE clock: a kernel
// ends when its last core drains).
Schedule make_schedule(const Plan& plan, const Workload& workload, const RuntimeConfig& config,
                       double core_clock_hz = 0);

// Where one step's runtime time went (picoseconds).
struct StepRuntime {
  Picoseconds host = 0;        // waiting for the per-step host work
  Picoseconds launch = 0;      // waiting for launches
  Picoseconds min_kernel = 0;  // kernels held to their minimum duration
  uint64_t kernels = 0, launches = 0;
};

// Start and end times of kernels along simulated time (absolute picoseconds). The driver says when a step
// begins and when the device is ready for each kernel, and reports each kernel's end.
class Launcher {
 public:
  Launcher() = default;
  explicit Launcher(const Schedule& schedule) : token_overhead_(schedule.token_overhead) {}
  // A step begins at `now`: its host work runs first, then its first kernel is launched.
  void begin_step(Picoseconds now);
  // When `kernel` starts, the device being ready for it at `ready`.
  Picoseconds start(const Kernel& kernel, Picoseconds ready);
  // When `kernel`, started at `start`, ends, its ops having finished at `done`.
  Picoseconds finish(const Kernel& kernel, Picoseconds start, Picoseconds done);
  // Total time kernels waited to start (host work and launches).
  Picoseconds dispatch_time() const { return dispatch_; }
  const std::vector<StepRuntime>& steps() const { return steps_; }

 private:
  Picoseconds token_overhead_ = 0;
  Picoseconds not_before_ = 0;      // the current step's host work ends
  Picoseconds previous_start_ = 0;  // of the kernel launched last
  Picoseconds dispatch_ = 0;
  std::vector<StepRuntime> steps_;
};

}  // namespace llmx
