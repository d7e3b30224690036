// Reductions: values by hand, gradients, determinism across thread counts, and CPU against CUDA.
#include <gmock/gmock.h>
#include <oneapi/tbb/global_control.h>

#include "support/testing.h"

namespace loom {
namespace {

using testing::random_tensor;

TEST(Reduce, SumHandComputed) {
  Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(sum(x, 0).to_vector<float>(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(sum(x, -1).to_vector<float>(), (std::vector<float>{6, 15}));
  EXPECT_EQ(sum(x, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(sum(x).item<float>(), 21.0f);
  EXPECT_EQ(sum(x).dim(), 0);
  EXPECT_EQ(sum(zeros({0, 3}), 0).to_vector<float>(), (std::vector<float>{0, 0, 0}));
}

TEST(Reduce, SumLongAxisUsesChunksAndStaysExact) {
  // 10007 ones along a long axis (several chunks and a partial one), with inner > 1 and inner == 1.
  Tensor x = ones({10007, 3}, kFloat64);
  EXPECT_EQ(sum(x, 0).to_vector<double>(), (std::vector<double>{10007, 10007, 10007}));
  EXPECT_EQ(sum(ones({2, 10007}, kFloat64), 1).to_vector<double>(), (std::vector<double>{10007, 10007}));
}

TEST(Reduce, SumGradcheck) {
  for (int64_t d : {0, 1, 2}) {
    EXPECT_TRUE(testing::gradcheck([d](const std::vector<Tensor>& in) { return sum(in[0], d, d == 1); },
                                   {random_tensor({2, 3, 4}, 7)}));
  }
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return sum(in[0]); }, {random_tensor({3, 5}, 8)}));
}

TEST(Reduce, SumIsBitwiseDeterministicAcrossThreadCounts) {
  Tensor x = random_tensor({50000, 5}, 9, -1, 1, kFloat32);
  std::vector<float> one, many;
  {
    oneapi::tbb::global_control c(oneapi::tbb::global_control::max_allowed_parallelism, 1);
    one = sum(x, 0).to_vector<float>();
  }
  many = sum(x, 0).to_vector<float>();
  EXPECT_EQ(one, many);
  EXPECT_EQ(sum(x).item<float>(), sum(x).item<float>());
}

TEST(Reduce, SumCpuMatchesCudaAndIsDeterministic) {
  LOOM_REQUIRE_CUDA();
  for (Shape s : {Shape{100003}, Shape{3000, 17}, Shape{7, 5000}, Shape{4, 2500, 3}}) {
    Tensor x = random_tensor(s, 10, -1, 1, kFloat32);
    for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d) {
      Tensor c = sum(x, d), g = sum(x.cuda(), d);
      EXPECT_TRUE(allclose(g.cpu(), c, 1e-4, 1e-3)) << shape_str(s) << " dim " << d;
      EXPECT_EQ(g.cpu().to_vector<float>(), sum(x.cuda(), d).cpu().to_vector<float>());
    }
  }
}

}  // namespace
}  // namespace loom
