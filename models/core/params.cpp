// Typed parameter access with ranges, defaults, resolved-value recording and unknown-key detection.
#include "models/core/params.h"

#include "models/core/param_schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <type_traits>

namespace llmx {

bool Bound::contains(double v) const {
  if (min_exclusive ? !(v > min) : !(v >= min)) return false;
  return v <= max;
}

std::string Bound::describe() const {
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return std::string(b);
  };
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  const std::string why = why_max ? cat(": ", why_max) : "";
  if (has_min && has_max && min_exclusive)
    return "greater than " + num(min) + " and at most " + num(max) + why;
  if (has_min && has_max) return "between " + num(min) + " and " + num(max) + why;
  if (has_min) return std::string(min_exclusive ? "greater than " : "at least ") + num(min);
  if (has_max) return "at most " + num(max) + why;
  return "any number";
}

Bound unit_bound(const std::string& key) {
  struct Unit {
    const char* suffix;
    double max;
    const char* why;
  };
  static const Unit units[] = {
      {"ps", 1e12, "1 s"},
      {"ns", 1e9, "1 s"},
      {"us", 1e6, "1 s"},
      {"ms", 1e3, "1 s"},
      {"ck", 1e6, "a million clocks"},
      {"mhz", 1e6, "1 THz"},
      {"ghz", 1e3, "1 THz"},
      {"mtps", 1e6, "1 Tb/s per pin"},
      {"gbps", 1e6, "1 PB/s"},
      {"mw", 1e7, "10 kW"},
      {"w", 1e4, "10 kW"},
      {"pj", 1e9, "1 mJ"},
      {"bytes", 1125899906842624.0, "1 PiB"},
      {"bits", 9007199254740992.0, "1 PiB"},
      {"kib", 1099511627776.0, "1 PiB"},
      {"mib", 1073741824.0, "1 PiB"},
      {"gib", 1048576.0, "1 PiB"},
      {"mm2", 70686.0, "a 300 mm wafer"},
      {"um2", 70686e6, "a 300 mm wafer"},
  };
  std::string stem = key.substr(0, key.find("_per_"));
  const size_t us = stem.rfind('_');
  if (us == std::string::npos) return Bound::any();
  const std::string unit = stem.substr(us + 1);
  for (const Unit& u : units)
    if (unit == u.suffix) return {-std::numeric_limits<double>::infinity(), u.max, false, u.why};
  return Bound::any();
}

namespace {

const char* kind_name(ConfigNode::Kind k) {
  switch (k) {
    case ConfigNode::Kind::null: return "nothing";
    case ConfigNode::Kind::scalar: return "a single value";
    case ConfigNode::Kind::sequence: return "a list";
    case ConfigNode::Kind::map: return "a map";
  }
  return "?";
}

std::string format_double(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  return s;
}

// Edit distance, for "did you mean" hints.
size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string stem(const std::string& key) {
  const auto u = key.rfind('_');
  return u == std::string::npos ? key : key.substr(0, u);
}

}  // namespace

Params::Params(ConfigNodePtr node, std::string path, ConfigNodePtr resolved) : s_(std::make_shared<State>()) {
  if (!node) node = ConfigNode::make_map({});
  s_->node = std::move(node);
  s_->path = std::move(path);
  s_->resolved = std::move(resolved);
  if (s_->node->kind == ConfigNode::Kind::null) {
    auto empty = ConfigNode::make_map(s_->node->location);
    empty->key_location = s_->node->key_location;
    s_->node = empty;
  }
  if (s_->node->kind != ConfigNode::Kind::map)
    throw Error(cat(s_->node->location.str(), ": ", s_->path.empty() ? "(top level)" : s_->path,
                    ": expected a map of keys, got ", kind_name(s_->node->kind)));
}

std::string Params::path_of(const std::string& key) const {
  if (key.empty()) return s_->path.empty() ? "(top level)" : s_->path;
  return s_->path.empty() ? key : s_->path + "." + key;
}

SourceLocation Params::location_of(const std::string& key) const {
  if (auto n = s_->node->find(key)) {
    // A section is named by its key; a single value by the value itself.
    const bool section = n->kind == ConfigNode::Kind::map || n->kind == ConfigNode::Kind::sequence;
    if (section && n->key_location.line) return n->key_location;
    return n->location.line ? n->location : n->key_location;
  }
  return s_->node->key_location.line ? s_->node->key_location : s_->node->location;
}

void Params::fail(const std::string& key, const std::string& message) const {
  throw Error(cat(location_of(key).str(), ": ", path_of(key), ": ", message));
}

bool Params::has(const std::string& key) const { return s_->node->find(key) != nullptr; }

