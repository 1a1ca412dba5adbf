// Results directories and output files the explorer owns; see results_dir.h.
#include "explorer/run/results_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "models/core/config_tree.h"
#include "models/core/error.h"

namespace fs = std::filesystem;

namespace llmx {
namespace {

const char* kManifestHeader =
    "# explorer results: the files below (FNV-1a of their bytes, name) were written by the explorer; it "
    "replaces or deletes this directory only while it holds nothing else\n";

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(cat(path.string(), ": cannot read"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string staging_name(const fs::path& target, const char* what) {
  return target.filename().string() + "." + what + "-" + std::to_string(::getpid());
}

// Writes a new file; fails rather than write through an existing one.
void write_new_file(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(cat(path.string(), ": cannot create (", std::strerror(errno), ")"));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw Error(cat(path.string(), ": cannot write (", std::strerror(err), ")"));
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) throw Error(cat(path.string(), ": cannot write (", std::strerror(errno), ")"));
}

// name -> hash, or nothing when `dir` holds no manifest. A manifest the explorer did not write counts as
// none.
std::optional<std::map<std::string, std::string>> read_manifest(const fs::path& dir) {
  std::error_code ec;
  const fs::path path = dir / kManifestName;
  if (!fs::is_regular_file(fs::symlink_status(path, ec))) return std::nullopt;
  std::istringstream in(read_all(path));
  std::string line;
  if (!std::getline(in, line) || line + "\n" != kManifestHeader) return std::nullopt;
  std::map<std::string, std::string> files;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space != 16 || line.size() < 18) return std::nullopt;
    files[line.substr(17)] = line.substr(0, 16);
  }
  return files;
}

std::string manifest_text(const std::map<std::string, std::string>& files) {
  std::string text = kManifestHeader;
  for (const auto& [name, hash] : files) text += hash + " " + name + "\n";
  return text;
}

// Why the explorer may not replace or delete `dir`, or "" when it may.
std::string foreign_content(const fs::path& dir, bool check_hashes) {
  std::error_code ec;
  if (fs::is_empty(dir, ec) && !ec) return "";
  const auto manifest = read_manifest(dir);
  if (!manifest)
    return cat("holds files the explorer did not list as its own (no ", kManifestName, " of its own)");
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == kManifestName) continue;
    const auto listed = manifest->find(name);
    if (listed == manifest->end() || !fs::is_regular_file(entry.symlink_status()))
      return cat("holds '", name, "', which the explorer did not write");
    if (check_hashes && fnv1a_hex(read_all(entry.path())) != listed->second)
      return cat("'", name, "' changed since the explorer wrote it");
  }
  return "";
}

// Is `inner` `outer` or inside it? Both are resolved through links first.
bool within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(inner), ec);
  const fs::path b = fs::weakly_canonical(fs::absolute(outer), ec);
  auto i = a.begin();
  for (auto j = b.begin(); j != b.end(); ++j, ++i) {
    if (j->empty()) continue;  // trailing separator
    if (i == a.end() || *i != *j) return false;
  }
  return true;
}

// renameat2(2): `flags` RENAME_NOREPLACE or RENAME_EXCHANGE. Returns errno, 0 on success.
int rename2(const fs::path& from, const fs::path& to, unsigned flags) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags) == 0 ? 0 : errno;
}

// Swaps the staged directory in for `out`. Afterwards `stage` holds what `out` held (or nothing).
void swap_in(const fs::path& stage, const fs::path& out) {
  std::error_code ec;
  const bool exists = fs::exists(fs::symlink_status(out, ec));
  int err = rename2(stage, out, exists ? RENAME_EXCHANGE : RENAME_NOREPLACE);
  if (err == EINVAL || err == ENOSYS) {
    // A file system without renameat2's flags: move the old results aside, then the new ones in.
    const fs::path old = out.parent_path() / staging_name(out, "replaced");
    err = 0;
    if (exists && ::rename(out.c_str(), old.c_str()) != 0) err = errno;
    if (!err && ::rename(stage.c_str(), out.c_str()) != 0) err = errno;
    if (!err && exists) ::rename(old.c_str(), stage.c_str());
  }
  if (err) throw Error(cat(out.string(), ": cannot install the results (", std::strerror(err), ")"));
}

}  // namespace

