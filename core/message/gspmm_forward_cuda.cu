// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA forward of gspmm (the backward's own kernels are in gspmm_backward_cuda.cu). A group of lanes per
// destination row, lanes across the features (16-byte loads when the layout allows), accumulators in registers, no
// atomics. Rows with more than `chunk` entries are split into fixed chunks whose partials are combined in chunk order
// by a second kernel, so a hub row never serializes one warp and the result stays bitwise reproducible. The
// schedules (which rows are heavy, the light rows' order) are built once per Csr and cached in it (csr_cache.h).
// cuSPARSE SpMM (CSR_ALG2, non-transposed) can run copy_u / u_mul_e with scalar edge values and sum instead, when
// selected with mp::set_spmm_backend(SpmmBackend::kCusparse). It is opt-in: on the H100 its results were not
// bitwise reproducible run to run, and it is also slower than our kernel there (scale-20 R-MAT, F = 128: 1.669 ms
// against 1.425 ms forward, 3.592 against 3.078 ms forward+backward; bench/results/2026-11-24-h100-spmm-occupancy.md).
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/detail/cuda_libs.h"
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/message/functors.h"
#include "core/message/gspmm.h"
#include "core/message/gspmm_cuda.cuh"
#include "core/sparse/csr_cache.h"
#include "loom/core/message.h"

