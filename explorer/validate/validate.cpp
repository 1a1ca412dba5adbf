// `explorer validate`: run the measured rows, compare; see validate.h.
#include "explorer/validate/validate.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "explorer/run/csv.h"
#include "explorer/run/process.h"
#include "explorer/run/run.h"
#include "explorer/validate/csv_records.h"
#include "explorer/validate/machine_rule.h"
#include "models/core/error.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

// The config map a runtime preset is included into.
const char* kRuntimeSection = "driver";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The numbers of a run's summary.csv (its one row), by column.
class RunSummary {
 public:
  explicit RunSummary(const fs::path& dir) : file_((dir / "summary.csv").string()) {
    std::istringstream in(read_file(file_));
    std::string header, values;
    if (!std::getline(in, header) || !std::getline(in, values)) throw Error(cat(file_, ": no summary"));
    names_ = split_csv_line(header);
    cells_ = split_csv_line(values);
  }
  double number(const std::string& column) const {
    for (size_t i = 0; i < names_.size() && i < cells_.size(); ++i)
      if (names_[i] == column) return std::stod(cells_[i]);
    throw Error(cat(file_, ": no ", column, " column"));
  }

 private:
  std::string file_;
  std::vector<std::string> names_, cells_;
};

std::string last_line(const fs::path& log) {
  std::istringstream in(read_file(log));
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

bool selected(const std::string& id, const std::vector<std::string>& only) {
  if (only.empty()) return true;
  for (const auto& o : only)
    if (id.compare(0, o.size(), o) == 0) return true;
  return false;
}

// Runs one row in this (child) process, its output going to `log`.
int run_row(const ValidateOptions& o, const ValidationRow& row, const fs::path& dir, const fs::path& log) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  const fs::path root(o.root);
  RunRequest r;
  r.config_path = (root / "configs" / "validation" / (row.machine + ".yaml")).string();
  r.trace_path = (root / row.trace).string();
  r.overrides = {
      cat(kRuntimeSection, ".include=", (root / "configs" / "runtime" / (row.runtime + ".yaml")).string()),
      cat("workload.decode_steps=", o.decode_steps)};
  r.out_dir = dir.string();
  run_point(r);
  return 0;
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100.0 * v);
  return buf;
}

}  // namespace

std::vector<ValidationRow> read_validation_set(const std::string& set_path,
                                               const std::string& machines_path) {
  std::map<std::string, std::string> class_of;
  for (const auto& m : read_machines(machines_path)) class_of[m.name] = m.machine_class;
  const CsvRecords csv(set_path, {"id", "machine", "runtime", "trace", "measured_tokens_per_s", "set",
                                  "measurement", "source"});
  std::vector<ValidationRow> rows;
  std::set<std::string> ids;
  for (size_t r = 0; r < csv.size(); ++r) {
    ValidationRow v;
    v.id = csv.text(r, "id");
    if (!ids.insert(v.id).second) throw Error(cat(csv.where(r, "id"), ": '", v.id, "' appears twice"));
    v.machine = csv.text(r, "machine");
    const auto it = class_of.find(v.machine);
    if (it == class_of.end())
      throw Error(cat(csv.where(r, "machine"), ": '", v.machine, "' is not in ", machines_path));
    v.machine_class = it->second;
    v.runtime = csv.text(r, "runtime");
    v.trace = csv.text(r, "trace");
    v.measured_tokens_per_s = csv.number(r, "measured_tokens_per_s");
    if (v.measured_tokens_per_s <= 0)
      throw Error(cat(csv.where(r, "measured_tokens_per_s"), ": must be positive"));
    v.set = csv.text(r, "set");
    if (v.set != "fit" && v.set != "check" && v.set != "holdout")
      throw Error(cat(csv.where(r, "set"), ": '", v.set, "' (known: fit, check, holdout)"));
    v.measurement = csv.text(r, "measurement");
    v.source = csv.text(r, "source");
    rows.push_back(v);
  }
  return rows;
}

ErrorSummary summarize(const std::vector<const ValidationResult*>& results) {
  ErrorSummary s;
  std::vector<double> errors;
  for (const ValidationResult* r : results) {
    if (!r->ok) continue;
    const double e = std::fabs(r->error);
    errors.push_back(e);
    if (e >= s.worst) s.worst = e, s.worst_id = r->row.id;
  }
  s.rows = errors.size();
  if (errors.empty()) return s;
  std::sort(errors.begin(), errors.end());
  const size_t n = errors.size();
  s.median = n % 2 ? errors[n / 2] : 0.5 * (errors[n / 2 - 1] + errors[n / 2]);
  return s;
}

