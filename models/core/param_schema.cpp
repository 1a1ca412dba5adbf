// Parameter declarations: builders, unit derivation, the schema registry and the printed tables.
#include "models/core/param_schema.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace llmx {

namespace {

ParamDecl make(std::string key, ParamKind kind, std::optional<std::string> dflt, Bound bound,
               std::string description) {
  ParamDecl d;
  d.key = std::move(key);
  d.kind = kind;
  d.default_text = std::move(dflt);
  d.bound = bound;
  d.description = std::move(description);
  return d;
}

// Unit of one name token: the suffixes the project's keys use.
std::string token_unit(const std::string& t) {
  static const std::map<std::string, std::string> units{
      {"ns", "ns"},         {"us", "us"},         {"ms", "ms"},     {"s", "s"},       {"ck", "clocks"},
      {"cycle", "cycle"},   {"cycles", "cycles"}, {"mtps", "MT/s"}, {"mhz", "MHz"},   {"ghz", "GHz"},
      {"hz", "Hz"},         {"gbps", "GB/s"},     {"gtps", "GT/s"}, {"bytes", "B"},   {"byte", "B"},
      {"kib", "KiB"},       {"mib", "MiB"},       {"gib", "GiB"},   {"bits", "bits"}, {"bit", "bit"},
      {"pj", "pJ"},         {"nj", "nJ"},         {"j", "J"},       {"mw", "mW"},     {"w", "W"},
      {"ma", "mA"},         {"v", "V"},           {"ohm", "ohm"},   {"pf", "pF"},     {"usd", "USD"},
      {"mm2", "mm^2"},      {"um2", "um^2"},      {"mm", "mm"},     {"percent", "%"}, {"ps", "ps"},
      {"tflops", "TFLOP/s"}};
  auto it = units.find(t);
  return it == units.end() ? std::string() : it->second;
}

std::string last_token(const std::string& s) {
  const auto u = s.rfind('_');
  return u == std::string::npos ? s : s.substr(u + 1);
}

}  // namespace

ParamDecl number(std::string key, std::optional<std::string> dflt, Bound bound, std::string description) {
  return make(std::move(key), ParamKind::number, std::move(dflt), bound, std::move(description));
}
ParamDecl integer(std::string key, std::optional<std::string> dflt, Bound bound, std::string description) {
  return make(std::move(key), ParamKind::integer, std::move(dflt), bound, std::move(description));
}
ParamDecl flag(std::string key, std::optional<std::string> dflt, std::string description) {
  return make(std::move(key), ParamKind::flag, std::move(dflt), Bound::any(), std::move(description));
}
ParamDecl text(std::string key, std::optional<std::string> dflt, std::string description) {
  return make(std::move(key), ParamKind::text, std::move(dflt), Bound::any(), std::move(description));
}
ParamDecl choice(std::string key, std::vector<std::string> choices, std::optional<std::string> dflt,
                 std::string description) {
  ParamDecl d =
      make(std::move(key), ParamKind::choice, std::move(dflt), Bound::any(), std::move(description));
  d.choices = std::move(choices);
  return d;
}
ParamDecl list(std::string key, ParamKind kind, std::optional<std::string> dflt, Bound bound,
               std::string description) {
  return make(std::move(key), kind, std::move(dflt), bound, std::move(description));
}
ParamDecl section(std::string key, bool required, std::string description) {
  return make(std::move(key), ParamKind::section, required ? kRequired : std::optional<std::string>("empty"),
              Bound::any(), std::move(description));
}
ParamDecl section_list(std::string key, bool required, std::string description) {
  return make(std::move(key), ParamKind::section_list,
              required ? kRequired : std::optional<std::string>("none"), Bound::any(),
              std::move(description));
}
ParamDecl with_unit(ParamDecl d, std::string unit) {
  d.unit = std::move(unit);
  return d;
}

ParamDecl only_when(ParamDecl d, std::string when) {
  d.when = std::move(when);
  return d;
}

std::vector<ParamDecl> instance_keys(const std::string& type) {
  return {
      text("type", kRequired, "implementation: " + type + " (read by the elaborator)"),
      integer("count", "1", Bound::range(1, 4096), "number of identical instances (read by the elaborator)"),
      section("cost", false, "what one element costs, read by the cost model (docs/COST.md)")};
}

std::string description_of(const ParamDecl& d) {
  return d.when.empty() ? d.description : "(" + d.when + ") " + d.description;
}

std::string kind_name(ParamKind k) {
  switch (k) {
    case ParamKind::number:
      return "number";
    case ParamKind::integer:
      return "integer";
    case ParamKind::flag:
      return "true/false";
    case ParamKind::text:
      return "text";
    case ParamKind::choice:
      return "choice";
    case ParamKind::numbers:
      return "list of numbers";
    case ParamKind::integers:
      return "list of integers";
    case ParamKind::texts:
      return "list of texts";
    case ParamKind::section:
      return "map";
    case ParamKind::section_list:
      return "list of maps";
  }
  return "?";
}