namespace loom::mp::detail {
namespace {

using loom::detail::dispatch_floating;

constexpr int kSlots = 2;            // feature vectors per lane per tile
constexpr int64_t kMinChunk = 256;   // entries per chunk of a heavy row: max(kMinChunk, 8 x average degree)

// Heavy rows of g (more than max(min_chunk, 8 x average degree) entries) split into chunks; with `order`, the
// other rows longest first as well.
Schedule build_schedule(const Csr& g, int64_t min_chunk, bool order) {
  Schedule s;
  const int64_t rows = g.num_rows(), nnz = g.nnz();
  const int64_t avg = rows > 0 ? (nnz + rows - 1) / rows : 0;
  s.chunk = std::max(min_chunk, 8 * avg);
  if (nnz <= s.chunk && !order) return s;  // no row can be heavy
  const std::vector<int64_t> ptr = g.indptr().cpu().to_vector<int64_t>();
  const auto deg = [&](int64_t v) { return ptr[static_cast<size_t>(v) + 1] - ptr[static_cast<size_t>(v)]; };
  std::vector<int64_t> rc, hr, off{0}, light;
  for (int64_t v = 0; v < rows; ++v) {
    if (deg(v) <= s.chunk) {
      if (order) light.push_back(v);
      continue;
    }
    const int64_t h = static_cast<int64_t>(hr.size());
    hr.push_back(v);
    for (int64_t c = 0; c * s.chunk < deg(v); ++c) {
      rc.push_back(h);
      rc.push_back(c);
    }
    off.push_back(static_cast<int64_t>(rc.size() / 2));
  }
  s.heavy = static_cast<int64_t>(hr.size());
  s.items = static_cast<int64_t>(rc.size() / 2);
  if (s.heavy > 0) {
    s.item_rc = from_vector<int64_t>(rc, {s.items, 2}, g.device());
    s.heavy_rows = from_vector<int64_t>(hr, {s.heavy}, g.device());
    s.heavy_off = from_vector<int64_t>(off, {s.heavy + 1}, g.device());
  }
  std::stable_sort(light.begin(), light.end(), [&](int64_t a, int64_t b) { return deg(a) > deg(b); });
  s.light = static_cast<int64_t>(light.size());
  if (s.light > 0) s.light_order = from_vector<int64_t>(light, {s.light}, g.device());
  return s;
}

// The fast forward kernel's schedule: longer chunks, and the light rows longest first. On the scale-20 R-MAT graph
// (F = 128) chunks of 1,024 with that order ran in 1.42-1.44 ms against 1.57-1.58 ms for chunks of 256 in row order;
// 512 gave 1.49-1.51 ms, 2,048 1.41 ms but a slower F = 32 (bench/results/2026-11-24-h100-spmm-occupancy.md).
// Longest first: long rows start early, and the two rows of a block end together.
constexpr int64_t kFastMinChunk = 1024;

// The schedule of g, built once and cached in g (see csr_cache.h): the fast kernel's or everyone else's.
Schedule cached_schedule(const Csr& g, bool fast) {
  return *loom::detail::csr_cached<Schedule>(g, fast ? "gspmm.fast_schedule" : "gspmm.schedule", g.device(), [&] {
    return build_schedule(g, fast ? kFastMinChunk : kMinChunk, /*order=*/fast);
  });
}

Schedule fast_schedule_for(const Csr& g) { return cached_schedule(g, true); }

}  // namespace

Schedule schedule_for(const Csr& g) { return cached_schedule(g, false); }

namespace {

// cuSPARSE's arrays for g: int32 row offsets, and the ones that stand for a pattern's values (copy_u).
Tensor indptr32_for(const Csr& g) {
  return *loom::detail::csr_cached<Tensor>(g, "cusparse.indptr32", g.device(), [&] { return g.indptr().to(kInt32); });
}

Tensor ones_for(const Csr& g, DType t) {
  return *loom::detail::csr_cached<Tensor>(g, std::string("cusparse.ones.") + dtype_name(t), g.device(),
                                            [&] { return ones({g.nnz()}, t, g.device()); });
}

// ------------------------------------------------------------------ forward kernels
// V values starting at p: a 16-byte load when the operand runs along the features (stride 1), else one value
// broadcast (stride 0).
template <class T, int V>
__device__ inline void load_vec(const T* __restrict__ p, int64_t stride, T (&out)[V]) {
  if constexpr (V == 1) {
    out[0] = p[0];
  } else {
    if (stride == 0) {
      const T s = p[0];
#pragma unroll
      for (int j = 0; j < V; ++j) out[j] = s;
    } else {
      const Vec<T, V> w = *reinterpret_cast<const Vec<T, V>*>(p);
#pragma unroll
      for (int j = 0; j < V; ++j) out[j] = w.x[j];
    }
  }
}

struct FwdParams {
  CsrView g;
  Bcast b;
  int group = 32;       // lanes per row (a power of two dividing kThreads)
  int64_t count = 0;    // rows (row mode) or items (chunk mode)
  int64_t chunk = 0;
  bool mean = false;
  const int64_t* item_rc = nullptr;     // chunk mode when set (the fast kernel: items of its first blocks)
  const int64_t* heavy_rows = nullptr;
  int64_t items = 0;                    // fast kernel: its first item_blocks blocks do the items, the rest the rows
  int64_t item_blocks = 0;
  const int64_t* row_order = nullptr;   // fast kernel: row mode does rows row_order[0 .. count) when set
  Epilogue ep;                          // propagate's update (row mode stores; the combine applies it to heavy rows)
};

// The value stored for output element f of row `row`: for an item a raw partial (row is then the item, and the
// combine applies the update), else with propagate's update applied.
template <class T>
__device__ inline T stored(const FwdParams& p, T x, int64_t row, int64_t f, bool item) {
  if (item || !p.ep.active()) return x;
  const T* root = static_cast<const T*>(p.ep.root);
  return apply_epilogue(x, f, root != nullptr ? root + row * p.b.out_len : nullptr, static_cast<const T*>(p.ep.bias),
                        p.ep.act, static_cast<T>(p.ep.slope));
}

// The entries group `gid` reduces. A row: row gid, unless it is longer than a chunk (items handle those). An item:
// one fixed chunk of a heavy row, unscaled (partials are scaled after the combine).
__device__ inline bool work_range(const FwdParams& p, int64_t gid, bool item, int64_t& begin, int64_t& end,
                                  bool& scale) {
  scale = p.mean;
  if (!item) {
    begin = p.g.indptr[gid];
    end = p.g.indptr[gid + 1];
    return end - begin <= p.chunk;
  }
  const int64_t row = p.heavy_rows[p.item_rc[2 * gid]];
  begin = p.g.indptr[row] + p.item_rc[2 * gid + 1] * p.chunk;
  end = ::min(p.g.indptr[row + 1], begin + p.chunk);
  scale = false;
  return true;
}

// Row mode: group `gid` reduces row gid (skipping rows longer than chunk, which chunk mode handles) into out.
// Chunk mode: group `gid` reduces item gid (one chunk of a heavy row) into partial row gid of `out`.
template <class T, class F, class R, int V>
__global__ void spmm_kernel(FwdParams p, const T* __restrict__ u, const T* __restrict__ e, T* __restrict__ out,
                            int64_t* __restrict__ arg) {
  const int G = p.group;
  const int64_t gid = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) / G;
  const int lane = threadIdx.x % G;
  if (gid >= p.count) return;  // no warp-wide collectives below: groups may leave on their own
  const Bcast& b = p.b;
  const int64_t L = b.out_len;
  int64_t begin, end;
  bool scale;
  const bool item = p.item_rc != nullptr;
  if (!work_range(p, gid, item, begin, end, scale)) return;
  T* orow = out + gid * L;
  int64_t* arow = R::has_arg ? arg + gid * L : nullptr;
  const T s = scale && end > begin ? T(1) / T(end - begin) : T(1);
  for (int64_t tile = 0; tile < L; tile += int64_t(G) * V * kSlots) {
    int64_t uo[kSlots], eo[kSlots], fs[kSlots];
    bool act[kSlots];
#pragma unroll
    for (int q = 0; q < kSlots; ++q) {
      fs[q] = tile + (int64_t(q) * G + lane) * V;
      act[q] = fs[q] < L;
      uo[q] = eo[q] = 0;
      if (act[q]) b.offsets(fs[q], uo[q], eo[q]);
    }
    T acc[kSlots][V];
    int64_t am[kSlots][V];
#pragma unroll
    for (int q = 0; q < kSlots; ++q) {
#pragma unroll
      for (int j = 0; j < V; ++j) {
        acc[q][j] = T(0);
        am[q][j] = -1;
      }
    }
    // One entry into the accumulators: the first sets them (and the arg), later ones combine in entry order.
    auto step = [&](int64_t k, auto first) {
      [[maybe_unused]] const T* ub = F::use_lhs ? u + int64_t(p.g.indices[k]) * b.u_len : nullptr;
      [[maybe_unused]] const T* eb = F::use_rhs ? e + k * b.e_len : nullptr;
#pragma unroll
      for (int q = 0; q < kSlots; ++q) {
        if (!act[q]) continue;
        T uv[V], ev[V];
#pragma unroll
        for (int j = 0; j < V; ++j) uv[j] = ev[j] = T(0);
        if constexpr (F::use_lhs) load_vec<T, V>(ub + uo[q], b.us[2], uv);
        if constexpr (F::use_rhs) load_vec<T, V>(eb + eo[q], b.es[2], ev);
#pragma unroll
        for (int j = 0; j < V; ++j) {
          const T m = F::apply(uv[j], ev[j]);
          if constexpr (decltype(first)::value) {
            acc[q][j] = m;
            am[q][j] = k;
          } else if constexpr (R::has_arg) {
            if (R::better(m, acc[q][j])) {
              acc[q][j] = m;
              am[q][j] = k;
            }
          } else {
            acc[q][j] += m;
          }
        }
      }
    };
    if (begin < end) {
      step(begin, std::true_type{});
#pragma unroll 4
      for (int64_t k = begin + 1; k < end; ++k) step(k, std::false_type{});
    }
#pragma unroll
    for (int q = 0; q < kSlots; ++q) {
      if (!act[q]) continue;
      Vec<T, V> w;
#pragma unroll
      for (int j = 0; j < V; ++j) w.x[j] = stored(p, acc[q][j] * s, gid, fs[q] + j, item);
      *reinterpret_cast<Vec<T, V>*>(orow + fs[q]) = w;
      if constexpr (R::has_arg) {
#pragma unroll
        for (int j = 0; j < V; ++j) arow[fs[q] + j] = am[q][j];
      }
    }
  }
}

// Heavy rows: out[row, f] = the chunk partials of the row combined in chunk order (then / degree for mean).
template <class T, class R>
__global__ void combine_kernel(const int64_t* __restrict__ heavy_rows, const int64_t* __restrict__ heavy_off,
                               int64_t heavy, int64_t L, const int64_t* __restrict__ indptr,
                               const T* __restrict__ part, const int64_t* __restrict__ part_arg, bool mean,
                               Epilogue ep, T* __restrict__ out, int64_t* __restrict__ arg) {
  const int64_t n = heavy * L;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t h = i / L, f = i % L;
    const int64_t i0 = heavy_off[h], i1 = heavy_off[h + 1];
    T acc = part[i0 * L + f];
    int64_t a = R::has_arg ? part_arg[i0 * L + f] : 0;
    for (int64_t it = i0 + 1; it < i1; ++it) {
      const T m = part[it * L + f];
      if constexpr (R::has_arg) {
        if (R::better(m, acc)) {  // strict: on ties the earlier chunk (the earlier entry) keeps the arg
          acc = m;
          a = part_arg[it * L + f];
        }
      } else {
        acc += m;
      }
    }
    const int64_t row = heavy_rows[h];
    if (mean) acc *= T(1) / T(indptr[row + 1] - indptr[row]);
    if (ep.active()) {
      const T* root = static_cast<const T*>(ep.root);
      acc = apply_epilogue(acc, f, root != nullptr ? root + row * L : nullptr, static_cast<const T*>(ep.bias), ep.act,
                           static_cast<T>(ep.slope));
    }
    out[row * L + f] = acc;
    if constexpr (R::has_arg) arg[row * L + f] = a;
  }
}