std::vector<ValidationResult> run_validation(const ValidateOptions& o) {
  const fs::path root(o.root);
  const std::string set_path =
      o.set_path.empty() ? (root / "validation" / "measured.csv").string() : o.set_path;
  std::vector<ValidationResult> results;
  for (const auto& row : read_validation_set(set_path, (root / "validation" / "machines.csv").string()))
    if (selected(row.id, o.only)) {
      ValidationResult r;
      r.row = row;
      results.push_back(r);
    }
  if (results.empty()) throw Error("validate: no row selected");

  const bool temporary = o.points_dir.empty();
  const fs::path work =
      temporary ? fs::temp_directory_path() / cat("llmx-validate-", ::getpid()) : fs::path(o.points_dir);
  fs::create_directories(work);
  auto dir_of = [&](size_t i) { return work / results[i].row.id; };
  auto log_of = [&](size_t i) { return work / (results[i].row.id + ".log"); };
  try {
    run_children(
        results.size(), o.jobs, [&](size_t i) { return run_row(o, results[i].row, dir_of(i), log_of(i)); },
        [&](size_t i, int code) {
          ValidationResult& r = results[i];
          if (code != 0) {
            r.failure = last_line(log_of(i));
            if (r.failure.empty()) r.failure = cat("run exited with code ", code);
            return;
          }
          // A measured machine held the whole model; a row whose config streams weights over the host
          // link predicts another system, so it fails rather than counting.
          const RunSummary summary(dir_of(i));
          const double offloaded = summary.number("offloaded_weight_bytes");
          if (offloaded > 0) {
            r.failure = cat("the model does not fit the machine's memory (", offloaded,
                            " weight bytes over the host link)");
            return;
          }
          r.predicted_tokens_per_s = summary.number("tokens_per_s");
          r.error = r.predicted_tokens_per_s / r.row.measured_tokens_per_s - 1.0;
          r.ok = true;
        });
  } catch (...) {
    std::error_code ec;
    if (temporary) fs::remove_all(work, ec);
    throw;
  }
  std::error_code ec;
  if (temporary) fs::remove_all(work, ec);
  return results;
}

std::string results_csv(const std::vector<ValidationResult>& results) {
  CsvTable t({"id", "machine", "class", "runtime", "set", "trace", "measured_tokens_per_s",
              "predicted_tokens_per_s", "error", "status"});
  for (const auto& r : results) {
    t.row()
        .add(r.row.id)
        .add(r.row.machine)
        .add(r.row.machine_class)
        .add(r.row.runtime)
        .add(r.row.set)
        .add(r.row.trace)
        .add(r.row.measured_tokens_per_s)
        .add(r.ok ? r.predicted_tokens_per_s : 0.0)
        .add(r.ok ? r.error : 0.0)
        .add(r.ok ? std::string("ok") : "failed: " + r.failure);
  }
  return t.text();
}

std::string results_text(const std::vector<ValidationResult>& results) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-28s %-7s %-6s %-26s %10s %10s %8s\n", "row", "set", "class", "runtime",
                "measured", "predicted", "error");
  out << line;
  for (const auto& r : results) {
    if (r.ok)
      std::snprintf(line, sizeof line, "%-28s %-7s %-6s %-26s %10.2f %10.2f %8s\n", r.row.id.c_str(),
                    r.row.set.c_str(), r.row.machine_class.c_str(), r.row.runtime.c_str(),
                    r.row.measured_tokens_per_s, r.predicted_tokens_per_s, percent(r.error).c_str());
    else
      std::snprintf(line, sizeof line, "%-28s %-7s %-6s %-26s %10.2f %10s   failed: %s\n", r.row.id.c_str(),
                    r.row.set.c_str(), r.row.machine_class.c_str(), r.row.runtime.c_str(),
                    r.row.measured_tokens_per_s, "-", r.failure.c_str());
    out << line;
  }
  auto group = [&](const std::string& label, auto keep) {
    std::vector<const ValidationResult*> g;
    for (const auto& r : results)
      if (keep(r)) g.push_back(&r);
    if (g.empty()) return;
    const ErrorSummary s = summarize(g);
    std::snprintf(line, sizeof line, "%-16s %3zu rows   median |error| %5.1f%%   worst %5.1f%% (%s)\n",
                  label.c_str(), s.rows, 100.0 * s.median, 100.0 * s.worst, s.worst_id.c_str());
    out << line;
  };
  out << "\n";
  group("all", [](const ValidationResult&) { return true; });
  for (const char* c : {"apple", "gpu"})
    group(cat("class ", c), [c](const ValidationResult& r) { return r.row.machine_class == c; });
  for (const char* s : {"fit", "check", "holdout"})
    group(cat("set ", s), [s](const ValidationResult& r) { return r.row.set == s; });
  // The bounds hold per class, on the rows the model was built on and on the holdout apart.
  for (const char* c : {"apple", "gpu"}) {
    group(cat("fit+check ", c),
          [c](const ValidationResult& r) { return r.row.machine_class == c && r.row.set != "holdout"; });
    group(cat("holdout ", c),
          [c](const ValidationResult& r) { return r.row.machine_class == c && r.row.set == "holdout"; });
  }
  return out.str();
}

}  // namespace llmx
