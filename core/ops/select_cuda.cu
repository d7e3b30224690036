// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of the selection family. Values become order-preserving unsigned keys (-0 and +0 share one), "better"
// is the larger key and ties go to the lower index: a strict total order, so the answer is unique and equals the CPU.
// topk has two paths, chosen by the slice length L:
//  - short slices (L <= 1024; callers with millions of slices of 16-64): each slice is padded to a power of two P and
//    bitonic-sorted whole in shared memory, 2048 / P slices per block; no global passes beyond one read.
//  - long slices (kNN: L ~ 1e6, small k): one block per slice runs an MSB-first radix select on the keys (8 bits a
//    pass, a shared 256-bin histogram with warp-aggregated counts) to find the key T of the k-th best, stopping
//    early once the chosen bucket is taken whole; then one ordered pass over the slice collects the entries better
//    than T and the first entries equal to T (block-wide ballot scans keep index order), and a bitonic sort of those
//    k <= 1024 entries gives the output.
//    Memory is O(k) per block whatever L is, and each pass reads the slice coalesced.
//    For k <= kFilterMaxK a threshold filter runs first (two reads, no histogram): it answers on its own unless more
//    than kTopkCudaMaxK entries tie at or above its threshold, and then the radix select runs as before. Serving's
//    top-10 over 2^18-item rows spent most of its time in the four histogram passes.
// Radix select was preferred over per-thread candidate lists: its cost does not grow with k (up to 1024) and ties
// need no special care. The scatter behind the gradients adds in increasing position without atomics.
#include <climits>
#include <cub/device/device_radix_sort.cuh>

#include "core/detail/cuda_runtime.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/ops/select.h"

