// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GATConv and GATv2Conv: forward against a dense float64 reference (a per-head attention matrix with -inf where
// there is no edge, duplicate edges counted by multiplicity), concat and mean, with and without self loops, edge
// features for GAT; float64 gradchecks on x and every parameter; attention dropout; training on a CSBM graph;
// CPU against CUDA; option and input errors.
#include <gmock/gmock.h>

#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/layers/gat_conv.h"
#include "support/gradcheck.h"
#include "support/parity.h"
#include "support/reference.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using layers::GATConv;
using layers::GATConvOptions;
using layers::GATv2Conv;
using testing::host;
using testing::lrelu;
using testing::max_diff;
using testing::random_tensor;

// ---------------------------------------------------------------- graphs

struct Edges {
  int64_t n = 0;
  std::vector<int64_t> src, dst;
  int64_t size() const { return static_cast<int64_t>(src.size()); }
};

// A random directed graph on n nodes with: node n-1 isolated, node n-2 without in-edges (an empty row), self
// loops on nodes 0 and 1, a node (2) with many in-edges, and, when `duplicates`, repeated edges.
Edges make_edges(uint32_t seed, int64_t n, bool duplicates) {
  std::mt19937 gen(seed);
  Edges e;
  e.n = n;
  std::set<std::pair<int64_t, int64_t>> seen;
  auto add = [&](int64_t s, int64_t d) {
    if (!duplicates && !seen.insert({s, d}).second) return;
    e.src.push_back(s);
    e.dst.push_back(d);
  };
  add(0, 0);
  add(1, 1);
  for (int64_t s = 0; s < n - 1; ++s)
    if (s != 2) add(s, 2);  // the hub
  for (int64_t d = 0; d < n - 2; ++d)
    for (int64_t s = 0; s < n - 1; ++s)
      if (s != d && gen() % 4 == 0) add(s, d);
  if (duplicates) {
    add(e.src[3], e.dst[3]);
    add(e.src[5], e.dst[5]);
    add(e.src[5], e.dst[5]);
  }
  return e;
}

Tensor edge_index(const Edges& e) {
  std::vector<int64_t> v = e.src;
  v.insert(v.end(), e.dst.begin(), e.dst.end());
  return from_vector<int64_t>(v, {2, e.size()});
}

// ---------------------------------------------------------------- the dense reference

// y = x W^T + b for x [n, in], W [out, in] (b may be empty).
std::vector<double> linear(const std::vector<double>& x, int64_t n, int64_t in, const std::vector<double>& w,
                           const std::vector<double>& b, int64_t out) {
  std::vector<double> y(static_cast<size_t>(n * out), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t o = 0; o < out; ++o) {
      double acc = b.empty() ? 0.0 : b[static_cast<size_t>(o)];
      for (int64_t k = 0; k < in; ++k) acc += x[static_cast<size_t>(i * in + k)] * w[static_cast<size_t>(o * in + k)];
      y[static_cast<size_t>(i * out + o)] = acc;
    }
  return y;
}

// The dense structure: count[i][j] edges j -> i and (no duplicates) their features ef[i][j][:]; with self loops
// every node without one gets one with zero features.
struct Dense {
  int64_t n = 0, d = 0;
  std::vector<double> count, ef;  // [n, n], [n, n, d]
  double& c(int64_t i, int64_t j) { return count[static_cast<size_t>(i * n + j)]; }
};
Dense dense(const Edges& e, const Tensor& edge_attr, bool self_loops) {
  Dense g;
  g.n = e.n;
  g.d = edge_attr.defined() ? edge_attr.size(1) : 0;
  g.count.assign(static_cast<size_t>(e.n * e.n), 0.0);
  g.ef.assign(static_cast<size_t>(e.n * e.n * g.d), 0.0);
  const auto ea = host(edge_attr);
  for (int64_t k = 0; k < e.size(); ++k) {
    const int64_t i = e.dst[static_cast<size_t>(k)], j = e.src[static_cast<size_t>(k)];
    g.c(i, j) += 1;
    for (int64_t f = 0; f < g.d; ++f)
      g.ef[static_cast<size_t>((i * e.n + j) * g.d + f)] = ea[static_cast<size_t>(k * g.d + f)];
  }
  if (self_loops)
    for (int64_t i = 0; i < e.n; ++i)
      if (g.c(i, i) == 0) g.c(i, i) = 1;
  return g;
}

