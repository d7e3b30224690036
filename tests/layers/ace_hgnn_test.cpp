// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// AceHgnn: forward and hyperedges against a naive float64 dense reference (S by loops, top-k by sorting, softmax,
// the post-edits in their order, dense A, the adapters), ties and masking, gradcheck, [N, D] = [1, N, D], errors,
// CPU/CUDA parity, and a token-set task where the global token must gather its class from the local tokens.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "layers/classic_support.h"
#include "loom/core/nn.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/core/sparse.h"
#include "loom/layers/ace_hgnn.h"
#include "support/parity.h"

namespace loom::testing {
namespace {

using layers::AceHgnn;
using Options = layers::AceHgnnOptions;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Sample b of x [B, N, D] (or [N, D] as sample 0) as an [N][D] matrix; row b of logits [B, N] (or [N]).
Mat sample(const Tensor& x, int64_t b) {
  const int64_t N = x.size(-2), D = x.size(-1);
  const auto v = host(x);
  Mat m(static_cast<size_t>(N), std::vector<double>(static_cast<size_t>(D)));
  for (int64_t i = 0; i < N; ++i)
    for (int64_t d = 0; d < D; ++d) m[i][d] = v[static_cast<size_t>((b * N + i) * D + d)];
  return m;
}
std::vector<double> logit_row(const Tensor& g, int64_t b) {
  const int64_t N = g.size(-1);
  const auto v = host(g);
  return {v.begin() + b * N, v.begin() + (b + 1) * N};
}

// S of one sample with the masked entries at -inf (header formula, loops only).
Mat affinity_d(const Mat& x, const std::vector<double>* logits) {
  const size_t N = x.size();
  Mat xn = x;
  for (auto& row : xn) {
    double s = 0;
    for (double v : row) s += v * v;
    for (double& v : row) v /= std::sqrt(s + 1e-24);
  }
  Mat s(N, std::vector<double>(N, 0.0));
  for (size_t i = 0; i < N; ++i)
    for (size_t j = 0; j < N; ++j) {
      if (i == 0 && logits) {
        s[i][j] = (*logits)[j];
      } else {
        for (size_t d = 0; d < x[0].size(); ++d) s[i][j] += xn[i][d] * xn[j][d];
      }
    }
  for (size_t i = 0; i < N; ++i) s[i][i] = -kInf;
  for (size_t i = 1; i < N; ++i) s[i][0] = -kInf;
  return s;
}

// Row order by value, largest first, equal values to the lower index (stable sort of 0..N-1).
std::vector<size_t> order_of(const std::vector<double>& row) {
  std::vector<size_t> o(row.size());
  std::iota(o.begin(), o.end(), size_t{0});
  std::stable_sort(o.begin(), o.end(), [&](size_t a, size_t b) { return row[a] > row[b]; });
  return o;
}

// Dense A of one sample: top-k by sorting, softmax over the k, then A[i,i] = 1, then A[i,0] = A[0,i] (i >= 1).
Mat dense_a(const Mat& s, int64_t k) {
  const size_t N = s.size();
  Mat a(N, std::vector<double>(N, 0.0));
  for (size_t i = 0; i < N; ++i) {
    const auto o = order_of(s[i]);
    double z = 0;
    for (int64_t p = 0; p < k; ++p) z += std::exp(s[i][o[p]] - s[i][o[0]]);
    for (int64_t p = 0; p < k; ++p) a[i][o[p]] = std::exp(s[i][o[p]] - s[i][o[0]]) / z;
  }
  for (size_t i = 0; i < N; ++i) a[i][i] = 1.0;
  for (size_t i = 1; i < N; ++i) a[i][0] = a[0][i];
  return a;
}

// The smallest gap between the k-th and (k+1)-th entries over all rows (how far the picks are from flipping).
double min_gap(const Mat& s, int64_t k) {
  double gap = kInf;
  for (const auto& row : s) {
    const auto o = order_of(row);
    gap = std::min(gap, row[o[k - 1]] - row[o[k]]);
  }
  return gap;
}

Mat adapter_d(const Mat& x, const Tensor& dw, const Tensor& db, const Tensor& uw, const Tensor& ub, double slope) {
  Mat h = linear_d(x, dw, db);
  for (auto& row : h)
    for (double& v : row) v = v > 0 ? v : slope * v;
  return linear_d(h, uw, ub);
}

struct Reference {
  std::vector<Mat> a;  // per sample
  Mat out;             // [B N][D]
  double gap = kInf;
};

// x [B, N, D], logits [B, N] or undefined.
Reference reference(const AceHgnn& m, const Tensor& x, const Tensor& logits) {
  const Options& o = m.options();
  Reference r;
  for (int64_t b = 0; b < x.size(0); ++b) {
    const Mat xb = sample(x, b);
    const std::vector<double> lb = logits.defined() ? logit_row(logits, b) : std::vector<double>();
    const Mat s = affinity_d(xb, logits.defined() ? &lb : nullptr);
    r.gap = std::min(r.gap, min_gap(s, o.top_k()));
    const Mat a = dense_a(s, o.top_k());
    const Mat e = adapter_d(matmul_d(a, xb), m.edge_down_weight, m.edge_down_bias, m.edge_up_weight, m.edge_up_bias,
                            o.negative_slope());
    Mat out = adapter_d(matmul_d(transpose_d(a), e), m.node_down_weight, m.node_down_bias, m.node_up_weight,
                        m.node_up_bias, o.negative_slope());
    if (o.residual()) out = add_d(out, xb);
    r.out.insert(r.out.end(), out.begin(), out.end());
    r.a.push_back(a);
  }
  return r;
}

// Zero biases (the default) would hide a missing bias.
void randomize_biases(AceHgnn& m, uint32_t seed) {
  manual_seed(seed);
  for (Tensor* b : {&m.edge_down_bias, &m.edge_up_bias, &m.node_down_bias, &m.node_up_bias})
    nn::init::uniform_(*b, -0.5, 0.5);
}

TEST(AceHgnn, MatchesDenseReference) {
  const int64_t B = 3, N = 9, D = 6, k = 3;
  int cases = 0;
  for (bool with_logits : {false, true})
    for (bool residual : {false, true}) {
      manual_seed(2);
      AceHgnn m(Options(D).top_k(k).bottleneck(4).residual(residual).negative_slope(0.1));
      m.to(kFloat64);
      randomize_biases(m, 3);
      const Tensor x = random_tensor({B, N, D}, 10);
      // Logits of another scale than the cosines (row 0 is peakier, as the encoder's scaled q.k scores).
      const Tensor g = with_logits ? random_tensor({B, N}, 11, -4, 4) : Tensor();
      const Reference want = reference(m, x, g);
      ASSERT_GT(want.gap, 1e-4) << "inputs too close to a tie for the float32 comparison";
      const Tensor y = m.forward(x, g);
      EXPECT_EQ(y.shape(), x.shape());
      expect_close(y.view({B * N, D}), want.out, 1e-12, "float64");
      m.to(kFloat32);
      const Tensor y32 = m.forward(x.to(kFloat32), with_logits ? g.to(kFloat32) : Tensor());
      expect_close(y32.view({B * N, D}), want.out, 1e-4, "float32");
      ++cases;
    }
  EXPECT_EQ(cases, 4);
}

// The residual adds x exactly: the difference of the two settings is x.
TEST(AceHgnn, ResidualAddsInput) {
  manual_seed(4);
  AceHgnn a(Options(5).top_k(2).bottleneck(3));
  manual_seed(4);
  AceHgnn b(Options(5).top_k(2).bottleneck(3).residual(true));
  const Tensor x = random_tensor({2, 6, 5}, 5, -1, 1, kFloat32);
  EXPECT_LE(max_abs_diff(sub(b.forward(x), a.forward(x)), x), 1e-6);
}

TEST(AceHgnn, HyperedgesMatchDenseA) {
  const int64_t B = 3, N = 9, D = 6, k = 3;
  for (bool with_logits : {false, true}) {
    AceHgnn m(Options(D).top_k(k).bottleneck(4));
    m.to(kFloat64);
    const Tensor x = random_tensor({B, N, D}, 20);
    const Tensor g = with_logits ? random_tensor({B, N}, 21, -3, 3) : Tensor();
    const Reference want = reference(m, x, g);
    const Csr a = m.hyperedges(x, g);
    EXPECT_EQ(a.num_rows(), B * N);
    EXPECT_EQ(a.num_cols(), B * N);
    EXPECT_EQ(a.nnz(), B * (N * (k + 1) + k)) << "k picks + self per row, k links per sample";
    Mat block(static_cast<size_t>(B * N), std::vector<double>(static_cast<size_t>(B * N), 0.0));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < N; ++i)
        for (int64_t j = 0; j < N; ++j) block[b * N + i][b * N + j] = want.a[b][i][j];
    expect_close(to_dense(a, kFloat64), block, 1e-12, "A");
    // The post-edits' effect on the rows: row 0 sums to 2; a local row sums to 2 plus its link weight.
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < N; ++i) {
        const double s = std::accumulate(want.a[b][i].begin(), want.a[b][i].end(), 0.0);
        EXPECT_NEAR(s, 2.0 + (i == 0 ? 0.0 : want.a[b][0][i]), 1e-12);
      }
  }
}

