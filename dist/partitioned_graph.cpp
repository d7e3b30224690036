// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A part's local graph and its exchange lists (loom/dist/partitioned_graph.h). The receive side reads the in-edges
// of the owned nodes, the send side the out-edges: two walks over different arrays that must agree, which the tests
// check part against part.
#include "loom/dist/partitioned_graph.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <sstream>

#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::dist {

std::string PartitionedGraph::str() const {
  auto peers = [](const std::vector<int64_t>& counts) {
    return std::count_if(counts.begin(), counts.end(), [](int64_t c) { return c > 0; });
  };
  std::ostringstream s;
  s << "part " << rank << " of " << num_parts << ": " << num_owned() << " nodes, " << num_halo() << " halo nodes from "
    << peers(recv_counts) << " parts, sends " << send_rows.numel() << " rows to " << peers(send_counts) << " parts";
  return s.str();
}

void check_partition(const Tensor& part, int64_t num_nodes, int64_t num_parts, const std::string& source) {
  LOOM_CHECK(part.defined() && (part.dtype() == kInt64 || part.dtype() == kInt32), DTypeError, source,
             ": a partition is int32 or int64 part ids, got ",
             part.defined() ? dtype_name(part.dtype()) : std::string("nothing"));
  LOOM_CHECK(part.dim() == 1 && part.numel() == num_nodes, ShapeError, source, ": a partition of a graph of ",
             num_nodes, " nodes is [", num_nodes, "], got ", part.shape_str());
  LOOM_CHECK(num_parts >= 1, ValueError, source, ": ", num_parts, " parts (expected at least 1)");
  const std::vector<int64_t> p = part.cpu().to(kInt64).to_vector<int64_t>();
  const int64_t held = p.empty() ? 0 : *std::max_element(p.begin(), p.end()) + 1;
  std::vector<int64_t> sizes(static_cast<size_t>(num_parts), 0);
  for (int64_t v = 0; v < num_nodes; ++v) {
    LOOM_CHECK(p[v] >= 0 && p[v] < num_parts, ValueError, source, ": node ", v, " is in part ", p[v],
               ", outside [0, ", num_parts, "): the partition has ", held, " parts but the run has ", num_parts,
               " processes (one per part)");
    ++sizes[static_cast<size_t>(p[v])];
  }
  for (int64_t q = 0; q < num_parts; ++q)
    LOOM_CHECK(sizes[static_cast<size_t>(q)] > 0, ValueError, source, ": part ", q, " has no nodes (the partition uses ",
               std::count_if(sizes.begin(), sizes.end(), [](int64_t s) { return s > 0; }), " of ", num_parts,
               " parts; every process needs a part)");
}

PartitionedGraph partition_part(const graph::Graph& g, const Tensor& part, int64_t num_parts, int rank) {
  const int64_t n = g.num_nodes();
  check_partition(part, n, num_parts, "partition_part");
  LOOM_CHECK(rank >= 0 && rank < num_parts, ValueError, "partition_part: rank ", rank, " outside [0, ", num_parts, ")");
  LOOM_CHECK(g.device().is_cpu(), DeviceError, "partition_part: the graph must be on the CPU, got ", g.device().str());
  const std::vector<int64_t> p = part.to(kInt64).to_vector<int64_t>();
  std::vector<int64_t> owned;
  for (int64_t v = 0; v < n; ++v)
    if (p[v] == rank) owned.push_back(v);

  PartitionedGraph out;
  out.rank = rank;
  out.num_parts = static_cast<int>(num_parts);
  const Tensor seeds = from_vector<int64_t>(owned, {static_cast<int64_t>(owned.size())});
  out.block = graph::sample_blocks(g, seeds, graph::SampleOptions().fanouts({-1})).front();

  // Receive side: the block's halo grouped by owner, ascending global id within an owner.
  const std::vector<int64_t> src = out.block.src_nodes.to_vector<int64_t>();
  const auto n_own = static_cast<size_t>(out.block.num_dst);
  std::vector<std::pair<int64_t, int64_t>> by_owner;  // (owner, global id) of each halo node, in block order
  for (size_t i = n_own; i < src.size(); ++i) by_owner.emplace_back(p[src[i]], src[i]);
  std::vector<int64_t> order(by_owner.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return by_owner[a] < by_owner[b]; });
  std::vector<int64_t> halo_from_recv(order.size());
  out.recv_counts.assign(static_cast<size_t>(num_parts), 0);
  for (size_t r = 0; r < order.size(); ++r) {
    halo_from_recv[static_cast<size_t>(order[r])] = static_cast<int64_t>(r);
    ++out.recv_counts[static_cast<size_t>(by_owner[order[r]].first)];
  }
  out.halo_from_recv = from_vector<int64_t>(halo_from_recv, {static_cast<int64_t>(halo_from_recv.size())});

  // Send side: an owned node goes to every other part that one of its out-edges reaches, in ascending global id
  // (owned is ascending, so a bucket per peer fills in order).
  const Csr& out_edges = g.csc();
  const int64_t* ip = out_edges.indptr().data<int64_t>();
  const int32_t* ix = out_edges.indices().data<int32_t>();
  std::vector<std::vector<int64_t>> to(static_cast<size_t>(num_parts));
  for (size_t i = 0; i < owned.size(); ++i) {
    std::set<int64_t> peers;
    for (int64_t k = ip[owned[i]]; k < ip[owned[i] + 1]; ++k)
      if (p[ix[k]] != rank) peers.insert(p[ix[k]]);
    for (int64_t q : peers) to[static_cast<size_t>(q)].push_back(static_cast<int64_t>(i));
  }
  std::vector<int64_t> send_rows;
  for (const auto& rows : to) {
    out.send_counts.push_back(static_cast<int64_t>(rows.size()));
    send_rows.insert(send_rows.end(), rows.begin(), rows.end());
  }
  out.send_rows = from_vector<int64_t>(send_rows, {static_cast<int64_t>(send_rows.size())});
  return out;
}

}  // namespace loom::dist
