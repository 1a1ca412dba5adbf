// The paths of this build, kept out of tests/support.h so that only this file depends on the checkout.
#include "tests/support.h"

#include "build_paths.h"

namespace llmx::test {

std::string source_dir() { return LLMX_SOURCE_DIR; }
std::string explorer_bin() { return LLMX_EXPLORER_BIN; }

}  // namespace llmx::test