namespace loom::detail {
namespace {

constexpr int kSortMax = 1024;      // slices up to this length take the sort path
constexpr int kSortEntries = 2048;  // shared entries per block on the sort path (several slices)
constexpr int kSortThreads = 512;
constexpr int kSelectThreads = 512;  // the radix-select path (a multiple of the warp size and a power of two)
constexpr int64_t kFilterMaxK = 256;  // long slices with k up to this try the threshold filter first
constexpr int kScatterSerialMax = 256;  // scatter: one thread per row up to this many entries per row

template <class T> struct KeyOf;
template <> struct KeyOf<float> { using type = uint32_t; };
template <> struct KeyOf<double> { using type = uint64_t; };

// Order-preserving: for non-NaN a > b  <=>  key(a) > key(b); the smallest-first order flips the bits.
__device__ inline uint32_t ordered_key(float v, bool largest) {
  uint32_t u = __float_as_uint(v == 0.0f ? 0.0f : v);  // -0 == +0: one key, so the index decides
  u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return largest ? u : ~u;
}
__device__ inline uint64_t ordered_key(double v, bool largest) {
  uint64_t u = static_cast<uint64_t>(__double_as_longlong(v == 0.0 ? 0.0 : v));
  u = (u >> 63) ? ~u : (u | (uint64_t{1} << 63));
  return largest ? u : ~u;
}

// a goes before b: a larger key, or the same key at a lower index. Padding (key 0, index INT64_MAX) goes last.
template <class K>
__device__ inline bool before(K ka, int64_t ia, K kb, int64_t ib) {
  return ka > kb || (ka == kb && ia < ib);
}

// Sorts every run of P entries of (sk, si)[0, total) best first; P a power of two dividing total. Block-wide;
// the caller synchronizes before (entries written) and reads after.
template <class K>
__device__ void bitonic_sort(K* sk, int64_t* si, int P, int total) {
  const int pairs = total / 2;
  for (int size = 2; size <= P; size <<= 1) {
    for (int stride = size >> 1; stride > 0; stride >>= 1) {
      for (int t = threadIdx.x; t < pairs; t += blockDim.x) {
        const int i = (t / stride) * 2 * stride + (t % stride), j = i + stride;
        const bool up = ((i & (P - 1)) & size) == 0;  // direction within the run (the last merge is all "up")
        const bool swap = up ? before(sk[j], si[j], sk[i], si[i]) : before(sk[i], si[i], sk[j], si[j]);
        if (swap) {
          const K k = sk[i];
          sk[i] = sk[j];
          sk[j] = k;
          const int64_t x = si[i];
          si[i] = si[j];
          si[j] = x;
        }
      }
      __syncthreads();
    }
  }
}

// Sorts the n entries of (sk, si) (padded to a power of two, within kTopkCudaMaxK) and writes the best k of them with
// their values read back from the slice s. Block-wide; the caller synchronizes after writing the entries.
template <class K, class T>
__device__ void write_best(K* sk, int64_t* si, int n, const T* s, int64_t k, T* values, int64_t* indices) {
  int P = 1;
  while (P < n) P <<= 1;
  for (int e = n + threadIdx.x; e < P; e += blockDim.x) {
    sk[e] = 0;
    si[e] = LLONG_MAX;
  }
  __syncthreads();
  bitonic_sort(sk, si, P, P);
  for (int j = threadIdx.x; j < k; j += blockDim.x) {
    const int64_t c = si[j];
    values[j] = s[c];
    indices[j] = c;
  }
}

// Short slices: kSortEntries / P slices per block, each sorted whole.
template <class T>
__global__ void topk_sort_kernel(const T* __restrict__ x, int64_t rows, int64_t L, int P, int64_t k, bool largest,
                                 T* __restrict__ values, int64_t* __restrict__ indices,
                                 unsigned long long* __restrict__ nan_row) {
  using K = typename KeyOf<T>::type;
  __shared__ K sk[kSortEntries];
  __shared__ int64_t si[kSortEntries];
  const int per_block = kSortEntries / P, total = per_block * P;
  const int64_t row0 = static_cast<int64_t>(blockIdx.x) * per_block;
  for (int e = threadIdx.x; e < total; e += blockDim.x) {
    const int64_t r = row0 + e / P, c = e % P;
    if (r < rows && c < L) {
      const T v = x[r * L + c];
      if (v != v) atomicMin(nan_row, static_cast<unsigned long long>(r));
      sk[e] = ordered_key(v, largest);
      si[e] = c;
    } else {
      sk[e] = 0;
      si[e] = LLONG_MAX;
    }
  }
  __syncthreads();
  bitonic_sort(sk, si, P, total);
  for (int e = threadIdx.x; e < per_block * k; e += blockDim.x) {
    const int64_t s = e / k, j = e % k, r = row0 + s;
    if (r < rows) {
      const int64_t c = si[s * P + j];
      values[r * k + j] = x[r * L + c];
      indices[r * k + j] = c;
    }
  }
}

// Long slices: one block per slice (blockDim.x == kSelectThreads), k <= kTopkCudaMaxK.
template <class T>
__global__ void __launch_bounds__(kSelectThreads)
    topk_select_kernel(const T* __restrict__ x, int64_t L, int64_t k, bool largest, T* __restrict__ values,
                       int64_t* __restrict__ indices, unsigned long long* __restrict__ nan_row) {
  using K = typename KeyOf<T>::type;
  constexpr int kBits = sizeof(K) * 8;
  constexpr int kWarps = kSelectThreads / kWarp;
  __shared__ unsigned int hist[256];
  __shared__ K s_prefix;
  __shared__ int64_t s_need;
  __shared__ bool s_done;
  __shared__ K sk[kTopkCudaMaxK];
  __shared__ int64_t si[kTopkCudaMaxK];
  __shared__ int warp_gt[kWarps], warp_eq[kWarps];
  __shared__ unsigned int s_count;
  const int64_t r = blockIdx.x;
  const T* s = x + r * L;
  bool nan = false;

  // ---- small k: a threshold filter, two plain reads of the slice. The k-th best of the threads' own best keys is
  // at most the slice's k-th best key (those are k distinct entries), so every entry of the answer has a key >= it;
  // collect those (few, on real data) and sort them. When they do not fit, the radix select below decides instead.
  if (k <= kFilterMaxK) {
    K own = 0;
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) {
      const T v = s[i];
      nan |= (v != v);
      const K key = ordered_key(v, largest);
      own = key > own ? key : own;
    }
    sk[threadIdx.x] = own;
    si[threadIdx.x] = threadIdx.x;
    if (threadIdx.x == 0) s_count = 0;
    __syncthreads();
    bitonic_sort(sk, si, kSelectThreads, kSelectThreads);
    const K threshold = sk[k - 1];
    __syncthreads();  // everyone has read the threshold before the candidates overwrite sk
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) {
      const K key = ordered_key(s[i], largest);
      if (key >= threshold) {
        const unsigned int slot = atomicAdd(&s_count, 1u);
        if (slot < kTopkCudaMaxK) {
          sk[slot] = key;
          si[slot] = i;
        }
      }
    }
    __syncthreads();
    const unsigned int found = s_count;
    if (found <= kTopkCudaMaxK) {  // uniform
      if (nan) atomicMin(nan_row, static_cast<unsigned long long>(r));
      write_best(sk, si, static_cast<int>(found), s, k, values + r * k, indices + r * k);
      return;
    }
    __syncthreads();  // sk is reused below
  }

