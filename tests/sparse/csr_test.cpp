// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Csr: from_coo against a naive std::sort reference on random graphs (unsorted input, int32/int64 ids, values,
// each DupPolicy), validation errors naming the entry, from_arrays, transpose, row_index/row_degrees, empty graphs,
// copies and caches, and CPU against CUDA bitwise.
#include <gmock/gmock.h>

#include <algorithm>
#include <map>
#include <thread>
#include <tuple>

#include "support/parity.h"
#include "support/random_graph.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::RandomGraph;
using testing::i32;
using testing::i64;
using testing::random_graph;

// The reference: stable sort of input positions by (row, col), then the policy applied by hand.
struct Reference {
  std::vector<int64_t> indptr, edge_ids;
  std::vector<int32_t> indices;
  std::vector<double> values;  // [nnz * H]
};
Reference reference(const std::vector<int64_t>& rows, const std::vector<int64_t>& cols, int64_t num_rows,
                    const std::vector<double>& values, int64_t h, DupPolicy dup) {
  std::vector<int64_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return std::tie(rows[a], cols[a]) < std::tie(rows[b], cols[b]);
  });
  Reference r;
  r.indptr.assign(static_cast<size_t>(num_rows + 1), 0);
  for (size_t k = 0; k < order.size(); ++k) {
    const int64_t p = order[k];
    const bool merge = dup == DupPolicy::kSum && k > 0 && rows[order[k - 1]] == rows[p] && cols[order[k - 1]] == cols[p];
    if (!merge) {
      r.indices.push_back(static_cast<int32_t>(cols[p]));
      r.edge_ids.push_back(p);
      r.indptr[static_cast<size_t>(rows[p] + 1)]++;
      for (int64_t j = 0; j < h; ++j) r.values.push_back(values.empty() ? 0.0 : values[p * h + j]);
    } else if (!values.empty()) {
      for (int64_t j = 0; j < h; ++j) r.values[r.values.size() - h + j] += values[p * h + j];
    }
  }
  for (int64_t v = 0; v < num_rows; ++v) r.indptr[v + 1] += r.indptr[v];
  return r;
}

void expect_matches(const Csr& c, const Reference& r, bool with_values) {
  EXPECT_EQ(c.indptr().cpu().to_vector<int64_t>(), r.indptr);
  EXPECT_EQ(c.indices().cpu().to_vector<int32_t>(), r.indices);
  EXPECT_EQ(c.edge_ids().cpu().to_vector<int64_t>(), r.edge_ids);
  if (with_values) {
    ASSERT_TRUE(c.values().defined());
    EXPECT_EQ(c.values().cpu().to_vector<double>(), r.values);  // sums in input order: exact
  } else {
    EXPECT_FALSE(c.values().defined());
  }
}

class CsrDevices : public ::testing::TestWithParam<Device> {};

TEST_P(CsrDevices, FromCooMatchesSortReference) {
  const Device dev = GetParam();
  LOOM_SKIP_UNLESS_AVAILABLE(dev);
  struct Case {
    uint32_t seed;
    int64_t num_dst, num_src, deg;
  };
  for (const Case& cs : {Case{1, 50, 50, 4}, Case{2, 37, 80, 3}, Case{3, 300, 120, 6}, Case{4, 1, 1, 2},
                         Case{5, 2000, 3000, 5}}) {
    const RandomGraph g = random_graph(cs.seed, cs.num_dst, cs.num_src, cs.deg);
    const auto rows = g.dst.to_vector<int64_t>(), cols = g.src.to_vector<int64_t>();
    for (int64_t h : {0, 1, 3}) {
      const int64_t m = g.num_edges();
      Tensor vals = h == 0 ? Tensor() : testing::random_tensor(h == 1 ? Shape{m} : Shape{m, h}, cs.seed + 7);
      const std::vector<double> hv = h == 0 ? std::vector<double>{} : vals.to_vector<double>();
      for (DupPolicy dup : {DupPolicy::kKeep, DupPolicy::kSum}) {
        for (bool use32 : {false, true}) {
          SCOPED_TRACE(::testing::Message() << "seed " << cs.seed << " h " << h << " dup " << int(dup) << " int32 "
                                            << use32);
          Tensor r = use32 ? g.dst.to(kInt32) : g.dst, c = use32 ? g.src.to(kInt32) : g.src;
          Csr csr = Csr::from_coo(r.to(dev), c.to(dev), g.num_dst, g.num_src, h ? vals.to(dev) : Tensor(), dup);
          EXPECT_EQ(csr.device(), dev);
          EXPECT_EQ(csr.num_rows(), g.num_dst);
          EXPECT_EQ(csr.num_cols(), g.num_src);
          expect_matches(csr, reference(rows, cols, g.num_dst, hv, std::max<int64_t>(h, 1), dup), h != 0);
          if (h == 3) {
            EXPECT_EQ(csr.values().shape(), (Shape{csr.nnz(), 3}));
          }
        }
      }
    }
  }
}

