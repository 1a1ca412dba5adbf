// YAML files into located ConfigNode trees; includes and --set overrides. See loader.h for the rules.
#include "explorer/config/loader.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/core/error.h"
#include "models/core/utf8.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

SourceLocation at(const std::string& origin, const YAML::Mark& mark) {
  if (mark.is_null()) return {origin, 0, 0};
  return {origin, mark.line + 1, mark.column + 1};
}

// A config is converted node by node, aliases expanded: a few aliases of aliases ("billion laughs") would
// expand to billions of nodes, so past a million (no system needs a thousandth of that) the file is refused.
constexpr size_t kMaxConfigNodes = 1000000;

ConfigNodePtr convert(const YAML::Node& y, const std::string& origin, const std::string& path,
                      size_t& nodes) {
  auto n = std::make_shared<ConfigNode>();
  n->location = at(origin, y.Mark());
  if (++nodes > kMaxConfigNodes)
    throw Error(cat(n->location.str(), ": ", path.empty() ? "(top level)" : path,
                    ": the file expands to more than ", kMaxConfigNodes, " values (aliases of aliases?)"));
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      n->kind = ConfigNode::Kind::null;
      break;
    case YAML::NodeType::Scalar:
      n->kind = ConfigNode::Kind::scalar;
      n->scalar = y.Scalar();
      if (!valid_utf8(n->scalar))
        throw Error(
            cat(n->location.str(), ": ", path.empty() ? "(top level)" : path, ": not valid UTF-8 text"));
      n->quoted = y.Tag() == "!";
      break;
    case YAML::NodeType::Sequence: {
      n->kind = ConfigNode::Kind::sequence;
      int i = 0;
      for (const auto& item : y)
        n->items.push_back(convert(item, origin, path + "[" + std::to_string(i++) + "]", nodes));
      break;
    }
    case YAML::NodeType::Map:
      n->kind = ConfigNode::Kind::map;
      for (const auto& kv : y) {
        SourceLocation key_loc = at(origin, kv.first.Mark());
        if (!kv.first.IsScalar())
          throw Error(cat(key_loc.str(), ": ", path.empty() ? "(top level)" : path, ": map keys must be plain names"));
        const std::string key = kv.first.Scalar();
        if (!valid_utf8(key))
          throw Error(cat(key_loc.str(), ": ", path.empty() ? "(top level)" : path,
                          ": a key that is not valid UTF-8"));
        const std::string key_path = path.empty() ? key : path + "." + key;
        if (n->find(key))
          throw Error(cat(key_loc.str(), ": ", key_path, ": duplicate key"));
        auto value = convert(kv.second, origin, key_path, nodes);
        value->key_location = key_loc;
        n->entries.emplace_back(key, value);
      }
      break;
  }
  return n;
}

ConfigNodePtr parse(const std::string& text, const std::string& origin) {
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw Error(cat(at(origin, e.mark).str(), ": YAML syntax error: ", e.msg));
  }
  size_t nodes = 0;
  return convert(y, origin, "", nodes);
}

