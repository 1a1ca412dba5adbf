// Reading sweep specs through llmx::Params and expanding them into ordered, keyed design points. See spec.h.
#include "explorer/sweep/spec.h"

#include "explorer/run/run.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "explorer/config/loader.h"
#include "models/core/error.h"
#include "models/core/params.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

// The key whose values are file paths, resolved relative to the spec file (the run resolves a --set path
// relative to the working directory, so the sweep hands it an absolute one).
const char* kTraceKey = "workload.trace";

// More points than this is a mistake in the spec, not a sweep anyone can run.
constexpr size_t kMaxPoints = 10'000'000;

std::string override_text(const std::string& key, const std::string& text, bool quoted,
                          const fs::path& spec_dir) {
  // File paths (the trace, and included presets) are relative to the spec, like paths in any config file.
  const bool include =
      key == "include" || (key.size() > 8 && key.compare(key.size() - 8, 8, ".include") == 0);
  if (key == kTraceKey || include) {
    fs::path p(text);
    if (p.is_relative()) p = spec_dir / p;
    return key + "=" + yaml_single_quoted(fs::absolute(p).lexically_normal().string());
  }
  return key + "=" + (quoted ? yaml_single_quoted(text) : text);
}

// An unquoted value YAML or a number parser reads as NaN or an infinity (.nan, .inf, -.Inf, nan, 1e999):
// no parameter takes one, so the spec refuses it instead of every point failing.
bool non_finite_number(const std::string& text) {
  std::string t;
  for (char c : text) t += char(std::tolower(static_cast<unsigned char>(c)));
  const size_t sign = !t.empty() && (t[0] == '+' || t[0] == '-') ? 1 : 0;
  const std::string body = t.substr(sign);
  if (body == ".nan" || body == ".inf" || body == "nan" || body == "inf" || body == "infinity") return true;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  return !t.empty() && end == t.c_str() + t.size() && !std::isfinite(v);
}

// `file` (relative to the spec's directory `dir`) as an absolute path; fails on `key` when it is not a file,
// naming it as `what` ("system config", "trace file").
std::string existing_file(Params& p, const std::string& key, const std::string& file, const fs::path& dir,
                          const char* what) {
  const fs::path path = fs::path(file).is_absolute() ? fs::path(file) : dir / file;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    p.fail(key,
           cat("cannot open ", what, " '", file, "' (looked for ", path.lexically_normal().string(), ")"));
  return fs::absolute(path).lexically_normal().string();
}

SweepKey read_key(Params& p, const std::set<std::string>& seen, const fs::path& spec_dir) {
  SweepKey k;
  k.path = p.required<std::string>("key", "config key path to vary, e.g. modules.pe.count");
  k.where = p.location_of("key");
  if (k.path.empty() || k.path.front() == '.' || k.path.back() == '.' ||
      k.path.find("..") != std::string::npos || k.path.find_first_of(" =\t") != std::string::npos)
    p.fail("key", cat("'", k.path, "' is not a key path (names joined by '.')"));
  if (seen.count(k.path)) p.fail("key", cat("'", k.path, "' is swept twice"));
  p.claim("values");
  const ConfigNodePtr list = p.node()->find("values");
  if (!list) p.fail("values", "missing required list (the values the key takes)");
  if (list->kind != ConfigNode::Kind::sequence || list->items.empty())
    p.fail("values", "expected a non-empty list of values");
  std::set<std::string> distinct;
  for (size_t i = 0; i < list->items.size(); ++i) {
    const ConfigNode& item = *list->items[i];
    const std::string where = cat(p.path_of("values"), "[", i, "]");
    if (item.kind != ConfigNode::Kind::scalar)
      throw Error(
          cat(item.location.str(), ": ", where, ": expected a single value (number, text or boolean)"));
    if (!item.quoted && non_finite_number(item.scalar))
      throw Error(cat(item.location.str(), ": ", where, ": '", item.scalar,
                      "' is not a finite number (no parameter takes it; quote it if it is text)"));
    if (!distinct.insert(std::string(item.quoted ? "q" : "p") + item.scalar).second)
      throw Error(cat(item.location.str(), ": ", where, ": '", item.scalar, "' is listed twice"));
    k.values.push_back({item.scalar, item.quoted, item.location});
    const fs::path file = spec_dir / item.scalar;
    std::error_code ec;
    if (k.path == kBaseKey && !fs::path(item.scalar).is_absolute() && !fs::is_regular_file(file, ec))
      throw Error(cat(item.location.str(), ": ", where, ": cannot open system config '", item.scalar,
                      "' (looked for ", file.lexically_normal().string(), ")"));
  }
  return k;
}