// Fast path: u rows laid out exactly like the output rows (u_len == out_len, contiguous), e absent (kNoE), one
// value per entry (kScalarE) or one per entry and head broadcast over the head's channels (kHeadE: GAT's attention
// weights [nnz, H] against u [N, H, C]; V divides C, so a lane's V features lie in one head), sum/mean, 16-byte
// vectors. G lanes per row (G * V features per tile, G = 32 at F = 128 float32),
// up to G column ids and weights of a row loaded by one coalesced load and broadcast with shuffles, then B
// independent u-row loads issued before the first add (the gathers are latency-bound, this keeps B in flight per
// lane). kHeadE weights are loaded by each lane next to its u vector (the lanes of a head read the same value: one
// transaction per head). Each lane still adds the entries of its row in entry order, starting from -0 (so the first message is
// taken exactly, like the generic kernel): the result is bitwise the same as the generic kernel's.
// Small blocks: a block's slots free only when its slowest row is done, and row lengths vary a lot.
constexpr int kFastThreads = 64;

enum class EMode { kNoE, kScalarE, kHeadE };

template <EMode kE, int G>
constexpr bool kWideFast = G == 32 && kE != EMode::kHeadE;  // see spmm_fast_kernel

template <class T, class F, EMode kE, int G, int V>
__global__ void __launch_bounds__(kFastThreads, kWideFast<kE, G> ? 20 : 16)
    spmm_fast_kernel(FwdParams p, const T* __restrict__ u, const T* __restrict__ e, T* __restrict__ out,
                     T* __restrict__ part) {
  static_assert((kE == EMode::kNoE) == !F::use_rhs, "the edge mode matches the message");
  // u-row loads in flight per lane. At 32 lanes (F = 128 float32) the light rows are latency-bound, and occupancy
  // paid more than loads in flight: 4 loads at 48 registers (20 blocks, 40 warps an SM) ran the scale-20 R-MAT
  // SpMM in 1.59 ms against 1.74 ms for 8 loads at 64 registers (bench/results/2026-11-24-h100-spmm-occupancy.md).
  // Per-head weights (GAT) keep 8: with 4 they spilled.
  constexpr int B = kWideFast<kE, G> ? 4 : (G < 8 ? G : 8);
  // At 32 lanes a scalar weight is shuffled in at its add rather than with its column id: B weights held across
  // the loads made that kernel spill.
  constexpr bool kLateE = kE == EMode::kScalarE && G == 32;
  // The first item_blocks blocks take the items (chunks of heavy rows: long, so they start first and run beside
  // the light rows, whose gathers leave L2 bandwidth over), the others the rows.
  const bool item = blockIdx.x < p.item_blocks;
  const int64_t block = item ? blockIdx.x : blockIdx.x - p.item_blocks;
  const int64_t gid = (block * blockDim.x + threadIdx.x) / G;
  const int lane = threadIdx.x % G;
  if (gid >= (item ? p.items : p.count)) return;  // whole groups leave together; shuffles use the group's mask
  const unsigned mask = G == 32 ? 0xffffffffu : ((1u << G) - 1u) << ((threadIdx.x % kWarp) / G * G);
  const int64_t L = p.b.out_len;
  const int32_t* __restrict__ idx = p.g.indices;
  const int64_t row = item || p.row_order == nullptr ? gid : p.row_order[gid];  // an item's partial row is gid
  int64_t begin, end;
  bool scale;
  if (!work_range(p, row, item, begin, end, scale)) return;
  const T s = scale && end > begin ? T(1) / T(end - begin) : T(1);
  for (int64_t tile = 0; tile < L; tile += int64_t(G) * V) {
    const int64_t f = tile + int64_t(lane) * V;
    const bool act = f < L;
    const int64_t H = p.b.e_len, head = kE == EMode::kHeadE && act ? f / p.b.n[2] : 0;
    T acc[V];
#pragma unroll
    for (int j = 0; j < V; ++j) acc[j] = T(-0.0);
    for (int64_t k0 = begin; k0 < end; k0 += G) {
      const int n = end - k0 < G ? static_cast<int>(end - k0) : G;
      int my_col = 0;
      T my_e = T(0);
      if (lane < n) {
        my_col = __ldg(idx + k0 + lane);
        if constexpr (kE == EMode::kScalarE) my_e = __ldg(e + k0 + lane);
      }
      for (int i0 = 0; i0 < n; i0 += B) {
        Vec<T, V> w[B];
        [[maybe_unused]] T ev[kLateE ? 1 : B];
#pragma unroll
        for (int i = 0; i < B; ++i) {
          const int col = __shfl_sync(mask, my_col, i0 + i, G);
          if constexpr (!kLateE) ev[i] = kE == EMode::kScalarE ? __shfl_sync(mask, my_e, i0 + i, G) : T(0);
          if (act && i0 + i < n) {
            w[i] = ldg_vec<T, V>(u + int64_t(col) * L + f);
            if constexpr (kE == EMode::kHeadE) ev[i] = __ldg(e + (k0 + i0 + i) * H + head);
          } else {
            w[i] = zero_vec<T, V>();
          }
        }
#pragma unroll
        for (int i = 0; i < B; ++i) {
          if (i0 + i < n) {  // the same for the whole group: a late shuffle's lanes are all here
            T ei;
            if constexpr (kLateE) {
              ei = __shfl_sync(mask, my_e, i0 + i, G);
            } else {
              ei = ev[i];
            }
#pragma unroll
            for (int j = 0; j < V; ++j) acc[j] += F::apply(w[i].x[j], ei);
          }
        }
      }
    }
    if (!act) continue;
    Vec<T, V> o;
#pragma unroll
    for (int j = 0; j < V; ++j) o.x[j] = stored(p, end > begin ? acc[j] * s : T(0), row, f + j, item);
    st_vec<T, V>((item ? part : out) + row * L + f, o);
  }
}

