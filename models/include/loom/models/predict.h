// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Inference for some nodes: predict_nodes runs the model on only the part of the structure those nodes' outputs
// read (graph::receptive_field / hypergraph::receptive_field), with the full structure's degrees, so the answers
// are the full forward's rows for those nodes.
#pragma once
#include "loom/core/tensor.h"
#include "loom/models/gnn.h"

namespace loom::models {

// model.predict for the nodes node_ids (int32/int64 [n], any order, repeats allowed), in that order: logits and
// probabilities [n, C], classes int64 [n]. x holds the features of every node of the structure ([N, F]). A model
// of k message-passing layers runs on the nodes within k hops and the in-edges of those within k - 1 hops (for a
// hypergraph: the hyperedges of the vertices within k - 1 steps, each with all its members), with the full
// structure's degrees, so normalisations (GCN's D^-1/2 A D^-1/2, HGNN's D_v^-1/2, mean aggregation) are the full
// graph's and the result equals the full forward's rows up to float rounding (the summation order per row is the
// same; only the GEMM blocking of a smaller matrix may differ). A model with a block over all nodes (softhgnn)
// runs the full forward and returns its rows. Same thread-safety and eval-mode rule as predict (docs/threads.md).
// Errors: IndexError naming the first id outside [0, N) and its position, ShapeError for a node_ids that is not
// 1-D or an x whose rows are not the structure's nodes, DTypeError for floating ids, ValueError for a model in
// training mode or run on the wrong structure. An empty node_ids gives empty results.
Prediction predict_nodes(const NodeClassifier& model, const Structure& structure, const Tensor& x,
                         const Tensor& node_ids);

}  // namespace loom::models
