// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::segment_reduce (sum, mean, max, min), mp::segment_softmax and the generic path (gather_src, gather_dst):
// float64 references with empty, single-row and long (> one warp's share) segments in [n], [n, F] and [n, H, C];
// ties; gradchecks; determinism across runs and thread counts; CPU against CUDA; offset and shape errors.
#include <gmock/gmock.h>

#include <cmath>
#include <limits>

#include "loom/core/message.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/random_graph.h"
#include "support/reference.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using mp::Reduce;
using testing::random_tensor;

const std::vector<Reduce> kReduces = {Reduce::kSum, Reduce::kMean, Reduce::kMax, Reduce::kMin};
using testing::rows_then;

// Segment lengths: empty ones (also first and last), singles, and a long one past the CUDA block threshold.
std::vector<int64_t> offsets_for(const std::vector<int64_t>& lengths) {
  std::vector<int64_t> off{0};
  for (int64_t l : lengths) off.push_back(off.back() + l);
  return off;
}
const std::vector<int64_t> kLengths = {0, 3, 1, 0, 0, 7, 1500, 2, 40, 1, 0, 33, 5, 0};

const std::vector<Shape> kFeatures = {{}, {5}, {3, 4}, {70}};

std::vector<double> reduce_reference(const std::vector<double>& x, const std::vector<int64_t>& off, int64_t w,
                                     Reduce r) {
  const int64_t segs = static_cast<int64_t>(off.size()) - 1;
  std::vector<double> out(static_cast<size_t>(segs * w), 0.0);
  for (int64_t s = 0; s < segs; ++s) {
    const int64_t b = off[static_cast<size_t>(s)], e = off[static_cast<size_t>(s + 1)];
    if (b == e) continue;
    for (int64_t c = 0; c < w; ++c) {
      double acc = r == Reduce::kMax ? -INFINITY : r == Reduce::kMin ? INFINITY : 0.0;
      for (int64_t i = b; i < e; ++i) {
        const double v = x[static_cast<size_t>(i * w + c)];
        acc = r == Reduce::kMax ? std::max(acc, v) : r == Reduce::kMin ? std::min(acc, v) : acc + v;
      }
      out[static_cast<size_t>(s * w + c)] = r == Reduce::kMean ? acc / double(e - b) : acc;
    }
  }
  return out;
}

std::vector<double> softmax_reference(const std::vector<double>& x, const std::vector<int64_t>& off, int64_t w) {
  std::vector<double> y(x.size());
  for (size_t s = 0; s + 1 < off.size(); ++s) {
    for (int64_t c = 0; c < w; ++c) {
      double m = -INFINITY, sum = 0;
      for (int64_t i = off[s]; i < off[s + 1]; ++i) m = std::max(m, x[static_cast<size_t>(i * w + c)]);
      for (int64_t i = off[s]; i < off[s + 1]; ++i) sum += std::exp(x[static_cast<size_t>(i * w + c)] - m);
      for (int64_t i = off[s]; i < off[s + 1]; ++i)
        y[static_cast<size_t>(i * w + c)] = std::exp(x[static_cast<size_t>(i * w + c)] - m) / sum;
    }
  }
  return y;
}

TEST(SegmentReduce, HandComputed) {
  Tensor x = from_vector<double>({1, 5, 2, 4, 3, 3}, {6});
  Tensor off = from_vector<int64_t>({0, 2, 2, 6});
  EXPECT_EQ(mp::segment_reduce(x, off, mp::sum).to_vector<double>(), (std::vector<double>{6, 0, 12}));
  EXPECT_EQ(mp::segment_reduce(x, off, mp::mean).to_vector<double>(), (std::vector<double>{3, 0, 3}));
  EXPECT_EQ(mp::segment_reduce(x, off, mp::max).to_vector<double>(), (std::vector<double>{5, 0, 4}));
  EXPECT_EQ(mp::segment_reduce(x, off, mp::min).to_vector<double>(), (std::vector<double>{1, 0, 2}));
}

