// libFuzzer harness: the sweep filter parser and evaluator, over three swept keys with a number, a text and
// a boolean value. Any exception other than llmx::Error, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "explorer/sweep/filter.h"
#include "models/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace llmx;
  const std::string expression(reinterpret_cast<const char*>(data), size);
  static const std::vector<std::string> keys{"modules.pe.count", "system.name", "workload.include_prefill"};
  try {
    Filter filter(expression, keys, SourceLocation{"fuzz.yaml", 1, 1}, "filters[0]");
    const std::vector<FilterValue> values{FilterValue::from_scalar("8", false),
                                          FilterValue::from_scalar("lpddr", true),
                                          FilterValue::from_scalar("true", false)};
    (void)filter.keeps(values);
  } catch (const Error&) {
  }
  return 0;
}