std::vector<std::string> Params::keys() const {
  std::vector<std::string> out;
  for (const auto& e : s_->node->entries) out.push_back(e.first);
  return out;
}

void Params::claim(const std::string& key) {
  check_declared(key);
  s_->declared.push_back(key);
}

Params& Params::bind(const ParamSchema& schema, const std::string& section) {
  s_->schema = &schema;
  s_->section = section;
  if (!schema.find(section))
    throw Error(cat("internal error: schema '", schema.name, "' has no section '", section, "'"));
  return *this;
}

void Params::check_declared(const std::string& key) const {
  if (s_->schema && !s_->schema->find(s_->section, key))
    throw Error(cat("internal error: ", path_of(key), ": key '", key,
                    "' is read but not declared in section '", s_->section, "' of the '", s_->schema->name,
                    "' parameter schema"));
}

const ParamDecl& Params::declared(const std::string& key) const {
  if (!s_->schema) throw Error(cat("internal error: ", path_of(key), ": get() on a map bound to no schema"));
  check_declared(key);
  return *s_->schema->find(s_->section, key);
}

std::string Params::child_section(const std::string& key, bool list) const {
  const ParamDecl& d = declared(key);
  const std::string name = d.key == "<name>" ? d.key : key;
  return (s_->section.empty() ? name : s_->section + "." + name) + (list ? "[]" : "");
}

ConfigNodePtr Params::lookup(const std::string& key) {
  check_declared(key);
  s_->declared.push_back(key);
  auto n = s_->node->find(key);
  if (n && n->kind == ConfigNode::Kind::null) return nullptr;
  return n;
}

void Params::record(const std::string& key, ConfigNodePtr value) {
  if (s_->resolved) s_->resolved->set(key, std::move(value));
}

namespace {

// Parses a scalar into T; false when it does not parse.
template <typename T>
bool parse_scalar(const ConfigNode& n, T& out) {
  if (n.kind != ConfigNode::Kind::scalar) return false;
  const std::string& s = n.scalar;
  if constexpr (std::is_same_v<T, std::string>) {
    out = s;
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (n.quoted) return false;
    if (s == "true") return out = true, true;
    if (s == "false") return out = false, true;
    return false;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (n.quoted || s.empty()) return false;
    const char* b = s.data();
    if (*b == '+') ++b;
    auto r = std::from_chars(b, s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
  } else {
    if (n.quoted || s.empty()) return false;
    const char* b = s.data();
    if (*b == '+') ++b;
    auto r = std::from_chars(b, s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  }
}

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, std::string>) return "a string";
  else if constexpr (std::is_same_v<T, bool>) return "true or false";
  else if constexpr (std::is_floating_point_v<T>) return "a number";
  else if constexpr (std::is_unsigned_v<T>) return "a whole number >= 0";
  else return "a whole number";
}

template <typename T>
std::string to_text(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) return v;
  else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
  else if constexpr (std::is_floating_point_v<T>) return format_double(v);
  else return std::to_string(v);
}

template <typename T>
struct is_vector : std::false_type {};
template <typename T>
struct is_vector<std::vector<T>> : std::true_type {};

}  // namespace

template <typename T>
T Params::required(const std::string& key, const std::string& description, Bound bound) {
  const Bound physical = unit_bound(key);
  if (physical.max < bound.max) bound.max = physical.max, bound.why_max = physical.why_max;
  auto n = lookup(key);
  if (!n) fail(key, "missing required key (" + description + ")");
  T value{};
  ConfigNodePtr out;
  if constexpr (is_vector<T>::value) {
    using E = typename T::value_type;
    if (n->kind != ConfigNode::Kind::sequence)
      fail(key, cat("expected a list of ", type_name<E>(), " (", description, "), got ", kind_name(n->kind)));
    out = std::make_shared<ConfigNode>();
    out->kind = ConfigNode::Kind::sequence;
    for (const auto& item : n->items) {
      E e{};
      if (!parse_scalar(*item, e))
        throw Error(cat(item->location.str(), ": ", path_of(key), ": expected ", type_name<E>(), ", got '",
                        item->scalar, "'"));
      if constexpr (std::is_arithmetic_v<E> && !std::is_same_v<E, bool>) {
        if (!bound.contains(static_cast<double>(e)))
          throw Error(cat(item->location.str(), ": ", path_of(key), ": ", to_text(e), " is out of range (must be ",
                          bound.describe(), ")"));
      }
      value.push_back(e);
      out->items.push_back(ConfigNode::make_scalar(to_text(e), {}, std::is_same_v<E, std::string>));
    }
  } else {
    if (!parse_scalar(*n, value)) {
      const std::string got = n->kind == ConfigNode::Kind::scalar ? "'" + n->scalar + "'" : kind_name(n->kind);
      fail(key, cat("expected ", type_name<T>(), " (", description, "), got ", got));
    }
    if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      if (!bound.contains(static_cast<double>(value)))
        fail(key, cat(to_text(value), " is out of range (must be ", bound.describe(), ")"));
    }
    out = ConfigNode::make_scalar(to_text(value), {}, std::is_same_v<T, std::string>);
  }
  record(key, out);
  return value;
}