// Equal tokens make every cosine 1: the picks are decided by ties alone and must still avoid the diagonal and
// column 0 (the -inf mask never ties a finite value). N = k + 2: local rows pick every allowed token.
TEST(AceHgnn, TiesNeverPickMaskedEntries) {
  const int64_t N = 5, D = 3, k = 3;
  AceHgnn m(Options(D).top_k(k).bottleneck(2));
  m.to(kFloat64);
  // A token whose normalisation is exact in floating point, so every cosine is exactly 1 (true ties).
  const Tensor x = add(zeros({2, N, D}, kFloat64), from_vector<double>({0.0, -2.0, 0.0}, {D}));
  const Mat a = to_mat(to_dense(m.hyperedges(x), kFloat64));
  for (int64_t b = 0; b < 2; ++b) {
    const int64_t o = b * N;
    EXPECT_EQ(a[o][o], 1.0);
    for (int64_t j = 1; j < N; ++j) EXPECT_NEAR(a[o][o + j], j <= k ? 1.0 / 3 : 0.0, 1e-15) << "row 0, col " << j;
    for (int64_t i = 1; i < N; ++i) {
      EXPECT_EQ(a[o + i][o + i], 1.0) << "self weight";
      EXPECT_NEAR(a[o + i][o], i <= k ? 1.0 / 3 : 0.0, 1e-15) << "link of token " << i;
      for (int64_t j = 1; j < N; ++j)
        if (j != i) {
          EXPECT_NEAR(a[o + i][o + j], 1.0 / 3, 1e-15) << "row " << i << " picks all of N - 2 = k";
        }
    }
  }
  // Zero tokens: cosines 0 (not NaN), a finite output.
  EXPECT_FALSE(has_nonfinite(m.forward(zeros({2, N, D}, kFloat64))));
}

