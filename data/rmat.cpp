// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// R-MAT generator: every candidate edge draws its bit levels from its own counter-based stream (splitmix64 of the
// seed and the edge number), so the candidates can be drawn by any number of threads with the same result; the
// relabelled pairs are packed into 64-bit keys, sorted in parallel and deduplicated.
#include "loom/data/rmat.h"

#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/detail/parallel.h"
#include "loom/core/error.h"

namespace loom::data {
namespace {

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t splitmix64(uint64_t& state) { return mix64(state += 0x9e3779b97f4a7c15ULL); }

constexpr int64_t kChunk = 1 << 15;

}  // namespace

RmatEdges rmat(int scale, int edge_factor, uint64_t seed, double a, double b, double c) {
  LOOM_CHECK(scale >= 1 && scale <= 30, ValueError, "rmat: scale must be in [1, 30], got ", scale);
  LOOM_CHECK(edge_factor >= 1, ValueError, "rmat: edge_factor must be >= 1, got ", edge_factor);
  LOOM_CHECK(a >= 0 && b >= 0 && c >= 0 && a + b + c <= 1.0, ValueError,
             "rmat: quadrant probabilities must be >= 0 with a + b + c <= 1, got a = ", a, ", b = ", b, ", c = ", c);
  const int64_t n = int64_t{1} << scale;
  const int64_t m = static_cast<int64_t>(edge_factor) << scale;

  // A random relabelling of the vertices (Fisher-Yates on its own stream).
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  uint64_t ps = seed ^ 0x5851f42d4c957f2dULL;
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>((static_cast<unsigned __int128>(splitmix64(ps)) * static_cast<uint64_t>(i + 1)) >> 64);
    std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(j)]);
  }

  // Candidates as keys src * n + dst (relabelled); self loops become a marker that sorts last.
  constexpr uint64_t kDrop = ~uint64_t{0};
  std::vector<uint64_t> keys(static_cast<size_t>(m));
  // Each 64-bit draw gives two 32-bit uniforms, compared against 32-bit fixed-point thresholds without branches:
  // the destination bit is set in quadrants b and d, i.e. when an odd number of the three thresholds is passed.
  const auto fixed = [](double p) { return static_cast<uint64_t>(p * 4294967296.0); };
  const uint64_t ta = fixed(a), tab = fixed(a + b), tabc = fixed(a + b + c);
  detail::parallel_for(m, kChunk, [&](int64_t e0, int64_t e1) {
    for (int64_t e = e0; e < e1; ++e) {
      // The edge's stream starts at a hashed point, so neighbouring edges do not share shifted streams.
      uint64_t state = mix64(mix64(static_cast<uint64_t>(e) ^ (seed * 0xd1342543de82ef95ULL)) ^ seed);
      int64_t s = 0, d = 0;
      uint64_t word = 0;
      for (int bit = 0; bit < scale; ++bit) {
        if ((bit & 1) == 0) word = splitmix64(state);
        const uint64_t r = (bit & 1) ? (word >> 32) : (word & 0xffffffffULL);
        const uint64_t ge_a = r >= ta, ge_ab = r >= tab, ge_abc = r >= tabc;
        s |= static_cast<int64_t>(ge_ab) << bit;                    // quadrant c or d: source bit
        d |= static_cast<int64_t>(ge_a ^ ge_ab ^ ge_abc) << bit;   // quadrant b or d: destination bit
      }
      s = perm[static_cast<size_t>(s)];
      d = perm[static_cast<size_t>(d)];
      keys[static_cast<size_t>(e)] = s == d ? kDrop : static_cast<uint64_t>(s) * static_cast<uint64_t>(n) + static_cast<uint64_t>(d);
    }
  });
  oneapi::tbb::parallel_sort(keys.begin(), keys.end());
  auto end = std::unique(keys.begin(), keys.end());
  if (end != keys.begin() && *(end - 1) == kDrop) --end;
  const int64_t count = end - keys.begin();

  RmatEdges out;
  out.num_nodes = n;
  out.src = empty({count}, kInt64);
  out.dst = empty({count}, kInt64);
  int64_t* ps_out = out.src.data<int64_t>();
  int64_t* pd_out = out.dst.data<int64_t>();
  detail::parallel_for(count, kChunk, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      ps_out[i] = static_cast<int64_t>(keys[static_cast<size_t>(i)] / static_cast<uint64_t>(n));
      pd_out[i] = static_cast<int64_t>(keys[static_cast<size_t>(i)] % static_cast<uint64_t>(n));
    }
  });
  return out;
}

}  // namespace loom::data
