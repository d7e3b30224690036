// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Named choices: every enum value round-trips through its name, unknown names list the valid ones, check_choice
// names who refused what, and activate() applies the function it names.
#include <gmock/gmock.h>

#include "loom/core/choices.h"
#include "loom/core/ops.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

template <class E> void expect_round_trip() {
  for (const auto& [value, name] : EnumNames<E>::table) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(parse_choice<E>(name), value);
  }
}

TEST(Choices, EveryNameRoundTrips) {
  expect_round_trip<Activation>();
  expect_round_trip<Aggregation>();
  expect_round_trip<NormLayer>();
  EXPECT_EQ(choice_names<NormLayer>(), (std::vector<std::string>{"none", "batch", "layer"}));
}

TEST(Choices, UnknownNamesListTheValidOnes) {
  EXPECT_THAT([] { parse_choice<Activation>("swish"); },
              ThrowsMessage<ValueError>(HasSubstr(
                  "unknown activation 'swish' (expected identity, relu, leaky_relu, elu, gelu, sigmoid or tanh)")));
  EXPECT_THAT([] { parse_choice<NormLayer>("group"); },
              ThrowsMessage<ValueError>(HasSubstr("unknown norm 'group' (expected none, batch or layer)")));
  EXPECT_THAT([] { check_choice("SINCConv", Aggregation::kMax, {Aggregation::kSum, Aggregation::kMean}); },
              ThrowsMessage<ValueError>(
                  HasSubstr("SINCConv: aggregation 'max' is not supported (expected sum or mean)")));
  EXPECT_NO_THROW(check_choice("SINCConv", Aggregation::kMean, {Aggregation::kSum, Aggregation::kMean}));
}

TEST(Choices, ActivateAppliesTheNamedFunction) {
  const Tensor x = from_vector(std::vector<float>{-2.0f, -0.5f, 0.0f, 1.5f}, {4});
  auto values = [](const Tensor& t) { return t.to_vector<float>(); };
  EXPECT_EQ(values(activate(x, Activation::kIdentity)), values(x));
  EXPECT_EQ(values(activate(x, Activation::kRelu)), values(relu(x)));
  EXPECT_EQ(values(activate(x, Activation::kLeakyRelu, 0.1)), values(leaky_relu(x, 0.1)));
  EXPECT_EQ(values(activate(x, Activation::kElu)), values(elu(x)));
  EXPECT_EQ(values(activate(x, Activation::kGelu)), values(gelu(x)));
  EXPECT_EQ(values(activate(x, Activation::kSigmoid)), values(sigmoid(x)));
  EXPECT_EQ(values(activate(x, Activation::kTanh)), values(tanh(x)));
  EXPECT_NE(values(activate(x, Activation::kTanh)), values(x));  // the comparison above can fail
}

}  // namespace
}  // namespace loom
