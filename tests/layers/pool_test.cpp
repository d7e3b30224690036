// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Graph readouts: sum, mean, max and global attention pooling against float64 loop references over graph_ptr
// (with empty graphs), their float64 finite-difference gradients, and attention that never crosses graphs.
#include <gmock/gmock.h>

#include <cmath>

#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/layers/pool.h"
#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom::layers {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Four graphs over 7 nodes: sizes 3, 0 (empty), 1 and 3.
Tensor ptr() { return from_vector<int64_t>({0, 3, 3, 4, 7}, {5}); }
Tensor features(DType dt) { return testing::random_tensor({7, 3}, 5, -2.0, 2.0, dt); }

TEST(Pool, SumMeanMaxMatchLoopsAndEmptyGraphsGiveZero) {
  const Tensor x = features(kFloat64);
  const std::vector<double> v = x.to_vector<double>();
  const std::vector<int64_t> p = ptr().to_vector<int64_t>();
  const std::vector<double> s = global_sum_pool(x, ptr()).to_vector<double>();
  const std::vector<double> m = global_mean_pool(x, ptr()).to_vector<double>();
  const std::vector<double> mx = global_max_pool(x, ptr()).to_vector<double>();
  for (int64_t b = 0; b < 4; ++b)
    for (int64_t c = 0; c < 3; ++c) {
      double sum = 0, best = -INFINITY;
      for (int64_t i = p[b]; i < p[b + 1]; ++i) {
        sum += v[i * 3 + c];
        best = std::max(best, v[i * 3 + c]);
      }
      const int64_t n = p[b + 1] - p[b];
      EXPECT_DOUBLE_EQ(s[b * 3 + c], sum);
      EXPECT_DOUBLE_EQ(m[b * 3 + c], n ? sum / n : 0.0);
      EXPECT_DOUBLE_EQ(mx[b * 3 + c], n ? best : 0.0);
    }
  EXPECT_THAT([&] { global_pool(x, ptr(), Readout::kAttention); }, ThrowsMessage<ValueError>(HasSubstr("module")));
  EXPECT_THAT([&] { global_sum_pool(x, from_vector<int64_t>({0, 3, 6}, {3})); },
              ThrowsMessage<ValueError>(HasSubstr("offsets")));
}

TEST(Pool, GradientsMatchFiniteDifferences) {
  for (const Readout r : {Readout::kSum, Readout::kMean, Readout::kMax}) {
    EXPECT_TRUE(testing::gradcheck([r](const std::vector<Tensor>& in) { return global_pool(in[0], ptr(), r); },
                                   {features(kFloat64)}))
        << to_string(r);
  }
}

TEST(GlobalAttentionPool, SoftmaxWithinEachGraphAndGradients) {
  GlobalAttentionPool pool(GlobalAttentionPoolOptions(3).gate_hidden(4));
  pool.to(kFloat64);
  const Tensor x = features(kFloat64);
  const std::vector<double> a = pool.weights(x, ptr()).to_vector<double>();
  const std::vector<int64_t> p = ptr().to_vector<int64_t>();
  for (int64_t b = 0; b < 4; ++b) {
    double s = 0;
    for (int64_t i = p[b]; i < p[b + 1]; ++i) s += a[i];
    EXPECT_NEAR(s, p[b + 1] > p[b] ? 1.0 : 0.0, 1e-12) << "graph " << b;
  }
  // Changing graph 3's nodes leaves graphs 0 and 2 untouched: attention never crosses graphs.
  const Tensor out = pool.forward(x, ptr());
  std::vector<double> changed = x.to_vector<double>();
  for (int64_t i = 4 * 3; i < 7 * 3; ++i) changed[i] += 1.5;
  const Tensor out2 = pool.forward(from_vector<double>(changed, {7, 3}), ptr());
  const std::vector<double> o1 = out.to_vector<double>(), o2 = out2.to_vector<double>();
  for (int64_t k = 0; k < 9; ++k) EXPECT_EQ(o1[k], o2[k]);
  EXPECT_EQ(o1[3], 0.0);  // the empty graph
  std::vector<Tensor> params{x.clone().detach().set_requires_grad(true)};
  for (const auto& [name, t] : pool.named_parameters()) params.push_back(t);
  Tensor xin = params[0];
  EXPECT_TRUE(testing::param_gradcheck([&] { return pool.forward(xin, ptr()); }, params));
}

}  // namespace
}  // namespace loom::layers
