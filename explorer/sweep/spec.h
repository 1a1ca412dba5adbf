// Sweep specifications (docs/SWEEPS.md): a base system config, base overrides, axes (single keys or zipped
// groups), filters; expanded into the deterministic, ordered list of design points, each with its overrides
// and its point key. Reading and expanding never elaborates SystemC (the parent of a sweep must not).
//
// Point order: the cartesian product of the axes in the order they are listed, the first axis varying
// slowest (nested loops in document order); a zip group is one axis whose keys advance together. Filters
// then drop points; the survivors are numbered 0, 1, 2, ... in that order.
//
// Point key: 16 hex digits, FNV-1a of the canonical YAML of the point's merged config (base file with its
// includes resolved, then `set:`, `trace:` and the point's axis values applied as overrides; defaults are not
// in it, file paths relative to the spec's directory) followed by the FNV-1a of the trace file's bytes, so a
// point has the same key in every checkout of the same files. It does not cover the explorer binary itself.
// Leaves out: running the points (runner.h), validating that a swept key exists in the system (a point with
// an unknown key fails when it runs, as an error row).
#pragma once

#include <string>
#include <vector>

#include "explorer/sweep/filter.h"
#include "models/core/config_tree.h"

namespace llmx {

struct SweepValue {
  std::string text;  // the YAML scalar as written (the results column shows it)
  bool quoted = false;
  SourceLocation where;
};

struct SweepKey {
  std::string path;  // config key path, e.g. modules.pe.count
  SourceLocation where;
  std::vector<SweepValue> values;
};

// One axis: a single key, or a zip group of keys with equally long value lists.
struct SweepAxis {
  std::vector<SweepKey> keys;
  size_t size() const { return keys.empty() ? 0 : keys.front().values.size(); }
};

struct SweepSpec {
  std::string spec_path;
  std::string base_path;                    // system config, an absolute path; empty when an axis sweeps
                                            // `base` (kBaseKey)
  std::vector<std::string> base_overrides;  // from `set:` then `trace:`, "key.path=value" each
  std::vector<SweepAxis> axes;
  std::vector<Filter> filters;

  std::vector<std::string> keys() const;  // swept keys in axis order (zip members in their listed order)
};

struct SweepPoint {
  size_t index = 0;                    // position in the deterministic order (after filtering)
  std::vector<std::string> values;     // one per swept key, as written in the spec
  std::string base_path;               // the point's system config (the spec's, or its `base` axis value)
  std::vector<std::string> overrides;  // base overrides, then one per swept key (the `base` axis excepted)
  std::string key;                     // point key (see above)
};

// The axis key that sweeps the system config itself (its values: config files, relative to the spec), so
// one sweep can compare, e.g., a one-device system with a multi-device one.
inline constexpr const char* kBaseKey = "base";

// Reads and checks a spec; errors are one line "file:line:col: key: message".
SweepSpec read_sweep_spec(const std::string& path);

// All points in order, with their keys. Loads the base config (no elaboration).
std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);

// `text` with every absolute file path in it (a token starting with '/' after a space, quote, parenthesis,
// '=' or the start, up to a space, quote, parenthesis, comma or ':') written relative to `dir` (made
// absolute): error messages and keys that do not depend on where the checkout lies.
std::string paths_relative_to(const std::string& text, const std::string& dir);

// Quotes `text` as a single-quoted YAML scalar (for override values that must stay text).
std::string yaml_single_quoted(const std::string& text);

}  // namespace llmx