// global_logits[0] is ignored, even when it is NaN; the other entries drive row 0.
TEST(AceHgnn, GlobalLogitEntryZeroIgnored) {
  AceHgnn m(Options(4).top_k(2).bottleneck(3));
  const Tensor x = random_tensor({2, 6, 4}, 30, -1, 1, kFloat32);
  std::vector<float> g = random_tensor({2, 6}, 31, -2, 2, kFloat32).to_vector<float>();
  const Tensor y = m.forward(x, from_vector<float>(g, {2, 6}));
  g[0] = NAN;
  g[6] = 1e30f;
  EXPECT_EQ(max_abs_diff(m.forward(x, from_vector<float>(g, {2, 6})), y), 0.0);
  // Row 0 follows the logits, not the cosines: the logits pick other tokens than cos(x_0, x_j) does here.
  EXPECT_GT(max_abs_diff(m.forward(x), y), 1e-4);
}

TEST(AceHgnn, Gradcheck) {
  const int64_t B = 2, N = 6, D = 4, k = 2;
  for (bool with_logits : {false, true}) {
    manual_seed(5);
    AceHgnn m(Options(D).top_k(k).bottleneck(3).residual(with_logits));
    m.to(kFloat64);
    randomize_biases(m, 6);
    const Tensor x = requires_grad_input({B, N, D}, 40);
    const Tensor g = with_logits ? requires_grad_input({B, N}, 41) : Tensor();
    // Finite differences must not flip a pick: the k-th and (k+1)-th entries of every row are well apart.
    ASSERT_GT(reference(m, x, g).gap, 1e-3);
    std::vector<Tensor> leaves = m.parameters();
    if (with_logits) leaves.insert(leaves.begin(), g);
    leaves.insert(leaves.begin(), x);
    // The logits reach the output only through A's weights (topk values, softmax, the links): their gradient
    // checks that the weights of A are trained.
    EXPECT_TRUE(param_gradcheck([&] { return m.forward(x, g); }, leaves)) << "logits " << with_logits;
    if (with_logits) {
      EXPECT_GT(max_abs_diff(g.grad(), zeros_like(g)), 1e-6);
      EXPECT_EQ(host(g.grad())[0], 0.0) << "entry 0 is ignored";
    }
  }
}

