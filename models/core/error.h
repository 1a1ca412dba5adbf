// Errors the explorer reports to its user: one line each, naming where the problem is (file:line:column and
// a key path for configuration, file and record number for traces). Everything a user can get wrong is
// thrown as llmx::Error (or a subclass) and turned into "explorer: <message>" with a non-zero exit by the
// command-line front end; nothing a user can get wrong may crash or abort.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace llmx {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Builds a message from streamable parts: throw Error(cat("file ", name, ": record ", n, ": bad kind")).
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace llmx