fs::path output_path(const std::string& given) {
  fs::path p = fs::path(given).lexically_normal();
  if (p.filename().empty() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

std::string file_head(const fs::path& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string head(bytes, '\0');
  in.read(head.data(), std::streamsize(bytes));
  head.resize(size_t(in.gcount()));
  return head;
}

bool is_results_dir(const fs::path& dir) {
  return read_manifest(dir).has_value();
}

void check_results_dir(const fs::path& out_given, const std::vector<std::string>& inputs) {
  const fs::path out = output_path(out_given.string());
  const std::string name = out.string();
  if (out.empty()) throw Error("no output directory given");
  std::error_code ec;
  if (within(fs::current_path(ec), out))
    throw Error(
        cat(name, ": is the working directory or holds it; give the results a directory of their own"));
  for (const auto& input : inputs)
    if (!input.empty() && within(input, out))
      throw Error(
          cat(name, ": holds an input of this run (", input, "); give the results a directory of their own"));
  const fs::file_status status = fs::symlink_status(out, ec);
  if (!fs::exists(status)) return;
  if (fs::is_symlink(status)) throw Error(cat(name, ": is a link; not replacing it"));
  if (!fs::is_directory(status)) throw Error(cat(name, ": exists and is not a directory; not replacing it"));
  const std::string why = foreign_content(out, true);
  if (!why.empty())
    throw Error(cat(name, ": ", why, "; not replacing it (move it away or choose another output directory)"));
}

void install_results_dir(const fs::path& out_given, const std::vector<OutputFile>& files,
                         const std::vector<std::string>& inputs) {
  const fs::path out = output_path(out_given.string());
  check_results_dir(out, inputs);
  std::map<std::string, std::string> manifest;
  for (const auto& f : files) manifest[f.name] = fnv1a_hex(f.text);
  const fs::path stage = out.parent_path() / staging_name(out, "partial");
  std::error_code ec;
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path(), ec);
  if (!fs::create_directory(stage, ec))
    throw Error(cat(stage.string(), ": cannot create (", ec ? ec.message() : "exists", ")"));
  try {
    // The manifest first: a staging directory a kill leaves behind can be cleaned by it.
    write_new_file(stage / kManifestName, manifest_text(manifest));
    for (const auto& f : files) write_new_file(stage / f.name, f.text);
    swap_in(stage, out);
  } catch (...) {
    remove_results_dir(stage, true);
    throw;
  }
  // `stage` now holds the earlier results (checked above), or nothing.
  remove_results_dir(stage, false);
}

void add_to_results_dir(const fs::path& dir, const std::vector<OutputFile>& files) {
  auto manifest = read_manifest(dir);
  if (!manifest) throw Error(cat(dir.string(), ": not a results directory (no ", kManifestName, ")"));
  std::error_code ec;
  for (const auto& f : files) {
    const fs::path path = dir / f.name;
    if (!fs::exists(fs::symlink_status(path, ec))) continue;
    const auto listed = manifest->find(f.name);
    if (listed == manifest->end() || !fs::is_regular_file(fs::symlink_status(path, ec)))
      throw Error(cat(path.string(), ": exists and the explorer did not write it; not replacing it"));
    if (fnv1a_hex(read_all(path)) != listed->second)
      throw Error(cat(path.string(), ": changed since the explorer wrote it; not replacing it"));
  }
  for (const auto& f : files) {
    const fs::path stage = dir / staging_name(f.name, "partial");
    write_new_file(stage, f.text);
    if (::rename(stage.c_str(), (dir / f.name).c_str()) != 0) {
      const int err = errno;
      fs::remove(stage, ec);
      throw Error(cat((dir / f.name).string(), ": cannot write (", std::strerror(err), ")"));
    }
    (*manifest)[f.name] = fnv1a_hex(f.text);
  }
  const fs::path stage = dir / staging_name(kManifestName, "partial");
  write_new_file(stage, manifest_text(*manifest));
  fs::rename(stage, dir / kManifestName, ec);
  if (ec) throw Error(cat((dir / kManifestName).string(), ": cannot write (", ec.message(), ")"));
}

bool remove_results_dir(const fs::path& dir, bool staging) {
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(dir, ec);
  if (!fs::exists(status)) return true;
  if (!fs::is_directory(status) || !foreign_content(dir, !staging).empty()) return false;
  if (const auto manifest = read_manifest(dir)) {
    for (const auto& [name, hash] : *manifest) fs::remove(dir / name, ec);
    fs::remove(dir / kManifestName, ec);
  }
  return fs::remove(dir, ec) && !ec;
}

void check_output_file(const fs::path& path, const std::string& what,
                       const std::function<bool(const std::string& head)>& ours) {
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(path, ec);
  if (!fs::exists(status)) return;
  if (fs::is_symlink(status)) throw Error(cat(path.string(), ": is a link; not replacing it"));
  if (!fs::is_regular_file(status))
    throw Error(cat(path.string(), ": exists and is not a file; not replacing it"));
  if (!ours(file_head(path)))
    throw Error(cat(path.string(), ": exists and is not an explorer ", what, "; not replacing it"));
}

void write_output_file(const fs::path& path, const std::string& text, const std::string& what,
                       const std::function<bool(const std::string& head)>& ours) {
  check_output_file(path, what, ours);
  const fs::path stage = path.parent_path() / staging_name(path, "partial");
  write_new_file(stage, text);
  if (::rename(stage.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::error_code ec;
    fs::remove(stage, ec);
    throw Error(cat(path.string(), ": cannot write (", std::strerror(err), ")"));
  }
}

}  // namespace llmx
