// Names of MAC precisions.
#include "models/core/work_share.h"

namespace llmx {

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::fp16: return "fp16";
    case Precision::bf16: return "bf16";
    case Precision::fp8: return "fp8";
    case Precision::int8: return "int8";
    case Precision::int4: return "int4";
    case Precision::count: break;
  }
  return "?";
}

bool parse_precision(const std::string& name, Precision& out) {
  for (int i = 0; i < static_cast<int>(Precision::count); ++i) {
    if (name == precision_name(static_cast<Precision>(i))) {
      out = static_cast<Precision>(i);
      return true;
    }
  }
  return false;
}

}  // namespace llmx