// out[i, h, :] = sum_j alpha[h][i][j] msg[j, h, :] with alpha the softmax over j of logit(i, j, h) among the
// edges (multiplicity-weighted; -inf where there is none), then concat or mean over heads, plus bias.
template <class Logit>
std::vector<double> attend(Dense& g, int64_t H, int64_t C, const std::vector<double>& msg, Logit logit, bool concat,
                           const std::vector<double>& bias) {
  const int64_t n = g.n;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> out(static_cast<size_t>(n * H * C), 0.0);
  for (int64_t h = 0; h < H; ++h)
    for (int64_t i = 0; i < n; ++i) {
      std::vector<double> L(static_cast<size_t>(n), -inf);
      double m = -inf;
      for (int64_t j = 0; j < n; ++j)
        if (g.c(i, j) > 0) {
          L[static_cast<size_t>(j)] = logit(i, j, h);
          m = std::max(m, L[static_cast<size_t>(j)]);
        }
      if (m == -inf) continue;  // no in-edges: zeros
      double den = 0;
      for (int64_t j = 0; j < n; ++j) den += g.c(i, j) * std::exp(L[static_cast<size_t>(j)] - m);
      for (int64_t j = 0; j < n; ++j) {
        const double a = g.c(i, j) * std::exp(L[static_cast<size_t>(j)] - m) / den;
        for (int64_t c = 0; c < C; ++c)
          out[static_cast<size_t>((i * H + h) * C + c)] += a * msg[static_cast<size_t>((j * H + h) * C + c)];
      }
    }
  std::vector<double> y;
  for (int64_t i = 0; i < n; ++i) {
    if (concat) {
      for (int64_t f = 0; f < H * C; ++f) y.push_back(out[static_cast<size_t>(i * H * C + f)]);
    } else {
      for (int64_t c = 0; c < C; ++c) {
        double s = 0;
        for (int64_t h = 0; h < H; ++h) s += out[static_cast<size_t>((i * H + h) * C + c)];
        y.push_back(s / static_cast<double>(H));
      }
    }
  }
  if (!bias.empty())
    for (size_t k = 0; k < y.size(); ++k) y[k] += bias[k % bias.size()];
  return y;
}

std::vector<double> reference_gat(const GATConv& conv, const Edges& e, const Tensor& x, const Tensor& edge_attr) {
  const auto& o = conv.options();
  const int64_t n = e.n, H = o.heads(), C = o.out_features(), in = o.in_features();
  Dense g = dense(e, edge_attr, o.add_self_loops());
  const auto h = linear(host(x), n, in, host(conv.weight), {}, H * C);
  const auto as = host(conv.att_src), ad = host(conv.att_dst), ae = host(conv.att_edge), we = host(conv.weight_edge);
  auto score = [&](const std::vector<double>& att, int64_t node, int64_t head) {
    double s = 0;
    for (int64_t c = 0; c < C; ++c)
      s += att[static_cast<size_t>(head * C + c)] * h[static_cast<size_t>((node * H + head) * C + c)];
    return s;
  };
  auto logit = [&](int64_t i, int64_t j, int64_t head) {
    double z = score(as, j, head) + score(ad, i, head);
    for (int64_t c = 0; c < C && g.d > 0; ++c) {
      double proj = 0;  // (W_e e_ij)[head, c]
      for (int64_t f = 0; f < g.d; ++f)
        proj += we[static_cast<size_t>((head * C + c) * g.d + f)] * g.ef[static_cast<size_t>((i * n + j) * g.d + f)];
      z += ae[static_cast<size_t>(head * C + c)] * proj;
    }
    return lrelu(z, o.negative_slope());
  };
  return attend(g, H, C, h, logit, o.concat(), host(conv.bias));
}

