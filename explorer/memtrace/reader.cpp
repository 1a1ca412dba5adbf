// Memory-trace reader; see reader.h.
#include "explorer/memtrace/reader.h"

#include <cctype>
#include <filesystem>
#include <sstream>
#include <vector>

#include "models/core/error.h"

namespace llmx {
namespace {

// Digits only: std::stoull alone would take a sign ("-5" wraps to 2^64 - 5) and leading whitespace.
bool parse_u64(const std::string& s, uint64_t* out) {
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const std::string digits = hex ? s.substr(2) : s;
  if (digits.empty()) return false;
  for (const char c : digits)
    if (!(hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c))))
      return false;
  try {
    size_t used = 0;
    *out = std::stoull(digits, &used, hex ? 16 : 10);
    return used == digits.size();
  } catch (...) {
    return false;
  }
}

}  // namespace

MemoryTraceReader::MemoryTraceReader(const std::string& path, double cycle_ns, uint32_t access_bytes)
    : path_(path), in_(path), cycle_ns_(cycle_ns), access_bytes_(access_bytes) {
  if (std::filesystem::is_directory(path)) throw Error(cat(path, ": is a directory, not a memory trace"));
  if (!in_) throw Error(cat(path, ": cannot open trace file"));
}

bool MemoryTraceReader::next(dram::Access& a) {
  if (pending_write_) {
    a = *pending_write_;
    pending_write_.reset();
    return true;
  }
  std::string line;
  while (std::getline(in_, line)) {
    ++line_no_;
    // The same whitespace the tokenizer splits on (vertical tab and form feed included).
    const auto first = line.find_first_not_of(" \t\r\n\v\f");
    if (first == std::string::npos || line[first] == '#') continue;
    parse(line, a);
    ++accesses_;
    return true;
  }
  if (accesses_ == 0) bad("no accesses in the trace (empty, or only blank and comment lines)");
  return false;
}

void MemoryTraceReader::bad(const std::string& what) const {
  throw Error(cat(path_, ":", line_no_, ": ", what));
}

void MemoryTraceReader::parse(const std::string& line, dram::Access& a) {
  std::istringstream ss(line);
  std::vector<std::string> tok;
  for (std::string t; ss >> t;) tok.push_back(t);
  a = dram::Access{};
  a.bytes = access_bytes_;
  a.not_before_ns = time_ns_;
  const std::string& t0 = tok[0];
  if (t0.back() == ':') {  // DRAMSys: "<time>: read|write <addr> [data]"
    uint64_t cycles;
    if (!parse_u64(t0.substr(0, t0.size() - 1), &cycles)) bad("bad timestamp '" + t0 + "'");
    if (tok.size() < 3) bad("expected '<time>: read|write <address> [data]'");
    if (tok[1] == "read")
      a.is_write = false;
    else if (tok[1] == "write")
      a.is_write = true;
    else
      bad("unknown command '" + tok[1] + "' (read or write)");
    if (!parse_u64(tok[2], &a.addr)) bad("bad address '" + tok[2] + "'");
    if (tok.size() >= 4) {
      std::string data = tok[3];
      if (data.rfind("0x", 0) == 0) data = data.substr(2);
      if (data.empty() || data.size() % 2) bad("data field must be whole bytes of hex digits");
      for (const char c : data)
        if (!std::isxdigit(static_cast<unsigned char>(c))) bad("data field '" + tok[3] + "' is not hex");
      if (tok.size() > 4) bad("unexpected '" + tok[4] + "' after the data field");
      a.bytes = uint32_t(data.size() / 2);
    }
    time_ns_ = double(cycles) * cycle_ns_;
    if (time_ns_ < last_stamp_ns_) bad("timestamps must not decrease");
    last_stamp_ns_ = time_ns_;
    a.not_before_ns = time_ns_;
    return;
  }
  if (t0 == "LD" || t0 == "ST" || t0 == "R" || t0 == "W") {  // Ramulator 2 load/store or read/write trace
    if (tok.size() != 2) bad("expected '" + t0 + " <address>'");
    if (!parse_u64(tok[1], &a.addr)) bad("bad address '" + tok[1] + "'");
    a.is_write = t0 == "ST" || t0 == "W";
    return;
  }
  uint64_t bubbles;  // Ramulator 2 SimpleO3: "<bubble_count> <addr> [<writeback addr>]"
  if (parse_u64(t0, &bubbles) && (tok.size() == 2 || tok.size() == 3)) {
    if (!parse_u64(tok[1], &a.addr)) bad("bad address '" + tok[1] + "'");
    time_ns_ += double(bubbles) * cycle_ns_;
    a.not_before_ns = time_ns_;
    if (tok.size() == 3) {
      dram::Access w = a;
      if (!parse_u64(tok[2], &w.addr)) bad("bad writeback address '" + tok[2] + "'");
      w.is_write = true;
      pending_write_ = w;
    }
    return;
  }
  bad("unrecognised trace line (DRAMSys '<time>: read <addr>', Ramulator 'LD <addr>' or '<bubbles> "
      "<addr>')");
}

}  // namespace llmx