TEST(AceHgnn, UnbatchedEqualsBatchOfOne) {
  AceHgnn m(Options(5).top_k(3).bottleneck(4));
  m.to(kFloat64);
  randomize_biases(m, 7);
  const Tensor x = random_tensor({8, 5}, 50);
  const Tensor g = random_tensor({8}, 51);
  const Tensor y = m.forward(x, g);
  EXPECT_EQ(y.shape(), (Shape{8, 5}));
  EXPECT_EQ(max_abs_diff(y, m.forward(x.view({1, 8, 5}), g.view({1, 8})).view({8, 5})), 0.0);
  EXPECT_EQ(max_abs_diff(to_dense(m.hyperedges(x), kFloat64), to_dense(m.hyperedges(x.view({1, 8, 5})), kFloat64)),
            0.0);
}

TEST(AceHgnn, ParametersAndInit) {
  manual_seed(0);
  AceHgnn m(Options(512).bottleneck(128));
  const auto named = m.named_parameters();
  ASSERT_EQ(named.size(), 8u);
  const char* names[] = {"edge_down_weight", "edge_down_bias", "edge_up_weight", "edge_up_bias",
                         "node_down_weight", "node_down_bias", "node_up_weight", "node_up_bias"};
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(named[i].first, names[i]);
  EXPECT_EQ(m.edge_down_weight.shape(), (Shape{128, 512}));
  EXPECT_EQ(m.edge_up_weight.shape(), (Shape{512, 128}));
  EXPECT_EQ(m.node_down_bias.shape(), (Shape{128}));
  EXPECT_EQ(m.node_up_bias.shape(), (Shape{512}));
  EXPECT_EQ(max_abs_diff(m.edge_up_bias, zeros({512})), 0.0);
  EXPECT_EQ(m.options().top_k(), 5);
  EXPECT_FALSE(m.options().residual());
  // Kaiming normal, fan in: std sqrt(2 / fan_in).
  auto std_of = [](const Tensor& w) {
    const auto v = host(w);
    double s = 0;
    for (double e : v) s += e * e;
    return std::sqrt(s / static_cast<double>(v.size()));
  };
  EXPECT_NEAR(std_of(m.node_down_weight), std::sqrt(2.0 / 512), 0.03 * std::sqrt(2.0 / 512));
  EXPECT_NEAR(std_of(m.node_up_weight), std::sqrt(2.0 / 128), 0.03 * std::sqrt(2.0 / 128));
}