  // ---- radix select: afterwards the selection is {key & mask > prefix} plus the first `need` of {key & mask ==
  // prefix} in index order (mask full unless a bucket was taken whole, in which case need = its whole count).
  K prefix = 0, mask = 0;
  int64_t need = k;
  for (int shift = kBits - 8; shift >= 0; shift -= 8) {
    for (int d = threadIdx.x; d < 256; d += blockDim.x) hist[d] = 0;
    __syncthreads();
    // Whole tiles (uniform trip count) so that a warp can aggregate its lanes' bins: the leading bits of real data
    // are often shared (one exponent), and 32 atomics on one shared address would serialize.
    for (int64_t base = 0; base < L; base += blockDim.x) {
      const int64_t i = base + threadIdx.x;
      int bin = 256;  // none
      if (i < L) {
        const T v = s[i];
        nan |= (v != v);
        const K key = ordered_key(v, largest);
        if ((key & mask) == prefix) bin = static_cast<int>((key >> shift) & 0xFF);
      }
      const unsigned peers = __match_any_sync(0xffffffffu, bin);
      if (bin < 256 && (threadIdx.x % kWarp) == __ffs(peers) - 1) atomicAdd(&hist[bin], __popc(peers));  // counts
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      int64_t cum = 0;  // matching entries in buckets above d: all selected
      int d = 255;
      for (; d > 0; --d) {
        if (cum + hist[d] >= need) break;
        cum += hist[d];
      }
      s_prefix = prefix | (static_cast<K>(d) << shift);
      s_need = need - cum;
      s_done = hist[d] == static_cast<unsigned int>(need - cum);
    }
    __syncthreads();
    prefix = s_prefix;
    need = s_need;
    mask |= static_cast<K>(0xFF) << shift;
    if (s_done) break;  // uniform: every thread read the same flag
  }
  if (nan) atomicMin(nan_row, static_cast<unsigned long long>(r));

