// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// CUDA kernels of gatv2_logits. Forward: a lane group (a power of two <= 32 covering C) per (entry, head) reads
// C neighbouring channels of u's and v's rows and combines its products with a fixed butterfly; entries, not rows,
// are spread over the grid, so a hub row costs no more than its entries. Backward: a team per row of the walked
// Csr (a warp, or a block for heavy rows: team.cuh), each thread summing its entry slots for one (head, channel),
// the team combining slots in a fixed order. No atomics: bitwise reproducible.
#include "core/detail/cuda_utils.cuh"
#include "core/detail/dispatch.h"
#include "core/message/gatv2.h"
#include "core/message/team.cuh"

namespace loom::detail {
namespace {

// The loop runs in whole warps so that every lane takes part in the shuffles.
template <class T>
__global__ void forward_kernel(const int32_t* __restrict__ rows, const int32_t* __restrict__ cols,
                               const T* __restrict__ u, const T* __restrict__ v, const T* __restrict__ att,
                               T* __restrict__ out, int64_t groups, int64_t H, int64_t C, T slope, int g) {
  const int64_t w = H * C;
  const int64_t total = (groups * g + kWarp - 1) / kWarp * kWarp;
  for (int64_t t = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; t < total; t += int64_t(gridDim.x) * blockDim.x) {
    const int64_t grp = t / g;
    const int lane = static_cast<int>(t % g);
    T acc(0);
    if (grp < groups) {
      const int64_t k = grp / H, h = grp % H;
      const T* ur = u + int64_t(cols[k]) * w + h * C;
      const T* vr = v + int64_t(rows[k]) * w + h * C;
      const T* ar = att + h * C;
      for (int64_t c = lane; c < C; c += g) acc += ar[c] * Gatv2Act::forward(ur[c] + vr[c], slope);
    }
    for (int o = g / 2; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (grp < groups && lane == 0) out[grp] = acc;
  }
}

// One row x of the walked Csr per team. grad (may be null on the v side) gets att[f] * sum dy * act'(z); part
// (v side only, may be null) gets sum dy * act(z). Both conditions are uniform over the team, so every thread
// takes part in each team_reduce.
template <bool kSideU, class T>
struct BackwardRows {
  const int32_t* other;
  const int64_t* eids;
  const T* u;
  const T* v;
  const T* att;
  const T* dy;
  T* grad;
  T* part;
  int64_t H, C;
  T slope;
  __device__ void operator()(int64_t x, int64_t b, int64_t e, const team::Team& t, unsigned char* smem) const {
    const int64_t w = H * C;
    T* buf = reinterpret_cast<T*>(smem);
    for (int64_t c0 = 0; c0 < w; c0 += t.g) {
      const int64_t f = c0 + t.col;
      T acc(0), acc_att(0);
      if (f < w) {
        const int64_t h = f / C;
        for (int64_t j = b + t.sub; j < e; j += t.subs) {
          const int64_t k = kSideU ? eids[j] : j;
          const int64_t ui = kSideU ? x : other[j], vi = kSideU ? other[j] : x;
          const T z = u[ui * w + f] + v[vi * w + f];
          const T gk = dy[k * H + h];
          if (grad) acc += gk * Gatv2Act::backward_x(z, slope);
          if (!kSideU && part) acc_att += gk * Gatv2Act::forward(z, slope);
        }
      }
      if (grad) {
        acc = team::team_reduce(acc, t, team::SumOp{}, buf);
        if (t.sub == 0 && f < w) grad[x * w + f] = att[f] * acc;
      }
      if (!kSideU && part) {
        acc_att = team::team_reduce(acc_att, t, team::SumOp{}, buf);
        if (t.sub == 0 && f < w) part[x * w + f] = acc_att;
      }
    }
  }
};

template <class T>
T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

void gatv2_cuda(const Csr& g, const Tensor& u, const Tensor& v, const Tensor& att, const Gatv2Dims& d,
                const Tensor& out) {
  const int32_t* rows = g.row_index().data<int32_t>();
  const int32_t* cols = g.indices().data<int32_t>();
  dispatch_floating(out.dtype(), "gatv2_logits", [&]<class T>() {
    const int lanes = team::lanes_for(d.channels);
    const int64_t groups = g.nnz() * d.heads;
    forward_kernel<T><<<blocks_for(groups * lanes), kThreads, 0, stream()>>>(
        rows, cols, u.data<T>(), v.data<T>(), att.data<T>(), out.data<T>(), groups, d.heads, d.channels, T(d.slope),
        lanes);
    LOOM_CUDA_CHECK_LAUNCH();
  });
}

void gatv2_backward_cuda(const Csr& walk, bool side_u, const Tensor& u, const Tensor& v, const Tensor& att,
                         const Tensor& dy, const Gatv2Dims& d, const Tensor& grad, const Tensor& att_part) {
  const int32_t* other = walk.indices().data<int32_t>();
  const int64_t* eids = side_u ? walk.edge_ids().data<int64_t>() : nullptr;
  dispatch_floating(dy.dtype(), "gatv2_logits backward", [&]<class T>() {
    const T slope = T(d.slope);
    if (side_u) {
      team::launch_segments(BackwardRows<true, T>{other, eids, u.data<T>(), v.data<T>(), att.data<T>(), dy.data<T>(),
                                                  ptr_or_null<T>(grad), nullptr, d.heads, d.channels, slope},
                            walk.indptr(), d.width());
    } else {
      team::launch_segments(BackwardRows<false, T>{other, eids, u.data<T>(), v.data<T>(), att.data<T>(),
                                                   dy.data<T>(), ptr_or_null<T>(grad), ptr_or_null<T>(att_part),
                                                   d.heads, d.channels, slope},
                            walk.indptr(), d.width());
    }
  });
}

}  // namespace loom::detail
