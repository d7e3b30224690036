// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Loom's exporter and loom::runtime together: a student trained a few steps (so that its BatchNorm statistics are
// its own) and exported answers through the runtime what Loom's eval-mode forward answers, within 1e-6, with and
// without row normalisation, for several depths and activations; the int8 file stays close and says it is int8.
#include <gtest/gtest.h>

#include <cmath>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/optim.h"
#include "loom/core/random.h"
#include "loom/graph/transforms.h"
#include "loom/models/export.h"
#include "loom/runtime/runtime.h"
#include "support/testing.h"

namespace loom {
namespace {

std::shared_ptr<models::StudentMLP> trained_student(const models::StudentOptions& o, const Tensor& x) {
  manual_seed(4);
  auto m = std::make_shared<models::StudentMLP>(o);
  optim::Adam opt(m->parameters(), optim::AdamOptions(0.01));
  const Tensor y = testing::random_labels(x.size(0), o.out_features(), 3);
  for (int step = 0; step < 20; ++step) {
    opt.zero_grad();
    cross_entropy(m->forward(x), y).backward();
    opt.step();
  }
  m->eval();
  return m;
}

double max_diff(const std::vector<float>& a, const Tensor& b) {
  const std::vector<float> bv = b.to_vector<float>();
  EXPECT_EQ(a.size(), bv.size());
  double d = 0;
  for (size_t i = 0; i < a.size() && i < bv.size(); ++i) d = std::max(d, std::abs(double(a[i]) - double(bv[i])));
  return d;
}

TEST(ExportRuntime, RuntimeLogitsEqualLoomsEvalForward) {
  // Non-negative bag-of-words-like rows, one of them all zero (row normalisation leaves it as it is).
  Tensor raw = testing::random_tensor({64, 12}, 7, 0, 1, kFloat32);
  {
    std::vector<float> v = raw.to_vector<float>();
    std::fill(v.begin() + 5 * 12, v.begin() + 6 * 12, 0.f);
    raw = from_vector<float>(v, {64, 12});
  }
  const std::string path = (testing::temp_dir() / "equal.loom").string();
  for (auto transform : {models::FeatureTransform::kNone, models::FeatureTransform::kRowNormalize}) {
    const Tensor x = transform == models::FeatureTransform::kRowNormalize ? graph::row_normalize(raw) : raw;
    for (const auto& o : {models::StudentOptions(12, 5), models::StudentOptions(12, 5).hidden({16, 8}),
                          models::StudentOptions(12, 5).activation(Activation::kElu).norm(NormLayer::kNone),
                          models::StudentOptions(12, 5).hidden({}).dropout(0.0)}) {
      const auto m = trained_student(o, x);
      models::ExportInfo info;
      info.features = transform;
      models::export_model(*m, path, info);
      const runtime::Model served = runtime::Model::load(path);
      NoGradGuard no_grad;
      const Tensor want = m->forward(x);
      const std::vector<float> got = served.logits(raw.to_vector<float>(), 64);
      EXPECT_LE(max_diff(got, want), 1e-6) << to_string(transform) << ", " << o.hidden().size() << " hidden layers";
      EXPECT_FALSE(served.int8());
    }
  }
}

TEST(ExportRuntime, Int8StaysCloseToTheFloatModel) {
  const Tensor x = testing::random_tensor({64, 12}, 8, 0, 1, kFloat32);
  const auto m = trained_student(models::StudentOptions(12, 5), x);
  const std::string path = (testing::temp_dir() / "int8.loom").string();
  models::ExportInfo info;
  info.int8 = true;
  models::export_model(*m, path, info);
  const runtime::Model served = runtime::Model::load(path);
  EXPECT_TRUE(served.int8());
  NoGradGuard no_grad;
  const Tensor want = m->forward(x);
  const double scale = max(mul_scalar(want, -1.0)).item_double() + max(want).item_double();
  const double d = max_diff(served.logits(x.to_vector<float>(), 64), want);
  EXPECT_GT(d, 0.0);  // it is quantised ...
  EXPECT_LT(d, 0.05 * scale);  // ... by a few percent of the logits' range at most
}

}  // namespace
}  // namespace loom
