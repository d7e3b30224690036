// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The C API (loom_runtime.h): a round trip that agrees bitwise with the C++ API, and error codes with messages for
// malformed files and bad calls. (runtime.c_header compiles the header as C99.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "loom/runtime/runtime.h"
#include "loom_runtime.h"
#include "model_writer.h"
#include "test_util.h"

namespace loom::runtime::testing {
namespace {

using ::testing::HasSubstr;

std::string write_good(const std::string& name) {
  const std::string path = temp_path(name);
  write_file(path, serialize(Builder(9, 4, true).linear(8).act("relu").linear_int8(4).build()));
  return path;
}

TEST(RuntimeCApi, RoundTripMatchesCpp) {
  const std::string path = write_good("c_round.loom");
  loom_model* m = nullptr;
  ASSERT_EQ(loom_model_load(path.c_str(), &m), LOOM_OK) << loom_last_error();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(loom_model_input_width(m), 9);
  EXPECT_EQ(loom_model_num_classes(m), 4);
  EXPECT_STREQ(loom_model_class_name(m, 2), "c2");
  const Model cpp = Model::load(path);
  const int64_t rows = 7;
  const std::vector<float> x = random_input(rows, 9);
  std::vector<float> logits(rows * 4), p(rows * 4), cpp_p(rows * 4);
  std::vector<int32_t> classes(rows), cpp_classes(rows);
  ASSERT_EQ(loom_model_logits(m, x.data(), rows, logits.data()), LOOM_OK);
  EXPECT_EQ(logits, cpp.logits(x, rows));
  ASSERT_EQ(loom_model_predict(m, x.data(), rows, classes.data(), p.data()), LOOM_OK);
  cpp.predict(x.data(), rows, cpp_classes.data(), cpp_p.data());
  EXPECT_EQ(classes, cpp_classes);
  EXPECT_EQ(p, cpp_p);
  ASSERT_EQ(loom_model_predict(m, x.data(), rows, classes.data(), nullptr), LOOM_OK);  // probabilities optional
  loom_model_free(m);
  loom_model_free(nullptr);
}

TEST(RuntimeCApi, LoadErrorsGiveCodesAndMessages) {
  loom_model* m = reinterpret_cast<loom_model*>(0x1);
  EXPECT_EQ(loom_model_load("/nonexistent/x.loom", &m), LOOM_IO_ERROR);
  EXPECT_EQ(m, nullptr);
  EXPECT_THAT(loom_last_error(), HasSubstr("/nonexistent/x.loom"));
  EXPECT_EQ(loom_model_load(nullptr, &m), LOOM_INVALID_ARGUMENT);
  EXPECT_THAT(loom_last_error(), HasSubstr("path is null"));
  EXPECT_EQ(loom_model_load("x", nullptr), LOOM_INVALID_ARGUMENT);

  ModelSpec s = Builder(5, 3).linear(3).build();
  s.card["format_version"] = 9;
  const std::string path = temp_path("c_version.loom");
  write_file(path, serialize(s));
  EXPECT_EQ(loom_model_load(path.c_str(), &m), LOOM_UNSUPPORTED);
  EXPECT_THAT(loom_last_error(), HasSubstr("format_version 9"));

  std::string bytes = serialize(Builder(5, 3).linear(3).build());
  bytes.back() ^= 1;
  write_file(path, bytes);
  EXPECT_EQ(loom_model_load(path.c_str(), &m), LOOM_CHECKSUM_ERROR);
  EXPECT_THAT(loom_last_error(), HasSubstr("checksum"));

  s = Builder(5, 3).linear(3).build();
  s.card["layers"].push_back({{"op", "softmax"}});
  write_file(path, serialize(s));
  EXPECT_EQ(loom_model_load(path.c_str(), &m), LOOM_UNSUPPORTED);
  EXPECT_THAT(loom_last_error(), HasSubstr("unknown layer 'softmax' at layers[1]"));

  s = Builder(5, 3).linear(3).build();
  find(s, "layers.0.weight")->shape = {5, 3};
  write_file(path, serialize(s));
  EXPECT_EQ(loom_model_load(path.c_str(), &m), LOOM_SHAPE_ERROR);

  write_file(path, bytes.substr(0, 20));
  EXPECT_EQ(loom_model_load(path.c_str(), &m), LOOM_FORMAT_ERROR);
  EXPECT_THAT(loom_last_error(), HasSubstr(path));
}

TEST(RuntimeCApi, BadCallsGiveCodes) {
  const std::string path = write_good("c_calls.loom");
  loom_model* m = nullptr;
  ASSERT_EQ(loom_model_load(path.c_str(), &m), LOOM_OK);
  std::vector<float> x = random_input(3, 9), out(12);
  std::vector<int32_t> classes(3);
  EXPECT_EQ(loom_model_input_width(nullptr), -1);
  EXPECT_THAT(loom_last_error(), HasSubstr("model is null"));
  EXPECT_EQ(loom_model_num_classes(nullptr), -1);
  EXPECT_EQ(loom_model_class_name(nullptr, 0), nullptr);
  EXPECT_EQ(loom_model_class_name(m, -1), nullptr);
  EXPECT_THAT(loom_last_error(), HasSubstr("class -1 is outside [0, 4)"));
  EXPECT_EQ(loom_model_class_name(m, 4), nullptr);
  EXPECT_EQ(loom_model_predict(nullptr, x.data(), 3, classes.data(), nullptr), LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(loom_model_predict(m, nullptr, 3, classes.data(), nullptr), LOOM_INVALID_ARGUMENT);
  EXPECT_THAT(loom_last_error(), HasSubstr("x is null"));
  EXPECT_EQ(loom_model_predict(m, x.data(), 3, nullptr, nullptr), LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(loom_model_predict(m, x.data(), -2, classes.data(), nullptr), LOOM_INVALID_ARGUMENT);
  EXPECT_THAT(loom_last_error(), HasSubstr("rows is -2"));
  EXPECT_EQ(loom_model_logits(nullptr, x.data(), 3, out.data()), LOOM_INVALID_ARGUMENT);
  EXPECT_EQ(loom_model_logits(m, x.data(), 3, nullptr), LOOM_INVALID_ARGUMENT);
  x[1 * 9 + 4] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(loom_model_logits(m, x.data(), 3, out.data()), LOOM_NON_FINITE);
  EXPECT_THAT(loom_last_error(), HasSubstr("row 1, column 4"));
  EXPECT_EQ(loom_model_predict(m, x.data(), 3, classes.data(), out.data()), LOOM_NON_FINITE);
  EXPECT_EQ(loom_model_logits(m, x.data(), 0, out.data()), LOOM_OK);
  loom_model_free(m);
}

}  // namespace
}  // namespace loom::runtime::testing
