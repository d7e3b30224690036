// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Batches of many small graphs as one block-diagonal graph (PyG's Batch, DGL's dgl.batch), and a loader that
// shuffles, batches and assembles the next batch on a background thread while the current one trains.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "loom/core/device.h"
#include "loom/core/sparse.h"
#include "loom/core/tensor.h"
#include "loom/data/graph_dataset.h"

namespace loom::data {

// B graphs with N nodes and E edges in all. Graph b's nodes are rows graph_ptr[b] .. graph_ptr[b + 1] - 1 of x,
// renumbered in the order the graphs were asked for; csr is block-diagonal (no entry joins two graphs).
struct GraphBatch {
  Csr csr;            // in-edges [N, N], rows = targets (graph::Graph::from_csr adopts it)
  Tensor x;           // float32 [N, F]
  Tensor edge_attr;   // float32 [E, D] in csr entry order, or undefined
  Tensor graph_ptr;   // int64 [B + 1]
  Tensor batch;       // int64 [N]: the graph (0 .. B-1) of each node
  Tensor y;           // int64 [B]
  Tensor graph_ids;   // int64 [B]: the data set's index of each graph

  int64_t num_graphs() const { return graph_ptr.defined() ? graph_ptr.numel() - 1 : 0; }
  int64_t num_nodes() const { return x.defined() ? x.size(0) : 0; }
  int64_t num_edges() const { return csr.defined() ? csr.nnz() : 0; }
  // Every tensor and the Csr on `device`.
  GraphBatch to(Device device) const;

  // Copies the listed graphs (indices into d, repeats allowed) into one batch: slices of d.csr and d.x, so the
  // cost is linear in the batch's size. IndexError naming the position of an index out of range.
  static GraphBatch build(const GraphDataset& d, const std::vector<int64_t>& graphs);
};

struct GraphLoaderOptions {
  int64_t batch_size = 32;
  bool shuffle = true;
  bool drop_last = false;
  uint64_t seed = 0;   // the order of epoch k is a function of (seed, k) alone: prefetching never changes it
  int prefetch = 2;    // batches assembled ahead on the background thread; 0: assemble on the caller's thread
  // Where next() hands batches over. They are assembled on the CPU (slices of the data set, memcpy-shaped) and
  // copied to a CUDA device by next() on the caller's thread, so the device's stream is only ever used by it.
  Device device = kCPU;
};

// An endless stream of batches over `indices` of `d`, epoch after epoch (each epoch a fresh shuffle). The data
// set must outlive the loader. Destroying the loader mid-epoch stops and joins its thread; an error while
// assembling a batch is rethrown by the next() that would have returned it.
class GraphLoader {
 public:
  GraphLoader(const GraphDataset& d, std::vector<int64_t> indices, GraphLoaderOptions options = {});
  ~GraphLoader();
  GraphLoader(const GraphLoader&) = delete;
  GraphLoader& operator=(const GraphLoader&) = delete;

  GraphBatch next();
  int64_t batches_per_epoch() const;

 private:
  // The idx-th batch of the stream (epoch idx / batches_per_epoch()).
  // Called by one thread only (the worker, or the caller without prefetch): it owns order_.
  GraphBatch make(int64_t idx);
  GraphBatch take();  // the next batch of the stream, on the CPU
  void produce();

  const GraphDataset& d_;
  std::vector<int64_t> indices_;
  GraphLoaderOptions o_;
  int64_t next_ = 0;  // the consumer's position in the stream
  std::vector<int64_t> order_;  // the current epoch's order
  int64_t order_epoch_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<GraphBatch> ready_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace loom::data
