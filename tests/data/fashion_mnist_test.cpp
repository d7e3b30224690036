// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The real Fashion-MNIST (Debian's dataset-fashion-mnist, or $LOOM_FASHION_MNIST): counts, the balanced classes,
// label and pixel ranges. Under CI=true a missing data set fails; elsewhere it is a visible skip.
#include <gmock/gmock.h>

#include <algorithm>
#include <filesystem>

#include "loom/core/ops.h"
#include "loom/data/images.h"
#include "support/testing.h"

namespace loom {
namespace {

#define LOOM_REQUIRE_FASHION_MNIST()                                                                            \
  do {                                                                                                          \
    const std::string loom_fm_ = ::loom::data::resolve_fashion_mnist_dir();                                     \
    if (!std::filesystem::exists(loom_fm_ + "/train-images-idx3-ubyte.gz") &&                                   \
        !std::filesystem::exists(loom_fm_ + "/train-images-idx3-ubyte")) {                                      \
      if (::loom::testing::in_ci()) FAIL() << "Fashion-MNIST missing under CI: " << loom_fm_                    \
                                           << " (apt install dataset-fashion-mnist, or set LOOM_FASHION_MNIST)"; \
      GTEST_SKIP() << "Fashion-MNIST not found in " << loom_fm_                                                 \
                   << " (apt install dataset-fashion-mnist, or set LOOM_FASHION_MNIST)";                        \
    }                                                                                                           \
  } while (0)

std::vector<int64_t> class_counts(const Tensor& labels, int64_t classes) {
  std::vector<int64_t> counts(static_cast<size_t>(classes), 0);
  for (int64_t y : labels.to_vector<int64_t>()) {
    EXPECT_GE(y, 0);
    EXPECT_LT(y, classes);
    if (y >= 0 && y < classes) ++counts[static_cast<size_t>(y)];
  }
  return counts;
}

TEST(FashionMnist, CountsLabelsAndPixels) {
  LOOM_REQUIRE_FASHION_MNIST();
  const data::ImageDataset d = data::load_fashion_mnist();
  EXPECT_EQ(d.train_images.shape(), Shape({60000, 28, 28}));
  EXPECT_EQ(d.test_images.shape(), Shape({10000, 28, 28}));
  EXPECT_EQ(d.train_labels.shape(), Shape({60000}));
  EXPECT_EQ(d.test_labels.shape(), Shape({10000}));
  EXPECT_EQ(d.num_classes, 10);
  // The data set is balanced: 6,000 training and 1,000 test images per class.
  EXPECT_EQ(class_counts(d.train_labels, 10), std::vector<int64_t>(10, 6000));
  EXPECT_EQ(class_counts(d.test_labels, 10), std::vector<int64_t>(10, 1000));
  for (const Tensor& images : {d.train_images, d.test_images}) {
    EXPECT_EQ(-max(neg(images)).item_double(), 0.0);
    EXPECT_EQ(max(images).item_double(), 1.0);
    const double m = mean(images).item_double();
    EXPECT_GT(m, 0.2);  // mean pixel of Fashion-MNIST is about 0.286
    EXPECT_LT(m, 0.4);
  }
  // Tokens of the first image are its 4 x 4 tiles.
  const Tensor tokens = data::patch_tokens(d.test_images.narrow_rows(0, 2), 4);
  EXPECT_EQ(tokens.shape(), Shape({2, 49, 16}));
  const double total = sum(d.test_images.narrow_rows(0, 2)).item_double();
  EXPECT_NEAR(sum(tokens).item_double(), total, 1e-4 * total);
}

TEST(FashionMnist, RawIdxIsBytes) {
  LOOM_REQUIRE_FASHION_MNIST();
  const std::string dir = data::resolve_fashion_mnist_dir();
  const std::string gz = dir + "/t10k-labels-idx1-ubyte.gz";
  const Tensor labels = data::read_idx(std::filesystem::exists(gz) ? gz : dir + "/t10k-labels-idx1-ubyte");
  EXPECT_EQ(labels.dtype(), kInt32);
  EXPECT_EQ(labels.shape(), Shape({10000}));
  const std::vector<int32_t> v = labels.to_vector<int32_t>();
  EXPECT_EQ(*std::min_element(v.begin(), v.end()), 0);
  EXPECT_EQ(*std::max_element(v.begin(), v.end()), 9);
}

}  // namespace
}  // namespace loom
