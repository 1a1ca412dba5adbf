// The sweep runner and the shard merger: fork per point, resume from points/, results.csv rebuilt from the
// finished points in point order. See runner.h for the directory layout and the rules.
#include "explorer/sweep/runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "explorer/config/loader.h"
#include "explorer/run/csv.h"
#include "explorer/run/results_dir.h"
#include "explorer/run/run.h"
#include "explorer/sweep/spec.h"
#include "explorer/trace/trace.h"
#include "models/core/error.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

using Clock = std::chrono::steady_clock;

const char* kManifest = "sweep.txt";
const char* kResults = "results.csv";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(cat(path.string(), ": cannot read"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `path` through a temporary file renamed into place.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw Error(cat(tmp.string(), ": cannot write"));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error(cat(path.string(), ": cannot write (", ec.message(), ")"));
  }
}

std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

// Number of cells in a CSV line (quotes respected).
size_t csv_width(const std::string& line) {
  size_t n = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      ++n;
  }
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// --- Finished points ------------------------------------------------------------------------------------

struct PointResult {
  bool done = false;
  bool ok = false;
  std::string error;
  std::string summary_header, summary_row;
};

// Reads points/<key>/ if it holds a finished point.
PointResult load_point(const fs::path& dir) {
  PointResult r;
  std::error_code ec;
  if (fs::is_regular_file(dir / "summary.csv", ec)) {
    const auto lines = lines_of(read_file(dir / "summary.csv"));
    if (lines.size() != 2)
      throw Error(cat((dir / "summary.csv").string(), ": expected a header and one row"));
    r.done = r.ok = true;
    r.summary_header = lines[0];
    r.summary_row = lines[1];
  } else if (fs::is_regular_file(dir / "error.txt", ec)) {
    r.done = true;
    r.error = one_line(read_file(dir / "error.txt"));
  }
  return r;
}

// The child's record of a point whose inputs were rejected: points/<key>/error.txt, installed atomically.
void write_error_record(const fs::path& points_dir, const std::string& key, const std::string& message) {
  install_results_dir(points_dir / key, {{"error.txt", one_line(message) + "\n"}}, {});
}

// --- results.csv ------------------------------------------------------------------------------------------

std::vector<std::string> leading_columns(const SweepSpec& spec) {
  std::vector<std::string> cols{"point", "point_key"};
  for (const auto& k : spec.keys()) cols.push_back(k);
  cols.push_back("status");
  cols.push_back("error");
  return cols;
}

std::string join_csv(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_quote(cells[i]);
  return out;
}

// The union of the points' summary columns in order of first appearance (a multi-device point has columns
// a one-device point lacks), and a point's row laid out in it, blank where the point has no such column.
class SummaryColumns {
 public:
  void add(const std::string& header) {
    if (header.empty() || !seen_headers_.insert(header).second) return;
    for (const std::string& name : split_csv_line(header))
      if (at_.emplace(name, names_.size()).second) names_.push_back(name);
    header_ = join_csv(names_);
  }
  const std::string& header() const { return header_; }
  size_t width() const { return names_.size(); }
  // `row` of a summary with columns `header`: unchanged when those are the union's.
  std::string row(const std::string& header, const std::string& row) const {
    if (header.empty()) return std::string(width() ? width() - 1 : 0, ',');
    if (header == header_) return row;
    const std::vector<std::string> names = split_csv_line(header), cells = split_csv_line(row);
    if (names.size() != cells.size())
      throw Error(cat("summary row of ", cells.size(), " cells under ", names.size(), " columns"));
    std::vector<std::string> out(names_.size());
    for (size_t i = 0; i < names.size(); ++i) out[at_.at(names[i])] = cells[i];
    return join_csv(out);
  }

 private:
  std::vector<std::string> names_;
  std::map<std::string, size_t> at_;
  std::set<std::string> seen_headers_;
  std::string header_;
};