  // ---- collect in index order: better entries into [0, n_gt), the first `need` equal ones into [n_gt, k).
  const int64_t n_gt = k - need;
  const int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp;
  const unsigned below = (1u << lane) - 1u;
  int64_t gt_base = 0, eq_base = 0;
  for (int64_t base = 0; base < L; base += blockDim.x) {
    const int64_t i = base + threadIdx.x;
    K key = 0;
    bool gt = false, eq = false;
    if (i < L) {
      key = ordered_key(s[i], largest);
      gt = (key & mask) > prefix;
      eq = (key & mask) == prefix;
    }
    const unsigned bgt = __ballot_sync(0xffffffffu, gt), beq = __ballot_sync(0xffffffffu, eq);
    if (lane == 0) {
      warp_gt[warp] = __popc(bgt);
      warp_eq[warp] = __popc(beq);
    }
    __syncthreads();
    int64_t off_gt = __popc(bgt & below), off_eq = __popc(beq & below), tot_gt = 0, tot_eq = 0;
    for (int w = 0; w < kWarps; ++w) {
      if (w < warp) {
        off_gt += warp_gt[w];
        off_eq += warp_eq[w];
      }
      tot_gt += warp_gt[w];
      tot_eq += warp_eq[w];
    }
    if (gt) {  // exactly n_gt entries are better than the threshold: the slot is always in range
      sk[gt_base + off_gt] = key;
      si[gt_base + off_gt] = i;
    }
    if (eq && eq_base + off_eq < need) {
      sk[n_gt + eq_base + off_eq] = key;
      si[n_gt + eq_base + off_eq] = i;
    }
    gt_base += tot_gt;
    eq_base += tot_eq;
    __syncthreads();  // warp_gt / warp_eq are rewritten by the next tile
    if (gt_base >= n_gt && eq_base >= need) break;  // uniform
  }

  // ---- sort the k picked entries and write them.
  write_best(sk, si, static_cast<int>(k), s, k, values + r * k, indices + r * k);
}

template <class E, class I>
__global__ void gather_last_kernel(const E* __restrict__ x, const I* __restrict__ idx, E* __restrict__ out, int64_t n,
                                   int64_t L, int64_t K) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x)
    out[t] = x[(t / K) * L + static_cast<int64_t>(idx[t])];
}

// Few entries per row: one thread adds a row's entries in increasing j into the zeroed output.
template <class T, class I>
__global__ void scatter_rows_kernel(const T* __restrict__ src, const I* __restrict__ idx, T* __restrict__ out,
                                    int64_t rows, int64_t L, int64_t K) {
  for (int64_t r = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; r < rows; r += int64_t(gridDim.x) * blockDim.x) {
    T* o = out + r * L;
    for (int64_t j = 0; j < K; ++j) o[static_cast<int64_t>(idx[r * K + j])] += src[r * K + j];
  }
}

template <class I>
__global__ void flat_keys_kernel(const I* __restrict__ idx, int64_t n, int64_t L, int64_t K,
                                 int64_t* __restrict__ keys, int64_t* __restrict__ pos) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    keys[t] = (t / K) * L + static_cast<int64_t>(idx[t]);
    pos[t] = t;
  }
}

// Many entries per row: after a stable sort by destination, the first entry of each run of equal destinations sums
// the run (increasing source position) and writes it.
template <class T>
__global__ void scatter_runs_kernel(const T* __restrict__ src, const int64_t* __restrict__ keys,
                                    const int64_t* __restrict__ order, int64_t n, T* __restrict__ out) {
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < n; t += int64_t(gridDim.x) * blockDim.x) {
    if (t > 0 && keys[t - 1] == keys[t]) continue;
    T acc = T(0);
    for (int64_t u = t; u < n && keys[u] == keys[t]; ++u) acc += src[order[u]];
    out[keys[t]] = acc;
  }
}

int bits_for(int64_t n) {  // radix bits that cover keys in [0, n)
  int b = 1;
  while (b < 63 && (int64_t{1} << b) < n) ++b;
  return b;
}

}  // namespace