std::string unit_of(const ParamDecl& d) {
  if (!d.unit.empty()) return d.unit;
  const auto per = d.key.rfind("_per_");
  if (per != std::string::npos) {
    const std::string num = last_token(d.key.substr(0, per)), den = d.key.substr(per + 5);
    const std::string nu = token_unit(num), du = token_unit(den);
    return (nu.empty() ? num : nu) + "/" + (du.empty() ? den : du == "clocks" ? "clock" : du);
  }
  const std::string u = token_unit(last_token(d.key));
  if (!u.empty() && d.key.find('_') != std::string::npos) return u;
  switch (d.kind) {
    case ParamKind::integer:
    case ParamKind::integers:
      return "count";
    case ParamKind::number:
    case ParamKind::numbers:
      return "ratio";
    case ParamKind::flag:
      return "flag";
    case ParamKind::section:
    case ParamKind::section_list:
      return "map";
    default:
      return "text";
  }
}

std::string default_of(const ParamDecl& d) {
  return d.default_text ? *d.default_text : "required";
}

std::string range_of(const ParamDecl& d) {
  if (!d.choices.empty()) {
    std::string s;
    for (const auto& c : d.choices) s += (s.empty() ? "" : " | ") + c;
    return s;
  }
  const bool numeric = d.kind == ParamKind::number || d.kind == ParamKind::integer ||
                       d.kind == ParamKind::numbers || d.kind == ParamKind::integers;
  if (!numeric) return "-";
  return d.bound.describe();
}

const ParamSection* ParamSchema::find(const std::string& path) const {
  for (const auto& s : sections)
    if (s.path == path) return &s;
  return nullptr;
}

const ParamDecl* ParamSchema::find(const std::string& path, const std::string& key) const {
  const ParamSection* s = find(path);
  if (!s) return nullptr;
  const ParamDecl* named = nullptr;
  for (const auto& d : s->keys) {
    if (d.key == key) return &d;
    if (d.key == "<name>") named = &d;
  }
  return named;
}

SchemaRegistry& SchemaRegistry::instance() {
  static SchemaRegistry r;
  return r;
}

void SchemaRegistry::add(const ParamSchema& (*make)()) {
  makers_.push_back(make);
}

const ParamSchema* SchemaRegistry::find(const std::string& name) const {
  for (auto* m : makers_)
    if (m().name == name) return &m();
  return nullptr;
}

std::vector<const ParamSchema*> SchemaRegistry::all() const {
  std::vector<const ParamSchema*> out;
  for (auto* m : makers_) out.push_back(&m());
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

namespace {

std::string full_key(const ParamSection& s, const ParamDecl& d) {
  return s.path.empty() ? d.key : s.path + "." + d.key;
}

}  // namespace

std::string describe_schema(const ParamSchema& s) {
  std::ostringstream o;
  o << s.name << ": " << s.description << "\n";
  size_t key_w = 3, unit_w = 4, def_w = 7;
  for (const auto& sec : s.sections)
    for (const auto& d : sec.keys) {
      key_w = std::max(key_w, full_key(sec, d).size());
      unit_w = std::max(unit_w, unit_of(d).size());
      def_w = std::max(def_w, std::min<size_t>(default_of(d).size(), 24));
    }
  auto pad = [](const std::string& t, size_t w) {
    return t + std::string(w > t.size() ? w - t.size() : 1, ' ');
  };
  o << "  " << pad("key", key_w + 2) << pad("unit", unit_w + 2) << pad("default", def_w + 2)
    << "range; description\n";
  for (const auto& sec : s.sections) {
    if (!sec.path.empty() || !sec.description.empty())
      o << "  [" << (sec.path.empty() ? "(instance)" : sec.path) << "]"
        << (sec.description.empty() ? "" : " ") << sec.description << "\n";
    for (const auto& d : sec.keys)
      o << "  " << pad(full_key(sec, d), key_w + 2) << pad(unit_of(d), unit_w + 2)
        << pad(default_of(d), def_w + 2) << range_of(d) << "; " << description_of(d) << "\n";
  }
  return o.str();
}

std::string markdown_schema(const ParamSchema& s) {
  auto cell = [](std::string t) {
    std::string out;
    for (char c : t) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
  };
  std::ostringstream o;
  o << "## `" << s.name << "`\n\n" << s.description << "\n\n";
  o << "| key | unit | kind | default | range | description |\n|---|---|---|---|---|---|\n";
  for (const auto& sec : s.sections)
    for (const auto& d : sec.keys)
      o << "| `" << full_key(sec, d) << "` | " << cell(unit_of(d)) << " | " << kind_name(d.kind) << " | "
        << cell(default_of(d)) << " | " << cell(range_of(d)) << " | " << cell(description_of(d)) << " |\n";
  o << "\n";
  return o.str();
}

}  // namespace llmx