// The text of results.csv for the finished points among `points` (in order); paths in error rows are
// relative to the spec's directory (the same text in every checkout).
std::string results_text(const std::string& leading_header, const std::vector<const SweepPoint*>& points,
                         const std::vector<PointResult>& results, const std::string& spec_dir) {
  SummaryColumns columns;
  for (size_t i = 0; i < points.size(); ++i)
    if (results[i].ok) columns.add(results[i].summary_header);
  std::string text = leading_header + (columns.width() ? "," + columns.header() : "") + "\n";
  for (size_t i = 0; i < points.size(); ++i) {
    const PointResult& r = results[i];
    if (!r.done) continue;
    std::vector<std::string> cells{std::to_string(points[i]->index), points[i]->key};
    cells.insert(cells.end(), points[i]->values.begin(), points[i]->values.end());
    cells.push_back(r.ok ? "ok" : "error");
    cells.push_back(r.ok ? "" : paths_relative_to(r.error, spec_dir));
    text += join_csv(cells);
    if (columns.width()) text += "," + columns.row(r.ok ? r.summary_header : "", r.summary_row);
    text += "\n";
  }
  return text;
}

// --- Manifest -------------------------------------------------------------------------------------------

struct Manifest {
  std::string identity;
  size_t points = 0;
  size_t shard_index = 0, shard_count = 1;
  std::string columns;
};

std::string manifest_text(const Manifest& m, const std::string& spec_path) {
  return cat("# explorer sweep output: shard ", m.shard_index, "/", m.shard_count,
             " of the sweep below (docs/SWEEPS.md)\n", "sweep ", m.identity, "\n", "spec ", spec_path, "\n",
             "points ", m.points, "\n", "shard ", m.shard_index, "/", m.shard_count, "\n", "columns ",
             m.columns, "\n");
}

Manifest read_manifest(const fs::path& dir) {
  const fs::path path = dir / kManifest;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw Error(cat(dir.string(), ": not a sweep output directory (no ", kManifest, ")"));
  Manifest m;
  std::set<std::string> seen;
  int line_no = 0;
  for (const auto& line : lines_of(read_file(path))) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    const std::string key = line.substr(0, space),
                      value = space == std::string::npos ? "" : line.substr(space + 1);
    auto bad = [&](const std::string& what) {
      return Error(cat(path.string(), ":", line_no, ":1: ", key, ": ", what));
    };
    seen.insert(key);
    if (key == "sweep")
      m.identity = value;
    else if (key == "columns")
      m.columns = value;
    else if (key == "spec")
      continue;
    else if (key == "points") {
      char* end = nullptr;
      m.points = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end) throw bad("expected a number");
    } else if (key == "shard") {
      unsigned long long i = 0, n = 0;
      char tail = 0;
      if (std::sscanf(value.c_str(), "%llu/%llu%c", &i, &n, &tail) != 2 || n == 0 || i >= n)
        throw bad("expected i/n");
      m.shard_index = i;
      m.shard_count = n;
    } else {
      throw bad("unknown key");
    }
  }
  for (const char* k : {"sweep", "points", "shard", "columns"})
    if (!seen.count(k)) throw Error(cat(path.string(), ": ", k, ": missing"));
  return m;
}

// --- Progress -------------------------------------------------------------------------------------------

class Progress {
 public:
  Progress(size_t to_run, size_t already_done)
      : to_run_(to_run),
        already_(already_done),
        tty_(::isatty(STDERR_FILENO) == 1),
        start_(Clock::now()),
        last_(start_) {}

  void finished(bool error) {
    ++done_;
    errors_ += error;
    show(false);
  }
  void tick() { show(false); }
  void close() {
    show(true);
    if (tty_ && to_run_ > 0) std::fputc('\n', stderr);
  }

 private:
  static std::string clock_text(double seconds) {
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
      std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
      std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
  }
  std::string eta() const {
    if (done_ == 0) return "--:--";
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    return clock_text(elapsed / done_ * (to_run_ - done_));
  }
  void show(bool final) {
    if (to_run_ == 0) return;
    const auto now = Clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (tty_) {
      if (!final && since < 0.25 && done_ < to_run_) return;
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(kWidth * done_ / to_run_);
      std::string bar(filled, '#');
      bar.resize(kWidth, '.');
      std::fprintf(stderr, "\r\033[K[%s] %zu/%zu  %s elapsed  ETA %s%s", bar.c_str(), done_, to_run_,
                   clock_text(elapsed).c_str(), eta().c_str(),
                   errors_ ? cat("  ", errors_, " error(s)").c_str() : "");
    } else {
      // Plain lines: at every tenth of the work or every 30 s, and at the end.
      const size_t tenth = done_ * 10 / to_run_;
      if (!final && tenth == last_tenth_ && since < 30) return;
      if (final && done_ == printed_done_) return;
      last_tenth_ = tenth;
      printed_done_ = done_;
      std::fprintf(stderr,
                   "sweep: %zu/%zu points run (%zu already done before), %zu error(s), %s elapsed, ETA %s\n",
                   done_, to_run_, already_, errors_, clock_text(elapsed).c_str(), eta().c_str());
    }
    std::fflush(stderr);
    last_ = now;
  }