TEST_P(CsrDevices, MixedIndexDtypesAndErrorPolicy) {
  const Device dev = GetParam();
  LOOM_SKIP_UNLESS_AVAILABLE(dev);
  // rows int32, cols int64; no duplicates: kError builds the same as kKeep.
  Csr a = Csr::from_coo(i32({2, 0, 2, 1}, dev), i64({1, 3, 0, 1}, dev), 3, 4, Tensor(), DupPolicy::kError);
  EXPECT_EQ(a.indptr().cpu().to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 4}));
  EXPECT_EQ(a.indices().cpu().to_vector<int32_t>(), (std::vector<int32_t>{3, 1, 0, 1}));
  EXPECT_EQ(a.edge_ids().cpu().to_vector<int64_t>(), (std::vector<int64_t>{1, 3, 2, 0}));
  // Duplicates under kError: the earliest repeat (position 4) and its first copy (position 1).
  EXPECT_THAT([&] { Csr::from_coo(i64({0, 2, 1, 0, 2, 0}, dev), i64({5, 3, 1, 4, 3, 5}, dev), 3, 6, Tensor(),
                                  DupPolicy::kError); },
              ThrowsMessage<ValueError>(HasSubstr("Csr::from_coo: edges 1 and 4 are the same entry (2 -> 3)")));
}

TEST_P(CsrDevices, ValidationNamesTheFirstBadEdge) {
  const Device dev = GetParam();
  LOOM_SKIP_UNLESS_AVAILABLE(dev);
  EXPECT_THAT([&] { Csr::from_coo(i64({0, 1, 3, 2}, dev), i64({0, 9000, 1, 1}, dev), 4, 2708); },
              ThrowsMessage<IndexError>(HasSubstr("Csr::from_coo: edge 1 (1 -> 9000) is out of range for 2708 columns")));
  EXPECT_THAT([&] { Csr::from_coo(i64({0, 1, 7, 2}, dev), i64({0, 1, 9, 1}, dev), 4, 5); },
              ThrowsMessage<IndexError>(HasSubstr("edge 2 (7 -> 9) is out of range for 4 rows")));
  EXPECT_THAT([&] { Csr::from_coo(i32({0, 1, 2, -1}, dev), i32({0, -3, 1, 1}, dev), 4, 5); },
              ThrowsMessage<IndexError>(HasSubstr("edge 1 (1 -> -3) is out of range for 5 columns")));
  EXPECT_THAT([&] { Csr::from_coo(i32({0, 1, 2, -1}, dev), i32({0, 3, 1, 1}, dev), 4, 5); },
              ThrowsMessage<IndexError>(HasSubstr("edge 3 (-1 -> 1) is out of range for 4 rows")));
  // A large input with one bad entry far in.
  std::vector<int64_t> big(100000, 3);
  big[77777] = 10;
  EXPECT_THAT([&] { Csr::from_coo(i64(big, dev), i64(std::vector<int64_t>(100000, 0), dev), 10, 1); },
              ThrowsMessage<IndexError>(HasSubstr("edge 77777 (10 -> 0) is out of range for 10 rows")));
}

