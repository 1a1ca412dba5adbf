// Collectives as rounds of transfers; see collectives.h.
#include "explorer/plan/collectives.h"

namespace llmx {

namespace {

uint64_t chunk(uint64_t total, uint64_t parts, uint64_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

// Rounds [first, first + count) of a ring over `ring`: in round r member i sends chunk (i - r) mod k to
// member i + 1 (reduce-scatter rounds 0..k-2, all-gather rounds k-1..2k-3 continue the same rotation).
std::vector<Round> ring_rounds(const std::vector<uint32_t>& ring, uint64_t bytes, uint32_t first,
                               uint32_t count) {
  const uint32_t k = static_cast<uint32_t>(ring.size());
  std::vector<Round> rounds;
  for (uint32_t r = first; r < first + count; ++r) {
    Round round;
    for (uint32_t i = 0; i < k; ++i) {
      const uint32_t c = (i + k * 2 - r % k) % k;
      round.push_back({ring[i], ring[(i + 1) % k], chunk(bytes, k, c)});
    }
    rounds.push_back(std::move(round));
  }
  return rounds;
}

// Two rings, one each way round, each with half the message: both directions of every link carry it (as
// NCCL's rings do); two devices have one ring, whose two transfers per round already go both ways.
std::vector<Round> both_ways(const std::vector<uint32_t>& ring, uint64_t bytes, uint32_t first,
                             uint32_t count) {
  if (ring.size() < 3) return ring_rounds(ring, bytes, first, count);
  const std::vector<uint32_t> back(ring.rbegin(), ring.rend());
  std::vector<Round> rounds = ring_rounds(ring, bytes - bytes / 2, first, count);
  const std::vector<Round> other = ring_rounds(back, bytes / 2, first, count);
  for (size_t r = 0; r < rounds.size(); ++r)
    rounds[r].insert(rounds[r].end(), other[r].begin(), other[r].end());
  return rounds;
}

}  // namespace

std::vector<Round> collective_rounds(const PlannedCollective& c) {
  const auto k = static_cast<uint32_t>(c.devices.size());
  switch (c.kind) {
    case CollectiveKind::all_reduce:
      return k < 2 ? std::vector<Round>{} : both_ways(c.devices, c.bytes, 0, 2 * (k - 1));
    case CollectiveKind::all_gather:
      return k < 2 ? std::vector<Round>{} : both_ways(c.devices, c.bytes, k - 1, k - 1);
    case CollectiveKind::send: {
      Round round;
      for (size_t i = 0; i < c.devices.size() && i < c.peers.size(); ++i)
        round.push_back({c.devices[i], c.peers[i], c.bytes});
      return {round};
    }
  }
  return {};
}

uint64_t bytes_sent(const std::vector<Round>& rounds, uint32_t device) {
  uint64_t total = 0;
  for (const Round& round : rounds)
    for (const Transfer& t : round)
      if (t.from == device) total += t.bytes;
  return total;
}

}  // namespace llmx