int64_t topk_cuda(const Tensor& x, int64_t rows, int64_t L, int64_t k, bool largest, const Tensor& values,
                  const Tensor& indices) {
  Tensor flag = empty({1}, kInt64, x.device());
  auto* nan_row = static_cast<unsigned long long*>(flag.raw_data());
  LOOM_CUDA_CHECK(cudaMemsetAsync(nan_row, 0xFF, sizeof(unsigned long long), stream()));  // "none"
  dispatch_floating(x.dtype(), "topk", [&]<class T>() {
    if (L <= kSortMax) {
      int P = 1;
      while (P < L) P <<= 1;
      const int64_t per_block = kSortEntries / P;
      const auto blocks = static_cast<unsigned>((rows + per_block - 1) / per_block);
      topk_sort_kernel<T><<<blocks, kSortThreads, 0, stream()>>>(x.data<T>(), rows, L, P, k, largest,
                                                                 values.data<T>(), indices.data<int64_t>(), nan_row);
    } else {
      topk_select_kernel<T><<<static_cast<unsigned>(rows), kSelectThreads, 0, stream()>>>(
          x.data<T>(), L, k, largest, values.data<T>(), indices.data<int64_t>(), nan_row);
    }
    LOOM_CUDA_CHECK_LAUNCH();
  });
  unsigned long long host = ULLONG_MAX;
  cuda_copy_d2h(&host, nan_row, sizeof(host));  // synchronizes the stream
  return host == ULLONG_MAX ? -1 : static_cast<int64_t>(host);
}

void gather_last_cuda(const Tensor& x, const Tensor& index, int64_t rows, int64_t L, int64_t K, const Tensor& out) {
  const int64_t n = rows * K;
  dispatch_index(index.dtype(), "gather_last", [&]<class I>() {
    auto launch = [&](auto e) {
      using E = decltype(e);
      gather_last_kernel<E, I><<<blocks_for(n), kThreads, 0, stream()>>>(
          static_cast<const E*>(x.raw_data()), index.data<I>(), static_cast<E*>(out.raw_data()), n, L, K);
      LOOM_CUDA_CHECK_LAUNCH();
    };
    if (dtype_size(x.dtype()) == 4) launch(uint32_t{});
    else launch(uint64_t{});
  });
}

void scatter_last_add_cuda(const Tensor& src, const Tensor& index, int64_t rows, int64_t L, int64_t K,
                           const Tensor& out) {
  cuda_memset_zero(out.raw_data(), out.nbytes());
  const int64_t n = rows * K;
  if (n == 0) return;
  dispatch_index(index.dtype(), "gather_last backward", [&]<class I>() {
    dispatch_floating(src.dtype(), "gather_last backward", [&]<class T>() {
      if (K <= kScatterSerialMax) {
        scatter_rows_kernel<T, I><<<blocks_for(rows), kThreads, 0, stream()>>>(src.data<T>(), index.data<I>(),
                                                                                out.data<T>(), rows, L, K);
        LOOM_CUDA_CHECK_LAUNCH();
        return;
      }
      const Device dev = src.device();
      Tensor keys_in = empty({n}, kInt64, dev), pos_in = empty({n}, kInt64, dev);
      Tensor keys = empty({n}, kInt64, dev), order = empty({n}, kInt64, dev);
      flat_keys_kernel<I><<<blocks_for(n), kThreads, 0, stream()>>>(index.data<I>(), n, L, K,
                                                                    keys_in.data<int64_t>(), pos_in.data<int64_t>());
      LOOM_CUDA_CHECK_LAUNCH();
      // Radix sort is stable: equal destinations keep increasing source positions.
      const int end_bit = bits_for(rows * L);
      size_t temp_bytes = 0;
      LOOM_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys_in.data<int64_t>(),
                                                      keys.data<int64_t>(), pos_in.data<int64_t>(),
                                                      order.data<int64_t>(), n, 0, end_bit, stream()));
      Tensor temp = empty({static_cast<int64_t>((temp_bytes + 7) / 8)}, kInt64, dev);
      LOOM_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.raw_data(), temp_bytes, keys_in.data<int64_t>(),
                                                      keys.data<int64_t>(), pos_in.data<int64_t>(),
                                                      order.data<int64_t>(), n, 0, end_bit, stream()));
      scatter_runs_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(src.data<T>(), keys.data<int64_t>(),
                                                                       order.data<int64_t>(), n, out.data<T>());
      LOOM_CUDA_CHECK_LAUNCH();
    });
  });
}

}  // namespace loom::detail
