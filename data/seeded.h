// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Seeded integer helpers shared by the data generators (CSBM, UniqueSignature): the same numbers on every platform,
// unlike the std distributions.
#pragma once
#include <cstdint>
#include <random>

namespace loom::data::seeded {

// Uniform integer in [0, n) (Lemire's multiply-shift; the tiny bias is irrelevant here).
inline uint64_t bounded(std::mt19937_64& g, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(g()) * n) >> 64);
}
inline double uniform01(std::mt19937_64& g) { return static_cast<double>(g() >> 11) * 0x1.0p-53; }

// A 64-bit mixer for deriving independent stream seeds from (seed, index).
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace loom::data::seeded
