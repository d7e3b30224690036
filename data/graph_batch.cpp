// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// GraphBatch::build copies slices of the data set's global in-edge Csr (a graph's rows and entries are
// contiguous there), so batching is memcpy-shaped and never sorts; GraphLoader runs it on a background thread with
// a bounded queue.
#include "loom/data/graph_batch.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::data {

GraphBatch GraphBatch::to(Device device) const {
  GraphBatch b;
  b.csr = csr.to(device);
  b.x = x.to(device);
  if (edge_attr.defined()) b.edge_attr = edge_attr.to(device);
  b.graph_ptr = graph_ptr.to(device);
  b.batch = batch.to(device);
  b.y = y.to(device);
  b.graph_ids = graph_ids.to(device);
  return b;
}

GraphBatch GraphBatch::build(const GraphDataset& d, const std::vector<int64_t>& graphs) {
  LOOM_CHECK(d.csr.defined(), ValueError, "GraphBatch::build: the data set has no index (call index_graphs)");
  const int64_t g_all = d.num_graphs(), b = static_cast<int64_t>(graphs.size()), f = d.num_features();
  const int64_t* gp = d.graph_ptr.data<int64_t>();
  const int64_t* indptr = d.csr.indptr().data<int64_t>();
  const int32_t* indices = d.csr.indices().data<int32_t>();
  int64_t n = 0, e = 0;
  for (int64_t k = 0; k < b; ++k) {
    const int64_t g = graphs[k];
    LOOM_CHECK(g >= 0 && g < g_all, IndexError, "GraphBatch::build: graphs[", k, "] = ", g, " is out of range for ",
               g_all, " graphs");
    n += gp[g + 1] - gp[g];
    e += indptr[gp[g + 1]] - indptr[gp[g]];
  }
  LOOM_CHECK(n < (int64_t{1} << 31), ValueError, "GraphBatch::build: ", n, " nodes exceed the int32 Csr indices");
  GraphBatch out;
  Tensor ptr = empty({b + 1}, kInt64), ids = empty({b}, kInt64), y = empty({b}, kInt64);
  Tensor batch = empty({n}, kInt64), rowptr = empty({n + 1}, kInt64), cols = empty({e}, kInt32);
  Tensor x = empty({n, f});
  const int64_t da = d.edge_attr.defined() ? d.edge_attr.size(1) : 0;
  Tensor ea = d.edge_attr.defined() ? empty({e, da}) : Tensor();
  int64_t *pp = ptr.data<int64_t>(), *pb = batch.data<int64_t>(), *pr = rowptr.data<int64_t>();
  int32_t* pc = cols.data<int32_t>();
  const int64_t* yall = d.y.data<int64_t>();
  const int64_t* eids = d.csr.edge_ids().data<int64_t>();
  const float* xall = d.x.data<float>();
  int64_t node = 0, edge = 0;
  pp[0] = 0;
  pr[0] = 0;
  for (int64_t k = 0; k < b; ++k) {
    const int64_t g = graphs[k], lo = gp[g], hi = gp[g + 1], shift = node - lo;
    ids.data<int64_t>()[k] = g;
    y.data<int64_t>()[k] = yall[g];
    std::memcpy(x.data<float>() + node * f, xall + lo * f, static_cast<size_t>((hi - lo) * f) * sizeof(float));
    const int64_t e_lo = indptr[lo], e_hi = indptr[hi];
    for (int64_t v = lo; v < hi; ++v) pr[v + shift + 1] = indptr[v + 1] - e_lo + edge;
    for (int64_t j = e_lo; j < e_hi; ++j) pc[edge + j - e_lo] = static_cast<int32_t>(indices[j] + shift);
    if (ea.defined()) {
      const float* src = d.edge_attr.data<float>();
      float* dst = ea.data<float>();
      for (int64_t j = e_lo; j < e_hi; ++j)
        std::memcpy(dst + (edge + j - e_lo) * da, src + eids[j] * da, static_cast<size_t>(da) * sizeof(float));
    }
    std::fill(pb + node, pb + node + (hi - lo), k);
    node += hi - lo;
    edge += e_hi - e_lo;
    pp[k + 1] = node;
  }
  out.csr = Csr::from_arrays(rowptr, cols, n);
  out.x = x;
  out.edge_attr = ea;
  out.graph_ptr = ptr;
  out.batch = batch;
  out.y = y;
  out.graph_ids = ids;
  return out;
}