TEST(SegmentReduce, MatchesReference) {
  const std::vector<int64_t> off = offsets_for(kLengths);
  const int64_t n = off.back();
  for (const Shape& feat : kFeatures) {
    Tensor x = random_tensor(rows_then(n, feat), 1, -2, 2);
    const int64_t w = shape_numel(feat);
    for (Reduce r : kReduces) {
      Tensor out = mp::segment_reduce(x, from_vector<int64_t>(off), r);
      ASSERT_EQ(out.shape(), rows_then(static_cast<int64_t>(kLengths.size()), feat));
      const std::vector<double> want = reduce_reference(x.to_vector<double>(), off, w, r);
      const std::vector<double> got = out.to_vector<double>();
      for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-12) << testing::op_name(r) << " " << i;
    }
  }
  // No segments at all, and segments over zero rows.
  EXPECT_EQ(mp::segment_reduce(zeros({0, 3}, kFloat64), from_vector<int64_t>({0}, {1}), mp::sum).shape(), (Shape{0, 3}));
  EXPECT_EQ(mp::segment_reduce(zeros({0, 3}, kFloat64), from_vector<int64_t>({0, 0, 0}), mp::max).to_vector<double>(),
            std::vector<double>(6, 0.0));
}

TEST(SegmentReduce, TiesAndGradientsGoToTheFirst) {
  Tensor x = from_vector<double>({2, 7, 7, 1, 1, 3}, {6}).set_requires_grad(true);
  Tensor off = from_vector<int64_t>({0, 3, 6});
  mp::segment_reduce(x, off, mp::max).backward(from_vector<double>({10, 20}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{0, 10, 0, 0, 0, 20}));
  x.zero_grad();
  mp::segment_reduce(x, off, mp::min).backward(from_vector<double>({10, 20}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{10, 0, 0, 20, 0, 0}));
  x.zero_grad();
  mp::segment_reduce(x, off, mp::mean).backward(from_vector<double>({3, 6}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{1, 1, 1, 2, 2, 2}));
}

TEST(SegmentSoftmax, MatchesReferenceAndSumsToOne) {
  const std::vector<int64_t> off = offsets_for(kLengths);
  for (const Shape& feat : kFeatures) {
    Tensor x = random_tensor(rows_then(off.back(), feat), 2, -5, 5);
    Tensor y = mp::segment_softmax(x, from_vector<int64_t>(off));
    const std::vector<double> want = softmax_reference(x.to_vector<double>(), off, shape_numel(feat));
    const std::vector<double> got = y.to_vector<double>();
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-14) << i;
    Tensor sums = mp::segment_reduce(y, from_vector<int64_t>(off), mp::sum);
    const std::vector<double> sv = sums.to_vector<double>();
    const int64_t w = shape_numel(feat);
    for (size_t s = 0; s < kLengths.size(); ++s)
      for (int64_t c = 0; c < w; ++c)
        EXPECT_NEAR(sv[s * static_cast<size_t>(w) + static_cast<size_t>(c)], kLengths[s] ? 1.0 : 0.0, 1e-12);
  }
  // Stable with huge values.
  Tensor big = random_tensor({off.back(), 2}, 3, 1e4, 1e4 + 30, kFloat32);
  EXPECT_FALSE(has_nonfinite(mp::segment_softmax(big, from_vector<int64_t>(off))));
}

TEST(Segment, Gradcheck) {
  const std::vector<int64_t> off = offsets_for({0, 3, 1, 0, 4, 2, 0});
  for (const Shape& feat : std::vector<Shape>{{}, {3}, {2, 2}}) {
    Tensor x = random_tensor(rows_then(off.back(), feat), 4, -2, 2);
    Tensor o = from_vector<int64_t>(off);
    for (Reduce r : kReduces) {
      EXPECT_TRUE(testing::gradcheck([o, r](const std::vector<Tensor>& in) { return mp::segment_reduce(in[0], o, r); },
                                     {x}))
          << testing::op_name(r);
    }
    EXPECT_TRUE(
        testing::gradcheck([o](const std::vector<Tensor>& in) { return mp::segment_softmax(in[0], o); }, {x}));
  }
}

// The segment op of a variant (softmax, or the reduction r) as a function of x.
testing::Fn segment_op(const std::vector<int64_t>& off, Reduce r, bool softmax) {
  const Tensor o = from_vector<int64_t>(off);
  return [o, r, softmax](const std::vector<Tensor>& x) {
    const Tensor od = o.to(x[0].device());
    return softmax ? mp::segment_softmax(x[0], od) : mp::segment_reduce(x[0], od, r);
  };
}
Tensor segment_input(const std::vector<int64_t>& off, const Shape& feat) {
  return random_tensor(rows_then(off.back(), feat), 5, -3, 3, kFloat32);
}