TEST(Csr, BadArguments) {
  EXPECT_THAT([] { Csr::from_coo(i64({0, 1}), i64({0}), 2, 2); },
              ThrowsMessage<ShapeError>(HasSubstr("Csr::from_coo: 'rows' has 2 entries but 'cols' has 1")));
  EXPECT_THAT([] { Csr::from_coo(from_vector<float>({0, 1}), i64({0, 1}), 2, 2); },
              ThrowsMessage<DTypeError>(HasSubstr("Csr::from_coo: 'rows' must be int32 or int64, got float32")));
  EXPECT_THAT([] { Csr::from_coo(from_vector<int64_t>({0, 1}, {1, 2}), i64({0, 1}), 2, 2); },
              ThrowsMessage<ShapeError>(HasSubstr("'rows' must have rank 1, got shape [1, 2]")));
  EXPECT_THAT([] { Csr::from_coo(i64({0}), i64({0}), -1, 2); },
              ThrowsMessage<ValueError>(HasSubstr("num_rows must be in [0, 2^31 - 1], got -1")));
  EXPECT_THAT([] { Csr::from_coo(i64({0}), i64({0}), 1, int64_t{1} << 32); },
              ThrowsMessage<ValueError>(HasSubstr("num_cols must be in [0, 2^31 - 1]")));
  EXPECT_THAT([] { Csr::from_coo(i64({0, 1}), i64({0, 1}), 2, 2, from_vector<int64_t>({1, 2})); },
              ThrowsMessage<DTypeError>(HasSubstr("'values' must be float32 or float64, got int64")));
  EXPECT_THAT([] { Csr::from_coo(i64({0, 1}), i64({0, 1}), 2, 2, zeros({3})); },
              ThrowsMessage<ShapeError>(HasSubstr("'values' must have 2 rows (one per entry), got shape [3]")));
  EXPECT_THAT([] { Csr::from_coo(i64({0, 1}), i64({0, 1}), 2, 2, zeros({2, 2, 2})); },
              ThrowsMessage<ShapeError>(HasSubstr("'values' must be [nnz] or [nnz, H]")));
  EXPECT_THAT([] { Csr::from_coo(Tensor(), i64({0, 1}), 2, 2); },
              ThrowsMessage<ValueError>(HasSubstr("'rows' is an undefined tensor")));
  EXPECT_THAT([] { Csr().nnz(); }, ThrowsMessage<ValueError>(HasSubstr("Csr: this Csr is undefined")));
  EXPECT_EQ(Csr().str(), "Csr(undefined)");
  EXPECT_FALSE(Csr().defined());
  Csr a = Csr::from_coo(i64({0, 1}), i64({0, 1}), 2, 2);
  EXPECT_THAT([&] { a.with_values(zeros({3})); }, ThrowsMessage<ShapeError>(HasSubstr("Csr::with_values")));
}

TEST(Csr, BadDevices) {
  LOOM_REQUIRE_CUDA();
  EXPECT_THAT([] { Csr::from_coo(i64({0, 1}), i64({0, 1}, kCUDA), 2, 2); },
              ThrowsMessage<DeviceError>(HasSubstr("Csr::from_coo: 'rows' is on cpu but 'cols' is on cuda:0")));
  EXPECT_THAT([] { Csr::from_coo(i64({0, 1}), i64({0, 1}), 2, 2, zeros({2}, kFloat32, kCUDA)); },
              ThrowsMessage<DeviceError>(HasSubstr("'values' is on cuda:0 but the structure is on cpu")));
  EXPECT_THAT([] { Csr::from_arrays(i64({0, 1}), i32({0}, kCUDA), 2); },
              ThrowsMessage<DeviceError>(HasSubstr("Csr::from_arrays: 'indptr' is on cpu but 'indices' is on cuda:0")));
}