std::vector<double> reference_gatv2(const GATv2Conv& conv, const Edges& e, const Tensor& x) {
  const auto& o = conv.options();
  const int64_t n = e.n, H = o.heads(), C = o.out_features(), in = o.in_features();
  Dense g = dense(e, Tensor(), o.add_self_loops());
  const auto xl = linear(host(x), n, in, host(conv.weight_l), host(conv.bias_l), H * C);
  const auto xr = o.share_weights() ? xl : linear(host(x), n, in, host(conv.weight_r), host(conv.bias_r), H * C);
  const auto att = host(conv.att);
  auto logit = [&](int64_t i, int64_t j, int64_t head) {
    double s = 0;
    for (int64_t c = 0; c < C; ++c) {
      const size_t f = static_cast<size_t>(head * C + c);
      s += att[f] * lrelu(xl[static_cast<size_t>(j * H * C) + f] + xr[static_cast<size_t>(i * H * C) + f],
                          o.negative_slope());
    }
    return s;
  };
  return attend(g, H, C, xl, logit, o.concat(), host(conv.bias));
}

// Non-zero biases so that the reference checks where they are added.
void randomise_biases(nn::Module& m, uint32_t seed) {
  for (auto [name, p] : m.named_parameters())
    if (name.rfind("bias", 0) == 0) p.copy_(random_tensor(p.shape(), seed++, -1, 1, p.dtype()));
}

// ---------------------------------------------------------------- forward

struct Variant {
  int64_t heads;
  bool concat, self_loops;
};
const std::vector<Variant> kVariants = {{1, true, true}, {3, true, true},   {3, false, true},
                                        {3, true, false}, {2, false, false}, {1, false, false}};

TEST(GATConv, MatchesDenseReference) {
  const Edges e = make_edges(1, 11, /*duplicates=*/true);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n);
  const Tensor x = random_tensor({e.n, 5}, 2);
  for (const Variant& v : kVariants) {
    manual_seed(3);
    GATConv conv(GATConvOptions(5, 4).heads(v.heads).concat(v.concat).add_self_loops(v.self_loops));
    conv.to(kFloat64);
    randomise_biases(conv, 4);
    const Tensor out = conv.forward(g, x);
    EXPECT_EQ(out.shape(), (Shape{e.n, v.concat ? v.heads * 4 : 4}));
    EXPECT_LE(max_diff(out, reference_gat(conv, e, x, Tensor())), 1e-12)
        << "heads " << v.heads << " concat " << v.concat << " self loops " << v.self_loops;
    // The isolated node without self loops gets only the bias.
    if (!v.self_loops) {
      const auto row = host(out.narrow_rows(e.n - 1, e.n));
      const auto b = host(conv.bias);
      for (size_t k = 0; k < row.size(); ++k) EXPECT_DOUBLE_EQ(row[k], b[k]);
    }
  }
}

TEST(GATConv, EdgeFeaturesMatchDenseReference) {
  const Edges e = make_edges(5, 10, /*duplicates=*/false);
  const Tensor ea = random_tensor({e.size(), 3}, 6);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n, Tensor(), ea);
  const Tensor x = random_tensor({e.n, 4}, 7);
  for (const Variant& v : kVariants) {
    manual_seed(8);
    GATConv conv(GATConvOptions(4, 3).heads(v.heads).concat(v.concat).add_self_loops(v.self_loops).edge_dim(3));
    conv.to(kFloat64);
    randomise_biases(conv, 9);
    EXPECT_LE(max_diff(conv.forward(g, x), reference_gat(conv, e, x, ea)), 1e-12)
        << "heads " << v.heads << " concat " << v.concat << " self loops " << v.self_loops;
  }
}

TEST(GATv2Conv, MatchesDenseReference) {
  const Edges e = make_edges(11, 11, /*duplicates=*/true);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n);
  const Tensor x = random_tensor({e.n, 5}, 12);
  for (const Variant& v : kVariants) {
    for (bool share : {false, true}) {
      manual_seed(13);
      GATv2Conv conv(
          GATConvOptions(5, 4).heads(v.heads).concat(v.concat).add_self_loops(v.self_loops).share_weights(share));
      conv.to(kFloat64);
      randomise_biases(conv, 14);
      const Tensor out = conv.forward(g, x);
      EXPECT_EQ(out.shape(), (Shape{e.n, v.concat ? v.heads * 4 : 4}));
      EXPECT_LE(max_diff(out, reference_gatv2(conv, e, x)), 1e-12)
          << "heads " << v.heads << " concat " << v.concat << " self loops " << v.self_loops << " share " << share;
    }
  }
}

