// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CPU kernels of the shape family: strided copies on oneTBB, each output element written by exactly one task.
#include <algorithm>
#include <cstring>

#include "core/detail/parallel.h"
#include "core/ops/shape.h"

namespace loom::detail {

namespace {
constexpr int64_t kCopyGrain = 1 << 16;  // elements per task
}  // namespace

void axis_copy_cpu(const Tensor& src, const Tensor& dst, const AxisCopy& c) {
  const size_t es = dtype_size(src.dtype());
  const char* ps = static_cast<const char*>(src.raw_data());
  char* pd = static_cast<char*>(dst.raw_data());
  const int64_t block = c.len * c.inner;  // contiguous elements per outer index on both sides
  // Tasks split the flat [outer, block] range, so one long block or many short ones both spread over threads.
  parallel_for(c.outer * block, kCopyGrain, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e;) {
      const int64_t o = k / block, r = k % block;
      const int64_t n = std::min(e - k, block - r);
      std::memcpy(pd + static_cast<size_t>((o * c.dst_axis + c.dst_off) * c.inner + r) * es,
                  ps + static_cast<size_t>((o * c.src_axis + c.src_off) * c.inner + r) * es, static_cast<size_t>(n) * es);
      k += n;
    }
  });
}

namespace {
template <class E>
void permute_copy(const E* src, E* dst, const PermuteCopy& p, int64_t numel) {
  const int last = p.rank - 1;
  const int64_t len = p.out_shape[last], step = p.in_stride[last];
  // One output row (the last dimension) at a time: its input base comes from the other coordinates.
  parallel_for(numel / len, std::max<int64_t>(1, kCopyGrain / len), [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      int64_t rem = row, base = 0;
      for (int k = last - 1; k >= 0; --k) {
        base += (rem % p.out_shape[k]) * p.in_stride[k];
        rem /= p.out_shape[k];
      }
      E* out = dst + row * len;
      for (int64_t j = 0; j < len; ++j) out[j] = src[base + j * step];
    }
  });
}
}  // namespace

void permute_copy_cpu(const Tensor& src, const Tensor& dst, const PermuteCopy& p) {
  // Elements move as raw 4- or 8-byte words: every dtype shares one kernel per size.
  if (dtype_size(src.dtype()) == 4) {
    permute_copy(static_cast<const uint32_t*>(src.raw_data()), static_cast<uint32_t*>(dst.raw_data()), p, dst.numel());
  } else {
    permute_copy(static_cast<const uint64_t*>(src.raw_data()), static_cast<uint64_t*>(dst.raw_data()), p, dst.numel());
  }
}

}  // namespace loom::detail