TEST_P(CsrDevices, FromArraysValidates) {
  const Device dev = GetParam();
  LOOM_SKIP_UNLESS_AVAILABLE(dev);
  Csr a = Csr::from_arrays(i64({0, 2, 2, 3}, dev), i32({4, 1, 0}, dev), 5, from_vector<float>({1, 2, 3}, {}, dev));
  EXPECT_EQ(a.str(), std::string("Csr(3 x 5, nnz 3, ") + dev.str() + ")");
  EXPECT_EQ(a.edge_ids().cpu().to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(a.indices().cpu().to_vector<int32_t>(), (std::vector<int32_t>{4, 1, 0}));  // rows need not be sorted
  EXPECT_EQ(a.row_index().cpu().to_vector<int32_t>(), (std::vector<int32_t>{0, 0, 2}));
  EXPECT_THAT([&] { Csr::from_arrays(i64({1, 2, 3}, dev), i32({0, 0, 0}, dev), 5); },
              ThrowsMessage<ValueError>(HasSubstr("Csr::from_arrays: indptr[0] must be 0, got 1")));
  EXPECT_THAT([&] { Csr::from_arrays(i64({0, 2, 2}, dev), i32({0, 0, 0}, dev), 5); },
              ThrowsMessage<ValueError>(HasSubstr("indptr[2] must equal the number of indices (3), got 2")));
  EXPECT_THAT([&] { Csr::from_arrays(i64({0, 2, 1, 3}, dev), i32({0, 0, 0}, dev), 5); },
              ThrowsMessage<ValueError>(HasSubstr("indptr must be non-decreasing, but indptr[1] = 2 > indptr[2] = 1")));
  EXPECT_THAT([&] { Csr::from_arrays(i64({0, 2, 3}, dev), i32({0, 5, 0}, dev), 5); },
              ThrowsMessage<IndexError>(HasSubstr("Csr::from_arrays: indices[1] = 5 is out of range for 5 columns")));
  EXPECT_THAT([&] { Csr::from_arrays(i64({0, 2, 3}, dev), i32({0, -1, 0}, dev), 5); },
              ThrowsMessage<IndexError>(HasSubstr("indices[1] = -1 is out of range")));
  EXPECT_THAT([&] { Csr::from_arrays(i32({0, 2, 3}, dev), i32({0, 1, 0}, dev), 5); },
              ThrowsMessage<DTypeError>(HasSubstr("'indptr' must be int64, got int32")));
  EXPECT_THAT([&] { Csr::from_arrays(i64({0, 2, 3}, dev), i64({0, 1, 0}, dev), 5); },
              ThrowsMessage<DTypeError>(HasSubstr("'indices' must be int32, got int64")));
  EXPECT_THAT([&] { Csr::from_arrays(i64({}, dev), i32({}, dev), 5); },
              ThrowsMessage<ShapeError>(HasSubstr("'indptr' must have num_rows + 1 >= 1 entries")));
}

TEST_P(CsrDevices, TransposeRowIndexDegrees) {
  const Device dev = GetParam();
  LOOM_SKIP_UNLESS_AVAILABLE(dev);
  for (auto [seed, nd, ns] : {std::tuple<uint32_t, int64_t, int64_t>{11, 60, 60}, {12, 40, 90}, {13, 700, 500}}) {
    const RandomGraph g = random_graph(seed, nd, ns, 5);
    Tensor vals = testing::random_tensor({g.num_edges(), 2}, seed);
    Csr a = testing::to_csr(g, dev, DupPolicy::kKeep, vals);
    const auto ip = a.indptr().cpu().to_vector<int64_t>();
    const auto ix = a.indices().cpu().to_vector<int32_t>();
    const auto av = a.values().cpu().to_vector<double>();
    // row_index / row_degrees
    const auto ri = a.row_index().cpu().to_vector<int32_t>();
    const auto deg = a.row_degrees().cpu().to_vector<int64_t>();
    ASSERT_EQ(static_cast<int64_t>(ri.size()), a.nnz());
    ASSERT_EQ(static_cast<int64_t>(deg.size()), nd);
    for (int64_t r = 0; r < nd; ++r) {
      EXPECT_EQ(deg[r], ip[r + 1] - ip[r]);
      for (int64_t k = ip[r]; k < ip[r + 1]; ++k) ASSERT_EQ(ri[k], r);
    }
    EXPECT_TRUE(a.row_index().is_same(a.row_index()));  // cached
    // transpose: each entry j names its parent position; values follow; columns sorted by (row, position)
    const Csr& t = a.transpose();
    EXPECT_EQ(&t, &a.transpose());  // cached
    EXPECT_EQ(t.num_rows(), ns);
    EXPECT_EQ(t.num_cols(), nd);
    EXPECT_EQ(t.nnz(), a.nnz());
    const auto tp = t.indptr().cpu().to_vector<int64_t>();
    const auto tx = t.indices().cpu().to_vector<int32_t>();
    const auto te = t.edge_ids().cpu().to_vector<int64_t>();
    const auto tv = t.values().cpu().to_vector<double>();
    std::vector<char> seen(static_cast<size_t>(a.nnz()), 0);
    for (int64_t c = 0; c < ns; ++c) {
      for (int64_t j = tp[c]; j < tp[c + 1]; ++j) {
        const int64_t k = te[j];
        ASSERT_GE(k, 0);
        ASSERT_LT(k, a.nnz());
        EXPECT_FALSE(seen[k]);
        seen[k] = 1;
        EXPECT_EQ(ix[k], c);
        EXPECT_EQ(tx[j], ri[k]);
        EXPECT_EQ(tv[2 * j], av[2 * k]);
        EXPECT_EQ(tv[2 * j + 1], av[2 * k + 1]);
        if (j > tp[c]) {
          EXPECT_LT(te[j - 1], k);
        }
      }
    }
    // Transposing twice gives the original structure and values (from_coo output is sorted within rows).
    const Csr& tt = t.transpose();
    EXPECT_EQ(tt.indptr().cpu().to_vector<int64_t>(), ip);
    EXPECT_EQ(tt.indices().cpu().to_vector<int32_t>(), ix);
    EXPECT_EQ(tt.values().cpu().to_vector<double>(), av);
    // with_values shares the structure (and the transpose pattern) with new values.
    Tensor w = testing::random_tensor({a.nnz()}, seed + 1, -1, 1, kFloat32, dev);
    Csr b = a.with_values(w);
    EXPECT_TRUE(b.indptr().is_same(a.indptr()));
    EXPECT_TRUE(b.transpose().indices().is_same(t.indices()));
    const auto wv = w.cpu().to_vector<float>();
    const auto btv = b.transpose().values().cpu().to_vector<float>();
    for (int64_t j = 0; j < a.nnz(); ++j) EXPECT_EQ(btv[j], wv[te[j]]);
  }
}

TEST_P(CsrDevices, EmptyGraphs) {
  const Device dev = GetParam();
  LOOM_SKIP_UNLESS_AVAILABLE(dev);
  for (DupPolicy dup : {DupPolicy::kKeep, DupPolicy::kSum, DupPolicy::kError}) {
    Csr a = Csr::from_coo(i64({}, dev), i32({}, dev), 4, 3, zeros({0}, kFloat32, dev), dup);
    EXPECT_EQ(a.nnz(), 0);
    EXPECT_EQ(a.indptr().cpu().to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 0, 0}));
    EXPECT_EQ(a.row_degrees().cpu().to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 0}));
    EXPECT_EQ(a.row_index().numel(), 0);
    const Csr& t = a.transpose();
    EXPECT_EQ(t.num_rows(), 3);
    EXPECT_EQ(t.indptr().cpu().to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 0}));
    EXPECT_EQ(t.values().numel(), 0);
  }
  Csr z = Csr::from_coo(i64({}, dev), i64({}, dev), 0, 0);
  EXPECT_EQ(z.num_rows(), 0);
  EXPECT_EQ(z.indptr().cpu().to_vector<int64_t>(), (std::vector<int64_t>{0}));
  EXPECT_EQ(z.transpose().nnz(), 0);
  EXPECT_EQ(z.row_degrees().numel(), 0);
  Csr e = Csr::from_arrays(i64({0}, dev), i32({}, dev), 0);
  EXPECT_EQ(e.str(), std::string("Csr(0 x 0, nnz 0, ") + dev.str() + ")");
}

