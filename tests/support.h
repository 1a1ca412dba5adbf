// Helpers shared by the tests: scratch directories, files, and running the explorer binary.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace llmx::test {

inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("llmx-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::filesystem::path write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The source tree and the explorer binary of this build (tests/support.cpp).
std::string source_dir();
std::string explorer_bin();

// A CSV file as rows of column -> value (RFC 4180 quotes handled; no embedded newlines).
inline std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& path) {
  std::vector<std::map<std::string, std::string>> rows;
  std::istringstream in(read_text(path));
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : l) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) cells.push_back(cell), cell.clear();
      else cell += c;
    }
    cells.push_back(cell);
    return cells;
  };
  std::string line;
  if (!std::getline(in, line)) return rows;
  const std::vector<std::string> header = split(line);
  while (std::getline(in, line)) {
    const auto cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    if (cells.size() != header.size()) row["#cells"] = std::to_string(cells.size());  // lets callers check width
    rows.push_back(row);
  }
  return rows;
}

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
};

// Runs a shell command line, capturing its output.
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

inline CommandResult explorer(const std::string& args) {
  return run_command("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 '" + explorer_bin() + "' " + args);
}

inline int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace llmx::test
