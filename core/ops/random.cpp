// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The global counter-based generator (seed + counter under a mutex), random tensors, host-side draws and dropout.
// Device kernels only receive (seed, offset) and hash offset + i themselves, so CPU and CUDA agree element by
// element. Host draws (shuffle, rand_int, rand_double) consume one counter per 64-bit draw.
#include "core/ops/random.h"

#include <cmath>
#include <mutex>
#include <numeric>
#include <utility>

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"

namespace loom {

namespace {
// Runs are reproducible without manual_seed: the generator starts from this fixed seed ("LOOM").
constexpr uint64_t kDefaultSeed = 0x4C4F4F4DULL;

struct Generator {
  std::mutex mu;
  uint64_t seed = kDefaultSeed;
  uint64_t counter = 0;
  uint64_t next_bits() { return hash_bits_of(counter++); }  // callers hold mu
  uint64_t hash_bits_of(uint64_t c) const { return detail::hash_bits(seed, c); }
};

Generator& generator() {
  static Generator g;
  return g;
}

// Uniform integer in [0, range) without modulo bias (multiply-shift with rejection of the short interval).
// Callers hold the generator's lock; `range` > 0.
uint64_t bounded(Generator& g, uint64_t range) {
  unsigned __int128 m = static_cast<unsigned __int128>(g.next_bits()) * range;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < range) {
    const uint64_t reject_below = (0 - range) % range;  // 2^64 mod range
    while (low < reject_below) {
      m = static_cast<unsigned __int128>(g.next_bits()) * range;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

Tensor random_tensor(const char* name, detail::RandomKind kind, Shape shape, double low, double high, DType dtype,
                     Device device) {
  LOOM_CHECK(is_floating(dtype), DTypeError, name, ": 'dtype' must be float32 or float64, got ", dtype_name(dtype));
  Tensor out = empty(std::move(shape), dtype, device);
  const detail::RandomDraw d = detail::reserve_random(static_cast<uint64_t>(out.numel()));
  if (out.is_cuda()) {
    LOOM_CUDA_ONLY(name, detail::random_fill_cuda(kind, low, high, d.seed, d.offset, out));
  } else {
    detail::random_fill_cpu(kind, low, high, d.seed, d.offset, out);
  }
  return out;
}

Tensor apply_dropout(const detail::DropoutMask& mask, const Tensor& in) {
  Tensor out = empty_like(in);
  if (in.is_cuda()) {
    LOOM_CUDA_ONLY("dropout", detail::dropout_cuda(mask, in, out));
  } else {
    detail::dropout_cpu(mask, in, out);
  }
  return out;
}
}  // namespace

namespace detail {
RandomDraw reserve_random(uint64_t n) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  const RandomDraw d{g.seed, g.counter};
  g.counter += n;
  return d;
}
}  // namespace detail

void manual_seed(uint64_t seed) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  g.seed = seed;
  g.counter = 0;
}

uint64_t current_seed() {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  return g.seed;
}

RandomState random_state() {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  return {g.seed, g.counter};
}

void set_random_state(const RandomState& state) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  g.seed = state.seed;
  g.counter = state.counter;
}

uint64_t random_offset(uint64_t n) { return detail::reserve_random(n).offset; }

uint64_t random_bits(uint64_t seed, uint64_t counter) { return detail::hash_bits(seed, counter); }

Tensor rand(Shape shape, DType dtype, Device device) {
  return random_tensor("rand", detail::RandomKind::kUniform, std::move(shape), 0.0, 1.0, dtype, device);
}

Tensor randn(Shape shape, DType dtype, Device device) {
  return random_tensor("randn", detail::RandomKind::kNormal, std::move(shape), 0.0, 0.0, dtype, device);
}

Tensor uniform(Shape shape, double low, double high, DType dtype, Device device) {
  LOOM_CHECK(std::isfinite(low) && std::isfinite(high) && std::isfinite(high - low), ValueError,
             "uniform: 'low' and 'high' must be finite (and so must high - low), got low=", low, ", high=", high);
  LOOM_CHECK(low <= high, ValueError, "uniform: 'low' must not exceed 'high', got low=", low, ", high=", high);
  return random_tensor("uniform", detail::RandomKind::kUniform, std::move(shape), low, high, dtype, device);
}

Tensor randperm(int64_t n) {
  LOOM_CHECK(n >= 0, ValueError, "randperm: 'n' must be non-negative, got ", n);
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  shuffle(v);
  return from_vector<int64_t>(v, {n});
}

// Fisher-Yates from the back: position i swaps with a uniform j in [0, i]. One lock for the whole shuffle.
void shuffle(std::vector<int64_t>& v) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(bounded(g, static_cast<uint64_t>(i)));
    std::swap(v[i - 1], v[j]);
  }
}

double rand_double() {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  return detail::unit_from_bits<double>(g.next_bits());
}

int64_t rand_int(int64_t n) {
  LOOM_CHECK(n > 0, ValueError, "rand_int: 'n' must be positive, got ", n);
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mu);
  return static_cast<int64_t>(bounded(g, static_cast<uint64_t>(n)));
}

// p == 1 is allowed and gives zeros (and a zero gradient), as PyTorch; p outside [0, 1] or NaN is a ValueError.
// The backward regenerates the mask from the saved (seed, offset) instead of keeping it in memory.
Tensor dropout(const Tensor& x, double p, bool training) {
  detail::check_floating("dropout", "x", x);
  LOOM_CHECK(p >= 0.0 && p <= 1.0, ValueError, "dropout: 'p' must be in [0, 1], got ", p);
  if (!training || p == 0.0) return x;
  const detail::RandomDraw d = detail::reserve_random(static_cast<uint64_t>(x.numel()));
  // p * 2^53 is exact (a power-of-two scale); p == 1 gives 2^53, which no 53-bit draw reaches.
  const detail::DropoutMask mask{d.seed, d.offset, static_cast<uint64_t>(std::ceil(p * 9007199254740992.0)),
                                 p == 1.0 ? 0.0 : 1.0 / (1.0 - p)};
  Tensor y = apply_dropout(mask, x);
  autograd::record("dropout", {x}, y, [mask](const Tensor& dy) {
    return std::vector<Tensor>{apply_dropout(mask, dy)};
  });
  return y;
}

}  // namespace loom
