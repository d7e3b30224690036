// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Meta-path instances (MAGNN, Fu et al. 2020): the node sequences themselves, not only their end points. For each
// target node v of a meta-path's start type, the instances are the walks v = p_0 -> p_1 -> ... -> p_L along the
// path's relations; p_L is a meta-path neighbour of v and p_1..p_{L-1} are the intermediate nodes MAGNN encodes.
// Instances can outnumber edges by orders of magnitude (DBLP's APCPA), so they are counted first (a backward pass of
// completion counts, never a list) and, past a per-target cap, sampled: uniformly over v's instances, each step
// drawn in proportion to the completions below it, so every instance of v is equally likely.
#pragma once
#include <cstdint>

#include "loom/core/options.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"
#include "loom/hetero/hetero_graph.h"
#include "loom/hetero/metapath.h"

namespace loom::hetero {

struct InstanceOptions {
  // Instances kept per target: all of them when 0 (or when a target has no more than this), else this many,
  // drawn without replacement, uniformly over the target's instances.
  LOOM_ARG(int64_t, max_per_target) = 0;
  // Seed of the draws. Target v draws from its own stream (seed, v): results do not depend on thread counts.
  LOOM_ARG(uint64_t, seed) = 0;
  // Budget for the returned list, in instances (each takes 8 (L + 1) bytes): past it, ValueError giving the count
  // and the bytes, before anything is allocated; a per-target cap is the way to fit.
  LOOM_ARG(int64_t, max_instances) = int64_t{64} << 20;
};

struct MetaPathInstances {
  MetaPath path;
  // int64 [count(start type) + 1]: the instances of target v are rows indptr[v] .. indptr[v + 1] of `nodes`.
  Tensor indptr;
  // int64 [num_instances, L + 1]: column i holds node ids of the path's i-th type (column 0 the target, column L
  // the meta-path neighbour). Without a cap, each target's rows are in the order of the edges taken (each relation's
  // Csr order: by node id, parallel edges in turn); sampled rows are in the order drawn.
  Tensor nodes;
  // float64 [count(start type)]: how many instances each target has in full (before any cap). Exact up to 2^53.
  Tensor full_counts;

  int64_t num_targets() const { return indptr.numel() - 1; }
  int64_t num_instances() const { return nodes.size(0); }
  // The instances as a Csr [num_targets, num_instances] with column k at instance k, so the engine's edge ops
  // (edge_softmax, gspmm with edge values) aggregate over each target's instances.
  Csr target_csr() const;
};

// The instances of `path` in `g` (built on the CPU from g's relations, returned on g's device). Errors: ValueError
// for a negative cap or budget, or a list past the budget (naming the meta-path, the count and the bytes).
MetaPathInstances metapath_instances(const HeteroGraph& g, const MetaPath& path, const InstanceOptions& options = {});

// float64 [count(start type)]: the number of instances of each target, from the counts pass alone.
Tensor count_instances(const HeteroGraph& g, const MetaPath& path);

}  // namespace loom::hetero
