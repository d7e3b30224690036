// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the random family: the counter-based hash, the samplers built on it (written once for CPU and CUDA,
// so both devices produce the same numbers for the same seed and offset) and the kernel entry points.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/detail/macros.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// A 64-bit finalizer (xor-shift-multiply rounds): every input bit affects every output bit.
LOOM_HOST_DEVICE inline uint64_t mix64(uint64_t z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ULL;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z;
}

// hash(seed, counter): the seed is mixed into a key, the counter walks a Weyl sequence offset by the key, and two
// finalizer rounds (the second keyed again) decorrelate neighbouring counters and neighbouring seeds.
// Loops hoist hash_key out and call hash_keyed per element (a third fewer multiplies, and a branch-free body that
// vectorises on the CPU).
LOOM_HOST_DEVICE inline uint64_t hash_key(uint64_t seed) { return mix64(seed ^ 0x6A09E667F3BCC909ULL); }
LOOM_HOST_DEVICE inline uint64_t hash_keyed(uint64_t key, uint64_t counter) {
  const uint64_t z = mix64(key + (counter + 1) * 0x9E3779B97F4A7C15ULL);
  return mix64(z ^ key);
}
LOOM_HOST_DEVICE inline uint64_t hash_bits(uint64_t seed, uint64_t counter) {
  return hash_keyed(hash_key(seed), counter);
}

// Uniform [0, 1) from the top bits: exactly k / 2^24 (float) or k / 2^53 (double), the same on every device.
template <class T> LOOM_HOST_DEVICE inline T unit_from_bits(uint64_t bits);
template <> LOOM_HOST_DEVICE inline float unit_from_bits<float>(uint64_t bits) {
  return static_cast<float>(bits >> 40) * 5.9604644775390625e-8f;  // 2^-24
}
template <> LOOM_HOST_DEVICE inline double unit_from_bits<double>(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 1.1102230246251565404e-16;  // 2^-53
}

struct UniformSampler {  // low + (high - low) * u; a sum rounded up to `high` is folded back to `low`
  double low, high;
  template <class T> LOOM_HOST_DEVICE T sample(uint64_t bits) const {
    const T r = T(low) + (T(high) - T(low)) * unit_from_bits<T>(bits);
    return r < T(high) ? r : T(low);
  }
};

// Box-Muller on the two 32-bit halves of one hash, in double on both devices: u1 in (0, 1] keeps log finite.
struct NormalSampler {
  template <class T> LOOM_HOST_DEVICE T sample(uint64_t bits) const {
    const double u1 = (static_cast<double>(bits >> 32) + 1.0) * 2.3283064365386962890625e-10;  // 2^-32
    const double u2 = static_cast<double>(bits & 0xFFFFFFFFULL) * 2.3283064365386962890625e-10;
    return static_cast<T>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925 * u2));
  }
};

// Dropout keeps element i iff its uniform k / 2^53 >= p, i.e. k >= threshold = ceil(p * 2^53): an integer test, so
// the mask is bit-identical on CPU and CUDA. Kept elements are scaled by 1 / (1 - p).
struct DropoutMask {
  uint64_t seed, offset, threshold;
  double scale;
  LOOM_HOST_DEVICE bool keep(int64_t i) const {
    return (hash_bits(seed, offset + static_cast<uint64_t>(i)) >> 11) >= threshold;
  }
};

enum class RandomKind { kUniform, kNormal };

// out[i] = sample(hash_bits(seed, offset + i)) (low/high used by kUniform only).
void random_fill_cpu(RandomKind kind, double low, double high, uint64_t seed, uint64_t offset, const Tensor& out);
void random_fill_cuda(RandomKind kind, double low, double high, uint64_t seed, uint64_t offset, const Tensor& out);
// out[i] = mask.keep(i) ? in[i] * scale : 0 (the forward on x, and the backward on dy with the same mask).
void dropout_cpu(const DropoutMask& mask, const Tensor& in, const Tensor& out);
void dropout_cuda(const DropoutMask& mask, const Tensor& in, const Tensor& out);

// The global generator's seed and `n` freshly reserved counters, read under one lock.
struct RandomDraw {
  uint64_t seed, offset;
};
RandomDraw reserve_random(uint64_t n);

}  // namespace loom::detail