template <typename T>
T Params::optional(const std::string& key, T default_value, const std::string& description, Bound bound) {
  if (lookup(key)) return required<T>(key, description, bound);
  ConfigNodePtr out;
  if constexpr (is_vector<T>::value) {
    out = std::make_shared<ConfigNode>();
    out->kind = ConfigNode::Kind::sequence;
    for (const auto& e : default_value)
      out->items.push_back(
          ConfigNode::make_scalar(to_text(e), {}, std::is_same_v<typename T::value_type, std::string>));
  } else {
    out = ConfigNode::make_scalar(to_text(default_value), {}, std::is_same_v<T, std::string>);
  }
  record(key, out);
  return default_value;
}

namespace {

template <typename T>
bool kind_fits(ParamKind k) {
  if constexpr (std::is_same_v<T, std::string>)
    return k == ParamKind::text || k == ParamKind::choice;
  else if constexpr (std::is_same_v<T, bool>)
    return k == ParamKind::flag;
  else if constexpr (std::is_floating_point_v<T>)
    return k == ParamKind::number;
  else if constexpr (std::is_same_v<T, std::vector<double>>)
    return k == ParamKind::numbers;
  else if constexpr (std::is_same_v<T, std::vector<int64_t>>)
    return k == ParamKind::integers;
  else if constexpr (std::is_same_v<T, std::vector<std::string>>)
    return k == ParamKind::texts;
  else
    return k == ParamKind::integer;
}

// A declared default as T: a scalar, or a list written [a, b] ("[]" empty).
template <typename T>
bool parse_default(const std::string& text, T& out) {
  if constexpr (is_vector<T>::value) {
    out.clear();
    if (text.size() < 2 || text.front() != '[' || text.back() != ']') return false;
    std::string body = text.substr(1, text.size() - 2);
    size_t pos = 0;
    while (pos < body.size()) {
      size_t comma = body.find(',', pos);
      if (comma == std::string::npos) comma = body.size();
      std::string item = body.substr(pos, comma - pos);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      typename T::value_type e{};
      if (!parse_scalar(*ConfigNode::make_scalar(item, {}, false), e)) return false;
      out.push_back(e);
      pos = comma + 1;
    }
    return true;
  } else {
    return parse_scalar(*ConfigNode::make_scalar(text, {}, false), out);
  }
}

}  // namespace

template <typename T>
T Params::get(const std::string& key) {
  const ParamDecl& d = declared(key);
  if (!kind_fits<T>(d.kind))
    throw Error(cat("internal error: ", path_of(key), ": read as another kind than its declaration (",
                    kind_name(d.kind), ")"));
  if constexpr (std::is_same_v<T, std::string>) {
    if (d.kind == ParamKind::choice) return choice(key, d.choices, d.default_text, d.description);
  }
  if (!d.default_text) return required<T>(key, d.description, d.bound);
  T value{};
  if (!parse_default(*d.default_text, value))
    throw Error(cat("internal error: ", path_of(key), ": default '", *d.default_text,
                    "' is a rule: read it with get(key, computed_default)"));
  return optional<T>(key, value, d.description, d.bound);
}

template <typename T>
T Params::get(const std::string& key, T computed_default) {
  const ParamDecl& d = declared(key);
  if (!kind_fits<T>(d.kind) || !d.default_text)
    throw Error(cat("internal error: ", path_of(key), ": declared ", kind_name(d.kind), ", ",
                    d.default_text ? "optional" : "required", "; read with a default of another kind"));
  if constexpr (std::is_same_v<T, std::string>) {
    if (d.kind == ParamKind::choice) return choice(key, d.choices, computed_default, d.description);
  }
  return optional<T>(key, computed_default, d.description, d.bound);
}

Params Params::child(const std::string& key) {
  const ParamDecl& d = declared(key);
  return d.default_text ? optional_child(key, d.description) : required_child(key, d.description);
}

std::vector<Params> Params::children(const std::string& key) {
  const ParamDecl& d = declared(key);
  return map_list(key, d.description, !d.default_text);
}

#define LLMX_PARAMS_INSTANTIATE(T)                                                  \
  template T Params::required<T>(const std::string&, const std::string&, Bound);    \
  template T Params::optional<T>(const std::string&, T, const std::string&, Bound); \
  template T Params::get<T>(const std::string&);                                    \
  template T Params::get<T>(const std::string&, T);
