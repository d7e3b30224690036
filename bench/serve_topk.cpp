// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_serve_topk: top-k retrieval with loom::serve on random embeddings: exact batched QPS (all cores; the GPU
// path too on CUDA builds with a device), single-query p50/p99 on one core, and HNSW p50/p99 with recall@k against
// exact. Prints one JSON line per measurement.
// Batched lines are the median of --reps timed calls after one full-size warm-up call (allocations, library
// handles), as bench/torch_topk.py measures its side.
//   bench_serve_topk [--items 1000000] [--dim 64] [--k 10] [--batch 1024] [--reps 5] [--queries 200] [--hnsw-items N]
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/device.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/serve/index.h"

namespace {

using Clock = std::chrono::steady_clock;
using loom::serve::EmbeddingIndex;
using loom::serve::EmbeddingTables;

// Items around 64 centres (as trained embeddings cluster), users near them; no seen items.
EmbeddingTables tables(int64_t users, int64_t items, int64_t dim, uint64_t seed) {
  EmbeddingTables t;
  t.dim = dim;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> centres(static_cast<size_t>(64 * dim));
  for (float& c : centres) c = n(rng);
  const auto fill = [&](std::vector<float>& v, int64_t rows) {
    v.resize(static_cast<size_t>(rows * dim));
    for (int64_t r = 0; r < rows; ++r) {
      const size_t c = rng() % 64;
      for (int64_t d = 0; d < dim; ++d) v[r * dim + d] = centres[c * dim + d] + 0.5f * n(rng);
    }
  };
  fill(t.user_embeddings, users);
  fill(t.item_embeddings, items);
  for (int64_t u = 0; u < users; ++u) t.user_ids.push_back(u);
  for (int64_t i = 0; i < items; ++i) t.item_ids.push_back(i);
  return t;
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// p50 and p99 of one-user queries.
std::pair<double, double> latencies(const EmbeddingIndex& index, int64_t queries, int64_t k) {
  std::vector<double> ms;
  for (int64_t q = 0; q < queries; ++q) {
    const auto t0 = Clock::now();
    (void)index.recommend(q % index.num_users(), k);
    ms.push_back(ms_since(t0));
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

// Where the device path's time goes: one [batch, block] score matrix by matmul, then topk over its rows, each timed
// alone (median of reps, synchronized), on random tensors of the same shapes.
void device_breakdown(int64_t batch, int64_t block, int64_t dim, int64_t k, int64_t reps) {
  using namespace loom;
  NoGradGuard no_grad;
  manual_seed(3);
  const Tensor q = randn({batch, dim}).to(kCUDA), items = randn({dim, block}).to(kCUDA);
  const auto median_ms = [&](auto&& fn) {
    fn();
    cuda::synchronize();
    std::vector<double> ms;
    for (int64_t r = 0; r < reps; ++r) {
      const auto t0 = Clock::now();
      fn();
      cuda::synchronize();
      ms.push_back(ms_since(t0));
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
  };
  const Tensor scores = matmul(q, items);
  const double mm = median_ms([&] { (void)matmul(q, items); });
  const double sel = median_ms([&] { (void)topk(scores, k); });
  std::printf("{\"workload\":\"serve_topk_breakdown\",\"impl\":\"exact_cuda\",\"batch\":%lld,\"block\":%lld,"
              "\"dim\":%lld,\"k\":%lld,\"matmul_ms\":%.3f,\"topk_ms\":%.3f}\n",
              static_cast<long long>(batch), static_cast<long long>(block), static_cast<long long>(dim),
              static_cast<long long>(k), mm, sel);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"top-k retrieval over an embedding catalogue with loom::serve"};
  int64_t items = 1000000, dim = 64, k = 10, batch = 1024, reps = 5, queries = 200, hnsw_items = -1;
  int hnsw_m = 16, ef_construction = 200, ef_search = 64;
  app.add_option("--items", items);
  app.add_option("--dim", dim);
  app.add_option("--k", k);
  app.add_option("--batch", batch, "users per batched call");
  app.add_option("--reps", reps, "timed batched calls (the median is printed)")->check(CLI::PositiveNumber);
  app.add_option("--queries", queries, "single-user queries timed for the percentiles");
  app.add_option("--hnsw-items", hnsw_items, "catalogue size for the HNSW runs (default: --items; 0 skips them)");
  app.add_option("--hnsw-m", hnsw_m);
  app.add_option("--ef-construction", ef_construction);
  app.add_option("--ef-search", ef_search);
  CLI11_PARSE(app, argc, argv);
  if (hnsw_items < 0) hnsw_items = items;
  const int64_t users = std::max(batch, queries);
  std::printf("{\"env\":true,\"threads\":%d,\"cuda\":%s,\"hnsw\":%s}\n",
              oneapi::tbb::info::default_concurrency(), loom::cuda::is_available() ? "true" : "false",
              EmbeddingIndex::has_hnsw() ? "true" : "false");

  const EmbeddingIndex exact(tables(users, items, dim, 1));
  std::vector<int64_t> ids(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) ids[static_cast<size_t>(i)] = i;
  const auto batched = [&](const EmbeddingIndex& index, const char* impl) {
    (void)index.recommend_batch(ids, k);  // warm-up at full size
    std::vector<double> times;
    for (int64_t r = 0; r < reps; ++r) {
      const auto t0 = Clock::now();
      (void)index.recommend_batch(ids, k);
      times.push_back(ms_since(t0));
    }
    std::sort(times.begin(), times.end());
    const double ms = times[times.size() / 2];
    std::printf("{\"workload\":\"serve_topk_batch\",\"impl\":\"%s\",\"items\":%lld,\"dim\":%lld,\"k\":%lld,"
                "\"batch\":%lld,\"reps\":%lld,\"ms\":%.1f,\"qps\":%.1f}\n",
                impl, static_cast<long long>(items), static_cast<long long>(dim), static_cast<long long>(k),
                static_cast<long long>(batch), static_cast<long long>(reps), ms, 1000.0 * static_cast<double>(batch) / ms);
  };
  batched(exact, "exact_cpu");
  if (loom::cuda::is_available()) {
    loom::serve::IndexOptions o;
    o.exact_path = loom::serve::ExactPath::kCuda;
    batched(EmbeddingIndex(exact.tables(), o), "exact_cuda");
    device_breakdown(std::min<int64_t>(batch, 1024), std::min<int64_t>(items, o.device_item_block), dim, k, reps);
  }
  {
    oneapi::tbb::global_control one_core(oneapi::tbb::global_control::max_allowed_parallelism, 1);
    const auto [p50, p99] = latencies(exact, queries, k);
    std::printf("{\"workload\":\"serve_topk_single\",\"impl\":\"exact_cpu_1core\",\"items\":%lld,\"dim\":%lld,"
                "\"k\":%lld,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
                static_cast<long long>(items), static_cast<long long>(dim), static_cast<long long>(k), p50, p99);
  }
  if (hnsw_items > 0 && EmbeddingIndex::has_hnsw()) {
    loom::serve::IndexOptions o;
    o.approximate = true;
    o.hnsw_m = hnsw_m;
    o.ef_construction = ef_construction;
    o.ef_search = ef_search;
    const auto t0 = Clock::now();
    const EmbeddingIndex approx(tables(users, hnsw_items, dim, 1), o);
    const double build_s = ms_since(t0) / 1000.0;
    double p50 = 0, p99 = 0;
    {
      oneapi::tbb::global_control one_core(oneapi::tbb::global_control::max_allowed_parallelism, 1);
      std::tie(p50, p99) = latencies(approx, queries, k);
    }
    const double recall = approx.recall_at_k(k, std::min<int64_t>(queries, users), 7);
    std::printf("{\"workload\":\"serve_topk_single\",\"impl\":\"hnsw_1core\",\"items\":%lld,\"dim\":%lld,\"k\":%lld,"
                "\"m\":%d,\"ef_construction\":%d,\"ef_search\":%d,\"build_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                "\"recall_at_k\":%.4f}\n",
                static_cast<long long>(hnsw_items), static_cast<long long>(dim), static_cast<long long>(k), hnsw_m,
                ef_construction, ef_search, build_s, p50, p99, recall);
  }
  return 0;
}
