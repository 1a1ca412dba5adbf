// Address mapping for one DRAM channel: named schemes and explicit bit lists with XOR terms.
// Left out: hash functions other than XOR of bit pairs.
#include "models/memory/dram/address_mapping.h"

#include <algorithm>

#include "models/core/error.h"

namespace llmx::dram {

namespace {
constexpr const char* kFieldNames[kFields] = {"pseudo_channel", "rank", "bank_group",
                                              "bank",           "row",  "column"};

uint64_t extract(uint64_t value, uint64_t mask) {  // gathers the bits under mask, low to high
  uint64_t out = 0;
  int k = 0;
  while (mask) {
    const uint64_t low = mask & (~mask + 1);
    if (value & low) out |= uint64_t(1) << k;
    ++k;
    mask &= mask - 1;
  }
  return out;
}
}  // namespace

const char* field_name(Field f) {
  return kFieldNames[static_cast<int>(f)];
}

bool parse_field(const std::string& text, Field* out) {
  for (int i = 0; i < kFields; ++i)
    if (text == kFieldNames[i]) {
      *out = static_cast<Field>(i);
      return true;
    }
  return false;
}

AddressMapping::AddressMapping(std::string name, int tx_offset_bits, std::vector<Field> bits,
                               std::vector<XorTerm> xors, FieldSizes sizes)
    : name_(std::move(name)),
      tx_offset_(tx_offset_bits),
      bits_(std::move(bits)),
      xors_(std::move(xors)),
      sizes_(sizes) {
  std::array<int, kFields> got{};
  for (size_t i = 0; i < bits_.size(); ++i) {
    const int f = static_cast<int>(bits_[i]);
    if (bits_[i] == Field::row) continue;
    masks_[f] |= uint64_t(1) << i;
    ++got[f];
  }
  for (int f = 0; f < kFields; ++f) {
    if (f == static_cast<int>(Field::row)) continue;
    if (got[f] != sizes_.bits[f])
      throw Error(cat("address mapping ", name_, ": field ", kFieldNames[f], " has ", got[f],
                      " bits, the organisation needs ", sizes_.bits[f]));
  }
  // Row: the listed row bits, then every address bit above the list.
  uint64_t row_mask = 0;
  for (size_t i = 0; i < bits_.size(); ++i)
    if (bits_[i] == Field::row) row_mask |= uint64_t(1) << i;
  const int total = static_cast<int>(bits_.size());
  for (int i = total; i < 64 - tx_offset_; ++i) row_mask |= uint64_t(1) << i;
  masks_[static_cast<int>(Field::row)] = row_mask;
  lut_.resize(8);
  for (int c = 0; c < 8; ++c)
    for (int b = 0; b < 256; ++b) {
      const uint64_t a = uint64_t(b) << (8 * c);
      Packed& e = lut_[size_t(c)][size_t(b)];
      e.lo = extract(a, masks_[0]) | extract(a, masks_[1]) << 8 | extract(a, masks_[2]) << 16 |
             extract(a, masks_[3]) << 24 | extract(a, masks_[5]) << 32;
      e.hi = extract(a, masks_[4]);
    }
  for (const auto& x : xors_) {
    if (x.target_bit < 0 || x.source_bit < 0 ||
        (x.target != Field::row && x.target_bit >= sizes_.bits[static_cast<int>(x.target)]) ||
        (x.source != Field::row && x.source_bit >= sizes_.bits[static_cast<int>(x.source)]))
      throw Error(cat("address mapping ", name_, ": XOR term ", field_name(x.target), ".", x.target_bit, "^",
                      field_name(x.source), ".", x.source_bit, " names a bit the field does not have"));
  }
}

DecodedAddress AddressMapping::decode(uint64_t addr) const {
  uint64_t a = addr >> tx_offset_;
  uint64_t lo = 0, hi = 0;
  for (size_t c = 0; a != 0; ++c, a >>= 8) {
    const Packed& e = lut_[c][a & 255];
    lo |= e.lo;
    hi |= e.hi;
  }
  std::array<int64_t, kFields> v{};
  v[0] = int64_t(lo & 0xff);
  v[1] = int64_t((lo >> 8) & 0xff);
  v[2] = int64_t((lo >> 16) & 0xff);
  v[3] = int64_t((lo >> 24) & 0xff);
  v[5] = int64_t(lo >> 32);
  v[4] = int64_t(hi);
  // XOR terms read the pre-XOR values (all sources are decoded first).
  if (!xors_.empty()) {
    const auto src = v;
    for (const auto& x : xors_)
      v[static_cast<int>(x.target)] ^= ((src[static_cast<int>(x.source)] >> x.source_bit) & 1)
                                       << x.target_bit;
  }
  DecodedAddress d;
  d.pseudo_channel = int(v[0]);
  d.rank = int(v[1]);
  d.bank_group = int(v[2]);
  d.bank = int(v[3]);
  d.row = v[4];
  d.column = int(v[5]);
  return d;
}

uint64_t AddressMapping::contiguous_run_bytes() const {
  // Lowest address bit that is not a column bit and is not XORed away into a column-only run.
  size_t i = 0;
  while (i < bits_.size() && bits_[i] == Field::column) ++i;
  // A column bit that is XOR source of another field breaks the run too.
  for (const auto& x : xors_) {
    if (x.source != Field::column) continue;
    // position of that column bit in the address
    int k = 0;
    for (size_t j = 0; j < bits_.size(); ++j)
      if (bits_[j] == Field::column) {
        if (k == x.source_bit && j < i) i = j;
        ++k;
      }
  }
  return uint64_t(1) << (tx_offset_ + i);
}

std::vector<std::string> AddressMapping::scheme_names() {
  return {"MOP4CLXOR", "RoBaRaCoCh", "RoCoBaBgRaPc", "RoCoRaBaBgPc", "RoCoBaBgRaCo4Pc"};
}

AddressMapping AddressMapping::named(const std::string& scheme, int tx_offset_bits, FieldSizes sizes) {
  const auto n = [&](Field f) { return sizes.bits[static_cast<int>(f)]; };
  std::vector<Field> bits;
  std::vector<XorTerm> xors;
  auto push = [&](Field f, int count) {
    for (int i = 0; i < count; ++i) bits.push_back(f);
  };
  // Hierarchy order of the levels between channel and row, as in Ramulator's level lists.
  const Field levels[] = {Field::pseudo_channel, Field::rank, Field::bank_group, Field::bank};
  if (scheme == "MOP4CLXOR") {
    // Four consecutive bursts share bank and row; then the bank levels; then the other column bits; then
    // the row. Each bank level (and the row) is XORed with successive column bits.
    const int col = n(Field::column);
    if (col < 2)
      throw Error(cat("address mapping MOP4CLXOR needs at least 4 bursts per row, got ", 1 << col));
    push(Field::column, 2);
    for (Field f : levels) push(f, n(f));
    push(Field::column, col - 2);
    int xor_index = 0;
    for (Field f : {Field::pseudo_channel, Field::rank, Field::bank_group, Field::bank, Field::row}) {
      const int width = f == Field::row ? 64 : n(f);
      if (width == 0) continue;
      for (int b = 0; b < width && xor_index + b < col; ++b)
        xors.push_back({f, b, Field::column, xor_index + b});
      xor_index += width;
      if (xor_index >= col) break;
    }
  } else if (scheme == "RoBaRaCoCh") {
    // Column lowest, then the bank levels, row highest (channel bits already stripped).
    push(Field::column, n(Field::column));
    for (Field f : levels) push(f, n(f));
  } else if (scheme == "RoCoBaBgRaPc") {
    // Bank-interleaved: consecutive bursts walk pseudo-channels, ranks, bank groups and banks first.
    for (Field f : levels) push(f, n(f));
    push(Field::column, n(Field::column));
  } else if (scheme == "RoCoRaBaBgPc") {
    // Bank-interleaved within a rank (stack ID): pseudo-channels, bank groups and banks first, then ranks, so
    // a stream switches rank once per sweep of the banks (HBM3's tCCDR) instead of every other burst.
    for (Field f : {Field::pseudo_channel, Field::bank_group, Field::bank, Field::rank}) push(f, n(f));
    push(Field::column, n(Field::column));
  } else if (scheme == "RoCoBaBgRaCo4Pc") {
    // Pseudo-channels lowest, then four bursts to one bank, then ranks, bank groups and banks, then the rest
    // of the columns: activates are spread over a stream instead of all banks changing rows together.
    push(Field::pseudo_channel, n(Field::pseudo_channel));
    const int low = std::min(2, n(Field::column));
    push(Field::column, low);
    for (Field f : {Field::rank, Field::bank_group, Field::bank}) push(f, n(f));
    push(Field::column, n(Field::column) - low);
  } else {
    std::string known;
    for (const auto& s : scheme_names()) known += (known.empty() ? "" : ", ") + s;
    throw Error(cat("unknown address mapping scheme '", scheme, "' (known: ", known, ")"));
  }
  return AddressMapping(scheme, tx_offset_bits, std::move(bits), std::move(xors), sizes);
}

}  // namespace llmx::dram