  size_t to_run_, already_;
  bool tty_;
  Clock::time_point start_, last_;
  size_t done_ = 0, errors_ = 0, last_tenth_ = 0, printed_done_ = 0;
};

// --- Running points -------------------------------------------------------------------------------------

// Blocks SIGCHLD while the sweep waits for its points (sigtimedwait then wakes as soon as one ends); the
// previous mask is restored on exit and in every point's process.
struct BlockedChildSignal {
  sigset_t set{}, previous{};
  BlockedChildSignal() {
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &set, &previous);
  }
  ~BlockedChildSignal() { ::sigprocmask(SIG_SETMASK, &previous, nullptr); }
  BlockedChildSignal(const BlockedChildSignal&) = delete;
  BlockedChildSignal& operator=(const BlockedChildSignal&) = delete;
};

// Reads the traces the points to run name, so that their processes inherit them parsed. A point whose
// config or trace cannot be read is left to report that itself.
void preload_traces(const std::vector<const SweepPoint*>& points) {
  for (const SweepPoint* point : points) {
    try {
      const std::string path = trace_path_in(*load_config(point->base_path, point->overrides));
      if (!path.empty() && fs::is_regular_file(path))
        trace::read_trace_cached(fs::absolute(path).lexically_normal().string());
    } catch (const std::exception&) {
    }
  }
}

// Forks the process for one point. The child dies with the parent (a killed sweep leaves no orphans that
// would finish points behind the next run's back).
pid_t spawn_point(const SweepSpec& spec, const SweepPoint& point, const fs::path& out_dir, int lock_fd) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(cat("fork failed: ", std::strerror(errno)));
  if (pid > 0) return pid;

  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(3);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::close(lock_fd);
  const std::string log = (out_dir / "logs" / (point.key + ".log")).string();
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  int code = 0;
  try {
    RunRequest request;
    request.config_path = point.base_path;
    request.overrides = point.overrides;
    request.out_dir = (out_dir / "points" / point.key).string();
    run_point(request);
  } catch (const std::exception& e) {
    // A rejected input (or a model's report) is a deterministic outcome of the point: record it.
    std::fprintf(stderr, "explorer: %s\n", e.what());
    code = 1;
    try {
      write_error_record(out_dir / "points", point.key, e.what());
    } catch (const std::exception& w) {
      std::fprintf(stderr, "explorer: %s\n", w.what());
      code = 2;
    }
  }
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(code);
}

std::string last_log_line(const fs::path& log) {
  std::error_code ec;
  if (!fs::is_regular_file(log, ec)) return {};
  const auto lines = lines_of(read_file(log));
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    if (!it->empty()) return one_line(*it);
  return {};
}

// Removes what a killed run left behind in points/: staging directories, and point directories that hold
// neither results nor an error record; only what their manifests list (anything else stays where it is).
void clean_points_dir(const fs::path& points_dir) {
  for (const auto& e : fs::directory_iterator(points_dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(".partial-") != std::string::npos || name.find(".replaced-") != std::string::npos)
      remove_results_dir(e.path(), true);
    else if (e.is_directory() && name.size() == 16 && !load_point(e.path()).done)
      remove_results_dir(e.path(), false);
  }
}

// A sweep replaces only what a sweep wrote: it writes into an earlier sweep's directory (sweep.txt), or into
// one that holds none of the names it writes (slurm/sweep-array.sh keeps its own files beside the merge).
void check_sweep_dir(const fs::path& out) {
  std::error_code ec;
  const fs::file_status status = fs::status(out, ec);
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status)) throw Error(cat(out.string(), ": exists and is not a directory"));
  if (fs::exists(fs::symlink_status(out / kManifest, ec))) {
    read_manifest(out);
    return;
  }
  for (const char* name : {kResults, "runs.log", "points", "logs", ".lock", "report.html", "report.txt"})
    if (fs::exists(fs::symlink_status(out / name, ec)))
      throw Error(cat((out / name).string(), ": exists and is not a sweep's (no ", kManifest, " beside it); ",
                      "not writing into ", out.string(), " (choose another --out)"));
}

