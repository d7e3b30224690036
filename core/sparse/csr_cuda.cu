// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the Csr builders. from_coo: a stable CUB radix sort of packed (row, col) keys carrying the input
// position, then duplicate handling on the sorted keys and a binary search for the row offsets. transpose: a stable
// radix sort of the column ids carrying the parent position. Minimum searches (first duplicate, first decreasing
// offset) are block-wise minima reduced on the device, then one small copy back. No atomics: bitwise reproducible
// and equal to the CPU build.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <climits>

#include "core/detail/cuda_runtime.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/sparse/csr_impl.h"

namespace loom::detail {
namespace {

constexpr int kMinBlocks = 1024;

int bits_for(uint64_t max_key) {  // radix bits covering keys in [0, max_key]
  int b = 1;
  while (b < 64 && (max_key >> b) != 0) ++b;
  return b;
}

Tensor temp_bytes_tensor(size_t bytes, Device dev) {
  return empty({static_cast<int64_t>((bytes + 7) / 8) + 1}, kInt64, dev);
}

// part[b] = min of f(i) over the i block b visits.
template <class F>
__global__ void min_kernel(F f, int64_t n, int64_t* __restrict__ part) {
  int64_t best = LLONG_MAX;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    best = min(best, f(i));
  const int64_t m = block_min(best);
  if (threadIdx.x == 0) part[blockIdx.x] = m;
}
__global__ void min_of_parts_kernel(const int64_t* __restrict__ part, int count, int64_t* __restrict__ out) {
  int64_t best = LLONG_MAX;
  for (int b = threadIdx.x; b < count; b += blockDim.x) best = min(best, part[b]);
  const int64_t m = block_min(best);
  if (threadIdx.x == 0) *out = m;
}
// min over i in [0, n) of f(i) (LLONG_MAX when n == 0), reduced on the device; the one result is copied back.
template <class F>
int64_t device_min(F f, int64_t n, Device dev) {
  if (n <= 0) return LLONG_MAX;
  const unsigned blocks = std::min<unsigned>(kMinBlocks, blocks_for(n));
  Tensor part = empty({static_cast<int64_t>(blocks) + 1}, kInt64, dev);
  int64_t* pp = part.data<int64_t>();
  min_kernel<<<blocks, kThreads, 0, stream()>>>(f, n, pp);
  LOOM_CUDA_CHECK_LAUNCH();
  min_of_parts_kernel<<<1, kThreads, 0, stream()>>>(pp, static_cast<int>(blocks), pp + blocks);
  LOOM_CUDA_CHECK_LAUNCH();
  int64_t host = 0;
  cuda_copy_d2h(&host, pp + blocks, sizeof(host));
  return host;
}

int64_t read_one(const int64_t* p) {
  int64_t v = 0;
  cuda_copy_d2h(&v, p, sizeof(v));
  return v;
}

__global__ void iota_kernel(int64_t* __restrict__ v, int64_t n) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x)
    v[k] = k;
}

template <class I, class J>
__global__ void pack_keys_kernel(const I* __restrict__ r, const J* __restrict__ c, uint64_t num_cols, int64_t n,
                                 uint64_t* __restrict__ keys) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    keys[i] = static_cast<uint64_t>(r[i]) * num_cols + static_cast<uint64_t>(c[i]);
}

// offsets[r] = number of keys < r * stride (a lower bound on sorted keys), for r in [0, rows].
template <class K>
__global__ void lower_bound_offsets_kernel(const K* __restrict__ keys, int64_t n, int64_t rows, uint64_t stride,
                                           int64_t* __restrict__ offsets) {
  for (int64_t r = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; r <= rows; r += int64_t(gridDim.x) * blockDim.x) {
    const uint64_t bound = static_cast<uint64_t>(r) * stride;
    int64_t lo = 0, hi = n;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (static_cast<uint64_t>(keys[mid]) < bound) lo = mid + 1;
      else hi = mid;
    }
    offsets[r] = lo;
  }
}

__global__ void decode_cols_kernel(const uint64_t* __restrict__ keys, uint64_t num_cols, int64_t n,
                                   int32_t* __restrict__ cols) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x)
    cols[k] = static_cast<int32_t>(keys[k] % num_cols);
}

// Repeated pairs: the input position of every non-first copy (LLONG_MAX elsewhere).
struct RepeatPos {
  const uint64_t* keys;
  const int64_t* perm;
  __device__ int64_t operator()(int64_t k) const {
    return k > 0 && keys[k] == keys[k - 1] ? perm[k] : LLONG_MAX;
  }
};
// The sorted position whose input position is `pos` (LLONG_MAX elsewhere).
struct PositionOf {
  const int64_t* perm;
  int64_t pos;
  __device__ int64_t operator()(int64_t k) const { return perm[k] == pos ? k : LLONG_MAX; }
};

__global__ void head_flags_kernel(const uint64_t* __restrict__ keys, int64_t n, int64_t* __restrict__ flags) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x)
    flags[k] = (k == 0 || keys[k] != keys[k - 1]) ? 1 : 0;
}