template <class T, class F, class R>
void launch_ours(const Csr& gr, bool mean, const T* u, const T* e, const Bcast& b, const Epilogue& ep, T* out,
                 int64_t* arg) {
  constexpr int kVec = 16 / sizeof(T);
  const bool vec = b.n[2] % kVec == 0 && aligned16(u) && aligned16(e) && aligned16(out);
  const int V = vec ? kVec : 1;
  // The fast path (see spmm_fast_kernel) where it applies: group size from the row width, at least 4 lanes.
  constexpr bool kFastOk = !R::has_arg && (std::is_same_v<F, CopyUF> || std::is_same_v<F, UMulEF>);
  int fast_group = 0;
  const bool head_e = F::use_rhs && e_per_head(b);
  if constexpr (kFastOk) {
    if (vec && u_like_out(b) && (!F::use_rhs || b.e_len == 1 || head_e)) {
      fast_group = pow2_at_least(b.out_len / kVec);
      if (fast_group < 4) fast_group = 0;
    }
  }
  const Schedule sch = fast_group > 0 ? fast_schedule_for(gr) : schedule_for(gr);
  FwdParams p;
  p.g = view_of(gr);
  p.b = b;
  p.group = pow2_at_least((b.out_len + int64_t(V) * kSlots - 1) / (int64_t(V) * kSlots));
  p.chunk = sch.chunk;
  p.mean = mean;
  p.ep = ep;
  p.count = p.g.rows;
  // Heavy rows are split into items whose partials are combined in chunk order after.
  Tensor part = sch.heavy > 0 ? empty({sch.items, b.out_len}, dtype_v<T>, gr.device()) : Tensor();
  Tensor part_arg = sch.heavy > 0 && R::has_arg ? empty({sch.items, b.out_len}, kInt64, gr.device()) : Tensor();
  if (sch.heavy > 0) {
    p.items = sch.items;
    p.item_rc = sch.item_rc.data<int64_t>();
    p.heavy_rows = sch.heavy_rows.data<int64_t>();
  }
  bool fast_done = false;
  if constexpr (kFastOk) {
    if (fast_group > 0) {  // one launch: items first, then rows
      const int64_t per_block = kFastThreads / fast_group;
      p.row_order = sch.light > 0 ? sch.light_order.data<int64_t>() : nullptr;  // the light rows, longest first
      p.count = sch.light;
      p.item_blocks = (p.items + per_block - 1) / per_block;
      const auto blocks = static_cast<unsigned>(p.item_blocks + (p.count + per_block - 1) / per_block);
      T* pp = part.defined() ? part.data<T>() : nullptr;
      auto go = [&]<EMode kE>() {
        switch (fast_group) {
          case 4: spmm_fast_kernel<T, F, kE, 4, kVec><<<blocks, kFastThreads, 0, stream()>>>(p, u, e, out, pp); break;
          case 8: spmm_fast_kernel<T, F, kE, 8, kVec><<<blocks, kFastThreads, 0, stream()>>>(p, u, e, out, pp); break;
          case 16: spmm_fast_kernel<T, F, kE, 16, kVec><<<blocks, kFastThreads, 0, stream()>>>(p, u, e, out, pp); break;
          default: spmm_fast_kernel<T, F, kE, 32, kVec><<<blocks, kFastThreads, 0, stream()>>>(p, u, e, out, pp); break;
        }
      };
      if constexpr (!F::use_rhs) {
        go.template operator()<EMode::kNoE>();
      } else if (head_e) {
        go.template operator()<EMode::kHeadE>();
      } else {
        go.template operator()<EMode::kScalarE>();
      }
      LOOM_CUDA_CHECK_LAUNCH();
      fast_done = true;
    }
  }
  if (!fast_done) {  // the generic kernel: rows, then items
    auto launch = [&](const FwdParams& q, T* o, int64_t* a) {
      const int64_t per_block = kThreads / q.group;
      const auto blocks = static_cast<unsigned>((q.count + per_block - 1) / per_block);
      if (vec) {
        spmm_kernel<T, F, R, kVec><<<blocks, kThreads, 0, stream()>>>(q, u, e, o, a);
      } else {
        spmm_kernel<T, F, R, 1><<<blocks, kThreads, 0, stream()>>>(q, u, e, o, a);
      }
      LOOM_CUDA_CHECK_LAUNCH();
    };
    FwdParams rows = p;
    rows.item_rc = nullptr;
    launch(rows, out, arg);
    if (sch.heavy > 0) {
      FwdParams q = p;
      q.count = sch.items;
      launch(q, part.data<T>(), R::has_arg ? part_arg.data<int64_t>() : nullptr);
    }
  }
  if (sch.heavy == 0) return;
  combine_kernel<T, R><<<loom::detail::blocks_for(sch.heavy * b.out_len), kThreads, 0, stream()>>>(
      sch.heavy_rows.data<int64_t>(), sch.heavy_off.data<int64_t>(), sch.heavy, b.out_len, p.g.indptr, part.data<T>(),
      R::has_arg ? part_arg.data<int64_t>() : nullptr, mean, ep, out, arg);
  LOOM_CUDA_CHECK_LAUNCH();
}

