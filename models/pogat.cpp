// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// POGAT: ontology subgraphs sampled on the host, type-preserving perturbation, a GATConv stack over the batch of
// subgraphs with the relation as an edge feature, and the bilinear real/perturbed discriminator. After the method
// note; the paper's body was not available (see pogat.h for what is our reading).
#include "loom/models/pogat.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <unordered_map>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/message.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/graph/graph.h"

namespace loom::models {

namespace {

std::vector<int64_t> host_i64(const Tensor& t) { return t.to(kCPU).to(kInt64).to_vector<int64_t>(); }

// splitmix64: a well-mixed stream seed per (seed, key), so that a subgraph does not depend on its batch.
uint64_t mix(uint64_t seed, uint64_t key) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (key + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t uniform(std::mt19937_64& rng, int64_t n) {  // in [0, n), n >= 1
  return static_cast<int64_t>(std::uniform_int_distribution<uint64_t>(0, static_cast<uint64_t>(n - 1))(rng));
}

}  // namespace

// ---------------------------------------------------------------- sampler

OntologySampler::OntologySampler(const hetero::HeteroGraph& g, const std::string& target) : target_(target) {
  types_ = g.node_types();
  LOOM_CHECK(types_.size() >= 2, ValueError, "POGAT needs a heterogeneous graph (two node types or more); this one has ",
             types_.size(), " node type(s)");
  LOOM_CHECK(g.has_node_type(target), ValueError, "POGAT: the graph has no node type '", target, "' (it has ",
             [&] {
               std::string s;
               for (const std::string& t : types_) s += (s.empty() ? "" : ", ") + t;
               return s;
             }(),
             ")");
  auto index = [&](const std::string& t) {
    return static_cast<int64_t>(std::find(types_.begin(), types_.end(), t) - types_.begin());
  };
  for (const std::string& t : types_) counts_.push_back(g.num_nodes(t));
  target_type_ = index(target);
  // The hub: the type adjacent to the most relations (either end; a self-relation counts once); ties to the first.
  std::vector<int64_t> adjacent(types_.size(), 0);
  for (const hetero::EdgeType& et : g.relations()) {
    const int64_t s = index(et.src), d = index(et.dst);
    ++adjacent[static_cast<size_t>(s)];
    if (d != s) ++adjacent[static_cast<size_t>(d)];
    Relation r{s, d, {}, {}};
    const Csr& out = g.out_csr(et);
    const Csr& in = g.in_csr(et);
    r.out = {host_i64(out.indptr()), host_i64(out.indices())};
    r.in = {host_i64(in.indptr()), host_i64(in.indices())};
    relations_.push_back(std::move(r));
  }
  LOOM_CHECK(!relations_.empty(), ValueError, "POGAT: the graph has no relations, so no ontology subgraph");
  hub_ = static_cast<int64_t>(std::max_element(adjacent.begin(), adjacent.end()) - adjacent.begin());
  if (target_type_ != hub_) {
    for (const auto& [adj, _] : links(target_type_, hub_)) to_hub_.push_back(adj);
    LOOM_CHECK(!to_hub_.empty(), ValueError, "POGAT: the target type '", target, "' has no relation to the hub type '",
               types_[static_cast<size_t>(hub_)], "' (the type adjacent to the most relations), so it has no ",
               "ontology instance");
  }
  for (int64_t t = 0; t < static_cast<int64_t>(types_.size()); ++t) {
    if (t == hub_ || t == target_type_) continue;
    std::vector<const Adjacency*> l;
    for (const auto& [adj, _] : links(hub_, t)) l.push_back(adj);
    if (!l.empty()) from_hub_.emplace_back(t, std::move(l));
  }
}

std::vector<std::pair<const OntologySampler::Adjacency*, int64_t>> OntologySampler::links(int64_t from,
                                                                                          int64_t to) const {
  std::vector<std::pair<const Adjacency*, int64_t>> fwd, rev;
  for (const Relation& r : relations_) {
    if (r.src == from && r.dst == to) fwd.emplace_back(&r.out, 0);
    if (r.dst == from && r.src == to) rev.emplace_back(&r.in, 1);
  }
  return fwd.empty() ? rev : fwd;
}

std::vector<std::string> OntologySampler::instance_types() const {
  std::vector<std::string> out;
  for (const auto& [t, _] : from_hub_) out.push_back(types_[static_cast<size_t>(t)]);
  return out;
}

OntologyBatch OntologySampler::sample(const std::vector<int64_t>& targets, int64_t instances, uint64_t seed) const {
  LOOM_CHECK(instances >= 1, ValueError, "POGAT: instances per ontology subgraph must be >= 1, got ", instances);
  const int64_t n_target = counts_[static_cast<size_t>(target_type_)];
  std::vector<int64_t> types, ids, src, dst, rel, offsets{0};
  // One neighbour drawn uniformly from the union of the lists of `lists` at row r, or -1 if it has none.
  auto draw = [](std::mt19937_64& rng, const std::vector<const Adjacency*>& lists, int64_t r) -> int64_t {
    int64_t total = 0;
    for (const Adjacency* a : lists) total += a->degree(r);
    if (total == 0) return -1;
    int64_t k = uniform(rng, total);
    for (const Adjacency* a : lists) {
      if (k < a->degree(r)) return a->indices[static_cast<size_t>(a->indptr[r] + k)];
      k -= a->degree(r);
    }
    return -1;
  };
  for (const int64_t v : targets) {
    LOOM_CHECK(v >= 0 && v < n_target, IndexError, "POGAT: target id ", v, " is out of range for node type '",
               target_, "' (", n_target, " nodes)");
    std::mt19937_64 rng(mix(seed, static_cast<uint64_t>(v)));
    const size_t base = types.size();
    std::unordered_map<int64_t, int64_t> pos;  // key type * 2^40 + id -> position
    auto add = [&](int64_t t, int64_t id) {
      const int64_t key = (t << 40) | id;
      if (pos.emplace(key, static_cast<int64_t>(types.size() - base)).second) types.push_back(t), ids.push_back(id);
    };
    add(target_type_, v);
    // The hubs of the instances: v itself (target = hub), or up to `instances` of v's hub neighbours.
    std::vector<int64_t> hubs;
    if (target_type_ == hub_) {
      hubs.assign(static_cast<size_t>(instances), v);
    } else {
      std::vector<int64_t> all;
      for (const Adjacency* a : to_hub_)
        for (int64_t k = a->indptr[v]; k < a->indptr[v + 1]; ++k) all.push_back(a->indices[static_cast<size_t>(k)]);
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      if (static_cast<int64_t>(all.size()) > instances) {  // a partial Fisher-Yates: `instances` distinct ones
        for (int64_t i = 0; i < instances; ++i)
          std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(i + uniform(rng, int64_t(all.size()) - i))]);
        all.resize(static_cast<size_t>(instances));
      }
      hubs = std::move(all);
    }
    for (const int64_t h : hubs) {
      add(hub_, h);
      for (const auto& [t, lists] : from_hub_) {
        const int64_t w = draw(rng, lists, h);
        if (w >= 0) add(t, w);
      }
    }
    // The induced edges of every relation. A node whose list is long (a conference's papers) is matched from the
    // other side instead: each candidate's reverse list is scanned for it.
    const int64_t n = static_cast<int64_t>(types.size() - base);
    for (size_t r = 0; r < relations_.size(); ++r) {
      const Relation& R = relations_[r];
      for (int64_t i = 0; i < n; ++i) {
        if (types[base + static_cast<size_t>(i)] != R.src) continue;
        const int64_t u = ids[base + static_cast<size_t>(i)];
        if (R.out.degree(u) <= 4 * n) {
          for (int64_t k = R.out.indptr[u]; k < R.out.indptr[u + 1]; ++k) {
            const auto it = pos.find((R.dst << 40) | R.out.indices[static_cast<size_t>(k)]);
            if (it != pos.end()) src.push_back(offsets.back() + i), dst.push_back(offsets.back() + it->second),
                                 rel.push_back(static_cast<int64_t>(r));
          }
        } else {
          for (int64_t j = 0; j < n; ++j) {
            if (types[base + static_cast<size_t>(j)] != R.dst) continue;
            const int64_t w = ids[base + static_cast<size_t>(j)];
            for (int64_t k = R.in.indptr[w]; k < R.in.indptr[w + 1]; ++k)
              if (R.in.indices[static_cast<size_t>(k)] == u)
                src.push_back(offsets.back() + i), dst.push_back(offsets.back() + j),
                    rel.push_back(static_cast<int64_t>(r));
          }
        }
      }
    }
    offsets.push_back(offsets.back() + n);
  }
  const int64_t N = static_cast<int64_t>(types.size()), E = static_cast<int64_t>(src.size());
  std::vector<int64_t> ei(src);
  ei.insert(ei.end(), dst.begin(), dst.end());
  return {from_vector<int64_t>(types, {N}), from_vector<int64_t>(ids, {N}), from_vector<int64_t>(ei, {2, E}),
          from_vector<int64_t>(rel, {E}),
          from_vector<int64_t>(offsets, {static_cast<int64_t>(offsets.size())})};
}

