// Collectives as rounds of point-to-point transfers (plain C++, no SystemC), the way a ring algorithm runs
// them (as NCCL's ring does): an all-reduce of S bytes over k devices is a reduce-scatter and an all-gather,
// 2(k-1) rounds in which every device sends one chunk of S/k to the next device of the ring, so each device
// sends 2(k-1)/k x S (over three or more devices half the message goes each way round, as NCCL runs rings
// both ways to use both directions of every link); an all-gather is the k-1 rounds of its half; a send is one
// round of each sender to its peer. A round starts when the one before it ended everywhere (each chunk needs
// the one before it). Leaves out: the reduction's arithmetic (k-1 additions of S/k per device), chunk
// pipelining within a round, tree and in-switch (NVLS) algorithms.
#pragma once

#include <cstdint>
#include <vector>

#include "explorer/plan/plan.h"

namespace llmx {

struct Transfer {
  uint32_t from = 0, to = 0;
  uint64_t bytes = 0;
};
using Round = std::vector<Transfer>;

std::vector<Round> collective_rounds(const PlannedCollective& collective);

// Bytes device `device` sends in `rounds`.
uint64_t bytes_sent(const std::vector<Round>& rounds, uint32_t device);

}  // namespace llmx