TEST(GATConv, SelfLoopGraphIsCachedAndReused) {
  const Edges e = make_edges(15, 9, false);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n);
  manual_seed(16);
  GATConv conv(GATConvOptions(3, 2).heads(2));
  const Tensor x = random_tensor({e.n, 3}, 17, -1, 1, kFloat32);
  const Tensor a = conv.forward(g, x);
  EXPECT_EQ(&g.with_self_loops(), &g.with_self_loops());
  EXPECT_TRUE(allclose(conv.forward(g, x), a, 0, 0));
}

// ---------------------------------------------------------------- parameters

TEST(GATConv, ParametersAndInitialisation) {
  manual_seed(20);
  GATConv conv(GATConvOptions(16, 8).heads(4).edge_dim(5));
  std::vector<std::string> names;
  for (const auto& [name, p] : conv.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "att_src", "att_dst", "weight_edge", "att_edge", "bias"}));
  EXPECT_EQ(conv.weight.shape(), (Shape{32, 16}));
  EXPECT_EQ(conv.att_src.shape(), (Shape{4, 8}));
  EXPECT_EQ(conv.weight_edge.shape(), (Shape{32, 5}));
  EXPECT_EQ(conv.bias.shape(), (Shape{32}));
  EXPECT_EQ(host(conv.bias), std::vector<double>(32, 0.0));
  // Glorot bounds: sqrt(6 / (fan_in + fan_out)); the draws fill most of the interval.
  const double bw = std::sqrt(6.0 / (16 + 32)), ba = std::sqrt(6.0 / (4 + 8));
  const auto w = host(conv.weight), a = host(conv.att_src);
  double mw = 0, ma = 0;
  for (double v : w) mw = std::max(mw, std::abs(v));
  for (double v : a) ma = std::max(ma, std::abs(v));
  EXPECT_LE(mw, bw);
  EXPECT_GT(mw, 0.8 * bw);
  EXPECT_LE(ma, ba);
  EXPECT_GT(ma, 0.5 * ba);
  GATConv mean_conv(GATConvOptions(16, 8).heads(4).concat(false).bias(true));
  EXPECT_EQ(mean_conv.bias.shape(), (Shape{8}));
  EXPECT_FALSE(mean_conv.weight_edge.defined());
  EXPECT_FALSE(GATConv(GATConvOptions(16, 8).bias(false)).bias.defined());
}

TEST(GATv2Conv, ParametersAndInitialisation) {
  manual_seed(21);
  GATv2Conv conv(GATConvOptions(6, 3).heads(2));
  std::vector<std::string> names;
  for (const auto& [name, p] : conv.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"weight_l", "bias_l", "weight_r", "bias_r", "att", "bias"}));
  EXPECT_EQ(conv.weight_r.shape(), (Shape{6, 6}));
  EXPECT_EQ(conv.att.shape(), (Shape{2, 3}));
  EXPECT_EQ(host(conv.bias_l), std::vector<double>(6, 0.0));
  GATv2Conv shared(GATConvOptions(6, 3).heads(2).share_weights(true).concat(false));
  names.clear();
  for (const auto& [name, p] : shared.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"weight_l", "bias_l", "att", "bias"}));
  EXPECT_EQ(shared.bias.shape(), (Shape{3}));
  GATv2Conv no_bias(GATConvOptions(6, 3).bias(false));
  EXPECT_EQ(no_bias.parameters().size(), 3u);  // weight_l, weight_r, att
}

// ---------------------------------------------------------------- gradients (float64, dropout 0)

