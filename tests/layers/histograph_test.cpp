// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// HistographReadout: the float64 finite-difference gradient of the whole head, graphs of one batch that cannot see
// each other (perturbing one leaves another's scores bitwise equal; the batch's company does not change them), the
// signed normalisation's guard at sum c = 0, for either sign of sum c and where nonzero scores cancel, alpha summing
// to 1 per graph and computed per graph (never per batch), the fixed layer encoding, errors that name what is wrong,
// and CPU against CUDA.
#include <gmock/gmock.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/layers/histograph.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom::layers {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Four graphs over 7 nodes: sizes 3, 0 (empty), 1 and 3.
Tensor ptr() { return from_vector<int64_t>({0, 3, 3, 4, 7}, {5}); }
const std::vector<int64_t> kWidths{3, 4, 4};  // the input and two layers

std::vector<Tensor> states(int64_t n, uint32_t seed, DType dt = kFloat64) {
  std::vector<Tensor> s;
  for (size_t l = 0; l < kWidths.size(); ++l)
    s.push_back(testing::random_tensor({n, kWidths[l]}, seed + static_cast<uint32_t>(l), -1.0, 1.0, dt));
  return s;
}

std::unique_ptr<HistographReadout> head() {
  manual_seed(7);
  auto h = std::make_unique<HistographReadout>(HistographReadoutOptions(kWidths, 8, 2).heads(2).dropout(0.0));
  h->to(kFloat64);
  h->eval();
  return h;
}

// A handle sharing the storage of h's parameter `name`.
Tensor param(const HistographReadout& h, const std::string& name) {
  for (const auto& [n, p] : h.named_parameters())
    if (n == name) return p;
  ADD_FAILURE() << "no parameter " << name;
  return Tensor();
}

TEST(HistographReadout, GradientsMatchFiniteDifferencesInFloat64) {
  auto hp = head();
  HistographReadout& h = *hp;
  std::vector<Tensor> x = states(7, 11);
  for (Tensor& t : x) t.set_requires_grad(true);
  testing::Leaves inputs{{"x0", x[0]}, {"x1", x[1]}, {"x2", x[2]}};
  EXPECT_TRUE(testing::module_gradcheck(h, [&] { return h.forward(x, ptr()); }, inputs));
  // The layer weights alone, too: the signed normalisation's quotient is where a wrong gradient would hide.
  EXPECT_TRUE(testing::leaves_gradcheck([&] { return h.layer_weights(x, ptr()); }, inputs));
}

TEST(HistographReadout, GraphsOfOneBatchCannotAttendToEachOther) {
  auto hp = head();
  HistographReadout& h = *hp;
  NoGradGuard no_grad;
  const std::vector<Tensor> x = states(7, 11);
  const std::vector<double> base = h.forward(x, ptr()).to_vector<double>();
  // Perturb only graph 3's nodes (rows 4..6) in every layer: graphs 0, 1 and 2 must not move by a single bit.
  std::vector<Tensor> moved;
  for (const Tensor& t : x) {
    Tensor c = t.clone();
    for (int64_t i = 4 * t.size(1); i < t.numel(); ++i) c.data<double>()[i] += 0.5 + static_cast<double>(i % 3);
    moved.push_back(c);
  }
  const std::vector<double> after = h.forward(moved, ptr()).to_vector<double>();
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(after[i], base[i]) << "score " << i << " of graphs 0..2";
  EXPECT_NE(after[6], base[6]);
  // The same graph 0 alone, and behind graph 3 in a batch of two: its scores do not depend on its company.
  std::vector<Tensor> alone, behind;
  for (const Tensor& t : x) {
    alone.push_back(slice(t, 0, 0, 3));
    behind.push_back(concat({slice(t, 0, 4, 7), slice(t, 0, 0, 3)}, 0));
  }
  const std::vector<double> a = h.forward(alone, from_vector<int64_t>({0, 3}, {2})).to_vector<double>();
  const std::vector<double> b = h.forward(behind, from_vector<int64_t>({0, 3, 6}, {3})).to_vector<double>();
  for (size_t c = 0; c < 2; ++c) {
    EXPECT_NEAR(a[c], base[c], 1e-12);
    EXPECT_NEAR(b[2 + c], base[c], 1e-12);
    EXPECT_NEAR(b[c], base[6 + c], 1e-12);
  }
}