OntologyBatch OntologySampler::perturb(const OntologyBatch& b, double ratio, uint64_t seed) const {
  LOOM_CHECK(ratio > 0 && ratio <= 1, ValueError, "POGAT: the perturbation ratio must be in (0, 1], got ", ratio);
  const std::vector<int64_t> types = host_i64(b.node_type), offsets = host_i64(b.offsets);
  std::vector<int64_t> ids = host_i64(b.node_id);
  for (size_t s = 0; s + 1 < offsets.size(); ++s) {
    const int64_t first = offsets[s], n = offsets[s + 1] - first;
    std::mt19937_64 rng(mix(seed, static_cast<uint64_t>(ids[static_cast<size_t>(first)]) * 0x100000001ull + s));
    std::vector<int64_t> others(static_cast<size_t>(std::max<int64_t>(n - 1, 0)));
    std::iota(others.begin(), others.end(), first + 1);
    const int64_t swaps = std::llround(ratio * static_cast<double>(n - 1));
    for (int64_t i = 0; i < swaps; ++i) {
      std::swap(others[static_cast<size_t>(i)], others[static_cast<size_t>(i + uniform(rng, n - 1 - i))]);
      const size_t p = static_cast<size_t>(others[static_cast<size_t>(i)]);
      const int64_t count = counts_[static_cast<size_t>(types[p])];
      if (count < 2) continue;
      const int64_t w = uniform(rng, count - 1);  // any node of the type but the current one
      ids[p] = w >= ids[p] ? w + 1 : w;
    }
  }
  OntologyBatch out = b;
  out.node_id = from_vector<int64_t>(ids, {static_cast<int64_t>(ids.size())}).to(b.node_id.device());
  return out;
}

