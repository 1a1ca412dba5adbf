// Positional whole-number arguments of the benchmarks: a bad one ends the benchmark with one line naming the
// argument, exit status 2, before anything runs.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace llmx {

inline int bench_count_arg(int argc, char* argv[], int index, const char* name, int fallback) {
  if (argc <= index) return fallback;
  const std::string text = argv[index];
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 1 || value > 1000000) {
    std::fprintf(stderr, "%s: argument %d (%s): '%s' is not a whole number from 1 to 1000000\n", argv[0],
                 index, name, text.c_str());
    std::exit(2);
  }
  return static_cast<int>(value);
}

}  // namespace llmx
