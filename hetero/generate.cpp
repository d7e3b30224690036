// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Seeded synthetic typed graphs: one splitmix64 stream per relation and per feature matrix, filled in parallel
// blocks whose values depend only on (seed, stream, index), never on the thread count.
#include "loom/hetero/generate.h"

#include <cmath>

#include "core/detail/parallel.h"
#include "loom/core/error.h"

namespace loom::hetero {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
// The i-th uniform of stream s in [0, 1).
double uniform(uint64_t seed, uint64_t s, uint64_t i) {
  return static_cast<double>(splitmix64(splitmix64(seed ^ (s * 0xD1B54A32D192ED03ull)) + i) >> 11) * 0x1.0p-53;
}
int64_t below(double u, int64_t n) { return std::min(n - 1, static_cast<int64_t>(u * static_cast<double>(n))); }

}  // namespace

HeteroGraph random_hetero_graph(const RandomHeteroSpec& spec) {
  HeteroGraph g;
  uint64_t stream = 1;
  for (const auto& [name, n] : spec.node_types) {
    g.add_node_type(name, n);
    if (spec.features > 0) {
      const int64_t f = spec.features;
      Tensor x = empty({n, f});
      float* px = x.data<float>();
      const uint64_t s = stream++;
      detail::parallel_for(n * f, 1 << 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) px[i] = static_cast<float>(2.0 * uniform(spec.seed, s, i) - 1.0);
      });
      g.set_features(name, x);
    }
  }
  for (const auto& [et, e] : spec.relations) {
    const int64_t ns = g.num_nodes(et.src), nd = g.num_nodes(et.dst);
    LOOM_CHECK(e == 0 || (ns > 0 && nd > 0), ValueError, "random_hetero_graph: relation ", et.str(), " has ", e,
               " edges but its node types have ", ns, " and ", nd, " nodes");
    Tensor ei = empty({2, e}, kInt64);
    int64_t* p = ei.data<int64_t>();
    const uint64_t s = stream++;
    detail::parallel_for(e, 1 << 14, [&](int64_t b, int64_t end) {
      for (int64_t k = b; k < end; ++k) {
        p[k] = below(uniform(spec.seed, s, 2 * k), ns);
        const double u = uniform(spec.seed, s, 2 * k + 1);
        p[e + k] = below(u * u, nd);
      }
    });
    g.add_relation(et, ei);
  }
  return g;
}

RandomHeteroSpec benchmark_hetero_spec(int64_t num_nodes, int64_t num_edges, int64_t features, uint64_t seed) {
  RandomHeteroSpec s;
  const int64_t a = num_nodes / 2, p = num_nodes * 3 / 10, v = num_nodes - a - p;
  s.node_types = {{"author", a}, {"paper", p}, {"venue", v}};
  const int64_t per = num_edges / 6;
  s.relations = {{{"author", "cites", "author"}, per},       {{"paper", "written_by", "author"}, per},
                 {{"author", "writes", "paper"}, per},       {{"venue", "publishes", "paper"}, per},
                 {{"paper", "appears_in", "venue"}, per},    {{"author", "attends", "venue"}, num_edges - 5 * per}};
  s.features = features;
  s.seed = seed;
  return s;
}

}  // namespace loom::hetero