// group[k] = (inclusive count of heads up to k) - 1; heads write their key and input position to the output slot.
__global__ void compact_kernel(const uint64_t* __restrict__ keys, const int64_t* __restrict__ perm,
                               int64_t* __restrict__ group, int64_t n, uint64_t* __restrict__ out_keys,
                               int64_t* __restrict__ out_ids) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t g = group[k] - 1;
    group[k] = g;
    if (k == 0 || keys[k] != keys[k - 1]) {
      out_keys[g] = keys[k];
      out_ids[g] = perm[k];
    }
  }
}

// Row of entry k: the last r with indptr[r] <= k (an upper bound minus one; skips empty rows).
__device__ int64_t row_of(const int64_t* __restrict__ indptr, int64_t rows, int64_t k) {
  int64_t lo = 0, hi = rows + 1;  // first r with indptr[r] > k
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (indptr[mid] <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

__global__ void row_index_kernel(const int64_t* __restrict__ indptr, int64_t rows, int64_t nnz,
                                 int32_t* __restrict__ out) {
  for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < nnz; k += int64_t(gridDim.x) * blockDim.x)
    out[k] = static_cast<int32_t>(row_of(indptr, rows, k));
}

__global__ void rows_of_positions_kernel(const int64_t* __restrict__ indptr, int64_t rows,
                                         const int64_t* __restrict__ pos, int64_t nnz, int32_t* __restrict__ out) {
  for (int64_t j = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; j < nnz; j += int64_t(gridDim.x) * blockDim.x)
    out[j] = static_cast<int32_t>(row_of(indptr, rows, pos[j]));
}

__global__ void degrees_kernel(const int64_t* __restrict__ indptr, int64_t rows, int64_t* __restrict__ out) {
  for (int64_t r = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; r < rows; r += int64_t(gridDim.x) * blockDim.x)
    out[r] = indptr[r + 1] - indptr[r];
}

struct DecreaseAt {
  const int64_t* p;
  __device__ int64_t operator()(int64_t i) const { return p[i] > p[i + 1] ? i : LLONG_MAX; }
};

// Stable radix sort of (keys, values) over the low `bits` bits.
template <class K>
void sort_pairs(const K* keys_in, K* keys_out, const int64_t* vals_in, int64_t* vals_out, int64_t n, int bits,
                Device dev) {
  size_t bytes = 0;
  LOOM_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, bytes, keys_in, keys_out, vals_in, vals_out, n, 0, bits,
                                                  stream()));
  Tensor temp = temp_bytes_tensor(bytes, dev);
  LOOM_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.raw_data(), bytes, keys_in, keys_out, vals_in, vals_out, n, 0,
                                                  bits, stream()));
}

}  // namespace

