// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Sparse products: spgemm, sparse_add, scale_rows/scale_cols and to_dense against dense float64 arithmetic on
// random graphs (duplicates, empty rows, a hub row, bipartite shapes), argument errors, and CPU against CUDA.
#include <gmock/gmock.h>

#include <cmath>

#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::i32;
using testing::i64;
using testing::random_graph;

// A random Csr with float64 values (duplicates kept) on `device`.
Csr valued(uint32_t seed, int64_t rows, int64_t cols, int64_t deg, Device device = kCPU, DType dtype = kFloat64) {
  const auto g = random_graph(seed, rows, cols, deg);
  return testing::to_csr(g, device, DupPolicy::kKeep, testing::random_tensor({g.num_edges()}, seed + 100, -1, 1, dtype));
}

// Columns strictly increasing within every row; edge_ids the identity.
void expect_canonical(const Csr& c) {
  const auto ip = c.indptr().cpu().to_vector<int64_t>();
  const auto ix = c.indices().cpu().to_vector<int32_t>();
  for (int64_t r = 0; r < c.num_rows(); ++r)
    for (int64_t k = ip[r] + 1; k < ip[r + 1]; ++k) ASSERT_LT(ix[k - 1], ix[k]) << "row " << r;
  EXPECT_EQ(c.edge_ids().cpu().to_vector<int64_t>(), arange(c.nnz()).to_vector<int64_t>());
}

TEST(ToDense, SumsDuplicatesAndKeepsHeads) {
  Csr a = Csr::from_coo(i64({1, 0, 1, 1}), i64({2, 0, 2, 0}), 2, 3, from_vector<double>({1, 2, 3, 4}));
  EXPECT_EQ(to_dense(a, kFloat64).to_vector<double>(), (std::vector<double>{2, 0, 0, 4, 0, 4}));
  Csr p = Csr::from_coo(i64({1, 0, 1}), i64({2, 0, 2}), 2, 3);
  EXPECT_EQ(to_dense(p).to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 0, 2}));
  Csr h = a.with_values(from_vector<float>({1, 10, 2, 20, 3, 30, 4, 40}, {4, 2}));
  Tensor d = to_dense(h);
  EXPECT_EQ(d.shape(), (Shape{2, 3, 2}));
  // Sorted entries: (0,0) <- input 1, (1,0) <- input 3, (1,2) <- inputs 0 and 2.
  EXPECT_EQ(d.to_vector<float>(), (std::vector<float>{1, 10, 0, 0, 0, 0, 2, 20, 0, 0, 3 + 4, 30 + 40}));
  EXPECT_THAT([&] { to_dense(a, kInt64); }, ThrowsMessage<DTypeError>(HasSubstr("to_dense: dtype must be float32")));
}

TEST(Spgemm, MatchesDenseProduct) {
  struct Case {
    uint32_t seed;
    int64_t m, k, n, deg;
  };
  for (const Case& cs : {Case{1, 40, 40, 40, 4}, Case{2, 30, 70, 25, 3}, Case{3, 200, 150, 180, 5}, Case{4, 1, 1, 1, 1}}) {
    SCOPED_TRACE(cs.seed);
    Csr a = valued(cs.seed, cs.m, cs.k, cs.deg), b = valued(cs.seed + 1, cs.k, cs.n, cs.deg);
    Csr c = spgemm(a, b);
    EXPECT_EQ(c.num_rows(), cs.m);
    EXPECT_EQ(c.num_cols(), cs.n);
    EXPECT_EQ(c.values().dtype(), kFloat64);
    expect_canonical(c);
    EXPECT_TRUE(
        testing::all_close(to_dense(c, kFloat64), matmul(to_dense(a, kFloat64), to_dense(b, kFloat64)), 1e-12, 1e-12));
    // The pattern is exactly the structural product (no explicit zeros removed, none added).
    Tensor pattern = to_dense(spgemm(a.with_values(ones({a.nnz()}, kFloat64)), b.with_values(ones({b.nnz()}, kFloat64))), kFloat64);
    const auto pv = pattern.to_vector<double>();
    int64_t nonzero = 0;
    for (double x : pv) nonzero += x != 0;
    EXPECT_EQ(nonzero, c.nnz());
  }
}

