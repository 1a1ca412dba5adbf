// Parameter declarations, made once per key in the manner of Ramulator 2's parameter tables: key, kind, unit,
// default, range and description. The loader reads a key through its declaration (Params::get, params.h), and
// `explorer types` and docs/PARAMETERS.md print the same declarations, so what is accepted and what is
// documented cannot drift: reading an undeclared key from a Params bound to a schema is an internal error.
//
//   const ParamSchema& s = ...;  // sections by dotted path: "" (the instance map), "organisation", ...
//   // a list of maps is the section "key[]", a map of named maps "key.<name>"
//
// The unit is derived from the key's suffix (`_ns` ns, `_ck` clocks, `_mtps` MT/s, `x_per_y` x/y, ...) unless
// a declaration gives it; a key without a unit suffix is a count (integers), a ratio (numbers), a flag or a
// text. Left out: cross-key rules (e.g. tRC >= tRAS + tRP), which the readers check and the descriptions
// state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/core/params.h"

namespace llmx {

enum class ParamKind { number, integer, flag, text, choice, numbers, integers, texts, section, section_list };

struct ParamDecl {
  std::string key;  // as written in a config; "<name>" stands for any name (a map of named sections)
  ParamKind kind = ParamKind::number;
  std::optional<std::string> default_text;  // nullopt: required; else the default (or the rule giving it)
  Bound bound;
  std::vector<std::string> choices;
  std::string description;
  std::string unit;  // empty: derived from the key
  std::string when;  // the condition under which the key is read (e.g. "model: idd"); empty: always
};

inline const std::optional<std::string> kRequired = std::nullopt;

ParamDecl number(std::string key, std::optional<std::string> dflt, Bound bound, std::string description);
ParamDecl integer(std::string key, std::optional<std::string> dflt, Bound bound, std::string description);
ParamDecl flag(std::string key, std::optional<std::string> dflt, std::string description);
ParamDecl text(std::string key, std::optional<std::string> dflt, std::string description);
ParamDecl choice(std::string key, std::vector<std::string> choices, std::optional<std::string> dflt,
                 std::string description);
ParamDecl list(std::string key, ParamKind kind, std::optional<std::string> dflt, Bound bound,
               std::string description);
ParamDecl section(std::string key, bool required, std::string description);
ParamDecl section_list(std::string key, bool required, std::string description);
ParamDecl with_unit(ParamDecl d, std::string unit);
ParamDecl only_when(ParamDecl d, std::string when);
// The description as printed: the condition first, when there is one.
std::string description_of(const ParamDecl& d);

// The keys every module instance holds beside its own (read by the elaborator and the cost model).
std::vector<ParamDecl> instance_keys(const std::string& type);

struct ParamSection {
  std::string path;  // dotted, "" for the instance map itself
  std::string description;
  std::vector<ParamDecl> keys;
};

struct ParamSchema {
  std::string name;  // the `type:` name, or a top-level section (workload, simulation, ...)
  std::string description;
  std::vector<ParamSection> sections;

  const ParamSection* find(const std::string& path) const;
  // The declaration of `key` in section `path` (exact, else the section's "<name>" entry); null if none.
  const ParamDecl* find(const std::string& path, const std::string& key) const;
};

std::string unit_of(const ParamDecl& d);
std::string kind_name(ParamKind k);
std::string default_of(const ParamDecl& d);  // "required" or the default
std::string range_of(const ParamDecl& d);    // the bound or the choices; "-" when neither applies

// Every schema, by name. Schemas register themselves with a static ParamSchemaRegistrar.
class SchemaRegistry {
 public:
  static SchemaRegistry& instance();
  void add(const ParamSchema& (*make)());
  const ParamSchema* find(const std::string& name) const;
  std::vector<const ParamSchema*> all() const;  // sorted by name

 private:
  std::vector<const ParamSchema& (*)()> makers_;
};

struct ParamSchemaRegistrar {
  explicit ParamSchemaRegistrar(const ParamSchema& (*make)()) { SchemaRegistry::instance().add(make); }
};

// The schema as a table: one line per key with its full dotted path (text) or a Markdown section.
std::string describe_schema(const ParamSchema& s);
std::string markdown_schema(const ParamSchema& s);

}  // namespace llmx
