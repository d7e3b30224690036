// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// One seeded random source for initialisation, dropout and shuffling.
// Counter-based (a hash of seed and a running counter): the same seed gives the same numbers run after run, and
// rand()/dropout masks are identical on CPU and CUDA because both compute hash(seed, offset + i).
#pragma once
#include <cstdint>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

// Resets the global generator to `seed` (counter 0).
void manual_seed(uint64_t seed);
uint64_t current_seed();

// The generator's whole state, for checkpoints: restoring it makes every later draw (dropout masks, shuffles)
// repeat exactly.
struct RandomState {
  uint64_t seed = 0;
  uint64_t counter = 0;
};
RandomState random_state();
void set_random_state(const RandomState& state);

// Reserves `n` consecutive counter values and returns the first (what device kernels hash with the seed).
uint64_t random_offset(uint64_t n);

// The stateless hash behind everything: 64 well-mixed bits from (seed, counter).
uint64_t random_bits(uint64_t seed, uint64_t counter);

// Uniform [0, 1) and standard normal samples of `shape` on `device`.
Tensor rand(Shape shape, DType dtype = kFloat32, Device device = kCPU);
Tensor randn(Shape shape, DType dtype = kFloat32, Device device = kCPU);
// Uniform [low, high).
Tensor uniform(Shape shape, double low, double high, DType dtype = kFloat32, Device device = kCPU);
// A random permutation of 0..n-1 (int64, CPU), and a host-side shuffle for index vectors.
Tensor randperm(int64_t n);
void shuffle(std::vector<int64_t>& v);
// One host-side uniform double in [0, 1) and one integer in [0, n).
double rand_double();
int64_t rand_int(int64_t n);

}  // namespace loom