TEST(Spgemm, PatternOnlyAndMixedOperands) {
  Csr a = testing::random_csr(5, 50, 60, 4), b = testing::random_csr(6, 60, 30, 4);
  Csr c = spgemm(a, b);
  EXPECT_EQ(c.values().dtype(), kFloat32);
  // counts: exact
  EXPECT_TRUE(testing::all_close(to_dense(c, kFloat64), matmul(to_dense(a, kFloat64), to_dense(b, kFloat64)), 0, 0));
  Csr bv = valued(7, 60, 30, 4);
  Csr d = spgemm(a, bv);
  EXPECT_EQ(d.values().dtype(), kFloat64);
  EXPECT_TRUE(
      testing::all_close(to_dense(d, kFloat64), matmul(to_dense(a, kFloat64), to_dense(bv, kFloat64)), 1e-12, 1e-12));
  // Unsorted rows from from_arrays, and an empty operand.
  Csr u = Csr::from_arrays(i64({0, 3, 3, 5}), i32({2, 0, 2, 1, 0}), 3, from_vector<double>({1, 2, 3, 4, 5}));
  EXPECT_TRUE(testing::all_close(to_dense(spgemm(u, u), kFloat64), matmul(to_dense(u, kFloat64), to_dense(u, kFloat64)),
                                 1e-12, 1e-12));
  Csr e = Csr::from_coo(i64({}), i64({}), 60, 30);
  Csr z = spgemm(a, e);
  EXPECT_EQ(z.nnz(), 0);
  EXPECT_EQ(z.num_rows(), 50);
  EXPECT_EQ(z.indptr().to_vector<int64_t>(), std::vector<int64_t>(51, 0));
}

TEST(Spgemm, BadArguments) {
  Csr a = testing::random_csr(8, 4, 5, 2), b = testing::random_csr(9, 6, 2, 2);
  EXPECT_THAT([&] { spgemm(a, b); },
              ThrowsMessage<ShapeError>(HasSubstr("spgemm: 'a' is 4 x 5 but 'b' is 6 x 2 (a's columns must equal b's rows)")));
  Csr a32 = valued(10, 4, 5, 2, kCPU, kFloat32), b64 = valued(11, 5, 3, 2);
  EXPECT_THAT([&] { spgemm(a32, b64); },
              ThrowsMessage<DTypeError>(HasSubstr("spgemm: 'a' has float32 values but 'b' has float64 values")));
  Csr heads = a32.with_values(zeros({a32.nnz(), 2}));
  EXPECT_THAT([&] { spgemm(heads, b64); },
              ThrowsMessage<ShapeError>(HasSubstr("spgemm: 'a' must be pattern-only or have values [nnz], got values [")));
  EXPECT_THAT([&] { spgemm(Csr(), b64); }, ThrowsMessage<ValueError>(HasSubstr("spgemm: 'a' is an undefined Csr")));
  EXPECT_THAT([&] { sparse_add(a, b); },
              ThrowsMessage<ShapeError>(HasSubstr("sparse_add: 'a' is 4 x 5 but 'b' is 6 x 2 (shapes must be equal)")));
}

TEST(SparseAdd, MatchesDenseSum) {
  for (uint32_t seed : {21u, 22u, 23u}) {
    Csr a = valued(seed, 80, 60, 4), b = valued(seed + 5, 80, 60, 3);
    Csr c = sparse_add(a, b, 0.5, -2.0);
    expect_canonical(c);
    Tensor want = add(mul_scalar(to_dense(a, kFloat64), 0.5), mul_scalar(to_dense(b, kFloat64), -2.0));
    EXPECT_TRUE(testing::all_close(to_dense(c, kFloat64), want, 1e-12, 1e-12));
    // The union pattern: one entry per distinct (row, col) of a or b.
    Csr ones_a = a.with_values(ones({a.nnz()}, kFloat64)), ones_b = b.with_values(ones({b.nnz()}, kFloat64));
    const auto u = add(to_dense(ones_a, kFloat64), to_dense(ones_b, kFloat64)).to_vector<double>();
    int64_t distinct = 0;
    for (double x : u) distinct += x != 0;
    EXPECT_EQ(c.nnz(), distinct);
  }
  Csr p = testing::random_csr(24, 10, 10, 3);
  EXPECT_EQ(sparse_add(p, p).values().dtype(), kFloat32);
  EXPECT_TRUE(testing::all_close(to_dense(sparse_add(p, p), kFloat64), mul_scalar(to_dense(p, kFloat64), 2.0), 0, 0));
}