TEST(GATConv, Gradcheck) {
  const Edges e = make_edges(30, 7, /*duplicates=*/false);
  const Tensor ea = random_tensor({e.size(), 2}, 31);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n, Tensor(), ea);
  for (const Variant& v : {Variant{2, true, true}, Variant{2, false, false}}) {
    manual_seed(32);
    GATConv conv(GATConvOptions(3, 2).heads(v.heads).concat(v.concat).add_self_loops(v.self_loops).edge_dim(2));
    conv.to(kFloat64);
    randomise_biases(conv, 33);
    auto f = [&](const std::vector<Tensor>& in) {
      conv.weight = in[1];
      conv.att_src = in[2];
      conv.att_dst = in[3];
      conv.weight_edge = in[4];
      conv.att_edge = in[5];
      conv.bias = in[6];
      return conv.forward(g, in[0]);
    };
    EXPECT_TRUE(testing::gradcheck(f, {random_tensor({e.n, 3}, 34), conv.weight, conv.att_src, conv.att_dst,
                                       conv.weight_edge, conv.att_edge, conv.bias}))
        << "concat " << v.concat << " self loops " << v.self_loops;
  }
}

TEST(GATv2Conv, Gradcheck) {
  const Edges e = make_edges(40, 7, /*duplicates=*/true);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n);
  for (const Variant& v : {Variant{2, true, true}, Variant{2, false, false}}) {
    manual_seed(41);
    GATv2Conv conv(GATConvOptions(3, 2).heads(v.heads).concat(v.concat).add_self_loops(v.self_loops));
    conv.to(kFloat64);
    randomise_biases(conv, 42);
    auto f = [&](const std::vector<Tensor>& in) {
      conv.weight_l = in[1];
      conv.bias_l = in[2];
      conv.weight_r = in[3];
      conv.bias_r = in[4];
      conv.att = in[5];
      conv.bias = in[6];
      return conv.forward(g, in[0]);
    };
    EXPECT_TRUE(testing::gradcheck(f, {random_tensor({e.n, 3}, 43), conv.weight_l, conv.bias_l, conv.weight_r,
                                       conv.bias_r, conv.att, conv.bias}))
        << "concat " << v.concat << " self loops " << v.self_loops;
  }
  // share_weights: one projection feeds both sides of the logits and the message.
  manual_seed(44);
  GATv2Conv shared(GATConvOptions(3, 2).heads(2).share_weights(true));
  shared.to(kFloat64);
  randomise_biases(shared, 45);
  auto f = [&](const std::vector<Tensor>& in) {
    shared.weight_l = in[1];
    shared.bias_l = in[2];
    shared.att = in[3];
    return shared.forward(g, in[0]);
  };
  EXPECT_TRUE(testing::gradcheck(f, {random_tensor({e.n, 3}, 46), shared.weight_l, shared.bias_l, shared.att}));
}

// ---------------------------------------------------------------- attention dropout

template <class Conv>
void check_dropout(const char* name) {
  const Edges e = make_edges(50, 12, false);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n);
  const Tensor x = random_tensor({e.n, 4}, 51, -1, 1, kFloat32);
  manual_seed(52);
  Conv plain(GATConvOptions(4, 3).heads(2));
  manual_seed(52);
  Conv drop(GATConvOptions(4, 3).heads(2).dropout(0.5));
  randomise_biases(plain, 53);
  randomise_biases(drop, 53);
  const Tensor want = plain.forward(g, x);
  // Eval mode: dropout is off.
  drop.eval();
  EXPECT_TRUE(allclose(drop.forward(g, x), want, 0, 0)) << name;
  // Training: the same seed gives the same mask; another seed another one; the output changes.
  drop.train();
  manual_seed(7);
  const Tensor a = drop.forward(g, x);
  manual_seed(7);
  const Tensor b = drop.forward(g, x);
  manual_seed(8);
  const Tensor c = drop.forward(g, x);
  EXPECT_TRUE(allclose(a, b, 0, 0)) << name;
  EXPECT_GT(max_abs_diff(a, c), 1e-3) << name;
  EXPECT_GT(max_abs_diff(a, want), 1e-3) << name;
  // p = 1 drops every coefficient: only the bias is left.
  manual_seed(53);
  Conv all(GATConvOptions(4, 3).heads(2).dropout(1.0));
  randomise_biases(all, 54);
  const Tensor only_bias = all.forward(g, x);
  EXPECT_LE(max_abs_diff(only_bias, add(zeros({e.n, 6}), all.bias)), 0.0) << name;
}

