// libFuzzer harness: the YAML config loader (parsing, includes, --set overrides) and the validation layer
// every module reads its keys through (Params: types, declared bounds, physical unit ranges, unknown keys).
// The input is written to a file and loaded as a system config; every scalar is then read by the type its
// key's unit implies. Any exception other than llmx::Error, a crash or a sanitizer report is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "explorer/config/loader.h"
#include "models/core/error.h"
#include "models/core/params.h"

namespace {

void read_all(llmx::Params& p, int depth) {
  using namespace llmx;
  for (const std::string& key : p.keys()) {
    const ConfigNodePtr n = p.node()->find(key);
    if (!n) continue;
    if (n->kind == ConfigNode::Kind::map && depth < 16) {
      Params child = p.optional_child(key, "section");
      read_all(child, depth + 1);
    } else if (n->kind == ConfigNode::Kind::sequence) {
      if (!n->items.empty() && n->items.front()->kind == ConfigNode::Kind::map)
        for (Params& item : p.map_list(key, "list", false)) read_all(item, depth + 1);
      else
        (void)p.optional<std::vector<double>>(key, {}, "numbers", Bound::non_negative());
    } else if (key == "count") {
      (void)p.required<int>(key, "instances", Bound::range(1, 4096));
    } else if (unit_bound(key).max < 1e300) {
      (void)p.required<double>(key, "a figure with a unit", Bound::non_negative());
    } else {
      (void)p.required<std::string>(key, "text");
    }
  }
  p.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace llmx;
  static const std::string path = "/tmp/llmx-fuzz-config-" + std::to_string(::getpid()) + ".yaml";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    ConfigNodePtr tree = load_config(path, {"workload.decode_steps=1"});
    (void)to_yaml(*tree);
    Params root(tree, "", ConfigNode::make_map({}));
    read_all(root, 0);
  } catch (const Error&) {
  }
  return 0;
}
