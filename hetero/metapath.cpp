// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-path adjacency: the order of the chained products, the budget (every product is counted by the symbolic
// pass before its arrays exist), pruning to a per-row top k, and the memory accounting reported in the stats.
// On CUDA the counting, the intermediates and pruned products run on host copies for now (the device kernels of
// the two passes are the next step); an unpruned final product with kept self loops is cuSPARSE's (core spgemm).
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

#include "hetero/metapath_kernels.h"
#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::hetero {
namespace {

std::string mib(int64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

// split[i][j] (i < j): the last factor of the left part of the product of factors i..j.
using Splits = std::vector<std::vector<int>>;

// The parenthesisation with the least estimated work. A product of X (m x k, x non-zeros) and Y (k x n, y) costs
// about x y / k multiply-adds (each of X's entries meets a row of Y of mean length y / k) and has at most
// min(m n, x y / k) non-zeros; that estimate is exact in the mean for uniform patterns and good enough to see that
// APCPA is (AP PC)(CP PA): 20 conferences in the middle instead of a 4057 x 14328 author-paper intermediate.
Splits plan_order(const std::vector<Csr>& f, bool reorder) {
  const int n = static_cast<int>(f.size());
  Splits split(static_cast<size_t>(n), std::vector<int>(static_cast<size_t>(n), 0));
  if (!reorder) {
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j) split[i][j] = j - 1;
    return split;
  }
  std::vector<std::vector<double>> cost(n, std::vector<double>(n, 0.0)), nnz(n, std::vector<double>(n, 0.0));
  for (int i = 0; i < n; ++i) nnz[i][i] = static_cast<double>(f[i].nnz());
  for (int len = 2; len <= n; ++len) {
    for (int i = 0; i + len - 1 < n; ++i) {
      const int j = i + len - 1;
      cost[i][j] = std::numeric_limits<double>::infinity();
      const double rows = static_cast<double>(f[i].num_rows()), cols = static_cast<double>(f[j].num_cols());
      for (int s = i; s < j; ++s) {
        const double inner = std::max(1.0, static_cast<double>(f[s].num_cols()));
        const double work = nnz[i][s] * nnz[s + 1][j] / inner;
        const double c = cost[i][s] + cost[s + 1][j] + work;
        if (c < cost[i][j]) {  // strict: ties keep the leftmost split, so the order is deterministic
          cost[i][j] = c;
          split[i][j] = s;
          nnz[i][j] = std::min(rows * cols, work);
        }
      }
    }
  }
  return split;
}

class Builder {
 public:
  Builder(const HeteroGraph& g, const MetaPath& path, const MetaPathOptions& o) : g_(g), path_(path), o_(o) {
    LOOM_CHECK(o.topk() >= 0, ValueError, who(), ": topk must be >= 0, got ", o.topk());
    LOOM_CHECK(o.max_bytes() > 0, ValueError, who(), ": max_bytes must be > 0, got ", o.max_bytes());
    LOOM_CHECK(o.dtype() == kFloat32 || o.dtype() == kFloat64, DTypeError, who(),
               ": dtype must be float32 or float64, got ", dtype_name(o.dtype()));
    LOOM_CHECK(o.self_loops() == SelfLoops::kKeep || path.start_type() == path.end_type(), ValueError, who(),
               ": removing or adding self loops needs a meta-path that ends at its start type, but it goes from '",
               path.start_type(), "' to '", path.end_type(), "'");
    for (const EdgeType& et : path.relations) {
      LOOM_CHECK(g.has_relation(et), ValueError, who(), ": relation '", et.str(), "' is not in the graph");
      // The kernels read host arrays; on CUDA the relations are copied once (see the file comment).
      factors_.push_back(g.device().is_cuda() ? g.out_csr(et).to(kCPU) : g.out_csr(et));
      labels_.push_back(std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(et.src[0])))) +
                        static_cast<char>(std::toupper(static_cast<unsigned char>(et.dst[0]))));
    }
    split_ = plan_order(factors_, o.reorder());
    threads_ = oneapi::tbb::this_task_arena::max_concurrency();
    entry_bytes_ = 4 + static_cast<int64_t>(dtype_size(o.dtype())) + 8;  // index, value, edge id
  }

  MetaPathAdjacency build(bool size_only) {
    const int n = static_cast<int>(factors_.size());
    MetaPathAdjacency out;
    out.path = path_;
    stats_.order = order_str(0, n - 1);
    if (n == 1) {
      out.adjacency = single_relation(size_only);
    } else {
      out.adjacency = product(0, n - 1, /*root=*/true, size_only);
    }
    if (out.adjacency.defined()) {
      stats_.nnz = out.adjacency.nnz();
      stats_.bytes = csr_bytes(out.adjacency.num_rows(), out.adjacency.nnz());
    }
    out.stats = stats_;
    return out;
  }

 private:
  std::string who() const { return "metapath_adjacency('" + path_.name + "')"; }
  int64_t csr_bytes(int64_t rows, int64_t nnz) const { return (rows + 1) * 8 + nnz * entry_bytes_; }
  std::string order_str(int i, int j) const {
    if (i == j) return labels_[static_cast<size_t>(i)];
    const int s = split_[i][j];
    // Appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on "(" + a + " " + b + ")".
    std::string out = "(";
    out += order_str(i, s);
    out += ' ';
    out += order_str(s + 1, j);
    out += ')';
    return out;
  }
  std::string sub_name(int i, int j) const {
    std::string s = path_.relations[static_cast<size_t>(i)].src;
    for (int k = i; k <= j; ++k) s += "-" + path_.relations[static_cast<size_t>(k)].dst;
    return s;
  }
  void note_peak(int64_t bytes) { stats_.peak_bytes = std::max(stats_.peak_bytes, live_ + bytes); }

  // A one-relation meta-path is the relation itself, given the values and self-loop policy of a product.
  Csr single_relation(bool size_only) {
    const Csr& a = factors_[0];
    // Multiplying by the identity applies the same counting, pruning and self-loop rules as a real product.
    const int64_t m = a.num_cols();
    const Tensor ip = arange(m + 1, kInt64), ix = arange(m, kInt32);
    const Csr eye = Csr::from_arrays(ip, ix, m);
    factors_.push_back(eye);
    labels_.push_back("I");
    split_ = plan_order(factors_, false);
    return product(0, 1, true, size_only);
  }

  // The product of factors i..j: children first (their arrays stay live while this one is built), then the
  // symbolic pass, the budget, and the numeric pass.
  Csr product(int i, int j, bool root, bool size_only) {
    if (i == j) return factors_[static_cast<size_t>(i)];
    const int s = split_[i][j];
    const Csr left = product(i, s, false, false);
    const int64_t left_bytes = i == s ? 0 : csr_bytes(left.num_rows(), left.nnz());
    live_ += left_bytes;
    const Csr right = product(s + 1, j, false, false);
    const int64_t right_bytes = s + 1 == j ? 0 : csr_bytes(right.num_rows(), right.nnz());
    live_ += right_bytes;

    const int64_t m = left.num_rows(), ncols = right.num_cols();
    const bool split_diag = root && o_.self_loops() != SelfLoops::kKeep;
    std::vector<int64_t> distinct(static_cast<size_t>(m));
    std::vector<uint8_t> diag(static_cast<size_t>(m), 0);
    const int64_t count_bytes = m * 9 + threads_ * ncols * 8;
    note_peak(count_bytes);
    detail::product_count_cpu(left, right, split_diag, distinct.data(), diag.data());

    const SelfLoops policy = root ? o_.self_loops() : SelfLoops::kKeep;
    const auto bytes_for = [&](int64_t k) {
      int64_t entries = 0;
      for (int64_t d : distinct) entries += detail::kept_per_row(d, policy, k);
      return std::pair<int64_t, int64_t>{entries, csr_bytes(m, entries)};
    };
    const auto [full_nnz, full_bytes] = bytes_for(0);
    int64_t k = root ? o_.topk() : 0;
    if (root) {
      stats_.full_nnz = full_nnz;
      stats_.full_bytes = full_bytes;
    }
    const std::string what = root ? "the adjacency" : "the intermediate product " + sub_name(i, j);
    if (bytes_for(k).second > o_.max_bytes()) {
      const std::string size = loom::detail::str_cat(what, " (", m, " x ", ncols, ") would have ", bytes_for(k).first,
                                               " non-zeros, ", mib(bytes_for(k).second), ", over the budget of ",
                                               mib(o_.max_bytes()));
      LOOM_CHECK(root && o_.over_budget() == OverBudget::kPrune, ValueError, who(), ": ", size,
                 root ? " (raise MetaPathOptions::max_bytes, set topk, or prune with over_budget(kPrune))"
                      : " (intermediate products are never pruned: raise MetaPathOptions::max_bytes)");
      // The largest k that fits: bytes grow with k, so bisect over [1, the longest row].
      int64_t lo = 1, hi = std::max<int64_t>(1, *std::max_element(distinct.begin(), distinct.end()));
      if (k > 0) hi = std::min(hi, k);
      LOOM_CHECK(bytes_for(lo).second <= o_.max_bytes(), ValueError, who(), ": ", size,
                 ", and even one entry per row takes ", mib(bytes_for(lo).second), " (raise max_bytes)");
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo + 1) / 2;
        if (bytes_for(mid).second <= o_.max_bytes()) lo = mid; else hi = mid - 1;
      }
      k = lo;
    }
    if (root) {
      const int64_t longest = distinct.empty() ? 0 : *std::max_element(distinct.begin(), distinct.end());
      stats_.topk = k > 0 && k < longest ? k : 0;  // a k no row exceeds prunes nothing
    }
    if (size_only && root) {
      stats_.nnz = bytes_for(k).first;
      stats_.bytes = bytes_for(k).second;
      live_ -= left_bytes + right_bytes;
      return Csr();
    }

    Tensor indptr = empty({m + 1}, kInt64);
    int64_t* ip = indptr.data<int64_t>();
    ip[0] = 0;
    for (int64_t r = 0; r < m; ++r) ip[r + 1] = ip[r] + detail::kept_per_row(distinct[static_cast<size_t>(r)], policy, k);
    const int64_t out_bytes = csr_bytes(m, ip[m]);
    note_peak(count_bytes + out_bytes + threads_ * ncols * (8 + static_cast<int64_t>(dtype_size(o_.dtype())) + 4));
    Csr c;
    if (root && g_.device().is_cuda() && policy == SelfLoops::kKeep && k == 0) {
      c = device_product(left, right);
    } else {
      detail::ProductArrays r = detail::product_fill_cpu(left, right, indptr, policy, split_diag, k, o_.dtype());
      c = Csr::from_arrays(r.indptr, r.indices, ncols, r.values);
      if (root && g_.device().is_cuda()) c = c.to(g_.device());
    }
    live_ -= left_bytes + right_bytes;
    return c;
  }

  // cuSPARSE through core's spgemm, on operands given the result's value dtype.
  Csr device_product(const Csr& left, const Csr& right) const {
    const auto valued = [&](const Csr& x) {
      const Csr d = x.to(g_.device());
      return d.values().defined() ? d : d.with_values(ones({d.nnz()}, o_.dtype(), g_.device()));
    };
    return spgemm(valued(left), valued(right));
  }

  const HeteroGraph& g_;
  const MetaPath& path_;
  const MetaPathOptions& o_;
  std::vector<Csr> factors_;
  std::vector<std::string> labels_;
  Splits split_;
  int64_t threads_ = 1, entry_bytes_ = 16, live_ = 0;
  MetaPathStats stats_;
};

}  // namespace

MetaPathAdjacency metapath_adjacency(const HeteroGraph& g, const MetaPath& path, const MetaPathOptions& options) {
  NoGradGuard no_grad;
  return Builder(g, path, options).build(false);
}

MetaPathStats metapath_size(const HeteroGraph& g, const MetaPath& path, const MetaPathOptions& options) {
  NoGradGuard no_grad;
  return Builder(g, path, options).build(true).stats;
}

}  // namespace loom::hetero