GraphLoader::GraphLoader(const GraphDataset& d, std::vector<int64_t> indices, GraphLoaderOptions o)
    : d_(d), indices_(std::move(indices)), o_(o) {
  LOOM_CHECK(o_.batch_size >= 1, ValueError, "GraphLoader: batch_size must be >= 1, got ", o_.batch_size);
  LOOM_CHECK(o_.prefetch >= 0, ValueError, "GraphLoader: prefetch must be >= 0, got ", o_.prefetch);
  LOOM_CHECK(!indices_.empty(), ValueError, "GraphLoader: no graphs to load");
  LOOM_CHECK(batches_per_epoch() >= 1, ValueError, "GraphLoader: ", indices_.size(),
             " graphs make no full batch of ", o_.batch_size, " with drop_last");
  for (size_t k = 0; k < indices_.size(); ++k)
    LOOM_CHECK(indices_[k] >= 0 && indices_[k] < d_.num_graphs(), IndexError, "GraphLoader: indices[", k, "] = ",
               indices_[k], " is out of range for ", d_.num_graphs(), " graphs");
  if (o_.prefetch > 0) worker_ = std::thread([this] { produce(); });
}

GraphLoader::~GraphLoader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

int64_t GraphLoader::batches_per_epoch() const {
  const auto n = static_cast<int64_t>(indices_.size());
  return o_.drop_last ? n / o_.batch_size : (n + o_.batch_size - 1) / o_.batch_size;
}

GraphBatch GraphLoader::make(int64_t idx) {
  const int64_t per = batches_per_epoch(), epoch = idx / per, pos = idx % per;
  if (epoch != order_epoch_) {
    order_ = indices_;
    order_epoch_ = epoch;
    if (o_.shuffle) {
      // A generator per epoch seeded from (seed, epoch): the order does not depend on who asked first.
      std::seed_seq seq{static_cast<uint32_t>(o_.seed), static_cast<uint32_t>(o_.seed >> 32),
                        static_cast<uint32_t>(epoch), static_cast<uint32_t>(epoch >> 32)};
      std::mt19937_64 rng(seq);
      std::shuffle(order_.begin(), order_.end(), rng);
    }
  }
  const std::vector<int64_t>& order = order_;
  const int64_t lo = pos * o_.batch_size, hi = std::min<int64_t>(lo + o_.batch_size, static_cast<int64_t>(order.size()));
  return GraphBatch::build(d_, std::vector<int64_t>(order.begin() + lo, order.begin() + hi));
}

void GraphLoader::produce() {
  for (int64_t idx = 0;; ++idx) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || static_cast<int>(ready_.size()) < o_.prefetch; });
      if (stop_) return;
    }
    GraphBatch b;
    try {
      b = make(idx);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::current_exception();
      cv_.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.push_back(std::move(b));
    }
    cv_.notify_all();
  }
}

GraphBatch GraphLoader::next() {
  GraphBatch b = take();
  return o_.device.is_cpu() ? b : b.to(o_.device);
}

GraphBatch GraphLoader::take() {
  if (o_.prefetch == 0) return make(next_++);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !ready_.empty() || error_ != nullptr; });
  if (ready_.empty()) std::rethrow_exception(error_);
  GraphBatch b = std::move(ready_.front());
  ready_.pop_front();
  ++next_;
  lock.unlock();
  cv_.notify_all();
  return b;
}

}  // namespace loom::data