// Points a kill took between installing their results and logging them: logged now, so runs.log names every
// point this directory ran.
void log_unlogged_points(const fs::path& runs_log, const std::vector<const SweepPoint*>& points,
                         const std::vector<PointResult>& results) {
  std::set<std::string> logged;
  std::error_code ec;
  if (fs::is_regular_file(runs_log, ec))
    for (const auto& line : lines_of(read_file(runs_log))) {
      std::istringstream in(line);
      std::string index, key;
      if (in >> index >> key) logged.insert(key);
    }
  std::ofstream out(runs_log, std::ios::app);
  for (size_t i = 0; i < points.size(); ++i)
    if (results[i].done && !logged.count(points[i]->key))
      out << points[i]->index << " " << points[i]->key << " " << (results[i].ok ? "ok" : "error")
          << " logged-on-resume\n";
  if (!out) throw Error(cat(runs_log.string(), ": cannot write"));
}

int lock_directory(const fs::path& dir) {
  const std::string path = (dir / ".lock").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(cat(path, ": cannot open (", std::strerror(errno), ")"));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    throw Error(cat(dir.string(), ": another sweep is running in this directory"));
  }
  return fd;
}

std::string identity_of(const std::string& columns, const std::vector<SweepPoint>& points) {
  std::string text = columns + "\n";
  for (const auto& p : points) text += p.key + "\n";
  return fnv1a_hex(text);
}

}  // namespace