TEST_P(CsrDevices, TransposeIsThreadSafe) {
  const Device dev = GetParam();
  LOOM_SKIP_UNLESS_AVAILABLE(dev);
  Csr a = testing::random_csr(21, 500, 500, 8, dev);
  std::vector<const Csr*> seen(8);
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i) ts.emplace_back([&, i] { seen[i] = &a.transpose(); });
  for (auto& t : ts) t.join();
  for (const Csr* p : seen) EXPECT_EQ(p, seen[0]);
}

INSTANTIATE_TEST_SUITE_P(Devices, CsrDevices, ::testing::ValuesIn(testing::all_devices()), testing::device_name);

TEST(Csr, ThreadCountDoesNotChangeTheResult) {
  const RandomGraph g = random_graph(31, 5000, 4000, 12);
  Tensor vals = testing::random_tensor({g.num_edges()}, 3);
  auto build = [&] { return testing::to_csr(g, kCPU, DupPolicy::kSum, vals); };
  Csr many = build();
  const Csr one = testing::with_threads(1, build);
  EXPECT_EQ(one.indices().to_vector<int32_t>(), many.indices().to_vector<int32_t>());
  EXPECT_EQ(one.edge_ids().to_vector<int64_t>(), many.edge_ids().to_vector<int64_t>());
  EXPECT_EQ(one.values().to_vector<double>(), many.values().to_vector<double>());
  EXPECT_EQ(one.transpose().edge_ids().to_vector<int64_t>(), many.transpose().edge_ids().to_vector<int64_t>());
}