std::string file_content_hash(const std::string& path, std::map<std::string, std::string>& cache) {
  if (path.empty()) return "none";
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  std::ifstream in(path, std::ios::binary);
  std::string hash = "missing";
  if (in) {
    std::stringstream s;
    s << in.rdbuf();
    hash = fnv1a_hex(s.str());
  }
  return cache[path] = hash;
}

}  // namespace

std::string yaml_single_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else
      out += c;
  }
  return out + "'";
}

std::vector<std::string> SweepSpec::keys() const {
  std::vector<std::string> out;
  for (const auto& axis : axes)
    for (const auto& k : axis.keys) out.push_back(k.path);
  return out;
}

std::string paths_relative_to(const std::string& text, const std::string& dir) {
  const fs::path root = fs::absolute(dir.empty() ? "." : dir).lexically_normal();
  const auto starts_token = [](char c) { return c == ' ' || c == '\'' || c == '"' || c == '(' || c == '='; };
  const auto ends_token = [](char c) {
    return c == ' ' || c == '\'' || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' || c == '\n';
  };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '/' || (i > 0 && !starts_token(text[i - 1]))) {
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && !ends_token(text[end])) ++end;
    const std::string token = text.substr(i, end - i);
    const fs::path relative = fs::path(token).lexically_normal().lexically_relative(root);
    out += relative.empty() ? token : relative.string();
    i = end;
  }
  return out;
}

