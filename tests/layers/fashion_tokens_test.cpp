// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The token model of examples/fashion_tokens (no data set needed): the parameter-matched baseline, forward shapes
// and gradients reaching every parameter for each block, and the hyperedge SVG writer on a known participation.
#include <gmock/gmock.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "examples/fashion_svg.h"
#include "examples/fashion_tokens.h"
#include "loom/core/random.h"
#include "support/testing.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using examples::TokenModelConfig;

TokenModelConfig config_for(const std::string& block) {
  TokenModelConfig c;
  c.block = block;
  return c;
}

TEST(FashionTokens, BaselineMatchesEachBlockBudget) {
  for (const std::string match : {"softhgnn", "ace"}) {
    const int64_t target = examples::count_parameters(config_for(match));
    TokenModelConfig none = config_for("none");
    none.mlp_hidden = examples::matched_mlp_hidden(none, match);
    const int64_t got = examples::count_parameters(none);
    EXPECT_GT(none.mlp_hidden, TokenModelConfig{}.mlp_hidden) << match;
    EXPECT_LE(std::abs(got - target), (2 * none.dim + 1) / 2 + 1) << match << ": " << got << " vs " << target;
    EXPECT_LT(std::abs(static_cast<double>(got - target)) / static_cast<double>(target), 0.05) << match;
  }
  // The baseline's count by hand: embed 16 D + D, position 49 D, two LayerNorms 4 D, MLP 2 D H + H + D,
  // head 10 D + 10.
  const TokenModelConfig c = config_for("none");
  const int64_t d = c.dim, h = c.mlp_hidden;
  EXPECT_EQ(examples::count_parameters(c), 16 * d + d + 49 * d + 4 * d + 2 * d * h + h + d + 10 * d + 10);
}

TEST(FashionTokens, EveryBlockTrainsEveryParameter) {
  for (const std::string block : {"none", "softhgnn", "ace"}) {
    manual_seed(3);
    examples::TokenClassifier model(config_for(block));
    const Tensor tokens = testing::random_tensor({5, 49, 16}, 7, 0.0, 1.0, kFloat32);
    const Tensor logits = model.forward(tokens);
    EXPECT_EQ(logits.shape(), Shape({5, 10})) << block;
    cross_entropy(logits, testing::random_labels(5, 10, 9)).backward();
    for (const auto& [name, p] : model.named_parameters()) {
      ASSERT_TRUE(p.grad().defined()) << block << ": no gradient for " << name;
      EXPECT_GT(max(mul(p.grad(), p.grad())).item_double(), 0.0) << block << ": zero gradient for " << name;
    }
  }
  examples::TokenClassifier plain(config_for("none"));
  EXPECT_THAT([&] { plain.soft_details(zeros({1, 49, 16})); },
              ThrowsMessage<ValueError>(HasSubstr("the model has no SoftHGNN block")));
  EXPECT_THAT([] { examples::TokenClassifier bad(config_for("gat")); },
              ThrowsMessage<ValueError>(HasSubstr("block must be none, softhgnn or ace, found 'gat'")));
}

TEST(FashionTokens, SoftDetailsGivesAParticipationPerToken) {
  manual_seed(4);
  examples::TokenClassifier model(config_for("softhgnn"));
  model.eval();
  const layers::SoftHGNNOutput out = model.soft_details(testing::random_tensor({2, 49, 16}, 8, 0.0, 1.0, kFloat32));
  ASSERT_EQ(out.participation.shape(), Shape({2, 49, 8}));
  // A softmax over tokens: every hyperedge's column sums to 1.
  const Tensor col = sum(out.participation, 1);
  EXPECT_TRUE(allclose(col, ones({2, 8}), 1e-5, 1e-5));
}

TEST(FashionTokens, HyperedgeSvg) {
  examples::HyperedgePicture p;
  p.height = p.width = 8;
  p.patch = 4;  // 4 patches
  p.num_hyperedges = 3;
  p.pixels.assign(64, 0.5f);
  p.pixels[0] = 1.0f;
  // Patch 0 -> e2 (0.8, the image's largest), patch 1 -> e0 (0.4), patches 2, 3 -> e1 (0.2, 0.05).
  p.participation = {0.1f, 0.1f, 0.8f, 0.4f, 0.3f, 0.1f, 0.1f, 0.2f, 0.05f, 0.0f, 0.05f, 0.01f};
  p.title = "a test";
  const std::string path = (testing::temp_dir() / "h.svg").string();
  examples::write_hyperedge_svg(path, p);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string svg = ss.str();
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  EXPECT_THAT(svg, HasSubstr(">a test</text>"));
  EXPECT_THAT(svg, HasSubstr("fill=\"rgb(255,255,255)\""));  // pixel 0
  EXPECT_THAT(svg, HasSubstr("fill=\"rgb(128,128,128)\""));  // 0.5 grey
  const auto count = [&](const std::string& pattern) {
    const std::regex re(pattern);
    return std::distance(std::sregex_iterator(svg.begin(), svg.end(), re), std::sregex_iterator());
  };
  EXPECT_EQ(count("fill=\"rgb\\("), 64);
  EXPECT_EQ(count("stroke-opacity"), 4);
  const std::string e0 = examples::hyperedge_colour(0), e1 = examples::hyperedge_colour(1),
                    e2 = examples::hyperedge_colour(2);
  EXPECT_THAT(svg, HasSubstr("stroke=\"" + e2 + "\" stroke-width=\"3\" stroke-opacity=\"1.000\"><title>patch 0: "
                             "hyperedge 2, A = 0.8000"));
  EXPECT_THAT(svg, HasSubstr("stroke=\"" + e0 + "\" stroke-width=\"3\" stroke-opacity=\"0.500\"><title>patch 1"));
  EXPECT_THAT(svg, HasSubstr("stroke=\"" + e1 + "\" stroke-width=\"3\" stroke-opacity=\"0.250\"><title>patch 2"));
  // 0.05 / 0.8 is below the 0.15 floor.
  EXPECT_THAT(svg, HasSubstr("stroke=\"" + e1 + "\" stroke-width=\"3\" stroke-opacity=\"0.150\"><title>patch 3"));
  EXPECT_THAT(svg, HasSubstr("e1: 2 patch(es), max A = 0.200"));
  EXPECT_THAT(svg, HasSubstr("e2: 1 patch(es), max A = 0.800"));
  p.participation.pop_back();
  EXPECT_THAT([&] { examples::write_hyperedge_svg(path, p); },
              ThrowsMessage<ValueError>(HasSubstr("participation has 11 entries, expected 4 x 3")));
}

}  // namespace
}  // namespace loom