// ---------------------------------------------------------------- model

POGAT::POGAT(const hetero::HeteroGraph& g, const POGATOptions& o) : nn::Module("POGAT"), options_(o) {
  LOOM_CHECK(o.hidden() > 0 && o.heads() > 0 && o.layers() >= 1, ValueError,
             "POGAT: hidden, heads and layers must be positive, got ", o.hidden(), ", ", o.heads(), " and ", o.layers());
  LOOM_CHECK(o.hidden() % o.heads() == 0, ValueError, "POGAT: hidden (", o.hidden(), ") must be a multiple of heads (",
             o.heads(), ")");
  LOOM_CHECK(g.num_relations() > 0, ValueError, "POGAT: the graph has no relations");
  num_relations_ = g.num_relations();
  auto enc = register_module("encoders", std::make_shared<nn::Module>("ModuleDict"));
  for (const std::string& t : g.node_types())
    encoders_.emplace_back(t, enc->register_module(t, std::make_shared<hetero::TypeEncoder>(g, t, o.hidden())));
  auto convs = register_module("convs", std::make_shared<nn::ModuleList>());
  for (int64_t l = 0; l < o.layers(); ++l) {
    auto c = std::make_shared<layers::GATConv>(layers::GATConvOptions(o.hidden(), o.hidden() / o.heads())
                                                   .heads(o.heads())
                                                   .dropout(o.dropout())
                                                   .edge_dim(num_relations_));
    convs->push_back(c);
    convs_.push_back(c);
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(o.hidden()));
  discriminator = register_parameter("discriminator", nn::init::uniform_(empty({o.hidden(), o.hidden()}), -bound, bound));
}

