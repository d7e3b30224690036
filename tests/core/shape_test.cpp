// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shape ops (concat, slice, reshape, transpose): values by hand, errors, gradients along several dims, CPU vs CUDA.
#include <gmock/gmock.h>

#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::random_tensor;

TEST(Shape, ConcatHandComputed) {
  Tensor a = from_vector<float>({1, 2, 3, 4}, {2, 2});
  Tensor b = from_vector<float>({5, 6}, {1, 2});
  Tensor c = from_vector<float>({7, 8, 9, 10, 11, 12}, {2, 3});
  Tensor r0 = concat({a, b}, 0);
  EXPECT_EQ(r0.shape(), (Shape{3, 2}));
  EXPECT_EQ(r0.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  Tensor r1 = concat({a, c}, -1);
  EXPECT_EQ(r1.shape(), (Shape{2, 5}));
  EXPECT_EQ(r1.to_vector<float>(), (std::vector<float>{1, 2, 7, 8, 9, 3, 4, 10, 11, 12}));
  // Empty pieces and integer tensors pass through.
  EXPECT_EQ(concat({a, zeros({2, 0})}, 1).to_vector<float>(), a.to_vector<float>());
  Tensor i = concat({from_vector<int64_t>({1, 2}), from_vector<int64_t>({3}, {1})}, 0);
  EXPECT_EQ(i.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
}

TEST(Shape, SliceHandComputed) {
  Tensor x = from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4});
  EXPECT_EQ(slice(x, 0, 1, 3).to_vector<float>(), (std::vector<float>{4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(slice(x, 1, 1, 3).to_vector<float>(), (std::vector<float>{1, 2, 5, 6, 9, 10}));
  EXPECT_EQ(slice(x, -1, -2, 4).to_vector<float>(), (std::vector<float>{2, 3, 6, 7, 10, 11}));
  EXPECT_EQ(slice(x, 1, 0, -3).to_vector<float>(), (std::vector<float>{0, 4, 8}));
  EXPECT_EQ(slice(x, 0, 2, 2).shape(), (Shape{0, 4}));
  // A copy, not a view: changing the slice leaves x alone.
  Tensor s = slice(x, 0, 0, 1);
  s.fill_(-1);
  EXPECT_EQ(x.to_vector<float>()[0], 0.0f);
}

TEST(Shape, TransposeAndReshapeHandComputed) {
  Tensor x = from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor t = transpose(x, 0, 1);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(transpose(x, -1, -2).to_vector<float>(), t.to_vector<float>());
  EXPECT_EQ(transpose(x, 1, 1).to_vector<float>(), x.to_vector<float>());
  // [2, 3, 2] swapping dims 0 and 2: out[k, j, i] = x[i, j, k].
  Tensor y = from_vector<double>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 3, 2});
  EXPECT_EQ(transpose(y, 0, 2).to_vector<double>(), (std::vector<double>{0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11}));
  Tensor r = reshape(x, {3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_EQ(r.to_vector<float>(), x.to_vector<float>());
}

TEST(Shape, BadArguments) {
  EXPECT_THAT([] { concat({}, 0); }, ThrowsMessage<ValueError>(HasSubstr("concat: needs at least one tensor")));
  EXPECT_THAT([] { concat({zeros({2, 3}), zeros({2, 4})}, 0); },
              ThrowsMessage<ShapeError>(HasSubstr("concat: xs[1] has shape [2, 4] but xs[0] has shape [2, 3]")));
  EXPECT_THAT([] { concat({zeros({2, 3}), zeros({3})}, 0); }, ThrowsMessage<ShapeError>(HasSubstr("xs[1] has shape [3]")));
  EXPECT_THAT([] { concat({zeros({2}), zeros({2}, kFloat64)}, 0); },
              ThrowsMessage<DTypeError>(HasSubstr("concat: 'xs[0]' is float32 [2] but 'xs[1]' is float64 [2]")));
  EXPECT_THAT([] { slice(zeros({3, 4}), 1, 2, 5); },
              ThrowsMessage<IndexError>(HasSubstr("slice: range [2, 5) is out of range for dimension 1 of size 4")));
  EXPECT_THAT([] { slice(zeros({3, 4}), 0, 2, 1); }, ThrowsMessage<IndexError>(HasSubstr("range [2, 1)")));
  EXPECT_THAT([] { slice(zeros({3, 4}), 0, -4, 2); }, ThrowsMessage<IndexError>(HasSubstr("range [-4, 2)")));
  EXPECT_THAT([] { slice(zeros({3}), 1, 0, 1); }, ThrowsMessage<IndexError>(HasSubstr("slice: dimension 1 is out of range")));
  EXPECT_THAT([] { transpose(zeros({3, 4}), 0, 2); },
              ThrowsMessage<IndexError>(HasSubstr("transpose: dimension 2 is out of range for a tensor of rank 2")));
  EXPECT_THAT([] { reshape(zeros({3, 4}), {5, 2}); }, ThrowsMessage<ShapeError>(HasSubstr("cannot view [3, 4]")));
}

TEST(Shape, Gradchecks) {
  Tensor a = random_tensor({2, 3, 4}, 51), b = random_tensor({2, 2, 4}, 52), c = random_tensor({2, 1, 4}, 53);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return concat(in, 1); }, {a, b, c}));
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return concat(in, 0); },
                                 {random_tensor({1, 3}, 54), random_tensor({2, 3}, 55)}));
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return concat(in, -1); },
                                 {random_tensor({2, 3, 2}, 56), random_tensor({2, 3, 3}, 57)}));
  for (int64_t d : {0, 1, 2, -1}) {
    EXPECT_TRUE(testing::gradcheck([d](const std::vector<Tensor>& in) { return slice(in[0], d, 1, -1); },
                                   {random_tensor({3, 4, 5}, 58)}))
        << "slice dim " << d;
  }
  for (auto [d0, d1] : {std::pair<int64_t, int64_t>{0, 1}, {0, 2}, {1, -1}, {2, 2}}) {
    EXPECT_TRUE(testing::gradcheck([d0, d1](const std::vector<Tensor>& in) { return transpose(in[0], d0, d1); },
                                   {random_tensor({2, 3, 4}, 59)}))
        << "transpose " << d0 << " " << d1;
  }
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return reshape(in[0], {4, -1}); },
                                 {random_tensor({2, 3, 4}, 60)}));
}

