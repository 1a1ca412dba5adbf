// The process model: SystemC elaborates one design per process, so a parent that runs several design points
// never elaborates; it forks a child per point and collects its exit status.
#pragma once

#include <functional>

namespace llmx {

// Runs `body` in a forked child and returns its exit code (128 + signal number if it was killed). The child's
// stdout/stderr are the parent's; `body`'s return value is the child's exit code.
int run_in_child(const std::function<int()>& body);

}  // namespace llmx
