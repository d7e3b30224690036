// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the index family. Validation: a block-wise min of the bad positions, reduced on the device and
// copied back as one value. index_add: a stable radix sort of (index, position) pairs (CUB) groups the sources by
// destination in increasing position; a binary search gives each row its range; each output element then adds its
// sources in that order. No atomics: bitwise reproducible, and equal to the CPU result.
#include <cub/device/device_radix_sort.cuh>

#include "core/detail/cuda_runtime.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/index.h"

namespace loom::detail {
namespace {

constexpr int kCheckBlocks = 1024;

// part[b] = the smallest position handled by block b whose value is outside [0, rows), or n.
template <class I>
__global__ void first_bad_kernel(const I* __restrict__ idx, int64_t n, int64_t rows, int64_t* __restrict__ part) {
  int64_t best = n;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    if (idx[i] < 0 || static_cast<int64_t>(idx[i]) >= rows) {
      best = i;  // positions grow along the loop: the first hit is this thread's minimum
      break;
    }
  }
  const int64_t m = block_min(best);
  if (threadIdx.x == 0) part[blockIdx.x] = m;
}

// One block: out[0] = min of part[0 .. count); out[1] = index value there (0 when none is bad).
template <class I>
__global__ void min_positions_kernel(const int64_t* __restrict__ part, int count, const I* __restrict__ idx,
                                     int64_t n, int64_t* __restrict__ out) {
  int64_t best = n;
  for (int b = threadIdx.x; b < count; b += blockDim.x) best = min(best, part[b]);
  const int64_t m = block_min(best);
  if (threadIdx.x == 0) {
    out[0] = m;
    out[1] = m < n ? static_cast<int64_t>(idx[m]) : 0;
  }
}

template <class E, class I>
__global__ void index_select_kernel(const E* __restrict__ x, const I* __restrict__ idx, E* __restrict__ out,
                                    int64_t n, int64_t row) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = k / row;
    out[k] = x[static_cast<int64_t>(idx[i]) * row + (k - i * row)];
  }
}

__global__ void iota_kernel(int64_t* __restrict__ v, int64_t n) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x)
    v[k] = k;
}

// offsets[r] = number of sorted keys < r (a lower bound), for r in [0, rows].
template <class I>
__global__ void row_offsets_kernel(const I* __restrict__ keys, int64_t n, int64_t rows, int64_t* __restrict__ offsets) {
  for (int64_t r = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; r <= rows; r += int64_t(gridDim.x) * blockDim.x) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (static_cast<int64_t>(keys[mid]) < r) lo = mid + 1;
      else hi = mid;
    }
    offsets[r] = lo;
  }
}

// out[r, c] = x[r, c] + src[order[j], c] for j in [offsets[r], offsets[r + 1]), in order.
template <class T>
__global__ void index_add_kernel(const T* __restrict__ x, const T* __restrict__ src,
                                 const int64_t* __restrict__ order, const int64_t* __restrict__ offsets,
                                 T* __restrict__ out, int64_t total, int64_t row) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < total;
       k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = k / row, c = k - r * row;
    T acc = x[k];
    for (int64_t j = offsets[r]; j < offsets[r + 1]; ++j) acc += src[order[j] * row + c];
    out[k] = acc;
  }
}

int bits_for(int64_t rows) {  // radix bits that cover keys in [0, rows)
  int b = 1;
  while (b < 63 && (int64_t{1} << b) < rows) ++b;
  return b;
}

}  // namespace

BadIndex find_bad_index_cuda(const Tensor& index, int64_t rows) {
  const int64_t n = index.numel();
  if (n == 0) return {};
  const unsigned blocks = std::min<unsigned>(kCheckBlocks, blocks_for(n));
  Tensor part = empty({static_cast<int64_t>(blocks) + 2}, kInt64, index.device());
  int64_t* pp = part.data<int64_t>();
  int64_t host[2] = {n, 0};
  dispatch_index(index.dtype(), "index", [&]<class I>() {
    first_bad_kernel<I><<<blocks, kThreads, 0, stream()>>>(index.data<I>(), n, rows, pp);
    LOOM_CUDA_CHECK_LAUNCH();
    min_positions_kernel<I><<<1, kThreads, 0, stream()>>>(pp, static_cast<int>(blocks), index.data<I>(), n,
                                                          pp + blocks);
    LOOM_CUDA_CHECK_LAUNCH();
  });
  cuda_copy_d2h(host, pp + blocks, sizeof(host));  // synchronizes the stream
  return host[0] < n ? BadIndex{host[0], host[1]} : BadIndex{};
}

void index_select_cuda(const Tensor& x, const Tensor& index, int64_t row, const Tensor& out) {
  const int64_t n = out.numel();
  if (n == 0) return;
  dispatch_index(index.dtype(), "index_select", [&]<class I>() {
    auto launch = [&](auto e) {
      using E = decltype(e);
      index_select_kernel<E, I><<<blocks_for(n), kThreads, 0, stream()>>>(
          static_cast<const E*>(x.raw_data()), index.data<I>(), static_cast<E*>(out.raw_data()), n, row);
      LOOM_CUDA_CHECK_LAUNCH();
    };
    if (dtype_size(x.dtype()) == 4) launch(uint32_t{});
    else launch(uint64_t{});
  });
}

void index_add_cuda(const Tensor& x, const Tensor& index, const Tensor& src, int64_t row, const Tensor& out) {
  const int64_t rows = x.shape()[0], n = index.numel();
  const Device dev = x.device();
  Tensor order_in = empty({n}, kInt64, dev), order = empty({n}, kInt64, dev);
  Tensor keys = empty({n}, index.dtype(), dev), offsets = empty({rows + 1}, kInt64, dev);
  dispatch_index(index.dtype(), "index_add", [&]<class I>() {
    if (n > 0) {
      iota_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(order_in.data<int64_t>(), n);
      LOOM_CUDA_CHECK_LAUNCH();
      // Radix sort is stable: equal destinations keep increasing source positions.
      const int end_bit = std::min<int>(bits_for(rows), static_cast<int>(sizeof(I) * 8));
      size_t temp_bytes = 0;
      LOOM_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, index.data<I>(), keys.data<I>(),
                                                      order_in.data<int64_t>(), order.data<int64_t>(), n, 0, end_bit,
                                                      stream()));
      Tensor temp = empty({static_cast<int64_t>((temp_bytes + 7) / 8)}, kInt64, dev);
      LOOM_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.raw_data(), temp_bytes, index.data<I>(), keys.data<I>(),
                                                      order_in.data<int64_t>(), order.data<int64_t>(), n, 0, end_bit,
                                                      stream()));
    }
    row_offsets_kernel<I><<<blocks_for(rows + 1), kThreads, 0, stream()>>>(keys.data<I>(), n, rows,
                                                                            offsets.data<int64_t>());
    LOOM_CUDA_CHECK_LAUNCH();
  });
  dispatch_floating(x.dtype(), "index_add", [&]<class T>() {
    const int64_t total = rows * row;
    index_add_kernel<T><<<blocks_for(total), kThreads, 0, stream()>>>(
        x.data<T>(), src.data<T>(), order.data<int64_t>(), offsets.data<int64_t>(), out.data<T>(), total, row);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace loom::detail