SweepSpec read_sweep_spec(const std::string& path) {
  ConfigNodePtr tree = parse_yaml_file(path);
  if (tree->kind != ConfigNode::Kind::map)
    throw Error(cat(tree->location.str(), ": (top level): a sweep spec must be a map with base: and axes:"));
  SweepSpec spec;
  spec.spec_path = path;
  const fs::path dir = fs::path(path).parent_path();
  Params p(tree, "", nullptr);

  if (p.has("base"))
    spec.base_path = existing_file(
        p, "base", p.required<std::string>("base", "system config to sweep, relative to this file"), dir,
        "system config");

  Params set = p.optional_child("set", "overrides for every point, key.path: value");
  for (const auto& key : set.keys()) {
    set.claim(key);
    const ConfigNodePtr value = set.node()->find(key);
    if (value->kind != ConfigNode::Kind::scalar)
      set.fail(key, "expected a single value (number, text or boolean)");
    spec.base_overrides.push_back(override_text(key, value->scalar, value->quoted, dir));
  }
  if (p.has("trace")) {
    const std::string trace =
        p.required<std::string>("trace", "decode trace for every point, relative to this file");
    existing_file(p, "trace", trace, dir, "trace file");
    spec.base_overrides.push_back(override_text(kTraceKey, trace, true, dir));
  }

  std::set<std::string> seen;
  for (Params& a : p.map_list("axes", "what to vary: {key, values} or {zip: [{key, values}, ...]}", true)) {
    SweepAxis axis;
    if (a.has("zip")) {
      if (a.has("key") || a.has("values"))
        a.fail("zip", "an axis is either {key: ..., values: [...]} or {zip: [...]}, not both");
      for (Params& m : a.map_list("zip", "keys varied together: [{key, values}, ...]", true)) {
        axis.keys.push_back(read_key(m, seen, dir));
        seen.insert(axis.keys.back().path);
        const SweepKey& first = axis.keys.front();
        if (axis.keys.back().values.size() != first.values.size())
          m.fail("values", cat("a zip group's lists must be equally long: ", axis.keys.back().values.size(),
                               " values here, ", first.values.size(), " for ", first.path));
        m.finish();
      }
      if (axis.keys.empty()) a.fail("zip", "an empty zip group");
    } else {
      axis.keys.push_back(read_key(a, seen, dir));
      seen.insert(axis.keys.back().path);
    }
    a.finish();
    spec.axes.push_back(std::move(axis));
  }
  if (spec.axes.empty()) p.fail("axes", "needs at least one axis");
  if (seen.count(kBaseKey) && !spec.base_path.empty())
    p.fail("base", "an axis sweeps base: the system configs are its values (drop this key)");
  if (!seen.count(kBaseKey) && spec.base_path.empty())
    p.fail("base",
           "missing required key (system config to sweep, relative to this file; or an axis on base)");

  if (p.has("filters")) {
    p.claim("filters");
    const ConfigNodePtr list = p.node()->find("filters");
    if (list->kind != ConfigNode::Kind::sequence)
      p.fail("filters", "expected a list of expressions, e.g. ['modules.pe.count * 2 <= 64']");
    const std::vector<std::string> keys = spec.keys();
    for (size_t i = 0; i < list->items.size(); ++i) {
      const ConfigNode& item = *list->items[i];
      const std::string label = cat("filters[", i, "]");
      if (item.kind != ConfigNode::Kind::scalar || item.scalar.empty())
        throw Error(cat(item.location.str(), ": ", label, ": expected an expression"));
      spec.filters.emplace_back(item.scalar, keys, item.location, label);
    }
  }
  p.finish();
  return spec;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& spec) {
  const fs::path dir = fs::path(spec.spec_path).parent_path();
  std::map<std::string, ConfigNodePtr> bases;  // by path: each system config loaded once
  auto base_of = [&](const std::string& path, const SourceLocation* where) {
    auto it = bases.find(path);
    if (it != bases.end()) return it->second;
    try {
      return bases[path] = load_config(path, spec.base_overrides);
    } catch (const Error& e) {
      if (!where) throw;
      throw Error(cat(where->str(), ": ", kBaseKey, ": ", e.what()));
    }
  };

  size_t total = 1;
  for (const auto& axis : spec.axes) {
    if (total > kMaxPoints / axis.size())
      throw Error(cat(axis.keys.front().where.str(), ": axes: the product of the axes exceeds ", kMaxPoints,
                      " points"));
    total *= axis.size();
  }

  std::map<std::string, std::string> trace_hashes;
  std::vector<SweepPoint> points;
  std::vector<size_t> at(spec.axes.size(), 0);  // odometer: the last axis varies fastest
  for (size_t n = 0; n < total; ++n) {
    SweepPoint point;
    std::vector<FilterValue> filter_values;
    std::vector<const SweepKey*> keys;
    std::vector<const SweepValue*> chosen;
    for (size_t a = 0; a < spec.axes.size(); ++a) {
      for (const auto& key : spec.axes[a].keys) {
        const SweepValue& v = key.values[at[a]];
        keys.push_back(&key);
        chosen.push_back(&v);
        point.values.push_back(v.text);
        filter_values.push_back(FilterValue::from_scalar(v.text, v.quoted));
      }
    }
    bool keep = true;
    for (const auto& f : spec.filters) keep = keep && f.keeps(filter_values);
    if (keep) {
      point.index = points.size();
      point.overrides = spec.base_overrides;
      point.base_path = spec.base_path;
      const SourceLocation* base_where = nullptr;
      for (size_t i = 0; i < keys.size(); ++i)
        if (keys[i]->path == kBaseKey) {
          point.base_path = fs::absolute(dir / chosen[i]->text).lexically_normal().string();
          base_where = &chosen[i]->where;
        }
      ConfigNodePtr tree = base_of(point.base_path, base_where)->clone();
      for (size_t i = 0; i < keys.size(); ++i) {
        if (keys[i]->path == kBaseKey) continue;
        const std::string o = override_text(keys[i]->path, chosen[i]->text, chosen[i]->quoted, dir);
        try {
          apply_override(*tree, o);
        } catch (const Error& e) {
          throw Error(cat(chosen[i]->where.str(), ": ", keys[i]->path, ": cannot apply to the base config (",
                          e.what(), ")"));
        }
        point.overrides.push_back(o);
      }
      point.key = fnv1a_hex(paths_relative_to(to_yaml(*tree), dir.string()) + "\ntrace " +
                            file_content_hash(trace_path_in(*tree), trace_hashes));
      points.push_back(std::move(point));
    }
    for (size_t a = spec.axes.size(); a-- > 0;) {
      if (++at[a] < spec.axes[a].size()) break;
      at[a] = 0;
    }
  }
  if (points.empty())
    throw Error(cat(spec.filters.empty() ? spec.spec_path : spec.filters.front().where().str(),
                    ": filters: no point passes the filters"));
  return points;
}

}  // namespace llmx