LLMX_PARAMS_INSTANTIATE(bool)
LLMX_PARAMS_INSTANTIATE(int)
LLMX_PARAMS_INSTANTIATE(uint32_t)
LLMX_PARAMS_INSTANTIATE(int64_t)
LLMX_PARAMS_INSTANTIATE(uint64_t)
LLMX_PARAMS_INSTANTIATE(double)
LLMX_PARAMS_INSTANTIATE(std::string)
LLMX_PARAMS_INSTANTIATE(std::vector<double>)
LLMX_PARAMS_INSTANTIATE(std::vector<int64_t>)
LLMX_PARAMS_INSTANTIATE(std::vector<std::string>)
#undef LLMX_PARAMS_INSTANTIATE

std::string Params::choice(const std::string& key, const std::vector<std::string>& allowed,
                           std::optional<std::string> default_value, const std::string& description) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  std::string value;
  if (!has(key) && default_value) {
    value = optional<std::string>(key, *default_value, description);
  } else {
    value = required<std::string>(key, description);
  }
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
    fail(key, cat("'", value, "' is not one of: ", list));
  return value;
}

Params Params::make_child(const std::string& key, ConfigNodePtr node) {
  ConfigNodePtr resolved_child;
  if (s_->resolved) {
    resolved_child = ConfigNode::make_map({});
    s_->resolved->set(key, resolved_child);
  }
  if (!node) {
    node = ConfigNode::make_map(location_of(key));
    node->key_location = location_of(key);
  }
  Params child(node, path_of(key), resolved_child);
  if (s_->schema) child.bind(*s_->schema, child_section(key, false));
  s_->children.push_back(child.s_);
  return child;
}

Params Params::required_child(const std::string& key, const std::string& description) {
  auto n = lookup(key);
  if (!n) fail(key, "missing required section (" + description + ")");
  if (n->kind != ConfigNode::Kind::map) fail(key, cat("expected a map of keys (", description, "), got ", kind_name(n->kind)));
  return make_child(key, n);
}

Params Params::optional_child(const std::string& key, const std::string& description) {
  auto n = lookup(key);
  if (n && n->kind != ConfigNode::Kind::map)
    fail(key, cat("expected a map of keys (", description, "), got ", kind_name(n->kind)));
  return make_child(key, n);
}

std::vector<Params> Params::map_list(const std::string& key, const std::string& description, bool required) {
  auto n = lookup(key);
  std::vector<Params> out;
  if (!n) {
    if (required) fail(key, "missing required list (" + description + ")");
    return out;
  }
  if (n->kind != ConfigNode::Kind::sequence)
    fail(key, cat("expected a list (", description, "), got ", kind_name(n->kind)));
  ConfigNodePtr resolved_list;
  if (s_->resolved) {
    resolved_list = std::make_shared<ConfigNode>();
    resolved_list->kind = ConfigNode::Kind::sequence;
    s_->resolved->set(key, resolved_list);
  }
  for (size_t i = 0; i < n->items.size(); ++i) {
    const auto& item = n->items[i];
    const std::string item_path = path_of(key) + "[" + std::to_string(i) + "]";
    if (item->kind != ConfigNode::Kind::map)
      throw Error(cat(item->location.str(), ": ", item_path, ": expected a map of keys, got ", kind_name(item->kind)));
    ConfigNodePtr resolved_item;
    if (resolved_list) {
      resolved_item = ConfigNode::make_map({});
      resolved_list->items.push_back(resolved_item);
    }
    Params child(item, item_path, resolved_item);
    if (s_->schema) child.bind(*s_->schema, child_section(key, true));
    s_->children.push_back(child.s_);
    out.push_back(child);
  }
  return out;
}

void Params::finish_state(const State& s) {
  for (const auto& [key, value] : s.node->entries) {
    if (std::find(s.declared.begin(), s.declared.end(), key) != s.declared.end()) continue;
    std::string hint;
    for (const auto& d : s.declared) {
      if (stem(d) == stem(key) && d != key) {
        hint = " (did you mean '" + d + "'? the unit is part of the key name)";
        break;
      }
    }
    if (hint.empty()) {
      for (const auto& d : s.declared) {
        if (distance(d, key) <= 2) {
          hint = " (did you mean '" + d + "'?)";
          break;
        }
      }
    }
    const SourceLocation& loc = value->key_location.line ? value->key_location : value->location;
    const std::string path = s.path.empty() ? key : s.path + "." + key;
    throw Error(cat(loc.str(), ": ", path, ": unknown key", hint));
  }
  for (const auto& child : s.children) finish_state(*child);
}

void Params::finish() const { finish_state(*s_); }

}  // namespace llmx