CooBuild build_coo_cuda(const Tensor& rows, const Tensor& cols, int64_t num_rows, int64_t num_cols, DupPolicy dup) {
  const int64_t n = rows.numel();
  const Device dev = rows.device();
  CooBuild b;
  if (n == 0) {
    b.indptr = zeros({num_rows + 1}, kInt64, dev);
    b.indices = empty({0}, kInt32, dev);
    b.edge_ids = empty({0}, kInt64, dev);
    b.perm = b.edge_ids;
    return b;
  }
  const uint64_t nc = static_cast<uint64_t>(num_cols);
  Tensor keys_in = empty({n}, kInt64, dev), keys = empty({n}, kInt64, dev);
  Tensor pos = empty({n}, kInt64, dev), perm = empty({n}, kInt64, dev);
  auto* ki = reinterpret_cast<uint64_t*>(keys_in.data<int64_t>());
  auto* ks = reinterpret_cast<uint64_t*>(keys.data<int64_t>());
  dispatch_index(rows.dtype(), "Csr::from_coo", [&]<class I>() {
    dispatch_index(cols.dtype(), "Csr::from_coo", [&]<class J>() {
      pack_keys_kernel<I, J><<<blocks_for(n), kThreads, 0, stream()>>>(rows.data<I>(), cols.data<J>(), nc, n, ki);
      LOOM_CUDA_CHECK_LAUNCH();
    });
  });
  iota_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(pos.data<int64_t>(), n);
  LOOM_CUDA_CHECK_LAUNCH();
  // Stable: equal (row, col) keys keep increasing input positions.
  const uint64_t max_key = static_cast<uint64_t>(num_rows) * nc - 1;
  sort_pairs<uint64_t>(ki, ks, pos.data<int64_t>(), perm.data<int64_t>(), n, bits_for(max_key), dev);
  int64_t* pp = perm.data<int64_t>();
  b.perm = perm;

  if (dup == DupPolicy::kError) {
    const int64_t second = device_min(RepeatPos{ks, pp}, n, dev);
    if (second != LLONG_MAX) {
      const int64_t k = device_min(PositionOf{pp, second}, n, dev);
      uint64_t key = 0;
      cuda_copy_d2h(&key, ks + k, sizeof(key));
      b.dup_first = read_one(pp + k - 1);  // the head of its run: the first input position of the pair
      b.dup_second = second;
      b.dup_row = static_cast<int64_t>(key / nc);
      b.dup_col = static_cast<int64_t>(key % nc);
    }
  }
  Tensor out_keys = keys;
  b.edge_ids = perm;
  if (dup == DupPolicy::kSum) {
    Tensor flags = empty({n}, kInt64, dev), group = empty({n}, kInt64, dev);
    head_flags_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(ks, n, flags.data<int64_t>());
    LOOM_CUDA_CHECK_LAUNCH();
    size_t bytes = 0;
    LOOM_CUDA_CHECK(cub::DeviceScan::InclusiveSum(nullptr, bytes, flags.data<int64_t>(), group.data<int64_t>(), n,
                                                  stream()));
    Tensor temp = temp_bytes_tensor(bytes, dev);
    LOOM_CUDA_CHECK(cub::DeviceScan::InclusiveSum(temp.raw_data(), bytes, flags.data<int64_t>(),
                                                  group.data<int64_t>(), n, stream()));
    const int64_t nnz = read_one(group.data<int64_t>() + n - 1);
    if (nnz != n) {
      out_keys = empty({nnz}, kInt64, dev);
      b.edge_ids = empty({nnz}, kInt64, dev);
      compact_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(
          ks, pp, group.data<int64_t>(), n, reinterpret_cast<uint64_t*>(out_keys.data<int64_t>()),
          b.edge_ids.data<int64_t>());
      LOOM_CUDA_CHECK_LAUNCH();
      b.group = group;
    }
  }
  const int64_t nnz = out_keys.numel();
  const auto* ok = reinterpret_cast<const uint64_t*>(out_keys.data<int64_t>());
  b.indptr = empty({num_rows + 1}, kInt64, dev);
  b.indices = empty({nnz}, kInt32, dev);
  lower_bound_offsets_kernel<uint64_t><<<blocks_for(num_rows + 1), kThreads, 0, stream()>>>(
      ok, nnz, num_rows, nc, b.indptr.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  decode_cols_kernel<<<blocks_for(nnz), kThreads, 0, stream()>>>(ok, nc, nnz, b.indices.data<int32_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  return b;
}

TransposeBuild transpose_cuda(const Tensor& indptr, const Tensor& indices, int64_t num_cols) {
  const int64_t nnz = indices.numel(), rows = indptr.numel() - 1;
  const Device dev = indptr.device();
  TransposeBuild t;
  t.indptr = empty({num_cols + 1}, kInt64, dev);
  t.indices = empty({nnz}, kInt32, dev);
  t.edge_ids = empty({nnz}, kInt64, dev);
  Tensor sorted_cols = empty({nnz}, kInt32, dev);
  if (nnz > 0) {
    Tensor pos = empty({nnz}, kInt64, dev);
    iota_kernel<<<blocks_for(nnz), kThreads, 0, stream()>>>(pos.data<int64_t>(), nnz);
    LOOM_CUDA_CHECK_LAUNCH();
    // Stable: each column lists its parent positions in increasing order, i.e. by row.
    sort_pairs<int32_t>(indices.data<int32_t>(), sorted_cols.data<int32_t>(), pos.data<int64_t>(),
                        t.edge_ids.data<int64_t>(), nnz, bits_for(static_cast<uint64_t>(std::max<int64_t>(num_cols - 1, 1))),
                        dev);
    rows_of_positions_kernel<<<blocks_for(nnz), kThreads, 0, stream()>>>(
        indptr.data<int64_t>(), rows, t.edge_ids.data<int64_t>(), nnz, t.indices.data<int32_t>());
    LOOM_CUDA_CHECK_LAUNCH();
  }
  lower_bound_offsets_kernel<int32_t><<<blocks_for(num_cols + 1), kThreads, 0, stream()>>>(
      sorted_cols.data<int32_t>(), nnz, num_cols, 1, t.indptr.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  return t;
}

Tensor row_index_cuda(const Tensor& indptr, int64_t nnz) {
  Tensor out = empty({nnz}, kInt32, indptr.device());
  if (nnz == 0) return out;
  row_index_kernel<<<blocks_for(nnz), kThreads, 0, stream()>>>(indptr.data<int64_t>(), indptr.numel() - 1, nnz,
                                                               out.data<int32_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  return out;
}

Tensor row_degrees_cuda(const Tensor& indptr) {
  const int64_t rows = indptr.numel() - 1;
  Tensor out = empty({rows}, kInt64, indptr.device());
  if (rows == 0) return out;
  degrees_kernel<<<blocks_for(rows), kThreads, 0, stream()>>>(indptr.data<int64_t>(), rows, out.data<int64_t>());
  LOOM_CUDA_CHECK_LAUNCH();
  return out;
}

int64_t first_decrease_cuda(const Tensor& indptr) {
  const int64_t m = device_min(DecreaseAt{indptr.data<int64_t>()}, indptr.numel() - 1, indptr.device());
  return m == LLONG_MAX ? -1 : m;
}

}  // namespace loom::detail
