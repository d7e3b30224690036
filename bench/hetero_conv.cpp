// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Relation-grouped convolution (issue 17): a 2-layer heterogeneous GraphSAGE (HeteroConv of BipartiteSAGEConv per
// relation, mean neighbour aggregation, sum across relations, ReLU between the layers) on the seeded synthetic typed
// graph of loom/hetero/generate.h (default 1M nodes of 3 types, 20M edges over 6 relations), forward and
// forward+backward timed, one JSON line per path: "fused" (one g-SpMM + one grouped GEMM per destination type) and
// "loop" (one layer call per relation). --verify compares the two paths' outputs first. --write-npy DIR writes the
// graph and features for bench/pyg_heteroconv.py (PyG's HeteroConv + SAGEConv on the same graph).
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench/common.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/hetero/conv.h"
#include "loom/hetero/generate.h"
#include "loom/hetero/relation_layers.h"

using namespace loom;

namespace {

std::shared_ptr<hetero::HeteroConv> layer(const hetero::HeteroGraph& g, int64_t in, int64_t out, bool fused) {
  std::vector<std::pair<hetero::EdgeType, std::shared_ptr<nn::Module>>> convs;
  for (const hetero::EdgeType& et : g.relations()) {
    convs.emplace_back(et, std::make_shared<hetero::BipartiteSAGEConv>(hetero::BipartiteSAGEConvOptions(in, in, out)));
  }
  return std::make_shared<hetero::HeteroConv>(convs, hetero::HeteroConvOptions().fused(fused));
}

struct Model {
  std::shared_ptr<hetero::HeteroConv> conv1, conv2;
  hetero::TypeTensors forward(const hetero::HeteroGraph& g, const hetero::TypeTensors& x) {
    hetero::TypeTensors h = conv1->forward(g, x);
    for (auto& [t, v] : h) v = relu(v);
    return conv2->forward(g, h);
  }
};

// sum over types of mean(y^2): the objective bench/pyg_heteroconv.py uses.
Tensor objective(const hetero::TypeTensors& y) {
  Tensor loss;
  for (const auto& [t, v] : y) {
    const Tensor l = mean(mul(v, v));
    loss = loss.defined() ? add(loss, l) : l;
  }
  return loss;
}

double max_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"2-layer relation-grouped SAGE forward+backward on a synthetic typed graph (Loom)"};
  int64_t nodes = 1000000, edges = 20000000, features = 64, hidden = 64, out = 64;
  uint64_t seed = 0;
  int warmup = 1, reps = 5;
  std::string device_name = "cpu", impl = "both", write_npy;
  bool verify = false;
  app.add_option("--nodes", nodes, "nodes over the 3 types (50/30/20%)");
  app.add_option("--edges", edges, "edges over the 6 relations");
  app.add_option("--features", features);
  app.add_option("--hidden", hidden);
  app.add_option("--out", out);
  app.add_option("--seed", seed);
  app.add_option("--device", device_name, "cpu or cuda");
  app.add_option("--impl", impl, "fused, loop, both, or none (only generate / write the graph)");
  app.add_option("--warmup", warmup);
  app.add_option("--reps", reps);
  app.add_flag("--verify", verify, "compare the fused and loop outputs before timing");
  app.add_option("--write-npy", write_npy, "write the graph as DIR/<src>__<rel>__<dst>.npy (int64 [2, E]) and "
                                           "DIR/x_<type>.npy (float32) for bench/pyg_heteroconv.py, then continue");
  CLI11_PARSE(app, argc, argv);
  const Device device = device_name == "cuda" ? kCUDA : kCPU;

  const auto t0 = std::chrono::steady_clock::now();
  hetero::HeteroGraph g = hetero::random_hetero_graph(hetero::benchmark_hetero_spec(nodes, edges, features, seed));
  const double gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!write_npy.empty()) {
    std::filesystem::create_directories(write_npy);
    for (const hetero::EdgeType& et : g.relations()) {
      // In Csr order (grouped by destination): the same edges, and the same multiset per destination, as generated.
      const Csr& in = g.in_csr(et);
      const Tensor dst = in.row_index().to(kInt64), src = in.indices().to(kInt64);
      data::write_npy(write_npy + "/" + et.str() + ".npy", concat({src.view({1, -1}), dst.view({1, -1})}, 0));
    }
    std::ofstream meta(write_npy + "/types.txt");
    for (const std::string& t : g.node_types()) {
      data::write_npy(write_npy + "/x_" + t + ".npy", g.features(t));
      meta << t << " " << g.num_nodes(t) << "\n";
    }
  }
  g = g.to(device);
  hetero::TypeTensors x;
  for (const std::string& t : g.node_types()) x[t] = g.features(t);
  std::printf("{\"env\":\"loom\",\"device\":\"%s\",\"graph\":\"%s\",\"generate_s\":%.2f}\n", device_name.c_str(),
              g.str().c_str(), gen_s);
  std::fflush(stdout);

  manual_seed(seed);
  Model fused{layer(g, features, hidden, true), layer(g, hidden, out, true)};
  Model loop{layer(g, features, hidden, false), layer(g, hidden, out, false)};
  loop.conv1->load_state_dict(fused.conv1->state_dict());
  loop.conv2->load_state_dict(fused.conv2->state_dict());
  for (Model* m : {&fused, &loop}) {
    m->conv1->to(device);
    m->conv2->to(device);
  }
  if (verify) {
    NoGradGuard no_grad;
    const hetero::TypeTensors a = fused.forward(g, x), b = loop.forward(g, x);
    double worst = 0;
    for (const auto& [t, v] : a) worst = std::max(worst, max_abs_diff(v, b.at(t)));
    std::printf("{\"verify\":\"fused_vs_loop\",\"max_abs_diff\":%.3g,\"ok\":%s}\n", worst, worst < 1e-3 ? "true" : "false");
    if (worst >= 1e-3) return 1;
  }
  for (const char* name : {"fused", "loop"}) {
    if (impl != "both" && impl != name) continue;
    Model& m = std::string(name) == "fused" ? fused : loop;
    const bench::Timing fwd = bench::timed(
        [&] {
          NoGradGuard no_grad;
          m.forward(g, x);
        },
        device, warmup, reps);
    const bench::Timing train = bench::timed(
        [&] {
          m.conv1->zero_grad();
          m.conv2->zero_grad();
          objective(m.forward(g, x)).backward();
        },
        device, warmup, reps);
    std::printf("{\"workload\":\"hetero_sage_2layer\",\"impl\":\"loom_%s\",\"device\":\"%s\",\"nodes\":%lld,"
                "\"edges\":%lld,\"F\":%lld,\"hidden\":%lld,\"out\":%lld,\"fwd_ms\":%.2f,\"ms\":%.2f,\"peak_mib\":%.1f,"
                "\"max_rss_mib\":%.1f}\n",
                name, device_name.c_str(), static_cast<long long>(nodes), static_cast<long long>(edges),
                static_cast<long long>(features), static_cast<long long>(hidden), static_cast<long long>(out), fwd.ms,
                train.ms, train.peak_mib, max_rss_mib());
    std::fflush(stdout);
  }
  return 0;
}