TEST(Scale, RowsAndColumnsMatchDiagonalProducts) {
  Csr a = valued(31, 70, 50, 5);
  Tensor sr = testing::random_tensor({70}, 1), sc = testing::random_tensor({50}, 2);
  Tensor da = to_dense(a, kFloat64);
  EXPECT_TRUE(testing::all_close(to_dense(scale_rows(a, sr), kFloat64), mul(da, sr.view({70, 1})), 1e-14, 1e-14));
  EXPECT_TRUE(testing::all_close(to_dense(scale_cols(a, sc), kFloat64), mul(da, sc.view({1, 50})), 1e-14, 1e-14));
  // Pattern-only operands take the dtype of s; [nnz, H] values scale every head.
  Csr p = testing::random_csr(32, 70, 50, 5);
  Csr ps = scale_rows(p, sr);
  EXPECT_EQ(ps.values().dtype(), kFloat64);
  EXPECT_TRUE(ps.indptr().is_same(p.indptr()));  // shares the structure
  EXPECT_TRUE(testing::all_close(to_dense(ps, kFloat64), mul(to_dense(p, kFloat64), sr.view({70, 1})), 1e-14, 1e-14));
  Tensor hv = testing::random_tensor({a.nnz(), 3}, 3);
  Csr h = scale_cols(a.with_values(hv), sc);
  const auto got = h.values().to_vector<double>(), v = hv.to_vector<double>(), s = sc.to_vector<double>();
  const auto ix = a.indices().to_vector<int32_t>();
  for (int64_t k = 0; k < a.nnz(); ++k)
    for (int64_t j = 0; j < 3; ++j) ASSERT_EQ(got[k * 3 + j], v[k * 3 + j] * s[ix[k]]);
  EXPECT_THAT([&] { scale_rows(a, sc); },
              ThrowsMessage<ShapeError>(HasSubstr("scale_rows: 's' must have shape [70] (one per row), got [50]")));
  EXPECT_THAT([&] { scale_cols(a, sc.to(kFloat32)); },
              ThrowsMessage<DTypeError>(HasSubstr("scale_cols: 'a.values()' is float64")));
}

TEST(Scale, Gradients) {
  Csr a = valued(33, 12, 9, 3);
  Tensor sr = testing::random_tensor({12}, 4), v = a.values();
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return scale_rows(a.with_values(in[1]), in[0]).values(); },
                                 {sr, v}));
  Tensor sc = testing::random_tensor({9}, 5);
  EXPECT_TRUE(testing::gradcheck([&](const std::vector<Tensor>& in) { return scale_cols(a, in[0]).values(); }, {sc}));
}

TEST(Sparse, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  for (uint32_t seed : {41u, 42u}) {
    for (DType dt : {kFloat32, kFloat64}) {
      Csr a = valued(seed, 300, 200, 6, kCPU, dt), b = valued(seed + 1, 200, 250, 6, kCPU, dt);
      Csr ca = a.to(kCUDA), cb = b.to(kCUDA);
      const double tol = dt == kFloat32 ? 1e-5 : 1e-12;
      Csr c = spgemm(a, b), g = spgemm(ca, cb);
      EXPECT_EQ(g.device(), kCUDA);
      EXPECT_EQ(c.indptr().to_vector<int64_t>(), g.indptr().cpu().to_vector<int64_t>());
      EXPECT_EQ(c.indices().to_vector<int32_t>(), g.indices().cpu().to_vector<int32_t>());
      EXPECT_TRUE(testing::all_close(g.values(), c.values(), tol, tol));
      Csr pa = testing::random_csr(seed, 300, 200, 6, kCUDA), pb = testing::random_csr(seed + 1, 200, 250, 6, kCUDA);
      EXPECT_TRUE(testing::all_close(to_dense(spgemm(pa, pb), kFloat64),
                                     to_dense(spgemm(pa.to(kCPU), pb.to(kCPU)), kFloat64), 0, 0));
      Csr b2 = valued(seed + 2, 300, 200, 4, kCPU, dt);
      Csr s = sparse_add(a, b2, 2.0, 3.0), sg = sparse_add(ca, b2.to(kCUDA), 2.0, 3.0);
      EXPECT_EQ(sg.device(), kCUDA);
      EXPECT_EQ(s.indices().to_vector<int32_t>(), sg.indices().cpu().to_vector<int32_t>());
      EXPECT_TRUE(testing::all_close(sg.values(), s.values(), 0, 0));
      Tensor sr = testing::random_tensor({300}, seed, -1, 1, dt), sc = testing::random_tensor({200}, seed + 1, -1, 1, dt);
      EXPECT_TRUE(testing::all_close(scale_rows(ca, sr.cuda()).values(), scale_rows(a, sr).values(), 0, 0));
      EXPECT_TRUE(testing::all_close(scale_cols(ca, sc.cuda()).values(), scale_cols(a, sc).values(), 0, 0));
      EXPECT_TRUE(testing::all_close(to_dense(ca, kFloat64), to_dense(a, kFloat64), 0, 0));
    }
  }
  // Empty operands on the device.
  Csr e = Csr::from_coo(from_vector<int64_t>({}, {0}, kCUDA), from_vector<int64_t>({}, {0}, kCUDA), 5, 4);
  Csr z = spgemm(testing::random_csr(1, 3, 5, 2, kCUDA), e);
  EXPECT_EQ(z.nnz(), 0);
  EXPECT_EQ(z.num_cols(), 4);
  EXPECT_THAT([&] { spgemm(e, e.to(kCPU).transpose()); }, ThrowsMessage<DeviceError>(HasSubstr("spgemm: 'a' is on cuda:0")));
}

}  // namespace
}  // namespace loom