// {y, dx} on `device` (the backward of y against random weights).
std::vector<Tensor> run(const std::vector<int64_t>& off, const Shape& feat, Reduce r, bool softmax, Device device) {
  return testing::forward_backward(segment_op(off, r, softmax), {segment_input(off, feat)}, device, 6);
}

TEST(Segment, DeterministicAcrossRunsAndThreadCounts) {
  std::vector<int64_t> lengths;
  for (int i = 0; i < 4000; ++i) lengths.push_back(i % 7 == 0 ? 0 : i % 13);
  lengths.push_back(20000);
  const std::vector<int64_t> off = offsets_for(lengths);
  for (int variant = 0; variant < 5; ++variant) {
    const bool sm = variant == 4;
    const Reduce r = sm ? Reduce::kSum : kReduces[static_cast<size_t>(variant)];
    const auto a = run(off, {3}, r, sm, kCPU), b = run(off, {3}, r, sm, kCPU);
    const auto one = testing::with_threads(1, [&] { return run(off, {3}, r, sm, kCPU); });
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_TRUE(testing::bitwise_equal(a[i], b[i])) << variant << " output " << i;
      EXPECT_TRUE(testing::bitwise_equal(a[i], one[i])) << variant << " output " << i << " (1 thread)";
    }
  }
}

TEST(Segment, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  const std::vector<int64_t> off = offsets_for(kLengths);
  for (const Shape& feat : kFeatures) {
    for (int variant = 0; variant < 5; ++variant) {
      const bool sm = variant == 4;
      const Reduce r = sm ? Reduce::kSum : kReduces[static_cast<size_t>(variant)];
      EXPECT_TRUE(testing::cuda_matches_cpu(segment_op(off, r, sm), {segment_input(off, feat)},
                                            testing::Parity().tol(1e-4, 1e-5).weights(6).repeatable()))
          << "variant " << variant << " features " << shape_str(feat);
    }
  }
}

TEST(Segment, OffsetErrors) {
  Tensor x = random_tensor({10, 2}, 7);
  EXPECT_THAT([&] { mp::segment_reduce(x, from_vector<int64_t>({1, 4, 10}), mp::sum); },
              ThrowsMessage<ValueError>(HasSubstr("segment_reduce(sum): 'offsets' must rise from 0 to 10 (the rows "
                                                  "of 'x') without decreasing, but offsets[0] = 1 (expected 0)")));
  EXPECT_THAT([&] { mp::segment_reduce(x, from_vector<int64_t>({0, 6, 4, 10}), mp::max); },
              ThrowsMessage<ValueError>(HasSubstr("offsets[2] = 4 is below the offset before it")));
  EXPECT_THAT([&] { mp::segment_softmax(x, from_vector<int64_t>({0, 4, 9})); },
              ThrowsMessage<ValueError>(HasSubstr("segment_softmax: 'offsets' must rise from 0 to 10")));
  EXPECT_THAT([&] { mp::segment_softmax(x, from_vector<int64_t>({0, 4, 9})); },
              ThrowsMessage<ValueError>(HasSubstr("offsets[2] = 9 (expected the last offset to be the row count)")));
  EXPECT_THAT([&] { mp::segment_reduce(x, from_vector<int32_t>({0, 10}), mp::min); },
              ThrowsMessage<DTypeError>(HasSubstr("'offsets' must be int64, got int32")));
  EXPECT_THAT([&] { mp::segment_reduce(x, empty({0}, kInt64), mp::mean); },
              ThrowsMessage<ShapeError>(HasSubstr("'offsets' must have shape [S + 1]")));
  EXPECT_THAT([&] { mp::segment_reduce(zeros({10}, kInt64), from_vector<int64_t>({0, 10}), mp::sum); },
              ThrowsMessage<DTypeError>(HasSubstr("'x' must be float32 or float64, got int64")));
}