// ------------------------------------------------------------------ cuSPARSE
// cuSPARSE computes exactly out = A u with A's values e (or ones): sum of copy_u / u_mul_e with one value per
// entry, 32-bit offsets, at least one entry.
bool cusparse_eligible(const Csr& g, Msg msg, Reduce reduce, const Bcast& b) {
  if (reduce != Reduce::kSum) return false;
  if (!(msg == Msg::kCopyU || (msg == Msg::kUMulE && b.e_len == 1))) return false;
  constexpr int64_t kMax32 = (int64_t{1} << 31) - 1;
  return g.nnz() > 0 && g.nnz() < kMax32 && g.num_rows() < kMax32 && g.num_cols() < kMax32 && b.u_len == b.out_len;
}

template <class T>
void launch_cusparse(const Csr& g, Msg msg, const Tensor& u, const Tensor& e, const Bcast& b, const Tensor& out) {
  const cudaDataType dt = sizeof(T) == 8 ? CUDA_R_64F : CUDA_R_32F;
  const Tensor ptr32 = indptr32_for(g);
  const Tensor vals = msg == Msg::kCopyU ? ones_for(g, dtype_v<T>) : e;
  const auto h = loom::detail::cusparse_handle();  // this device's, on the current stream, locked until we return
  cusparseConstSpMatDescr_t a = nullptr;
  cusparseConstDnMatDescr_t bm = nullptr;
  cusparseDnMatDescr_t cm = nullptr;
  const int64_t F = b.out_len;
  LOOM_CUSPARSE_CHECK(cusparseCreateConstCsr(&a, g.num_rows(), g.num_cols(), g.nnz(), ptr32.data<int32_t>(),
                                             g.indices().data<int32_t>(), vals.data<T>(), CUSPARSE_INDEX_32I,
                                             CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, dt));
  LOOM_CUSPARSE_CHECK(cusparseCreateConstDnMat(&bm, g.num_cols(), F, F, u.data<T>(), dt, CUSPARSE_ORDER_ROW));
  LOOM_CUSPARSE_CHECK(cusparseCreateDnMat(&cm, g.num_rows(), F, F, out.data<T>(), dt, CUSPARSE_ORDER_ROW));
  const T one(1), zero(0);
  size_t bytes = 0;
  cusparseStatus_t st = cusparseSpMM_bufferSize(h, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                                &one, a, bm, &zero, cm, dt, CUSPARSE_SPMM_CSR_ALG2, &bytes);
  Tensor work;
  if (st == CUSPARSE_STATUS_SUCCESS && bytes > 0) {
    work = empty({static_cast<int64_t>((bytes + 7) / 8)}, kInt64, g.device());  // freed in stream order
  }
  if (st == CUSPARSE_STATUS_SUCCESS) {
    st = cusparseSpMM(h, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, a, bm, &zero, cm,
                      dt, CUSPARSE_SPMM_CSR_ALG2, work.defined() ? work.raw_data() : nullptr);
  }
  cusparseDestroySpMat(a);
  cusparseDestroyDnMat(bm);
  cusparseDestroyDnMat(cm);
  LOOM_CUSPARSE_CHECK(st);
}

}  // namespace