TEST(GATConv, AttentionDropout) { check_dropout<GATConv>("GATConv"); }
TEST(GATv2Conv, AttentionDropout) { check_dropout<GATv2Conv>("GATv2Conv"); }

// ---------------------------------------------------------------- training

// Two attention layers (ELU between) trained with Adam on a small homophilous CSBM graph whose features alone are
// weak: test accuracy must end clearly above chance (1/3).
template <class Conv>
double train_csbm(uint64_t seed) {
  data::CsbmOptions co;
  co.num_nodes = 300;
  co.num_classes = 3;
  co.avg_degree = 8;
  co.homophily = 0.9;
  co.num_features = 8;
  co.signal = 0.6;
  co.train_per_class = 20;
  co.num_val = 30;
  co.seed = seed;
  const data::NodeDataset ds = data::make_csbm(co);
  const graph::Graph g = graph::Graph::from_edge_index(ds.edge_index, ds.num_nodes());
  manual_seed(seed);
  Conv l1(GATConvOptions(ds.num_features(), 8).heads(4).dropout(0.2));
  Conv l2(GATConvOptions(32, ds.num_classes).heads(1));
  std::vector<Tensor> params = l1.parameters();
  for (const Tensor& p : l2.parameters()) params.push_back(p);
  optim::Adam opt(params, optim::AdamOptions(0.01).weight_decay(5e-4));
  auto logits = [&]() { return l2.forward(g, elu(l1.forward(g, ds.x))); };
  for (int step = 0; step < 200; ++step) {
    opt.zero_grad();
    const Tensor loss = cross_entropy(index_select(logits(), ds.train_idx), index_select(ds.y, ds.train_idx));
    loss.backward();
    opt.step();
  }
  l1.eval();
  l2.eval();
  NoGradGuard no_grad;
  const auto pred = argmax(index_select(logits(), ds.test_idx), 1).template to_vector<int64_t>();
  const auto y = index_select(ds.y, ds.test_idx).template to_vector<int64_t>();
  int64_t hit = 0;
  for (size_t i = 0; i < y.size(); ++i) hit += pred[i] == y[i];
  return static_cast<double>(hit) / static_cast<double>(y.size());
}

TEST(GATConv, TrainsOnCsbm) {
  const double acc = train_csbm<GATConv>(3);
  EXPECT_GT(acc, 0.7) << "test accuracy " << acc;
}
TEST(GATv2Conv, TrainsOnCsbm) {
  const double acc = train_csbm<GATv2Conv>(3);
  EXPECT_GT(acc, 0.7) << "test accuracy " << acc;
}

// ---------------------------------------------------------------- CPU against CUDA

template <class Conv>
void check_cuda(const GATConvOptions& options, bool edge_features) {
  const Edges e = make_edges(60, 40, true);
  const Tensor ea = edge_features ? random_tensor({e.size(), options.edge_dim()}, 61, -1, 1, kFloat32) : Tensor();
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n, Tensor(), ea);
  const Tensor x = random_tensor({e.n, options.in_features()}, 62, -1, 1, kFloat32);
  manual_seed(63);
  Conv cpu(options);
  manual_seed(63);
  Conv gpu(options);
  randomise_biases(cpu, 64);
  randomise_biases(gpu, 64);
  gpu.to(kCUDA);
  const Tensor xc = x.clone().set_requires_grad(true), xg = x.cuda().set_requires_grad(true);
  const Tensor oc = cpu.forward(g, xc), og = gpu.forward(g.to(kCUDA), xg);
  EXPECT_TRUE(allclose(og.cpu(), oc, 1e-4, 1e-5)) << "max diff " << max_abs_diff(og.cpu(), oc);
  const Tensor dy = random_tensor(oc.shape(), 65, -1, 1, kFloat32);
  oc.backward(dy);
  og.backward(dy.cuda());
  EXPECT_TRUE(allclose(xg.grad().cpu(), xc.grad(), 1e-4, 1e-5)) << "x";
  const auto pc = cpu.named_parameters(), pg = gpu.named_parameters();
  for (size_t k = 0; k < pc.size(); ++k)
    EXPECT_TRUE(allclose(pg[k].second.grad().cpu(), pc[k].second.grad(), 1e-4, 1e-4))
        << pc[k].first << ": max diff " << max_abs_diff(pg[k].second.grad().cpu(), pc[k].second.grad());
}