TEST(Segment, CudaOffsetErrors) {
  LOOM_REQUIRE_CUDA();
  Tensor x = random_tensor({10, 2}, 7).cuda();
  EXPECT_THAT([&] { mp::segment_reduce(x, from_vector<int64_t>({0, 6, 4, 10}).cuda(), mp::max); },
              ThrowsMessage<ValueError>(HasSubstr("offsets[2] = 4 is below the offset before it")));
  EXPECT_THAT([&] { mp::segment_reduce(x, from_vector<int64_t>({0, 10}), mp::sum); },
              ThrowsMessage<DeviceError>(HasSubstr("'x' is on cuda:0 but 'offsets' is on cpu")));
}

// ---- the generic path

TEST(Gather, MatchesIndexingAndFusedPath) {
  for (const auto& [name, g] : testing::graph_zoo()) {
    Tensor u = random_tensor({g.num_cols(), 3, 2}, 8), v = random_tensor({g.num_rows(), 3, 2}, 9);
    Tensor gu = mp::gather_src(g, u), gv = mp::gather_dst(g, v);
    ASSERT_EQ(gu.shape(), (Shape{g.nnz(), 3, 2}));
    const testing::HostCsr h(g);
    const auto U = u.to_vector<double>(), V = v.to_vector<double>(), GU = gu.to_vector<double>(),
               GV = gv.to_vector<double>();
    for (int64_t r = 0; r < h.rows; ++r)
      for (int64_t k = h.indptr[r]; k < h.indptr[r + 1]; ++k)
        for (int64_t f = 0; f < 6; ++f) {
          ASSERT_EQ(GU[static_cast<size_t>(k * 6 + f)], U[static_cast<size_t>(h.indices[static_cast<size_t>(k)] * 6 + f)]);
          ASSERT_EQ(GV[static_cast<size_t>(k * 6 + f)], V[static_cast<size_t>(r * 6 + f)]);
        }
    // The generic route and the fused gsddmm agree (values and gradients).
    EXPECT_LE(max_abs_diff(mul(gu, gv), mp::gsddmm(g, mp::u_mul_v, u, v)), 1e-15) << name;
    EXPECT_LE(max_abs_diff(sum(mul(gu, gv), -1), mp::gsddmm(g, mp::u_dot_v, u, v)), 1e-12) << name;
    EXPECT_LE(max_abs_diff(mp::edge_softmax(g, sum(gu, -1)),
                           mp::segment_softmax(sum(gu, -1), g.indptr())), 0.0) << name;
  }
}

TEST(Scatter, IsSegmentReduceOverRows) {
  // scatter (gspmm copy_e) reduces each row's entries, i.e. the segments of the Csr's indptr; so do the gradients.
  for (const auto& [name, g] : testing::graph_zoo()) {
    for (Reduce r : kReduces) {
      Tensor e1 = random_tensor({g.nnz(), 3}, 13).set_requires_grad(true);
      Tensor e2 = e1.detach().clone().set_requires_grad(true);
      Tensor a = mp::scatter(g, e1, r), b = mp::segment_reduce(e2, g.indptr(), r);
      EXPECT_LE(max_abs_diff(a, b), 1e-12) << name << " " << testing::op_name(r);
      Tensor dy = random_tensor(a.shape(), 14);
      a.backward(dy);
      b.backward(dy);
      if (g.nnz() > 0) EXPECT_LE(max_abs_diff(e1.grad(), e2.grad()), 1e-12) << name << " " << testing::op_name(r);
    }
  }
}

TEST(Gather, GradientsAndErrors) {
  Csr g = testing::random_csr(10, 6, 7, 2);
  const Csr gg = g;
  EXPECT_TRUE(testing::gradcheck([gg](const std::vector<Tensor>& in) { return mp::gather_src(gg, in[0]); },
                                 {random_tensor({7, 3}, 11)}));
  EXPECT_TRUE(testing::gradcheck([gg](const std::vector<Tensor>& in) { return mp::gather_dst(gg, in[0]); },
                                 {random_tensor({6, 2, 2}, 12)}));
  EXPECT_THAT([&] { mp::gather_src(g, random_tensor({6, 3}, 1)); },
              ThrowsMessage<ShapeError>(HasSubstr("gather_src: 'u' has 6 rows but the graph has 7 columns")));
  EXPECT_THAT([&] { mp::gather_dst(g, random_tensor({7, 3}, 1)); },
              ThrowsMessage<ShapeError>(HasSubstr("gather_dst: 'v' has 7 rows but the graph has 6 rows")));
}

}  // namespace
}  // namespace loom
