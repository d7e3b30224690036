// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The full-adjacency loss: the all-pairs softplus sum as one recorded op with a blockwise backward (autograd over the
// blocks would keep every block's N x M scores alive until backward), and the sparse positive correction on top.
#include "loom/models/link_loss.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::models {

namespace {

int64_t rows_per_block(int64_t block_rows, int64_t m) {
  if (block_rows > 0) return block_rows;
  return std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(m, 1));
}

}  // namespace

Tensor pairwise_softplus_sum(const Tensor& a, const Tensor& b, int64_t block_rows) {
  const char* op = "pairwise_softplus_sum";
  LOOM_CHECK(a.defined() && b.defined() && a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(1), ShapeError, op,
             ": 'a' and 'b' must be [N, D] and [M, D], got ", a.defined() ? a.shape_str() : "undefined", " and ",
             b.defined() ? b.shape_str() : "undefined");
  LOOM_CHECK(block_rows >= 0, ValueError, op, ": 'block_rows' must be >= 0, got ", block_rows);
  const int64_t n = a.size(0), step = rows_per_block(block_rows, b.size(0));
  Tensor total;
  {
    NoGradGuard no_grad;
    const Tensor bt = transpose(b, 0, 1);
    total = zeros({}, a.dtype(), a.device());
    for (int64_t r = 0; r < n; r += step) {
      const Tensor s = matmul(a.narrow_rows(r, std::min(n, r + step)), bt);
      // softplus(s) is the cross-entropy of s against 0: its stable fused kernel, times the count for the sum.
      total = add(total, mul_scalar(binary_cross_entropy_with_logits(s, zeros_like(s)), static_cast<double>(s.numel())));
    }
  }
  const Tensor a0 = a.detach(), b0 = b.detach();
  autograd::record(op, {a, b}, total, [a0, b0, step](const Tensor& dy) {
    NoGradGuard no_grad;
    const double g = dy.item_double();
    const int64_t rows = a0.size(0);
    const Tensor bt = transpose(b0, 0, 1);
    std::vector<Tensor> da;
    Tensor db = zeros_like(b0);
    for (int64_t r = 0; r < rows; r += step) {
      const Tensor ab = a0.narrow_rows(r, std::min(rows, r + step));
      const Tensor p = mul_scalar(sigmoid(matmul(ab, bt)), g);  // d softplus(s) / ds = sigmoid(s)
      da.push_back(matmul(p, b0));
      db = add(db, matmul(transpose(p, 0, 1), ab));
    }
    return std::vector<Tensor>{da.empty() ? zeros_like(a0) : concat(da, 0), db};
  });
  return total;
}

double AdjacencyTargets::pos_weight() const {
  const double n2 = static_cast<double>(num_nodes) * static_cast<double>(num_nodes);
  return (n2 - static_cast<double>(num_edges)) / static_cast<double>(num_edges);
}

double AdjacencyTargets::norm() const {
  const double n2 = static_cast<double>(num_nodes) * static_cast<double>(num_nodes);
  return n2 / (2.0 * (n2 - static_cast<double>(num_edges)));
}

AdjacencyTargets adjacency_targets(const graph::Graph& g) {
  const int64_t n = g.num_nodes();
  LOOM_CHECK(n <= kFullLossMaxNodes, ValueError, "full adjacency loss: the graph has ", n, " nodes, so every epoch "
             "would score ", n, "^2 pairs; it is limited to ", kFullLossMaxNodes,
             " nodes (use the sampled loss, --link-loss sampled, on larger graphs)");
  NoGradGuard no_grad;
  const Tensor ei = g.edge_index().to(kCPU).to(kInt64);
  const std::vector<int64_t> e = ei.to_vector<int64_t>();
  const size_t k = e.size() / 2;
  std::vector<std::pair<int64_t, int64_t>> pairs;
  pairs.reserve(k + static_cast<size_t>(n));
  int64_t edges = 0;
  for (size_t i = 0; i < k; ++i) pairs.emplace_back(e[i], e[k + i]);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  for (const auto& [u, v] : pairs) edges += u != v;
  LOOM_CHECK(edges > 0, ValueError, "full adjacency loss: the graph has no edges (besides self loops) to reconstruct");
  // The labels are A + I: add the self loops the graph lacks (each pair once).
  for (int64_t i = 0; i < n; ++i) pairs.emplace_back(i, i);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<int64_t> idx(2 * pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    idx[i] = pairs[i].first;
    idx[pairs.size() + i] = pairs[i].second;
  }
  AdjacencyTargets t;
  t.pairs = from_vector<int64_t>(idx, {2, static_cast<int64_t>(pairs.size())}).to(g.device());
  t.num_nodes = n;
  t.num_edges = edges;
  return t;
}

Tensor full_adjacency_loss(const Tensor& z, const AdjacencyTargets& t, PairDecoder& decoder, int64_t block_rows) {
  LOOM_CHECK(z.defined() && z.dim() == 2 && z.size(0) == t.num_nodes, ShapeError,
             "full_adjacency_loss: 'z' must be [", t.num_nodes, ", D] (one row per node of the graph), got ",
             z.defined() ? z.shape_str() : "an undefined tensor");
  Tensor left = z;
  switch (decoder.kind()) {
    case LinkDecoder::kInnerProduct: break;
    case LinkDecoder::kDistMult: left = mul(z, decoder.relation().narrow_rows(0, 1)); break;
    case LinkDecoder::kMlp:
      throw ValueError("full adjacency loss: the mlp decoder scores pairs one by one, so all N^2 pairs cost an MLP "
                       "each; use inner_product or distmult with --link-loss full, or the sampled loss");
  }
  const double n2 = static_cast<double>(t.num_nodes) * static_cast<double>(t.num_nodes);
  const Tensor all = pairwise_softplus_sum(left, z, block_rows);
  const Tensor s = decoder.forward(z, t.pairs);
  const double p = static_cast<double>(s.numel());
  // Per positive, replace the negative-label term softplus(s) by pos_weight * softplus(-s).
  const Tensor as_positive = mul_scalar(binary_cross_entropy_with_logits(s, ones_like(s)), p * t.pos_weight());
  const Tensor as_negative = mul_scalar(binary_cross_entropy_with_logits(s, zeros_like(s)), p);
  return mul_scalar(add(all, sub(as_positive, as_negative)), t.norm() / n2);
}

}  // namespace loom::models