TEST(Csr, RandomGraphHasTheAdvertisedCases) {
  const RandomGraph g = random_graph(41, 200, 200, 4);
  Csr a = testing::to_csr(g);
  const auto deg = a.row_degrees().to_vector<int64_t>();
  EXPECT_GE(deg[g.hub], 4 * 200 / 5);
  for (int64_t v : g.empty_rows) EXPECT_EQ(deg[v], 0);
  EXPECT_FALSE(g.empty_rows.empty());
  ASSERT_FALSE(g.isolated_srcs.empty());
  const auto s = g.src.to_vector<int64_t>(), d = g.dst.to_vector<int64_t>();
  bool loop = false;
  for (size_t i = 0; i < s.size(); ++i) {
    loop |= s[i] == d[i];
    for (int64_t u : g.isolated_srcs) ASSERT_TRUE(s[i] != u && d[i] != u);
  }
  EXPECT_TRUE(loop);
  EXPECT_LT(Csr::from_coo(g.dst, g.src, 200, 200, Tensor(), DupPolicy::kSum).nnz(), a.nnz());  // duplicates
  EXPECT_EQ(testing::random_graph(41, 200, 200, 0).num_edges(), 0);
  EXPECT_EQ(testing::random_graph(41, 200, 200, 4).src.to_vector<int64_t>(), s);  // deterministic
}

// CPU and CUDA build the same structure, bit for bit.
TEST(Csr, CudaMatchesCpuBitwise) {
  LOOM_REQUIRE_CUDA();
  for (uint32_t seed : {51u, 52u}) {
    const RandomGraph g = random_graph(seed, 3000, seed == 51 ? 3000 : 1200, 9);
    Tensor vals = testing::random_tensor({g.num_edges(), 2}, seed, -1, 1, kFloat32);
    for (DupPolicy dup : {DupPolicy::kKeep, DupPolicy::kSum}) {
      Csr c = testing::to_csr(g, kCPU, dup, vals), d = testing::to_csr(g, kCUDA, dup, vals);
      EXPECT_EQ(c.indptr().to_vector<int64_t>(), d.indptr().cpu().to_vector<int64_t>());
      EXPECT_EQ(c.indices().to_vector<int32_t>(), d.indices().cpu().to_vector<int32_t>());
      EXPECT_EQ(c.edge_ids().to_vector<int64_t>(), d.edge_ids().cpu().to_vector<int64_t>());
      EXPECT_EQ(c.values().to_vector<float>(), d.values().cpu().to_vector<float>());
      EXPECT_EQ(c.row_index().to_vector<int32_t>(), d.row_index().cpu().to_vector<int32_t>());
      EXPECT_EQ(c.row_degrees().to_vector<int64_t>(), d.row_degrees().cpu().to_vector<int64_t>());
      const Csr &ct = c.transpose(), &dt = d.transpose();
      EXPECT_EQ(ct.indptr().to_vector<int64_t>(), dt.indptr().cpu().to_vector<int64_t>());
      EXPECT_EQ(ct.indices().to_vector<int32_t>(), dt.indices().cpu().to_vector<int32_t>());
      EXPECT_EQ(ct.edge_ids().to_vector<int64_t>(), dt.edge_ids().cpu().to_vector<int64_t>());
      EXPECT_EQ(ct.values().to_vector<float>(), dt.values().cpu().to_vector<float>());
    }
  }
}

TEST(Csr, ToDeviceCopiesStructureValuesAndTranspose) {
  LOOM_REQUIRE_CUDA();
  Csr c = testing::to_csr(random_graph(61, 100, 80, 4));
  Tensor v = testing::random_tensor({c.nnz()}, 2);
  Csr a = c.with_values(v);
  const Csr& t = a.transpose();
  Csr g = a.to(kCUDA);
  EXPECT_EQ(g.device(), kCUDA);
  EXPECT_EQ(g.str(), "Csr(100 x 80, nnz " + std::to_string(a.nnz()) + ", cuda:0)");
  EXPECT_EQ(g.values().cpu().to_vector<double>(), v.to_vector<double>());
  EXPECT_EQ(g.transpose().indices().cpu().to_vector<int32_t>(), t.indices().to_vector<int32_t>());
  EXPECT_EQ(g.transpose().values().cpu().to_vector<double>(), t.values().to_vector<double>());
  Csr back = g.to(kCPU);
  EXPECT_EQ(back.indices().to_vector<int32_t>(), a.indices().to_vector<int32_t>());
}

TEST(Csr, ToSameDeviceIsTheSameCsr) {
  Csr a = testing::random_csr(71, 30, 30, 3);
  Csr b = a.to(kCPU);
  EXPECT_TRUE(b.indptr().is_same(a.indptr()));
  EXPECT_EQ(a.str(), "Csr(30 x 30, nnz " + std::to_string(a.nnz()) + ", cpu)");
}

}  // namespace
}  // namespace loom
