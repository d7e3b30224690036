// add/sub/mul/div with broadcasting: values by hand, gradients by central differences, CPU against CUDA.
#include <gmock/gmock.h>

#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

TEST(Binary, HandComputedBroadcast) {
  Tensor a = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector<float>({10, 20, 30}, {3});
  Tensor c = from_vector<float>({100, 200}, {2, 1});
  EXPECT_EQ((a + b).to_vector<float>(), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ((a * c).to_vector<float>(), (std::vector<float>{100, 200, 300, 800, 1000, 1200}));
  EXPECT_EQ((b - a).to_vector<float>(), (std::vector<float>{9, 18, 27, 6, 15, 24}));
  EXPECT_EQ((c / a).shape(), (Shape{2, 3}));
  EXPECT_FLOAT_EQ((c / a).to_vector<float>()[5], 200.0f / 6.0f);
  EXPECT_EQ((b + c).shape(), (Shape{2, 3}));  // both sides stretch
}

TEST(Binary, BadShapesAndDtypes) {
  EXPECT_THAT([] { add(zeros({2, 3}), zeros({2})); },
              ThrowsMessage<ShapeError>(HasSubstr("add: shapes [2, 3] and [2] do not broadcast")));
  EXPECT_THAT([] { mul(zeros({2}, kInt64), zeros({2}, kInt64)); },
              ThrowsMessage<DTypeError>(HasSubstr("must be float32 or float64, got int64")));
}

struct Case {
  const char* name;
  Shape a, b;
};

TEST(Binary, GradcheckWithBroadcasting) {
  const std::vector<Case> cases = {{"same", {3, 4}, {3, 4}},       {"row", {3, 4}, {4}},
                                   {"col", {3, 1}, {1, 4}},        {"scalar", {2, 3, 2}, {}},
                                   {"lead", {2, 1, 3, 2}, {4, 1, 2}}};
  using F = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<const char*, F>> ops = {{"add", add}, {"sub", sub}, {"mul", mul}, {"div", div}};
  for (const auto& c : cases) {
    for (const auto& [name, op] : ops) {
      Tensor a = random_tensor(c.a, 1, -2, 2);
      Tensor b = random_tensor(c.b, 2, 0.5, 2);  // away from 0 for div
      EXPECT_TRUE(testing::gradcheck([op](const std::vector<Tensor>& in) { return op(in[0], in[1]); }, {a, b}))
          << name << " " << c.name;
    }
  }
}

TEST(Binary, CpuMatchesCuda) {
  LOOM_REQUIRE_CUDA();
  Tensor a = random_tensor({33, 1, 7}, 5, -2, 2, kFloat32);
  Tensor b = random_tensor({5, 7}, 6, 0.5, 2, kFloat32);
  for (auto op : {add, sub, mul, div}) {
    Tensor cpu = op(a, b);
    Tensor gpu = op(a.cuda(), b.cuda());
    EXPECT_TRUE(allclose(gpu.cpu(), cpu, 1e-6, 1e-6));
  }
  // Gradients of a broadcast product on both devices.
  Tensor ac = a.clone().set_requires_grad(true), bc = b.clone().set_requires_grad(true);
  Tensor ag = a.cuda().set_requires_grad(true), bg = b.cuda().set_requires_grad(true);
  sum(mul(ac, bc)).backward();
  sum(mul(ag, bg)).backward();
  EXPECT_TRUE(allclose(ag.grad().cpu(), ac.grad(), 1e-5, 1e-5));
  EXPECT_TRUE(allclose(bg.grad().cpu(), bc.grad(), 1e-5, 1e-5));
}

}  // namespace
}  // namespace loom