TEST(HistographReadout, SameGraphPairsAreTheBlockDiagonal) {
  const Csr p = same_graph_pairs(ptr());
  EXPECT_EQ(p.num_rows(), 7);
  EXPECT_EQ(p.nnz(), 3 * 3 + 1 + 3 * 3);
  EXPECT_EQ(p.indptr().to_vector<int64_t>(), (std::vector<int64_t>{0, 3, 6, 9, 10, 13, 16, 19}));
  EXPECT_EQ(p.indices().to_vector<int32_t>(),
            (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 4, 5, 6, 4, 5, 6, 4, 5, 6}));
  EXPECT_EQ(node_graph_ids(ptr()).to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 2, 3, 3, 3}));
}

TEST(HistographReadout, AlphaSumsToOnePerGraphForEitherSignOfSumC) {
  auto hp = head();
  HistographReadout& h = *hp;
  NoGradGuard no_grad;
  const std::vector<Tensor> x = states(7, 11);
  for (int pass = 0; pass < 2; ++pass) {  // negating W_Q negates every c, so sum c takes the other sign
    const Tensor alpha = h.layer_weights(x, ptr());
    ASSERT_EQ(alpha.shape(), (Shape{4, 3}));
    const std::vector<double> a = alpha.to_vector<double>();
    for (int64_t b : {0, 2, 3}) EXPECT_NEAR(a[b * 3] + a[b * 3 + 1] + a[b * 3 + 2], 1.0, 1e-4) << "graph " << b;
    EXPECT_EQ(a[3] + a[4] + a[5], 0.0);  // the empty graph: c = 0, so alpha = 0 / eps
    Tensor q = param(h, "query.weight");
    q.copy_(neg(q));
  }
}


// The head's output, its parameters' gradients and the inputs' gradients are all finite.
void expect_finite_forward_and_backward(HistographReadout& h, const std::vector<Tensor>& x) {
  const Tensor out = h.forward(x, ptr());
  EXPECT_FALSE(has_nonfinite(out));
  sum(out).backward();
  for (const auto& [name, p] : h.named_parameters())
    if (p.grad().defined()) {
      EXPECT_FALSE(has_nonfinite(p.grad())) << name;
    }
  for (const Tensor& t : x) EXPECT_FALSE(has_nonfinite(t.grad()));
}
TEST(HistographReadout, SignedNormalisationGuardKeepsSumCZeroFinite) {
  auto hp = head();
  HistographReadout& h = *hp;
  Tensor q = param(h, "query.weight");
  q.copy_(zeros_like(q));  // Q = 0: every c_l = 0, so sum c = 0 exactly
  std::vector<Tensor> x = states(7, 11);
  for (Tensor& t : x) t.set_requires_grad(true);
  const Tensor alpha = h.layer_weights(x, ptr());
  for (double a : alpha.to_vector<double>()) EXPECT_EQ(a, 0.0);  // 0 / (0 + eps), not 0 / 0
  expect_finite_forward_and_backward(h, x);
}