int run_sweep(const SweepOptions& options) {
  if (options.jobs < 1) throw Error("sweep: -j needs at least 1");
  if (options.shard_count == 0 || options.shard_index >= options.shard_count)
    throw Error(cat("sweep: --shard ", options.shard_index, "/", options.shard_count, ": need 0 <= i < n"));
  const SweepSpec spec = read_sweep_spec(options.spec_path);
  const std::vector<SweepPoint> all = expand_sweep(spec);
  std::vector<const SweepPoint*> mine;
  for (const auto& p : all)
    if (p.index % options.shard_count == options.shard_index) mine.push_back(&p);
  const std::string leading = join_csv(leading_columns(spec));
  const std::string spec_dir = fs::path(options.spec_path).parent_path().string();

  if (options.list_only) {
    std::printf("%s\n", join_csv([&] {
                          std::vector<std::string> c{"point", "point_key"};
                          for (const auto& k : spec.keys()) c.push_back(k);
                          return c;
                        }())
                            .c_str());
    for (const SweepPoint* p : mine) {
      std::vector<std::string> cells{std::to_string(p->index), p->key};
      cells.insert(cells.end(), p->values.begin(), p->values.end());
      std::printf("%s\n", join_csv(cells).c_str());
    }
    return 0;
  }

  const fs::path out = output_path(options.out_dir);
  check_sweep_dir(out);
  const fs::path points_dir = out / "points";
  std::error_code ec;
  fs::create_directories(points_dir, ec);
  if (!ec) fs::create_directories(out / "logs", ec);
  if (ec) throw Error(cat(out.string(), ": cannot create (", ec.message(), ")"));
  const int lock_fd = lock_directory(out);
  clean_points_dir(points_dir);

  Manifest manifest;
  manifest.identity = identity_of(leading, all);
  manifest.points = all.size();
  manifest.shard_index = options.shard_index;
  manifest.shard_count = options.shard_count;
  manifest.columns = leading;
  write_atomically(out / kManifest, manifest_text(manifest, options.spec_path));

  std::vector<PointResult> results(mine.size());
  std::deque<size_t> todo;
  size_t already = 0;
  for (size_t i = 0; i < mine.size(); ++i) {
    results[i] = load_point(points_dir / mine[i]->key);
    if (results[i].done)
      ++already;
    else
      todo.push_back(i);
  }
  auto write_results = [&] {
    write_atomically(out / kResults, results_text(leading, mine, results, spec_dir));
  };
  write_results();
  log_unlogged_points(out / "runs.log", mine, results);

  std::vector<const SweepPoint*> to_run;
  for (size_t i : todo) to_run.push_back(mine[i]);
  preload_traces(to_run);

  std::ofstream runs_log(out / "runs.log", std::ios::app);
  Progress progress(todo.size(), already);
  std::map<pid_t, size_t> running;
  const BlockedChildSignal child_signal;
  auto last_write = Clock::now();
  bool unwritten = false;
  while (!todo.empty() || !running.empty()) {
    while (static_cast<int>(running.size()) < options.jobs && !todo.empty()) {
      const size_t i = todo.front();
      todo.pop_front();
      running[spawn_point(spec, *mine[i], out, lock_fd)] = i;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      progress.tick();
      if (unwritten && Clock::now() - last_write > std::chrono::seconds(1)) {
        write_results();
        last_write = Clock::now();
        unwritten = false;
      }
      // Sleep until a point's process ends (SIGCHLD, blocked so it stays pending) or the progress is due.
      const timespec wake{0, 250'000'000};
      ::sigtimedwait(&child_signal.set, nullptr, &wake);
      continue;
    }
    if (pid < 0) throw Error(cat("waitpid failed: ", std::strerror(errno)));
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    const SweepPoint& point = *mine[i];
    const fs::path log = out / "logs" / (point.key + ".log");
    PointResult r = load_point(points_dir / point.key);
    if (!r.done) {
      // The process died or could not record its outcome: an error row now, retried by the next run.
      r.done = true;
      const std::string tail = last_log_line(log);
      if (WIFSIGNALED(status))
        r.error = cat("point process killed by signal ", WTERMSIG(status));
      else
        r.error = cat("point process exited with code ", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      if (!tail.empty()) r.error += ": " + tail;
    }
    if (fs::is_regular_file(log, ec) && fs::file_size(log, ec) == 0) fs::remove(log, ec);
    results[i] = r;
    runs_log << point.index << " " << point.key << " " << (r.ok ? "ok" : "error") << "\n" << std::flush;
    progress.finished(!r.ok);
    unwritten = true;
    if (Clock::now() - last_write > std::chrono::seconds(1)) {
      write_results();
      last_write = Clock::now();
      unwritten = false;
    }
  }
  write_results();
  progress.close();
  size_t total_errors = 0;
  for (const auto& r : results) total_errors += !r.ok;
  std::fprintf(stderr,
               "sweep: %s: %zu points in shard %zu/%zu (%zu already done, %zu run), %zu error row(s)\n",
               (out / kResults).string().c_str(), mine.size(), options.shard_index, options.shard_count,
               already, mine.size() - already, total_errors);
  ::close(lock_fd);
  return 0;
}

void merge_sweeps(const std::vector<std::string>& shard_dirs, const std::string& out_dir) {
  if (shard_dirs.empty()) throw Error("sweep merge: no shard directories given");
  const fs::path out = output_path(out_dir);
  check_sweep_dir(out);
  std::error_code ec;
  Manifest first;
  std::map<size_t, std::string> shard_of;               // shard index -> dir
  std::map<size_t, std::pair<std::string, std::string>> rows;  // point -> (row, its shard's summary columns)
  SummaryColumns columns;
  for (size_t d = 0; d < shard_dirs.size(); ++d) {
    const fs::path dir(shard_dirs[d]);
    if (fs::exists(out, ec) && fs::equivalent(dir, out, ec))
      throw Error(cat("sweep merge: --out ", out_dir, " is one of the shard directories"));
    const Manifest m = read_manifest(dir);
    if (d == 0)
      first = m;
    else if (m.identity != first.identity || m.points != first.points || m.columns != first.columns ||
             m.shard_count != first.shard_count)
      throw Error(cat((dir / kManifest).string(), ": sweep ", m.identity, " shard ", m.shard_index, "/",
                      m.shard_count, " is not a shard of the same sweep as ", shard_dirs[0], " (sweep ",
                      first.identity, ", ", first.shard_count, " shards)"));
    if (!shard_of.emplace(m.shard_index, shard_dirs[d]).second)
      throw Error(cat((dir / kManifest).string(), ": shard ", m.shard_index, "/", m.shard_count,
                      " given twice (also ", shard_of[m.shard_index], ")"));
    const fs::path results_path = dir / kResults;
    const auto lines = lines_of(read_file(results_path));
    if (lines.empty() || lines[0].compare(0, m.columns.size(), m.columns) != 0)
      throw Error(cat(results_path.string(), ":1:1: header does not start with the manifest's columns"));
    std::string header_rest = lines[0].substr(m.columns.size());
    if (!header_rest.empty()) {
      if (header_rest[0] != ',') throw Error(cat(results_path.string(), ":1:1: malformed header"));
      header_rest = header_rest.substr(1);
      columns.add(header_rest);
    }
    for (size_t l = 1; l < lines.size(); ++l) {
      const std::string& line = lines[l];
      char* end = nullptr;
      const unsigned long long index = std::strtoull(line.c_str(), &end, 10);
      if (end == line.c_str() || *end != ',' || index >= m.points || index % m.shard_count != m.shard_index)
        throw Error(cat(results_path.string(), ":", l + 1, ":1: point: not a point of shard ", m.shard_index,
                        "/", m.shard_count));
      if (!rows.emplace(index, std::make_pair(line, header_rest)).second)
        throw Error(cat(results_path.string(), ":", l + 1, ":1: point ", index, " appears twice"));
    }
  }
  for (size_t s = 0; s < first.shard_count; ++s)
    if (!shard_of.count(s)) throw Error(cat("sweep merge: shard ", s, "/", first.shard_count, " is missing"));
  if (rows.size() != first.points) {
    for (size_t p = 0; p < first.points; ++p)
      if (!rows.count(p))
        throw Error(cat(shard_of[p % first.shard_count], ": ", first.points - rows.size(),
                        " point(s) not finished, first point ", p, " (run the shard again: it resumes)"));
  }

  const size_t leading = csv_width(first.columns);
  std::string text = first.columns + (columns.width() ? "," + columns.header() : "") + "\n";
  for (const auto& [index, row] : rows) {
    const auto& [line, header] = row;
    if (header == columns.header()) {
      text += line + "\n";
      continue;
    }
    const std::vector<std::string> cells = split_csv_line(line);
    if (header.empty() || cells.size() < leading) {
      text += line + (columns.width() ? "," + columns.row("", "") : "") + "\n";
      continue;
    }
    const std::vector<std::string> lead(cells.begin(), cells.begin() + static_cast<ptrdiff_t>(leading));
    const std::vector<std::string> rest(cells.begin() + static_cast<ptrdiff_t>(leading), cells.end());
    text += join_csv(lead) + "," + columns.row(header, join_csv(rest)) + "\n";
  }

  fs::create_directories(out / "points", ec);
  if (ec) throw Error(cat(out_dir, ": cannot create (", ec.message(), ")"));
  Manifest merged = first;
  merged.shard_index = 0;
  merged.shard_count = 1;
  write_atomically(out / kManifest,
                   manifest_text(merged, "(merged from " + std::to_string(shard_dirs.size()) + " shards)"));
  // Point directories: hard links where the file system allows, copies otherwise; existing ones are kept.
  for (const auto& [s, dir] : shard_of) {
    const fs::path points_dir = fs::path(dir) / "points";
    if (!fs::is_directory(points_dir, ec)) continue;
    for (const auto& e : fs::directory_iterator(points_dir)) {
      const std::string name = e.path().filename().string();
      if (!e.is_directory() || name.size() != 16 || !load_point(e.path()).done) continue;
      const fs::path target = out / "points" / name;
      if (fs::exists(target, ec)) continue;
      const fs::path tmp = target.string() + ".partial-" + std::to_string(::getpid());
      if (fs::exists(fs::symlink_status(tmp, ec)))
        throw Error(cat(tmp.string(), ": exists; not replacing it"));
      fs::copy(e.path(), tmp, fs::copy_options::recursive | fs::copy_options::create_hard_links, ec);
      if (ec) {
        fs::remove_all(tmp, ec);
        fs::copy(e.path(), tmp, fs::copy_options::recursive, ec);
      }
      if (!ec) fs::rename(tmp, target, ec);
      if (ec) throw Error(cat(target.string(), ": cannot copy point results (", ec.message(), ")"));
    }
  }
  write_atomically(out / kResults, text);
  std::fprintf(stderr, "sweep merge: %s: %zu points from %zu shard(s)\n", (out / kResults).string().c_str(),
               rows.size(), shard_dirs.size());
}

}  // namespace llmx
