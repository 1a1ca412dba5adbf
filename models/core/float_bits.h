// The bit pattern of a double, for exact keys and hashes of floating-point values (C++17 has no bit_cast).
#pragma once

#include <cstdint>
#include <cstring>

namespace llmx {

inline uint64_t bits_of(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

}  // namespace llmx