TEST(HistographReadout, LayerWeightsArePerGraphNotPerBatch) {
  auto hp = head();
  HistographReadout& h = *hp;
  NoGradGuard no_grad;
  const std::vector<Tensor> x = states(7, 11);
  const std::vector<double> a = h.layer_weights(x, ptr()).to_vector<double>();  // [4, 3]
  // Graphs 0 and 3 of the same batch get their own weights: one alpha shared by the batch would make the rows equal.
  double diff = 0;
  for (size_t l = 0; l < 3; ++l) diff = std::max(diff, std::abs(a[l] - a[9 + l]));
  EXPECT_GT(diff, 1e-3) << "graphs 0 and 3 got the same layer weights";
  // Each graph's weights are those it gets alone: the batch's other graphs take no part in them.
  for (const auto& [graph, lo, hi] : {std::tuple<size_t, int64_t, int64_t>{0, 0, 3}, {3, 4, 7}}) {
    std::vector<Tensor> alone;
    for (const Tensor& t : x) alone.push_back(slice(t, 0, lo, hi));
    const std::vector<double> own =
        h.layer_weights(alone, from_vector<int64_t>({0, hi - lo}, {2})).to_vector<double>();
    for (size_t l = 0; l < 3; ++l) EXPECT_NEAR(own[l], a[graph * 3 + l], 1e-12) << "graph " << graph << ", layer " << l;
  }
}

// c is linear in W_Q, so W_Q = Q1 + t Q2 with t = -sum c(Q1) / sum c(Q2) makes graph 0's scores (each far from 0)
// cancel to a sum of rounding size. Unguarded, alpha would be c / (rounding): ~1e16 or inf. Guarded, |alpha_l| is at
// most |c_l| / eps, and the output and every gradient stay finite.
TEST(HistographReadout, SignedNormalisationGuardBoundsAlphaWhenScoresCancel) {
  auto hp = head();
  HistographReadout& h = *hp;
  std::vector<Tensor> x = states(7, 11);
  Tensor q = param(h, "query.weight");
  const Tensor q1 = q.clone(), q2 = testing::random_tensor(q.shape(), 23, -1.0, 1.0, kFloat64);
  auto sum_c0 = [&] {
    NoGradGuard no_grad;
    const std::vector<double> c = h.layer_scores(x, ptr()).to_vector<double>();
    return c[0] + c[1] + c[2];
  };
  const double s1 = sum_c0();
  q.copy_(q2);
  const double s2 = sum_c0();
  ASSERT_GT(std::abs(s2), 1e-3);
  q.copy_(add(q1, mul_scalar(q2, -s1 / s2)));
  std::vector<double> c;
  {
    NoGradGuard no_grad;
    c = h.layer_scores(x, ptr()).to_vector<double>();
  }
  const double eps = h.options().eps();
  ASSERT_LT(std::abs(c[0] + c[1] + c[2]), 1e-12) << "the scores of graph 0 were meant to cancel";
  ASSERT_GT(std::max({std::abs(c[0]), std::abs(c[1]), std::abs(c[2])}), 1e-3) << "each score far from 0";
  for (Tensor& t : x) t.set_requires_grad(true);
  const Tensor alpha = h.layer_weights(x, ptr());
  const std::vector<double> a = alpha.to_vector<double>();
  EXPECT_FALSE(has_nonfinite(alpha));
  for (size_t l = 0; l < 3; ++l) EXPECT_LE(std::abs(a[l]), std::abs(c[l]) / eps * (1 + 1e-9)) << "layer " << l;
  EXPECT_GT(std::max({std::abs(a[0]), std::abs(a[1]), std::abs(a[2])}), 1e2);  // the guard, not sum c, divided
  expect_finite_forward_and_backward(h, x);
}

