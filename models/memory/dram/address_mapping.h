// Address mapping for one DRAM channel: which bit of a channel-local address selects the pseudo-channel,
// rank, bank group, bank, row and column, in the two ways the cycle-level simulators describe it: named
// schemes (Ramulator's RoBaRaCoCh, MOP4CLXOR, bank-interleaved RoCoBaBgRaPc and, with ranks above the
// banks, RoCoRaBaBgPc) and explicit per-bit lists with XOR terms (DRAMSys style). Channel selection is not
// here: the interconnect (or the multi-channel driver in memory_system.h) strips the channel bits, so each
// channel sees a dense address space. Left out: non-power-of-two organisations (except a row count, whose
// field then takes the top bits: dram_spec.cpp) and hash functions other than XOR of bit pairs.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace llmx::dram {

enum class Field : uint8_t { pseudo_channel = 0, rank, bank_group, bank, row, column, count };
constexpr int kFields = static_cast<int>(Field::count);
const char* field_name(Field f);
bool parse_field(const std::string& text, Field* out);

struct DecodedAddress {
  int pseudo_channel = 0, rank = 0, bank_group = 0, bank = 0, column = 0;
  int64_t row = 0;
};

struct FieldSizes {  // number of address bits per field (column: bursts per row)
  std::array<int, kFields> bits{};
};

class AddressMapping {
 public:
  struct XorTerm {  // decoded target bit ^= decoded source bit
    Field target;
    int target_bit;
    Field source;
    int source_bit;
  };

  AddressMapping() = default;
  // `bits[i]` names the field that address bit (tx_offset + i) feeds, least significant first; address
  // bits above the list feed the row. Each field must get exactly its size.
  AddressMapping(std::string name, int tx_offset_bits, std::vector<Field> bits, std::vector<XorTerm> xors,
                 FieldSizes sizes);

  // Named schemes; `sizes` from the organisation. Throws llmx::Error for an unknown name.
  static AddressMapping named(const std::string& scheme, int tx_offset_bits, FieldSizes sizes);
  static std::vector<std::string> scheme_names();

  DecodedAddress decode(uint64_t addr) const;
  const std::string& name() const { return name_; }
  int tx_offset_bits() const { return tx_offset_; }
  const std::vector<Field>& bits() const { return bits_; }
  const std::vector<XorTerm>& xors() const { return xors_; }
  // Bytes over which consecutive addresses keep pseudo-channel, rank, bank group, bank and row unchanged
  // and only the column moves (the run a contiguous transfer stays in one row), at least one burst.
  uint64_t contiguous_run_bytes() const;

 private:
  std::string name_;
  int tx_offset_ = 0;
  std::vector<Field> bits_;
  std::vector<XorTerm> xors_;
  FieldSizes sizes_;
  std::array<uint64_t, kFields> masks_{};  // address bits (after tx offset) of each field
  // Decode tables: for each byte of the (shifted) address, the field bits it contributes, packed as
  // pseudo_channel | rank << 8 | bank_group << 16 | bank << 24 | column << 32 (lo) and the row (hi).
  struct Packed {
    uint64_t lo = 0, hi = 0;
  };
  std::vector<std::array<Packed, 256>> lut_;
};

}  // namespace llmx::dram
