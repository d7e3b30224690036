// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// An outside project: builds a Graph (two communities joined by one edge), trains a GCNConv for a few Adam steps
// through the installed headers and libraries, saves and reloads its weights, and fails unless the loss went down
// and the reload reproduces the predictions. Built twice: through find_package(loom) and through pkg-config.
#include <cstdio>
#include <vector>

#include <loom/core/nn.h>
#include <loom/core/ops.h>
#include <loom/core/optim.h>
#include <loom/core/random.h>
#include <loom/graph/graph.h>
#include <loom/layers/gcn_conv.h>

int main() {
  using namespace loom;
  manual_seed(42);
  // Nodes 0..31 form community 0, 32..63 community 1; each community is a ring, and one edge joins them.
  const int64_t n = 64, half = n / 2;
  std::vector<int64_t> src, dst;
  for (int64_t c = 0; c < 2; ++c) {
    for (int64_t i = 0; i < half; ++i) {
      const int64_t u = c * half + i, v = c * half + (i + 1) % half;
      src.insert(src.end(), {u, v});
      dst.insert(dst.end(), {v, u});
    }
  }
  src.insert(src.end(), {0, half});
  dst.insert(dst.end(), {half, 0});
  std::vector<int64_t> edges(src);
  edges.insert(edges.end(), dst.begin(), dst.end());
  const auto num_edges = static_cast<int64_t>(src.size());
  graph::Graph g = graph::Graph::from_edge_index(from_vector<int64_t>(edges, {2, num_edges}), n);

  // Noisy features whose mean depends on the community; labels are the community.
  std::vector<int64_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = i / half;
  Tensor y = from_vector<int64_t>(labels);
  Tensor x = add(randn({n, 4}), mul_scalar(y.to(kFloat32).view({n, 1}), 1.5));

  auto conv = std::make_shared<layers::GCNConv>(layers::GCNConvOptions(4, 2));
  optim::Adam opt(conv->parameters(), optim::AdamOptions(0.05));
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    Tensor loss = cross_entropy(conv->forward(g, x), y);
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item_double();
  }
  nn::save(*conv, "consumer_gcn.safetensors");
  auto again = std::make_shared<layers::GCNConv>(layers::GCNConvOptions(4, 2));
  nn::load(*again, "consumer_gcn.safetensors");
  const double diff = max_abs_diff(conv->forward(g, x), again->forward(g, x));
  std::printf("consumer: %s, GCNConv loss %.4f -> %.4f, reload max diff %g\n", g.str().c_str(), first, last, diff);
  if (!(last < first)) {
    std::fprintf(stderr, "consumer: the loss did not decrease (%.6f -> %.6f)\n", first, last);
    return 1;
  }
  if (diff != 0.0) {
    std::fprintf(stderr, "consumer: the reloaded GCNConv differs from the saved one by %g\n", diff);
    return 1;
  }
  return 0;
}