// The same head on both devices in float32: scores, alpha, the input gradients and every parameter's gradient agree
// within float32 rounding (the attention's sums run in another order on the GPU).
TEST(HistographReadout, CudaMatchesCpu) {
  LOOM_REQUIRE_CUDA();
  std::vector<std::unique_ptr<HistographReadout>> heads;
  for (int d = 0; d < 2; ++d) {
    manual_seed(7);
    heads.push_back(std::make_unique<HistographReadout>(HistographReadoutOptions(kWidths, 8, 2).heads(2)));
    heads.back()->eval();
  }
  heads[1]->to(kCUDA);
  const std::vector<Tensor> x = states(7, 11, kFloat32);
  std::vector<Tensor> xc, xg;
  for (const Tensor& t : x) {
    xc.push_back(t.clone().set_requires_grad(true));
    xg.push_back(t.cuda().set_requires_grad(true));
  }
  const Tensor pc = ptr(), pg = ptr().cuda();
  EXPECT_TRUE(testing::all_close(heads[1]->layer_weights(xg, pg).cpu(), heads[0]->layer_weights(xc, pc), 1e-4, 1e-5));
  const Tensor oc = heads[0]->forward(xc, pc), og = heads[1]->forward(xg, pg);
  ASSERT_TRUE(og.device().is_cuda());
  EXPECT_TRUE(testing::all_close(og.cpu(), oc, 1e-4, 1e-5));
  const Tensor dy = testing::random_tensor(oc.shape(), 31, -1.0, 1.0, kFloat32);
  oc.backward(dy);
  og.backward(dy.cuda());
  for (size_t l = 0; l < x.size(); ++l)
    EXPECT_TRUE(testing::all_close(xg[l].grad().cpu(), xc[l].grad(), 1e-4, 1e-4)) << "layer " << l << "'s states";
  const auto gc = heads[0]->named_parameters(), gg = heads[1]->named_parameters();
  ASSERT_EQ(gc.size(), gg.size());
  for (size_t k = 0; k < gc.size(); ++k)
    EXPECT_TRUE(testing::all_close(gg[k].second.grad().cpu(), gc[k].second.grad(), 1e-4, 1e-4)) << gc[k].first;
}

TEST(HistographReadout, LayerEncodingIsTheFixedSinusoid) {
  auto hp = head();
  HistographReadout& h = *hp;
  EXPECT_EQ(h.encoding.shape(), (Shape{3, 8}));
  const std::vector<double> p = h.encoding.to_vector<double>();
  for (int64_t l = 0; l < 3; ++l)
    for (int64_t j = 0; j < 8; ++j) {
      const double angle = static_cast<double>(l) / std::pow(10000.0, static_cast<double>(j - j % 2) / 8.0);
      EXPECT_NEAR(p[l * 8 + j], j % 2 ? std::cos(angle) : std::sin(angle), 1e-6) << l << ", " << j;
    }
  for (const auto& [name, t] : h.named_parameters()) EXPECT_NE(name, "encoding");
}

TEST(HistographReadout, ErrorsNameWhatIsWrong) {
  EXPECT_THAT([] { HistographReadout(HistographReadoutOptions({3, 4}, 6, 2).heads(4)); },
              ThrowsMessage<ValueError>(HasSubstr("heads must divide hidden, got 4 heads for hidden 6")));
  EXPECT_THAT([] { HistographReadout(HistographReadoutOptions({}, 8, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("layer_widths is empty")));
  EXPECT_THAT([] { HistographReadout(HistographReadoutOptions({3}, 8, 2).eps(0)); },
              ThrowsMessage<ValueError>(HasSubstr("guard")));
  auto hp = head();
  HistographReadout& h = *hp;
  std::vector<Tensor> x = states(7, 11);
  EXPECT_THAT([&] { h.forward({x[0], x[1]}, ptr()); }, ThrowsMessage<ShapeError>(HasSubstr("got 2 layers' states, "
                                                                                             "expected 3")));
  x[1] = testing::random_tensor({7, 5}, 1, -1.0, 1.0, kFloat64);
  EXPECT_THAT([&] { h.forward(x, ptr()); }, ThrowsMessage<ShapeError>(HasSubstr("layer 1's states must be [7, 4]")));
  EXPECT_THAT([&] { h.forward(states(7, 11), from_vector<int64_t>({0, 3, 6}, {3})); },
              ThrowsMessage<ShapeError>(HasSubstr("graph_ptr ends at 6 but the states have 7 rows")));
}

}  // namespace
}  // namespace loom::layers