// Deep merge: maps merge key by key; anything else in `over` replaces `base`.
ConfigNodePtr merge(const ConfigNodePtr& base, const ConfigNodePtr& over) {
  if (base->kind != ConfigNode::Kind::map || over->kind != ConfigNode::Kind::map) return over;
  auto result = base->clone();
  result->location = over->location;
  result->key_location = over->key_location;
  for (const auto& [key, value] : over->entries) {
    auto existing = result->find(key);
    result->set(key, existing ? merge(existing, value) : value);
  }
  return result;
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

ConfigNodePtr resolve_includes(const ConfigNodePtr& node, const fs::path& dir, const std::string& path,
                               std::vector<std::string>& stack);

ConfigNodePtr load_included(const ConfigNodePtr& spec, const fs::path& dir, const std::string& path,
                            std::vector<std::string>& stack) {
  if (spec->kind != ConfigNode::Kind::scalar || spec->scalar.empty())
    throw Error(cat(spec->location.str(), ": ", path, ": expected a file path"));
  // A path from the command line (--set ...include=) is relative to the working directory.
  const fs::path base = spec->location.line == 0 && spec->location.file.rfind("--set ", 0) == 0 ? fs::path() : dir;
  fs::path file = fs::path(spec->scalar).is_absolute() ? fs::path(spec->scalar) : base / spec->scalar;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error(cat(spec->location.str(), ": ", path, ": cannot open included file '", spec->scalar, "' (looked for ",
                    file.lexically_normal().string(), ")"));
  const std::string canonical = fs::canonical(file).string();
  for (const auto& s : stack)
    if (s == canonical) throw Error(cat(spec->location.str(), ": ", path, ": include cycle through '", spec->scalar, "'"));
  auto tree = parse_yaml_file(file.lexically_normal().string());
  if (tree->kind != ConfigNode::Kind::map)
    throw Error(cat(tree->location.str(), ": (top level): an included file must be a map of keys"));
  stack.push_back(canonical);
  auto resolved = resolve_includes(tree, file.parent_path(), "", stack);
  stack.pop_back();
  return resolved;
}

ConfigNodePtr resolve_includes(const ConfigNodePtr& node, const fs::path& dir, const std::string& path,
                               std::vector<std::string>& stack) {
  if (node->kind == ConfigNode::Kind::sequence) {
    auto copy = std::make_shared<ConfigNode>(*node);
    for (size_t i = 0; i < copy->items.size(); ++i)
      copy->items[i] = resolve_includes(copy->items[i], dir, path + "[" + std::to_string(i) + "]", stack);
    return copy;
  }
  if (node->kind != ConfigNode::Kind::map) return node;

  auto own = ConfigNode::make_map(node->location);
  own->key_location = node->key_location;
  ConfigNodePtr base;
  for (const auto& [key, value] : node->entries) {
    if (key == "include") {
      const std::string inc_path = join(path, key);
      std::vector<ConfigNodePtr> specs;
      if (value->kind == ConfigNode::Kind::sequence)
        specs = value->items;
      else
        specs.push_back(value);
      for (const auto& spec : specs) {
        auto inc = load_included(spec, dir, inc_path, stack);
        base = base ? merge(base, inc) : inc;
      }
      continue;
    }
    own->entries.emplace_back(key, resolve_includes(value, dir, join(path, key), stack));
  }
  return base ? merge(base, own) : own;
}

}  // namespace

ConfigNodePtr parse_yaml_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(cat(path, ": is a directory, not a config file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(cat(path, ": cannot open config file"));
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

ConfigNodePtr parse_yaml_text(const std::string& text, const std::string& origin) { return parse(text, origin); }

void apply_override(ConfigNode& root, const std::string& assignment) {
  const std::string origin = "--set " + assignment;
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(cat(origin, ": expected key.path=value"));
  const std::string key_path = assignment.substr(0, eq);
  ConfigNodePtr value = parse(assignment.substr(eq + 1), origin);
  // Locations inside a --set value name the option, not a line of a file.
  std::vector<ConfigNode*> todo{value.get()};
  while (!todo.empty()) {
    ConfigNode* n = todo.back();
    todo.pop_back();
    n->location = n->key_location = {origin, 0, 0};
    for (auto& i : n->items) todo.push_back(i.get());
    for (auto& e : n->entries) todo.push_back(e.second.get());
  }

  ConfigNode* node = &root;
  std::string walked;
  size_t start = 0;
  while (true) {
    const size_t dot = key_path.find('.', start);
    const std::string key = key_path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) throw Error(cat(origin, ": empty key in '", key_path, "'"));
    walked = join(walked, key);
    if (node->kind == ConfigNode::Kind::null) node->kind = ConfigNode::Kind::map;
    if (node->kind != ConfigNode::Kind::map)
      throw Error(cat(origin, ": ", walked, ": cannot set a key inside a value that is not a map"));
    if (dot == std::string::npos) {
      auto existing = node->find(key);
      node->set(key, existing ? merge(existing, value) : value);
      return;
    }
    auto next = node->find(key);
    if (!next) {
      next = ConfigNode::make_map({origin, 0, 0});
      node->set(key, next);
    }
    node = next.get();
    start = dot + 1;
  }
}

ConfigNodePtr load_config(const std::string& path, const std::vector<std::string>& overrides) {
  auto tree = parse_yaml_file(path);
  if (tree->kind == ConfigNode::Kind::null) tree = ConfigNode::make_map(tree->location);
  if (tree->kind != ConfigNode::Kind::map)
    throw Error(cat(tree->location.str(), ": (top level): a config file must be a map of keys"));
  // Overrides go into the top file's own keys, which win over everything it includes; an override of an
  // `include` swaps the preset.
  for (const auto& o : overrides) apply_override(*tree, o);
  std::vector<std::string> stack{fs::canonical(path).string()};
  return resolve_includes(tree, fs::path(path).parent_path(), "", stack);
}

}  // namespace llmx
