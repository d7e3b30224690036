// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the random family: parallel maps over the element index (each element hashes its own counter,
// so the result does not depend on the thread schedule).
#include <algorithm>

#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/random.h"

namespace loom::detail {

namespace {
constexpr int64_t kRandomGrain = 1 << 14;

template <class T, class S>
void fill(T* out, int64_t n, uint64_t seed, uint64_t offset, S sampler) {
  const uint64_t key = hash_key(seed);
  parallel_for(n, kRandomGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      out[i] = sampler.template sample<T>(hash_keyed(key, offset + static_cast<uint64_t>(i)));
  });
}
}  // namespace

void random_fill_cpu(RandomKind kind, double low, double high, uint64_t seed, uint64_t offset, const Tensor& out) {
  dispatch_floating(out.dtype(), "random", [&]<class T>() {
    if (kind == RandomKind::kUniform) fill(out.data<T>(), out.numel(), seed, offset, UniformSampler{low, high});
    else fill(out.data<T>(), out.numel(), seed, offset, NormalSampler{});
  });
}

void dropout_cpu(const DropoutMask& mask, const Tensor& in, const Tensor& out) {
  dispatch_floating(in.dtype(), "dropout", [&]<class T>() {
    const T* x = in.data<T>();
    T* y = out.data<T>();
    const T scale = T(mask.scale);
    const uint64_t key = hash_key(mask.seed), offset = mask.offset, threshold = mask.threshold;
    parallel_for(in.numel(), kRandomGrain, [&](int64_t b, int64_t e) {
      // The same test as mask.keep(i), in two passes over short blocks: a pure 64-bit integer loop (vectorises
      // with AVX-512) for the keep flags, then the select. One hash per element costs ~1 ns this way, ~8 fused.
      constexpr int64_t kBlock = 256;
      uint64_t keep[kBlock];
      for (int64_t s0 = b; s0 < e; s0 += kBlock) {
        const int64_t len = std::min(kBlock, e - s0);
        for (int64_t j = 0; j < len; ++j) {
          keep[j] = (hash_keyed(key, offset + static_cast<uint64_t>(s0 + j)) >> 11) >= threshold;
        }
        for (int64_t j = 0; j < len; ++j) y[s0 + j] = keep[j] ? x[s0 + j] * scale : T(0);
      }
    });
  });
}

}  // namespace loom::detail