TEST(Shape, LargeCopiesSpanTasks) {
  // Enough elements for several TBB tasks, with blocks that straddle task boundaries.
  Tensor x = random_tensor({300, 1000}, 61, -1, 1, kFloat32);
  Tensor s = slice(x, 1, 3, 997);
  std::vector<float> xv = x.to_vector<float>(), sv = s.to_vector<float>();
  for (int64_t r = 0; r < 300; r += 37) EXPECT_EQ(sv[static_cast<size_t>(r * 994 + 5)], xv[static_cast<size_t>(r * 1000 + 8)]);
  Tensor back = concat({slice(x, 1, 0, 3), s, slice(x, 1, 997, 1000)}, 1);
  EXPECT_EQ(back.to_vector<float>(), xv);
  Tensor tt = transpose(transpose(x, 0, 1), 0, 1);
  EXPECT_EQ(tt.to_vector<float>(), xv);
}

TEST(Shape, CpuMatchesCudaForwardAndBackward) {
  LOOM_REQUIRE_CUDA();
  Tensor a = random_tensor({5, 6, 7}, 62, -1, 1, kFloat32), b = random_tensor({5, 3, 7}, 63, -1, 1, kFloat32);
  Tensor dy = random_tensor({5, 9, 7}, 64, -1, 1, kFloat32);
  Tensor ac = a.clone().detach().set_requires_grad(true), bc = b.clone().detach().set_requires_grad(true);
  Tensor ag = a.cuda().detach().set_requires_grad(true), bg = b.cuda().detach().set_requires_grad(true);
  Tensor cc = concat({ac, bc}, 1), cg = concat({ag, bg}, 1);
  EXPECT_EQ(cg.cpu().to_vector<float>(), cc.to_vector<float>());
  cc.backward(dy);
  cg.backward(dy.cuda());
  EXPECT_EQ(ag.grad().cpu().to_vector<float>(), ac.grad().to_vector<float>());
  EXPECT_EQ(bg.grad().cpu().to_vector<float>(), bc.grad().to_vector<float>());
  for (int64_t d : {0, 1, 2}) {
    Tensor xc = a.clone().detach().set_requires_grad(true), xg = a.cuda().detach().set_requires_grad(true);
    Tensor sc = slice(xc, d, 1, 4), sg = slice(xg, d, 1, 4);
    EXPECT_EQ(sg.cpu().to_vector<float>(), sc.to_vector<float>()) << "slice dim " << d;
    Tensor g = random_tensor(sc.shape(), 65, -1, 1, kFloat32);
    sc.backward(g);
    sg.backward(g.cuda());
    EXPECT_EQ(xg.grad().cpu().to_vector<float>(), xc.grad().to_vector<float>()) << "slice dim " << d;
  }
  for (auto [d0, d1] : {std::pair<int64_t, int64_t>{0, 1}, {0, 2}, {1, 2}}) {
    Tensor xc = a.clone().detach().set_requires_grad(true), xg = a.cuda().detach().set_requires_grad(true);
    Tensor tc = transpose(xc, d0, d1), tg = transpose(xg, d0, d1);
    EXPECT_EQ(tg.cpu().to_vector<float>(), tc.to_vector<float>());
    Tensor g = random_tensor(tc.shape(), 66, -1, 1, kFloat32);
    tc.backward(g);
    tg.backward(g.cuda());
    EXPECT_EQ(xg.grad().cpu().to_vector<float>(), xc.grad().to_vector<float>());
  }
  // int64 and float64 move as 8-byte words.
  Tensor i = from_vector<int64_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(transpose(i.cuda(), 0, 1).cpu().to_vector<int64_t>(), transpose(i, 0, 1).to_vector<int64_t>());
  Tensor big = random_tensor({1000, 513}, 67);
  EXPECT_EQ(transpose(big.cuda(), 0, 1).cpu().to_vector<double>(), transpose(big, 0, 1).to_vector<double>());
}

}  // namespace
}  // namespace loom
