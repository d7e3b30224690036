// The full-batch training loop: accuracy, best-validation restore, determinism, and the MLP baseline on Cora.
#include <gmock/gmock.h>

#include "loom/core/nn.h"
#include "loom/core/random.h"
#include "loom/data/csbm.h"
#include "loom/models/node_classification.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Accuracy, CountsArgmaxMatchesOverTheIndex) {
  Tensor logits = from_vector<float>({2, 1, 0, 5, 3, 4, 1, 1.5f}, {4, 2});  // argmax: 0, 1, 1, 1
  Tensor y = from_vector<int64_t>({0, 1, 1, 0});
  EXPECT_DOUBLE_EQ(models::accuracy(logits, y, from_vector<int64_t>({0, 1, 2, 3})), 0.75);
  EXPECT_DOUBLE_EQ(models::accuracy(logits, y, from_vector<int64_t>({0, 1})), 1.0);
  EXPECT_DOUBLE_EQ(models::accuracy(logits, y, from_vector<int64_t>({3, 2})), 0.5);
  EXPECT_THAT([&] { models::accuracy(logits, from_vector<int64_t>({0, 1}), from_vector<int64_t>({0})); },
              ThrowsMessage<ShapeError>(HasSubstr("do not match")));
}

data::NodeDataset small_csbm(uint64_t seed) {
  data::CsbmOptions o;
  o.num_nodes = 400;
  o.num_classes = 3;
  o.num_features = 16;
  o.signal = 4.0;
  o.num_val = 100;
  o.seed = seed;
  return data::make_csbm(o);
}

models::TrainResult fit(const data::NodeDataset& d, uint64_t seed, int epochs, std::vector<double>* losses = nullptr) {
  manual_seed(seed);
  nn::MLP mlp(nn::MLPOptions(d.num_features(), {32}, d.num_classes).dropout(0.5));
  models::TrainOptions o;
  o.epochs = epochs;
  if (losses) o.on_epoch = [losses](const models::EpochStats& s) { losses->push_back(s.loss); };
  return models::train_node_classifier(mlp, [&](bool) { return mlp.forward(d.x); }, d, o);
}

TEST(TrainNodeClassifier, LearnsASeparableGraphAndRestoresTheBestEpoch) {
  const data::NodeDataset d = small_csbm(1);
  const models::TrainResult r = fit(d, 0, 60);
  EXPECT_EQ(r.epochs_run, 60);
  EXPECT_EQ(r.history.size(), 60u);
  EXPECT_GT(r.test_acc, 0.85);  // class means 4 noise units apart (chance is 1/3)
  double best = 0;
  for (const auto& s : r.history) best = std::max(best, s.val_acc);
  EXPECT_DOUBLE_EQ(r.best_val_acc, best);
  EXPECT_DOUBLE_EQ(r.history[static_cast<size_t>(r.best_epoch - 1)].val_acc, best);
  EXPECT_LT(r.history.back().loss, r.history.front().loss);
}

TEST(TrainNodeClassifier, SameSeedSameLosses) {
  const data::NodeDataset d = small_csbm(2);
  std::vector<double> a, b;
  fit(d, 7, 20, &a);
  fit(d, 7, 20, &b);
  EXPECT_EQ(a, b);
  std::vector<double> c;
  fit(d, 8, 20, &c);
  EXPECT_NE(a, c);
}

TEST(TrainNodeClassifier, EarlyStoppingAndBadOptions) {
  const data::NodeDataset d = small_csbm(3);
  manual_seed(0);
  nn::MLP mlp(nn::MLPOptions(d.num_features(), {8}, d.num_classes));
  models::TrainOptions o;
  o.epochs = 500;
  o.patience = 5;
  const models::TrainResult r = models::train_node_classifier(mlp, [&](bool) { return mlp.forward(d.x); }, d, o);
  EXPECT_LT(r.epochs_run, 500);
  EXPECT_EQ(r.epochs_run - r.best_epoch, 5);
  o.epochs = 0;
  EXPECT_THAT([&] { models::train_node_classifier(mlp, [&](bool) { return mlp.forward(d.x); }, d, o); },
              ThrowsMessage<ValueError>(HasSubstr("epochs must be positive")));
}

}  // namespace
}  // namespace loom
