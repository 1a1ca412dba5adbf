// Configuration tree nodes, canonical YAML output and the identity hash of a resolved configuration.
#include "models/core/config_tree.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>

namespace llmx {

std::string SourceLocation::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::shared_ptr<ConfigNode> ConfigNode::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return v;
  return nullptr;
}

void ConfigNode::set(const std::string& key, std::shared_ptr<ConfigNode> value) {
  for (auto& [k, v] : entries) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries.emplace_back(key, std::move(value));
}

bool ConfigNode::erase(const std::string& key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first == key) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

std::shared_ptr<ConfigNode> ConfigNode::clone() const {
  auto copy = std::make_shared<ConfigNode>(*this);
  for (auto& item : copy->items) item = item->clone();
  for (auto& entry : copy->entries) entry.second = entry.second->clone();
  return copy;
}

std::shared_ptr<ConfigNode> ConfigNode::make_map(SourceLocation where) {
  auto n = std::make_shared<ConfigNode>();
  n->kind = Kind::map;
  n->location = std::move(where);
  return n;
}

std::shared_ptr<ConfigNode> ConfigNode::make_scalar(std::string text, SourceLocation where, bool quoted) {
  auto n = std::make_shared<ConfigNode>();
  n->kind = Kind::scalar;
  n->scalar = std::move(text);
  n->quoted = quoted;
  n->location = std::move(where);
  return n;
}

namespace {

void emit(YAML::Emitter& out, const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::null:
      out << YAML::Null;
      break;
    case ConfigNode::Kind::scalar:
      if (node.quoted) out << YAML::DoubleQuoted;
      out << node.scalar;
      break;
    case ConfigNode::Kind::sequence: {
      bool flat = true;
      for (const auto& item : node.items) flat = flat && item->kind == ConfigNode::Kind::scalar;
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node.items) emit(out, *item);
      out << YAML::EndSeq;
      break;
    }
    case ConfigNode::Kind::map:
      out << YAML::BeginMap;
      for (const auto& [key, value] : node.entries) {
        out << YAML::Key << key << YAML::Value;
        emit(out, *value);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

std::string to_yaml(const ConfigNode& node) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, node);
  return std::string(out.c_str()) + "\n";
}

std::string fnv1a_hex(const std::string& text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace llmx
