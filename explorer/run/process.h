// The process model: SystemC elaborates one design per process, so a parent that runs several design points
// never elaborates; it forks a child per point and collects its exit status.
#pragma once

#include <cstddef>
#include <functional>

namespace llmx {

// Runs `body` in a forked child and returns its exit code (128 + signal number if it was killed). The child's
// stdout/stderr are the parent's; `body`'s return value is the child's exit code. The child dies with the
// parent: a killed `explorer run` leaves no child that goes on to write its results.
int run_in_child(const std::function<int()>& body);

// Runs body(0) .. body(count - 1), each in a forked child, at most `jobs` at once, and calls done(i, code)
// in the parent as each child ends (code as run_in_child returns it), in completion order. Children die with
// the parent (a killed parent leaves no orphans behind).
void run_children(size_t count, int jobs, const std::function<int(size_t)>& body,
                  const std::function<void(size_t, int)>& done);

}  // namespace llmx