POGAT::Table POGAT::encode(const hetero::HeteroGraph& g) {
  LOOM_CHECK(g.num_relations() == num_relations_ && g.num_node_types() == static_cast<int64_t>(encoders_.size()),
             ValueError, "POGAT: built for ", encoders_.size(), " node types and ", num_relations_,
             " relations, got a graph with ", g.num_node_types(), " and ", g.num_relations());
  std::vector<Tensor> tables;
  Table t{Tensor(), {0}};
  for (auto& [type, e] : encoders_) {
    tables.push_back(e->forward(g));
    t.type_offset.push_back(t.type_offset.back() + tables.back().size(0));
  }
  t.rows = concat(tables, 0);
  return t;
}

POGATOutput POGAT::forward(const Table& table, const OntologyBatch& b) {
  LOOM_CHECK(b.num_subgraphs() >= 1, ValueError, "POGAT: the batch has no ontology subgraph");
  LOOM_CHECK(table.type_offset.size() == encoders_.size() + 1, ValueError, "POGAT: the table has ",
             table.type_offset.size() - 1, " node types, the model ", encoders_.size());
  const Device dev = discriminator.device();
  const DType dt = discriminator.dtype();
  const std::vector<int64_t>& type_offset = table.type_offset;
  const std::vector<int64_t> types = host_i64(b.node_type), ids = host_i64(b.node_id);
  std::vector<int64_t> rows(types.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = type_offset[static_cast<size_t>(types[i])] + ids[i];
  const int64_t N = b.num_nodes(), E = b.edge_rel.size(0), R = num_relations_;
  Tensor h = index_select(table.rows, from_vector<int64_t>(rows, {N}).to(dev));
  // Relations as one-hot edge features: GATConv contracts them to a learned [relation, head] logit term.
  const std::vector<int64_t> rel = host_i64(b.edge_rel);
  std::vector<double> onehot(static_cast<size_t>(E * R), 0.0);
  for (int64_t e = 0; e < E; ++e) onehot[static_cast<size_t>(e * R + rel[static_cast<size_t>(e)])] = 1.0;
  const Tensor ea = from_vector<double>(onehot, {E, R}).to(dt).to(dev);
  const graph::Graph graph = graph::Graph::from_edge_index(b.edge_index.to(dev), N, Tensor(), ea);
  for (size_t l = 0; l < convs_.size(); ++l) {
    const Tensor out = add(convs_[l]->forward(graph, h), h);  // residual
    h = l + 1 < convs_.size() ? elu(out) : out;
  }
  // Readout: the targets (each subgraph's first position) and the mean of the others.
  const std::vector<int64_t> off = host_i64(b.offsets);
  const int64_t B = b.num_subgraphs();
  std::vector<int64_t> first(static_cast<size_t>(B));
  std::vector<double> inv(static_cast<size_t>(B));
  for (int64_t s = 0; s < B; ++s) {
    first[static_cast<size_t>(s)] = off[static_cast<size_t>(s)];
    const int64_t others = off[static_cast<size_t>(s + 1)] - off[static_cast<size_t>(s)] - 1;
    inv[static_cast<size_t>(s)] = others > 0 ? 1.0 / static_cast<double>(others) : 0.0;
  }
  const Tensor z = index_select(h, from_vector<int64_t>(first, {B}).to(dev));
  const Tensor total = mp::segment_reduce(h, b.offsets.to(dev), mp::sum);
  const Tensor context = mul(sub(total, z), from_vector<double>(inv, {B, 1}).to(dt).to(dev));
  return {z, context};
}

Tensor POGAT::discriminate(const Tensor& z, const Tensor& context) const {
  return sum(mul(matmul(z, discriminator), context), 1);
}

Tensor pogat_loss(const POGAT& model, const POGATOutput& real, const POGATOutput& fake) {
  const Tensor pos = model.discriminate(real.z, real.context), neg = model.discriminate(fake.z, fake.context);
  return add(binary_cross_entropy_with_logits(pos, ones_like(pos)),
             binary_cross_entropy_with_logits(neg, zeros_like(neg)));
}

// ---------------------------------------------------------------- training

Tensor pogat_embed(POGAT& model, const hetero::HeteroGraph& g, const OntologySampler& sampler,
                   std::vector<int64_t> targets, int64_t instances, int64_t batch, uint64_t seed) {
  LOOM_CHECK(batch >= 1, ValueError, "POGAT: batch must be >= 1, got ", batch);
  if (targets.empty()) {
    targets.resize(static_cast<size_t>(sampler.num_targets()));
    std::iota(targets.begin(), targets.end(), int64_t{0});
  }
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const POGAT::Table table = model.encode(g);
  std::vector<Tensor> parts;
  for (size_t i = 0; i < targets.size(); i += static_cast<size_t>(batch)) {
    const std::vector<int64_t> chunk(targets.begin() + static_cast<std::ptrdiff_t>(i),
                                     targets.begin() + static_cast<std::ptrdiff_t>(
                                                           std::min(targets.size(), i + static_cast<size_t>(batch))));
    parts.push_back(model.forward(table, sampler.sample(chunk, instances, seed)).z.detach());
  }
  if (was_training) model.train();
  return concat(parts, 0);
}

POGATTrainResult train_pogat(POGAT& model, const hetero::HeteroGraph& g, const OntologySampler& sampler,
                             const POGATTrainOptions& o) {
  return train_pogat(model, g, std::vector<const OntologySampler*>{&sampler}, o);
}

POGATTrainResult train_pogat(POGAT& model, const hetero::HeteroGraph& g,
                             const std::vector<const OntologySampler*>& samplers, const POGATTrainOptions& o) {
  LOOM_CHECK(!samplers.empty(), ValueError, "POGAT: no sampler to train on");
  LOOM_CHECK(o.epochs() >= 1 && o.batch() >= 1 && o.instances() >= 1, ValueError,
             "POGAT: epochs, batch and instances must be positive, got ", o.epochs(), ", ", o.batch(), " and ",
             o.instances());
  LOOM_CHECK(o.ratio() > 0 && o.ratio() <= 1, ValueError, "POGAT: the perturbation ratio must be in (0, 1], got ",
             o.ratio());
  const auto start = std::chrono::steady_clock::now();
  auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  optim::Adam opt(model.parameters(), optim::AdamOptions(o.lr()).weight_decay(o.weight_decay()));
  std::vector<std::vector<int64_t>> orders;
  for (const OntologySampler* s : samplers) {
    orders.emplace_back(static_cast<size_t>(s->num_targets()));
    std::iota(orders.back().begin(), orders.back().end(), int64_t{0});
  }
  std::mt19937_64 rng(mix(o.seed(), 0xB47C));
  POGATTrainResult r;
  model.train();
  uint64_t step = 0;
  for (int64_t e = 0; e < o.epochs(); ++e) {
    // The epoch's batches: (sampler, first position), shuffled across samplers.
    std::vector<std::pair<size_t, size_t>> batches;
    for (size_t k = 0; k < orders.size(); ++k) {
      std::shuffle(orders[k].begin(), orders[k].end(), rng);
      for (size_t i = 0; i < orders[k].size(); i += static_cast<size_t>(o.batch())) batches.emplace_back(k, i);
    }
    if (samplers.size() > 1) std::shuffle(batches.begin(), batches.end(), rng);
    double total = 0;
    for (const auto& [k, i] : batches) {
      const std::vector<int64_t>& order = orders[k];
      const std::vector<int64_t> chunk(order.begin() + static_cast<std::ptrdiff_t>(i),
                                       order.begin() + static_cast<std::ptrdiff_t>(
                                                           std::min(order.size(), i + static_cast<size_t>(o.batch()))));
      ++step;
      // Fresh subgraphs and perturbations every step (inference uses sampling seed o.seed()).
      const OntologyBatch real = samplers[k]->sample(chunk, o.instances(), mix(o.seed(), 2 * step));
      const OntologyBatch fake = samplers[k]->perturb(real, o.ratio(), mix(o.seed(), 2 * step + 1));
      opt.zero_grad();
      const POGAT::Table table = model.encode(g);  // once for both batches
      const Tensor loss = pogat_loss(model, model.forward(table, real), model.forward(table, fake));
      loss.backward();
      opt.step();
      const double l = loss.item_double();
      LOOM_CHECK(std::isfinite(l), ValueError, "POGAT: the loss became ", l, " at epoch ", e + 1);
      total += l;
    }
    r.losses.push_back(total / static_cast<double>(batches.size()));
    r.epochs = e + 1;
    if (o.verbose())
      std::fprintf(stderr, "  pogat epoch %lld: loss %.5f, %.1f s\n", static_cast<long long>(e + 1), r.losses.back(),
                   since());
  }
  r.embedding =
      pogat_embed(model, g, *samplers.front(), {}, o.instances(), std::max<int64_t>(o.batch(), 1024), o.seed());
  r.seconds = since();
  return r;
}

// ---------------------------------------------------------------- link prediction

HeldOutLinks hold_out_links(const hetero::HeteroGraph& g, const hetero::EdgeType& relation, double fraction,
                            uint64_t seed) {
  LOOM_CHECK(fraction > 0 && fraction < 1, ValueError, "POGAT: the held-out share of links must be in (0, 1), got ",
             fraction);
  LOOM_CHECK(g.has_relation(relation), ValueError, "POGAT: the graph has no relation ", relation.str());
  auto pairs = [&](const hetero::EdgeType& et) {  // (src, dst) in out_csr order
    const Csr& out = g.out_csr(et);
    const std::vector<int64_t> ip = host_i64(out.indptr()), ix = host_i64(out.indices());
    std::vector<std::pair<int64_t, int64_t>> p;
    for (int64_t u = 0; u + 1 < static_cast<int64_t>(ip.size()); ++u)
      for (int64_t k = ip[static_cast<size_t>(u)]; k < ip[static_cast<size_t>(u + 1)]; ++k)
        p.emplace_back(u, ix[static_cast<size_t>(k)]);
    return p;
  };
  std::vector<std::pair<int64_t, int64_t>> all = pairs(relation);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  const int64_t P = static_cast<int64_t>(std::llround(fraction * static_cast<double>(all.size())));
  LOOM_CHECK(P >= 1 && P < static_cast<int64_t>(all.size()), ValueError, "POGAT: holding out ", fraction, " of ",
             relation.str(), "'s ", all.size(), " pairs leaves ", P, " held out");
  std::mt19937_64 rng(mix(seed, 0x1111));
  std::vector<std::pair<int64_t, int64_t>> shuffled = all;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::vector<std::pair<int64_t, int64_t>> held(shuffled.begin(), shuffled.begin() + P);
  std::sort(held.begin(), held.end());
  auto is_held = [&](int64_t u, int64_t v) { return std::binary_search(held.begin(), held.end(), std::pair{u, v}); };
  HeldOutLinks out;
  for (const std::string& t : g.node_types()) {
    out.train.add_node_type(t, g.num_nodes(t));
    if (g.features(t).defined()) out.train.set_features(t, g.features(t));
    else if (g.sparse_features(t).defined()) out.train.set_features(t, g.sparse_features(t));
  }
  for (const hetero::EdgeType& et : g.relations()) {
    const bool fwd = et == relation, rev = !fwd && et.src == relation.dst && et.dst == relation.src;
    if (rev && out.reverse.empty()) out.reverse = et.str();
    std::vector<int64_t> src, dst;
    for (const auto& [u, v] : pairs(et)) {
      if ((fwd && is_held(u, v)) || (rev && is_held(v, u))) continue;
      src.push_back(u), dst.push_back(v);
    }
    const int64_t E = static_cast<int64_t>(src.size());
    src.insert(src.end(), dst.begin(), dst.end());
    out.train.add_relation(et, from_vector<int64_t>(src, {2, E}).to(g.device()));
  }
  const int64_t n_dst = g.num_nodes(relation.dst);
  std::vector<int64_t> pos(static_cast<size_t>(2 * P)), neg(static_cast<size_t>(2 * P));
  for (int64_t i = 0; i < P; ++i) {
    const auto [u, v] = held[static_cast<size_t>(i)];
    int64_t w = 0;
    for (int tries = 0;; ++tries) {
      w = uniform(rng, n_dst);
      if (!std::binary_search(all.begin(), all.end(), std::pair{u, w})) break;
      LOOM_CHECK(tries < 10000, ValueError, "POGAT: no negative found for ", relation.src, " ", u, " (linked to "
                 "almost every ", relation.dst, ")");
    }
    pos[static_cast<size_t>(i)] = u, pos[static_cast<size_t>(P + i)] = v;
    neg[static_cast<size_t>(i)] = u, neg[static_cast<size_t>(P + i)] = w;
  }
  out.pos = from_vector<int64_t>(pos, {2, P});
  out.neg = from_vector<int64_t>(neg, {2, P});
  return out;
}

}  // namespace loom::models