TEST(AceHgnn, Errors) {
  AceHgnn m(Options(4).top_k(3).bottleneck(2));
  const std::string name = "AceHgnn.forward: ";
  EXPECT_THAT([&] { m.forward(zeros({2, 6, 3})); },
              ThrowsMessage<ShapeError>(HasSubstr(name + "'x' must be [B, N, 4] or [N, 4] (dim = 4), got [2, 6, 3]")));
  EXPECT_THAT([&] { m.forward(zeros({2, 2, 6, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("'x' must be [B, N, 4] or [N, 4] (dim = 4), got [2, 2, 6, 4]")));
  EXPECT_THAT([&] { m.forward(zeros({4})); }, ThrowsMessage<ShapeError>(HasSubstr("got [4]")));
  EXPECT_THAT([&] { m.forward(zeros({2, 4, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr(name + "'x' has N = 4 tokens, too few for top_k = 3")));
  EXPECT_THAT([&] { m.hyperedges(zeros({4, 4})); },
              ThrowsMessage<ShapeError>(HasSubstr("AceHgnn.hyperedges: 'x' has N = 4 tokens, too few for top_k = 3 "
                                                  "(each local token picks k tokens other than itself and the global "
                                                  "token: need N >= k + 2 = 5)")));
  EXPECT_THAT([&] { m.forward(zeros({0, 6, 4})); }, ThrowsMessage<ShapeError>(HasSubstr("no samples (B = 0)")));
  EXPECT_THAT([&] { m.forward(zeros({2, 6, 4}), zeros({6})); },
              ThrowsMessage<ShapeError>(HasSubstr(name + "'global_logits' must be [2, 6] (one logit per token of each "
                                                         "sample), got [6]")));
  EXPECT_THAT([&] { m.forward(zeros({6, 4}), zeros({1, 6})); },
              ThrowsMessage<ShapeError>(HasSubstr("'global_logits' must be [6] (one logit per token of the sample), "
                                                  "got [1, 6]")));
  EXPECT_THAT([&] { m.forward(zeros({2, 6, 4}), zeros({2, 6}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'global_logits' is float64 but 'x' is float32")));
  EXPECT_THAT([&] { m.forward(zeros({6, 4}), full({6}, INFINITY)); },
              ThrowsMessage<ValueError>(HasSubstr(name + "'global_logits' must be finite in entries 1..N-1")));
  EXPECT_THAT([&] { m.forward(zeros({6, 4}, kFloat64)); },
              ThrowsMessage<DTypeError>(HasSubstr("'x' is float64 but the layer's parameters are float32")));
  EXPECT_THAT([&] { m.forward(zeros({6, 4}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr(name + "'x' must be float32 or float64, got int64")));
  EXPECT_THAT([&] { m.forward(Tensor()); }, ThrowsMessage<ValueError>(HasSubstr(name + "'x' is an undefined tensor")));
  EXPECT_THAT([] { AceHgnn(Options(0)); },
              ThrowsMessage<ValueError>(HasSubstr("AceHgnn: dim must be positive, got 0")));
  EXPECT_THAT([] { AceHgnn(Options(4).top_k(0)); },
              ThrowsMessage<ValueError>(HasSubstr("AceHgnn: top_k must be >= 1, got 0")));
  EXPECT_THAT([] { AceHgnn(Options(4).bottleneck(-1)); },
              ThrowsMessage<ValueError>(HasSubstr("AceHgnn: bottleneck must be positive, got -1")));
  EXPECT_THAT([] { AceHgnn(Options(4).negative_slope(NAN)); },
              ThrowsMessage<ValueError>(HasSubstr("negative_slope must be finite, got nan")));
}

// Token sets for the training test: token 0 is a constant global token e_0; 3 relevant local tokens point along
// +e_0 (so the global token picks them) and carry the sample's class prototype; 8 distractors point along -e_0 and
// carry one other class's prototype (so a plain mean of the local tokens favours the wrong class).
struct TokenSets {
  Tensor x, y;
};
TokenSets token_sets(int64_t samples, uint32_t seed) {
  const int64_t N = 12, D = 8, C = 3;
  std::mt19937 gen(seed);
  std::normal_distribution<double> noise(0.0, 0.25);
  std::uniform_int_distribution<int64_t> cls(0, C - 1), other(1, C - 1);
  std::mt19937 proto_gen(99);  // the same prototypes for every split
  std::normal_distribution<double> unit(0.0, 1.0 / std::sqrt(7.0));
  Mat proto(C, std::vector<double>(D - 1));
  for (auto& p : proto)
    for (double& v : p) v = unit(proto_gen);
  std::vector<double> x(static_cast<size_t>(samples * N * D), 0.0);
  std::vector<int64_t> y(static_cast<size_t>(samples));
  for (int64_t s = 0; s < samples; ++s) {
    const int64_t c = cls(gen), c_other = (c + other(gen)) % C;
    y[s] = c;
    double* t = x.data() + s * N * D;
    t[0] = 1.0;  // the global token
    for (int64_t i = 1; i < N; ++i) {
      const bool relevant = i <= 3;
      t[i * D] = relevant ? 1.0 : -1.0;
      for (int64_t d = 1; d < D; ++d) t[i * D + d] = proto[relevant ? c : c_other][d - 1] + noise(gen);
    }
  }
  return {from_vector<double>(x, {samples, N, D}).to(kFloat32), from_vector<int64_t>(y, {samples})};
}

// Trains readout(features(x)[:, 0]) with Adam and returns the test accuracy.
double train_token_task(const std::function<Tensor(const Tensor&)>& features, std::vector<Tensor> params,
                        nn::Linear& readout) {
  const TokenSets train = token_sets(192, 1), test = token_sets(192, 2);
  for (const Tensor& p : readout.parameters()) params.push_back(p);
  optim::Adam opt(params, optim::AdamOptions(1e-2));
  auto logits = [&](const Tensor& x) {
    const Tensor h = features(x);
    return readout.forward(slice(h, 1, 0, 1).view({x.size(0), h.size(2)}));
  };
  for (int step = 0; step < 150; ++step) {
    for (const Tensor& p : params) p.zero_grad();
    cross_entropy(logits(train.x), train.y).backward();
    opt.step();
  }
  NoGradGuard no_grad;
  const auto pred = argmax(logits(test.x), 1).to_vector<int64_t>();
  const auto y = test.y.to_vector<int64_t>();
  int64_t right = 0;
  for (size_t i = 0; i < y.size(); ++i) right += pred[i] == y[i];
  return static_cast<double>(right) / static_cast<double>(y.size());
}

TEST(AceHgnn, GlobalTokenGathersLocalClass) {
  manual_seed(8);
  AceHgnn block(Options(8).top_k(3).bottleneck(16));
  nn::Linear readout(nn::LinearOptions(8, 3));
  const double with_block =
      train_token_task([&](const Tensor& x) { return block.forward(x); }, block.parameters(), readout);
  manual_seed(8);
  nn::Linear plain(nn::LinearOptions(8, 3));
  const double without = train_token_task([](const Tensor& x) { return x; }, {}, plain);
  EXPECT_GT(with_block, 0.9) << "with the block " << with_block << ", without " << without;
  EXPECT_GT(with_block, without + 0.4) << "with the block " << with_block << ", without " << without;
}

TEST(AceHgnn, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  const int64_t B = 4, N = 65, D = 32, k = 5;
  manual_seed(9);
  AceHgnn m(Options(D).top_k(k).bottleneck(16));
  randomize_biases(m, 10);
  // Inputs whose picks are far from a tie, so float32 rounding on either device cannot flip one.
  Tensor x, g;
  bool found = false;
  for (uint32_t seed = 60; seed < 90 && !found; ++seed) {
    x = random_tensor({B, N, D}, seed, -1, 1);
    g = random_tensor({B, N}, seed + 100, -3, 3);
    found = reference(m, x, g).gap > 1e-4 && reference(m, x, Tensor()).gap > 1e-4;
  }
  ASSERT_TRUE(found);
  x = x.to(kFloat32);
  g = g.to(kFloat32);
  for (bool with_logits : {false, true}) {
    const Tensor gl = with_logits ? g : Tensor();
    m.zero_grad();
    m.to(kCPU);
    const Tensor xc = x.clone().set_requires_grad(true);
    const Tensor y_cpu = m.forward(xc, gl);
    sum(mul(y_cpu, y_cpu)).backward();
    std::vector<Tensor> grads_cpu;
    for (const Tensor& p : m.parameters()) grads_cpu.push_back(p.grad().clone());
    const Tensor dx_cpu = xc.grad().clone();
    const Tensor a_cpu = to_dense(m.hyperedges(x, gl));
    m.zero_grad();
    m.to(kCUDA);
    EXPECT_THAT([&] { m.forward(x, gl); }, ThrowsMessage<DeviceError>(HasSubstr("'x' is on cpu")));
    const Tensor xg = x.to(kCUDA).set_requires_grad(true);
    const Tensor glg = with_logits ? g.to(kCUDA) : Tensor();
    const Tensor y = m.forward(xg, glg);
    sum(mul(y, y)).backward();
    EXPECT_TRUE(allclose(to_dense(m.hyperedges(x.to(kCUDA), glg)).cpu(), a_cpu, 1e-5, 1e-6)) << "A";
    EXPECT_TRUE(allclose(y.cpu(), y_cpu, 1e-4, 1e-4)) << max_abs_diff(y.cpu(), y_cpu);
    EXPECT_TRUE(allclose(xg.grad().cpu(), dx_cpu, 1e-3, 1e-3)) << max_abs_diff(xg.grad().cpu(), dx_cpu);
    const auto params = m.parameters();
    for (size_t i = 0; i < params.size(); ++i)
      EXPECT_TRUE(allclose(params[i].grad().cpu(), grads_cpu[i], 1e-3, 1e-3))
          << "parameter " << i << ": " << max_abs_diff(params[i].grad().cpu(), grads_cpu[i]);
  }
}

}  // namespace
}  // namespace loom::testing
