// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// MAGNN: parameter names, shape, determinism and semantic weights; the toy heterograph whose classes only the
// meta-path instances reveal (every node featureless, so only the encoded venue on APVPA instances can tell them
// apart), learned through models::fit; the errors; and CPU/CUDA agreement of outputs and gradients.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loom/core/autograd.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/random.h"
#include "loom/models/magnn.h"
#include "loom/models/task.h"
#include "loom/models/trainer.h"
#include "support/hetero_toy.h"
#include "support/parity.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<hetero::MetaPath> toy_paths(const hetero::HeteroGraph& g) {
  return {hetero::parse_metapath(g, "APA"), hetero::parse_metapath(g, "APVPA")};
}

models::MAGNNOptions small() { return models::MAGNNOptions("author", 4).hidden(8).heads(2).semantic_dim(16); }

TEST(MAGNN, ShapeNamesAndDeterminism) {
  const testing::Toy t = testing::toy();
  const auto paths = toy_paths(t.g);
  const models::MAGNNInputs in = models::magnn_inputs(t.g, paths, hetero::InstanceOptions().max_per_target(5));
  ASSERT_EQ(in.instances.size(), 2u);
  EXPECT_EQ(in.instances_of[1].num_rows(), 40);
  manual_seed(2);
  models::MAGNN m(t.g, paths, small());
  const auto names = m.named_parameters();
  EXPECT_TRUE(names.contains("encoders.venue.embedding"));  // featureless types get free embeddings
  EXPECT_TRUE(names.contains("paths.1.encoder.rotation_0"));
  EXPECT_TRUE(names.contains("paths.1.attention.att_src"));
  EXPECT_EQ(names.at("semantic.q").shape(), Shape{16});
  EXPECT_EQ(names.at("classifier.weight").shape(), (Shape{4, 16}));  // heads x hidden in
  m.eval();
  const Tensor a = m.forward(t.g, in), b = m.forward(t.g, in);
  EXPECT_EQ(a.shape(), (Shape{40, 4}));
  EXPECT_TRUE(testing::bitwise_equal(a, b));
  const std::vector<double> beta = testing::host(m.semantic_weights());
  ASSERT_EQ(beta.size(), 2u);
  EXPECT_NEAR(beta[0] + beta[1], 1.0, 1e-6);
}

TEST(MAGNN, LearnsClassesOnlyTheInstancesReveal) {
  const testing::Toy t = testing::toy();
  const auto paths = toy_paths(t.g);
  const models::MAGNNInputs in = models::magnn_inputs(t.g, paths, hetero::InstanceOptions().max_per_target(20));
  for (const hetero::InstanceEncoding enc : {hetero::InstanceEncoding::kRotation, hetero::InstanceEncoding::kMean}) {
    manual_seed(5);
    auto model = std::make_shared<models::MAGNN>(t.g, paths, small().dropout(0.2).encoding(enc));
    models::NodeClassificationTask task(t.d, [&] { return model->forward(t.g, in); });
    models::TrainerOptions o;
    o.epochs = 80;
    o.lr = 0.01;
    o.weight_decay = 1e-3;
    const models::TrainResult r = models::fit(*model, task, o);
    // Ids carry nothing for unseen authors (their embeddings are never trained by a label): chance is 0.25.
    EXPECT_GE(r.metric("test_acc"), 0.9) << (enc == hetero::InstanceEncoding::kMean ? "mean" : "rotation");
  }
}

TEST(MAGNN, ErrorsNameTheProblem) {
  const testing::Toy t = testing::toy();
  EXPECT_THAT([&] { models::MAGNN(t.g, {hetero::parse_metapath(t.g, "APV")}, small()); },
              ThrowsMessage<ValueError>(HasSubstr("meta-path 'APV' runs from 'author' to 'venue'")));
  EXPECT_THAT([&] { models::MAGNN(t.g, {}, small()); }, ThrowsMessage<ValueError>(HasSubstr("at least one meta-path")));
  EXPECT_THAT([&] { models::MAGNN(t.g, toy_paths(t.g), small().dropout(1.0)); },
              ThrowsMessage<ValueError>(HasSubstr("dropout must be in [0, 1)")));
  models::MAGNN m(t.g, toy_paths(t.g), small());
  const models::MAGNNInputs one = models::magnn_inputs(t.g, {toy_paths(t.g)[0]}, {});
  EXPECT_THAT([&] { m.forward(t.g, one); }, ThrowsMessage<ValueError>(HasSubstr("built for 2 meta-paths")));
  const models::MAGNNInputs swapped = models::magnn_inputs(t.g, {toy_paths(t.g)[1], toy_paths(t.g)[0]}, {});
  EXPECT_THAT([&] { m.forward(t.g, swapped); }, ThrowsMessage<ValueError>(HasSubstr("instances given are of")));
}

TEST(MAGNN, CpuAndCudaAgree) {
  LOOM_REQUIRE_CUDA();
  const testing::Toy t = testing::toy();
  const auto paths = toy_paths(t.g);
  const models::MAGNNInputs in = models::magnn_inputs(t.g, paths, hetero::InstanceOptions().max_per_target(6));
  const models::MAGNNInputs in_gpu = in.to(kCUDA);
  const hetero::HeteroGraph g_gpu = t.g.to(kCUDA);
  manual_seed(7);
  models::MAGNN cpu(t.g, paths, small()), gpu(t.g, paths, small());
  gpu.load_state_dict(cpu.state_dict());
  gpu.to(kCUDA);
  cpu.eval();
  gpu.eval();
  const Tensor yc = cpu.forward(t.g, in), yg = gpu.forward(g_gpu, in_gpu);
  EXPECT_TRUE(testing::all_close(yg.cpu(), yc, 1e-4, 1e-5));
  cross_entropy(yc, t.d.y).backward();
  cross_entropy(yg, t.d.y.to(kCUDA)).backward();
  const auto pc = cpu.named_parameters(), pg = gpu.named_parameters();
  for (const auto& [name, p] : pc)
    EXPECT_TRUE(testing::all_close(pg.at(name).grad().cpu(), p.grad(), 1e-3, 1e-5)) << name;
}

}  // namespace
}  // namespace loom