// cuSPARSE only where it was selected (mp::set_spmm_backend) and can compute the op; Loom's kernel otherwise.
void gspmm_cuda(const Csr& g, Msg msg, Reduce reduce, const Tensor& u, const Tensor& e, const Bcast& b,
                const Epilogue& ep, const Tensor& out, const Tensor& arg) {
  // Loom's kernel is the default: its sums are deterministic by contract, and on the H100 it is also the faster one
  // (see the header of this file). cuSPARSE has no fused update, so propagate's epilogue keeps ours.
  const bool use_cusparse =
      spmm_backend() == SpmmBackend::kCusparse && !ep.active() && cusparse_eligible(g, msg, reduce, b);
  dispatch_floating(out.dtype(), "gspmm", [&]<class T>() {
    if (use_cusparse) {
      launch_cusparse<T>(g, msg, u, e, b, out);
      return;
    }
    const T* up = u.defined() ? u.data<T>() : nullptr;
    const T* ept = e.defined() ? e.data<T>() : nullptr;
    int64_t* ap = arg.defined() ? arg.data<int64_t>() : nullptr;
    with_msg(msg, [&]<class F>(F) {
      with_reducer(reduce, [&]<class R>(R) {
        launch_ours<T, F, R>(g, reduce == Reduce::kMean, up, ept, b, ep, out.data<T>(), ap);
      });
    });
  });
}

}  // namespace loom::mp::detail
