// The configuration tree: YAML read into plain nodes that remember where each value came from (file, line,
// column, or the command line), so every error can point at its source after includes and overrides have
// been merged. Loading, includes and --set overrides live in explorer/config/loader.h; typed access with
// unknown-key detection lives in models/core/params.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llmx {

struct SourceLocation {
  std::string file;  // path as given, or "<command line>"
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  std::string str() const;  // "file:line:column"
};

class ConfigNode {
 public:
  enum class Kind { null, scalar, sequence, map };

  Kind kind = Kind::null;
  std::string scalar;  // raw text for scalars
  bool quoted = false;  // the scalar was quoted in YAML: it is a string, never a number or bool
  std::vector<std::shared_ptr<ConfigNode>> items;  // sequence
  // map, in insertion order (first appearance); keys are unique
  std::vector<std::pair<std::string, std::shared_ptr<ConfigNode>>> entries;
  SourceLocation location;      // where the value starts
  SourceLocation key_location;  // where its key starts, for map values

  std::shared_ptr<ConfigNode> find(const std::string& key) const;
  void set(const std::string& key, std::shared_ptr<ConfigNode> value);  // replaces or appends
  bool erase(const std::string& key);
  std::shared_ptr<ConfigNode> clone() const;

  static std::shared_ptr<ConfigNode> make_map(SourceLocation where);
  static std::shared_ptr<ConfigNode> make_scalar(std::string text, SourceLocation where, bool quoted = false);
};

using ConfigNodePtr = std::shared_ptr<ConfigNode>;

// Canonical YAML text of a tree (block style, keys in tree order). Used for resolved configs and hashing.
std::string to_yaml(const ConfigNode& node);

// 64-bit FNV-1a of a text, printed as 16 hex digits: the identity of a resolved configuration.
std::string fnv1a_hex(const std::string& text);

}  // namespace llmx