TEST(GATConv, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  check_cuda<GATConv>(GATConvOptions(6, 5).heads(3), false);
  check_cuda<GATConv>(GATConvOptions(6, 5).heads(3).concat(false).edge_dim(4), true);
}
TEST(GATv2Conv, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  check_cuda<GATv2Conv>(GATConvOptions(6, 5).heads(3), false);
  check_cuda<GATv2Conv>(GATConvOptions(6, 40).heads(2).concat(false).share_weights(true), false);
}

// ---------------------------------------------------------------- errors

TEST(GATConv, Errors) {
  const Edges e = make_edges(70, 6, false);
  const graph::Graph g = graph::Graph::from_edge_index(edge_index(e), e.n);
  GATConv conv(GATConvOptions(3, 2));
  EXPECT_THAT([&] { conv.forward(g, random_tensor({6, 4}, 1, -1, 1, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("GATConv.forward: 'x' must be [N, 3], got [6, 4]")));
  EXPECT_THAT([&] { conv.forward(g, random_tensor({5, 3}, 1, -1, 1, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("'x' has 5 rows but the graph has 6 nodes")));
  EXPECT_THAT([&] { conv.forward(graph::Graph(), random_tensor({5, 3}, 1, -1, 1, kFloat32)); },
              ThrowsMessage<ValueError>(HasSubstr("GATConv.forward: the graph is undefined")));
  GATConv with_edges(GATConvOptions(3, 2).edge_dim(2));
  EXPECT_THAT([&] { with_edges.forward(g, random_tensor({6, 3}, 1, -1, 1, kFloat32)); },
              ThrowsMessage<ValueError>(HasSubstr("edge_dim is 2 but the graph has no edge features")));
  const graph::Graph g3 =
      graph::Graph::from_edge_index(edge_index(e), e.n, Tensor(), random_tensor({e.size(), 3}, 2, -1, 1, kFloat32));
  EXPECT_THAT([&] { with_edges.forward(g3, random_tensor({6, 3}, 1, -1, 1, kFloat32)); },
              ThrowsMessage<ShapeError>(HasSubstr("edge features must be [E, 2], got [")));
  EXPECT_THAT([] { GATConv(GATConvOptions(3, 2).heads(0)); },
              ThrowsMessage<ValueError>(HasSubstr("GATConv: heads must be positive, got 0")));
  EXPECT_THAT([] { GATConv(GATConvOptions(3, 2).dropout(1.5)); },
              ThrowsMessage<ValueError>(HasSubstr("dropout must be in [0, 1], got 1.5")));
  EXPECT_THAT([] { GATConv(GATConvOptions(3, 2).share_weights(true)); },
              ThrowsMessage<ValueError>(HasSubstr("share_weights applies to GATv2Conv only")));
}

TEST(GATv2Conv, Errors) {
  EXPECT_THAT([] { GATv2Conv(GATConvOptions(3, 2).edge_dim(4)); },
              ThrowsMessage<NotImplementedError>(HasSubstr("GATv2Conv: edge_dim = 4 is not supported")));
  EXPECT_THAT([] { GATv2Conv(GATConvOptions(0, 2)); },
              ThrowsMessage<ValueError>(HasSubstr("in_features and out_features must be positive")));
  const Edges e = make_edges(71, 6, false);
  GATv2Conv conv(GATConvOptions(3, 2));
  EXPECT_THAT([&] { conv.forward(graph::Graph::from_edge_index(edge_index(e), e.n), random_tensor({6, 2}, 1)); },
              ThrowsMessage<ShapeError>(HasSubstr("GATv2Conv.forward: 'x' must be [N, 3]")));
}

}  // namespace
}  // namespace loom
