// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The SINC-GCN paper's synthetic task (UniqueSignature), reduced to train in a few seconds on one core: 300
// Erdős–Rényi graphs of 10-20 nodes, p 0.5, K 7, full-batch AdamW (lr 0.02, 600 epochs), the paper's model
// (one layer 1 -> 16 -> 16, ReLU, bias-free Linear 16 -> 1). SINC-GCN learns it; with the same budget SIR-GCN
// (no context) stays clearly below and a GCN far below. Measured (seed 0): SINC 0.968, SIR 0.893, GCN 0.717.
#include <gtest/gtest.h>

#include "examples/sinc_synthetic.h"

namespace loom {
namespace {

using examples::ModelKind;

TEST(SincSynthetic, ContextSolvesUniqueSignatureWhereBaselinesDoNot) {
  data::UniqueSignatureOptions o;
  o.num_graphs = 300;
  o.min_nodes = 10;
  o.max_nodes = 20;
  o.edge_prob = 0.5;
  o.feature_range = 7;
  const examples::SignatureSplit s = examples::make_split(o);
  ASSERT_GT(s.positive_rate, 0.2);
  ASSERT_LT(s.positive_rate, 0.5);
  examples::TrainConfig c;
  c.epochs = 600;
  c.lr = 0.02;
  c.seed = 0;
  const examples::TrainResult sinc = examples::train_and_evaluate(ModelKind::kSinc, s, c);
  const examples::TrainResult sir = examples::train_and_evaluate(ModelKind::kSir, s, c);
  const examples::TrainResult gcn = examples::train_and_evaluate(ModelKind::kGcn, s, c);
  EXPECT_GT(sinc.test_bacc, 0.95) << "SINC-GCN";
  EXPECT_LT(sir.test_bacc, sinc.test_bacc - 0.03) << "SIR-GCN " << sir.test_bacc << " vs SINC " << sinc.test_bacc;
  EXPECT_LT(gcn.test_bacc, 0.85) << "GCN";
  EXPECT_LT(sinc.train_loss, 0.5 * sir.train_loss) << "SINC fits the training graphs better";
}

}  // namespace
}  // namespace loom
