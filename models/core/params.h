// Typed, validated access to one map of the configuration tree, in the manner of VCML properties and
// Ramulator 2 parameters: every parameter is declared where it is read, with its unit in the key name, a
// description and (if optional) a default. Reading records the resolved value, so the fully resolved
// configuration (defaults included) can be written beside the results. finish() rejects every key that no
// one read, with a hint when a declared key is close (a wrong unit suffix, a typo).
//
//   Params p = ...;
//   double bw = p.required<double>("bandwidth_gbps", "peak bandwidth per direction", Bound::positive());
//   auto lat = p.optional<double>("latency_ns", 0.0, "fixed latency per transfer", Bound::non_negative());
//   std::string policy = p.choice("row_policy", {"open", "closed"}, "open", "row-buffer policy");
//   Params org = p.child("organisation");  ...  org.finish();
//   p.finish();
//
// Errors are llmx::Error with one line: "file:line:column: key.path: message".
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/core/config_tree.h"
#include "models/core/error.h"

namespace llmx {

struct ParamSchema;
struct ParamDecl;

// Numeric range a parameter must lie in (inclusive unless stated).
struct Bound {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  const char* why_max = nullptr;  // what the upper limit stands for, when it is a physical range

  static Bound any() { return {}; }
  static Bound positive() { return {0.0, std::numeric_limits<double>::infinity(), true}; }
  static Bound non_negative() { return {0.0, std::numeric_limits<double>::infinity(), false}; }
  static Bound range(double lo, double hi) { return {lo, hi, false}; }
  static Bound at_least(double lo) { return {lo, std::numeric_limits<double>::infinity(), false}; }
  bool contains(double v) const;
  std::string describe() const;
};

// The physical range of a parameter by the unit in its key (the last word before any `_per_`): times
// (`_ps`, `_ns`, `_us`, `_ms`) at most 1 s, clocks in cycles (`_ck`) at most 1e6, clocks and data rates
// (`_mhz`, `_ghz`, `_mtps`) at most 1 THz / 1 Tb/s per pin, bandwidths (`_gbps`) at most 1 PB/s, powers
// (`_mw`, `_w`) at most 10 kW, energies (`_pj`) at most 1 mJ, sizes (`_bytes`, `_bits`, `_kib`, `_mib`,
// `_gib`) at most 1 PiB, areas (`_mm2`, `_um2`) at most a 300 mm wafer. Params applies it to every numeric
// key on top of the bound its reader declares; a key without such a unit gets Bound::any().
Bound unit_bound(const std::string& key);

class Params {
 public:
  // `node` must be a map (or null for an empty one); `path` is its dotted key path ("" at the root);
  // `resolved` receives the values as read (may be null when nobody wants them).
  Params(ConfigNodePtr node, std::string path, ConfigNodePtr resolved);

  // Supported T: bool, int64_t, uint64_t, int, uint32_t, double, std::string, std::vector<double>,
  // std::vector<int64_t>, std::vector<std::string>.
  template <typename T>
  T required(const std::string& key, const std::string& description, Bound bound = Bound::any());
  template <typename T>
  T optional(const std::string& key, T default_value, const std::string& description,
             Bound bound = Bound::any());
  std::string choice(const std::string& key, const std::vector<std::string>& allowed,
                     std::optional<std::string> default_value, const std::string& description);

  // Reading through the declarations of a schema (param_schema.h): once bound, every key read or claimed here
  // or in a child must be declared in the schema's section for this map (else an internal error), and get()
  // takes the description, bound, choices and default from the declaration. Children bind to their section.
  Params& bind(const ParamSchema& schema, const std::string& section = "");
  template <typename T>
  T get(const std::string& key);
  // The same with a default computed from other keys (the declaration states the rule).
  template <typename T>
  T get(const std::string& key, T computed_default);
  Params child(const std::string& key);                     // a declared map (required or optional)
  const ParamDecl& declared(const std::string& key) const;  // the declaration of a key of this map
  std::vector<Params> children(const std::string& key);     // a declared list of maps

  // A nested map. required_child fails if absent; optional_child gives an empty map when absent.
  Params required_child(const std::string& key, const std::string& description);
  Params optional_child(const std::string& key, const std::string& description);
  // A sequence of maps (e.g. a list of connections or sweep axes).
  std::vector<Params> map_list(const std::string& key, const std::string& description, bool required);

  bool has(const std::string& key) const;
  // Marks a key as consumed by someone else (e.g. `type`, read by the registry) without reading it here.
  void claim(const std::string& key);
  // Every key in this map, or in a child map obtained from it, that was neither read nor claimed is an error.
  void finish() const;

  // Throw an error located at `key` (or at this map when the key is absent or empty).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  SourceLocation location_of(const std::string& key) const;
  std::string path_of(const std::string& key) const;
  const std::string& path() const { return s_->path; }
  const ConfigNodePtr& node() const { return s_->node; }
  std::vector<std::string> keys() const;

 private:
  struct State {
    ConfigNodePtr node;
    std::string path;
    ConfigNodePtr resolved;
    std::vector<std::string> declared;  // keys read or claimed, for finish() and hints
    std::vector<std::shared_ptr<State>> children;
    const ParamSchema* schema = nullptr;  // bound: every key must be declared in section `section`
    std::string section;
  };
  void check_declared(const std::string& key) const;
  std::string child_section(const std::string& key, bool list) const;
  explicit Params(std::shared_ptr<State> state) : s_(std::move(state)) {}
  ConfigNodePtr lookup(const std::string& key);
  void record(const std::string& key, ConfigNodePtr value);
  Params make_child(const std::string& key, ConfigNodePtr node);
  static void finish_state(const State& state);

  std::shared_ptr<State> s_;
};

}  // namespace llmx
