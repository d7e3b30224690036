// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// loom::runtime (C++ API): inference against a double-precision reference of the card, every malformed file the
// format's "Errors" section lists, bad calls, and bitwise agreement of one-row, batched and threaded answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <thread>

#include "loom/runtime/runtime.h"
#include "loom_runtime.h"
#include "model_writer.h"
#include "test_util.h"

namespace loom::runtime::testing {
namespace {

using ::testing::HasSubstr;

Model load_spec(const ModelSpec& spec, const std::string& name) {
  const std::string path = temp_path(name);
  write_file(path, serialize(spec));
  return Model::load(path);
}

// Float inference against the double reference: close relative to the logits' scale.
void expect_matches_reference(const ModelSpec& spec, const std::string& name, std::vector<float> x, int64_t rows) {
  const Model m = load_spec(spec, name);
  const std::vector<float> got = m.logits(x, rows);
  const std::vector<double> want = reference_logits(spec, x, rows);
  ASSERT_EQ(got.size(), want.size());
  double scale = 1;
  for (double v : want) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 2e-5 * scale) << name << " at " << i;
}

TEST(RuntimeInference, LinearWithAndWithoutBias) {
  // Widths off the vector width (4, 8 or 16 lanes) and the row tile exercise the padding and the short tiles.
  const ModelSpec spec = Builder(13, 5).linear(20).act("relu").linear(5, /*bias=*/false).build();
  expect_matches_reference(spec, "bias.loom", random_input(11, 13), 11);
}

TEST(RuntimeInference, EveryOp) {
  const ModelSpec spec = Builder(37, 6)
                             .linear(24)
                             .act("elu", 0.7)
                             .linear(17, false)
                             .act("leaky_relu", 0.2)
                             .batch_norm()
                             .act("tanh")
                             .linear(16)
                             .act("sigmoid")
                             .linear(9)
                             .act("gelu")
                             .act("elu")
                             .act("leaky_relu")
                             .linear_int8(6)
                             .build();
  expect_matches_reference(spec, "ops.loom", random_input(9, 37), 9);
}

TEST(RuntimeInference, RowNormalizeLeavesAZeroRowUnchanged) {
  const ModelSpec spec = Builder(10, 3, /*row_normalize=*/true).linear(8).act("relu").linear(3).build();
  std::vector<float> x = random_input(5, 10);
  for (int i = 0; i < 10; ++i) x[2 * 10 + i] = 0;  // row 2 sums to 0
  x[4 * 10 + 0] = 5;  // a row summing to 0 with non-zero entries is left unchanged too
  for (int i = 1; i < 10; ++i) x[4 * 10 + i] = -5.0f / 9;
  x[4 * 10 + 9] = 5 - (-5.0f / 9) * -8 + 0;  // not exactly 0: just a row with a large sum
  expect_matches_reference(spec, "rownorm.loom", x, 5);
  const Model m = load_spec(spec, "rownorm2.loom");
  EXPECT_EQ(m.preprocess(), Preprocess::kRowNormalize);
}

TEST(RuntimeInference, Int8) {
  const ModelSpec spec = Builder(128, 7).linear_int8(64).act("relu").linear_int8(7, false).build();
  expect_matches_reference(spec, "int8.loom", random_input(6, 128), 6);
  EXPECT_TRUE(load_spec(spec, "int8b.loom").int8());
  EXPECT_FALSE(load_spec(Builder(4, 2).linear(2).build(), "f32.loom").int8());
}

TEST(RuntimeInference, Accessors) {
  const ModelSpec spec = Builder(12, 4).linear(4).build();
  const Model m = load_spec(spec, "acc.loom");
  EXPECT_EQ(m.input_width(), 12);
  EXPECT_EQ(m.num_classes(), 4);
  EXPECT_THAT(m.class_names(), ::testing::ElementsAre("c0", "c1", "c2", "c3"));
  EXPECT_EQ(m.preprocess(), Preprocess::kNone);
  EXPECT_EQ(nlohmann::json::parse(m.card_json())["format"], "loom-model");
}

TEST(RuntimeInference, PredictIsArgmaxAndSoftmax) {
  const ModelSpec spec = Builder(20, 7).linear(16).act("relu").linear(7).build();
  const Model m = load_spec(spec, "predict.loom");
  const int64_t rows = 10;
  const std::vector<float> x = random_input(rows, 20);
  const std::vector<float> z = m.logits(x, rows);
  std::vector<int32_t> classes(rows);
  std::vector<float> p(rows * 7);
  m.predict(x.data(), rows, classes.data(), p.data());
  EXPECT_EQ(m.predict(x, rows), classes);
  for (int64_t r = 0; r < rows; ++r) {
    const float* zr = z.data() + r * 7;
    EXPECT_EQ(classes[r], std::max_element(zr, zr + 7) - zr);
    double sum = 0, norm = 0;
    for (int c = 0; c < 7; ++c) norm += std::exp(static_cast<double>(zr[c]));
    for (int c = 0; c < 7; ++c) {
      sum += p[r * 7 + c];
      EXPECT_NEAR(p[r * 7 + c], std::exp(static_cast<double>(zr[c])) / norm, 1e-6);
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST(RuntimeInference, OneRowBatchedAndThreadedAgreeBitwise) {
  const ModelSpec spec = Builder(45, 7, true).linear(33).act("gelu").batch_norm().linear_int8(7).build();
  const Model m = load_spec(spec, "bitwise.loom");
  const int64_t rows = 103;
  const std::vector<float> x = random_input(rows, 45);
  const std::vector<float> batch = m.logits(x, rows);
  for (int64_t r = 0; r < rows; ++r) {
    float one[7];
    m.logits(x.data() + r * 45, 1, one);
    EXPECT_EQ(std::memcmp(one, batch.data() + r * 7, sizeof one), 0) << "row " << r;
  }
  for (int threads : {2, 3, 8, 200}) EXPECT_EQ(m.logits(x, rows, threads), batch) << threads << " threads";
}

// Several row blocks (the runtime runs ~64 KiB of activations through all layers at a time), column tiles of every
// width, a model that starts with batch_norm, ops fused into a linear layer's epilogue and ops run on their own.
TEST(RuntimeInference, ManyBlocksAndTilesAgreeBitwiseAndWithTheReference) {
  const ModelSpec spec = Builder(70, 5, true)
                             .batch_norm()
                             .linear(150)
                             .act("leaky_relu", 0.1)
                             .batch_norm()
                             .act("relu")
                             .linear(40, false)
                             .act("tanh")
                             .batch_norm()
                             .linear_int8(5)
                             .build();
  const int64_t rows = 700;
  const std::vector<float> x = random_input(rows, 70);
  expect_matches_reference(spec, "blocks_ref.loom", x, rows);
  const Model m = load_spec(spec, "blocks.loom");
  const std::vector<float> batch = m.logits(x, rows);
  for (int64_t r = 0; r < rows; ++r) {
    float one[5];
    m.logits(x.data() + r * 70, 1, one);
    ASSERT_EQ(std::memcmp(one, batch.data() + r * 5, sizeof one), 0) << "row " << r;
  }
  for (int64_t n : {1, 5, 7, 13, 101, 699}) {  // batches of other sizes split the rows into other blocks and tiles
    float got[5 * 699];
    m.logits(x.data(), n, got);
    EXPECT_EQ(std::memcmp(got, batch.data(), n * 5 * sizeof(float)), 0) << n << " rows";
  }
  for (int threads : {2, 3, 7}) EXPECT_EQ(m.logits(x, rows, threads), batch) << threads << " threads";
}

TEST(RuntimeInference, SixteenThreadsOnOneModelAgreeBitwise) {
  const ModelSpec spec = Builder(64, 7).linear(48).act("relu").linear(7).build();
  const Model m = load_spec(spec, "threads.loom");
  const int64_t rows = 50;
  const std::vector<float> x = random_input(rows, 64);
  const std::vector<float> want = m.logits(x, rows);
  std::vector<int32_t> want_classes(rows);
  std::vector<float> want_p(rows * 7);
  m.predict(x.data(), rows, want_classes.data(), want_p.data());
  std::vector<int> bad(16, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < 16; ++t)
    pool.emplace_back([&, t] {
      for (int it = 0; it < 20; ++it) {
        std::vector<int32_t> classes(rows);
        std::vector<float> p(rows * 7);
        m.predict(x.data(), rows, classes.data(), p.data());
        bad[t] += m.logits(x, rows) != want || classes != want_classes || p != want_p;
        float one[7];
        const int64_t r = (t * 7 + it) % rows;
        m.logits(x.data() + r * 64, 1, one);
        bad[t] += std::memcmp(one, want.data() + r * 7, sizeof one) != 0;
      }
    });
  for (auto& th : pool) th.join();
  for (int t = 0; t < 16; ++t) EXPECT_EQ(bad[t], 0) << "thread " << t;
}

// ---- bad calls
template <class F>
void expect_error(F&& f, Status status, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no error; expected " << status_name(status) << " with '" << text << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), status) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(text));
  }
}

TEST(RuntimeCalls, BadArguments) {
  const Model m = load_spec(Builder(6, 3).linear(3).build(), "calls.loom");
  std::vector<float> x = random_input(4, 6), out(12);
  std::vector<int32_t> classes(4);
  expect_error([&] { m.logits(nullptr, 4, out.data()); }, Status::kInvalidArgument, "x is null");
  expect_error([&] { m.logits(x.data(), 4, nullptr); }, Status::kInvalidArgument, "out is null");
  expect_error([&] { m.logits(x.data(), -1, out.data()); }, Status::kInvalidArgument, "rows is -1");
  expect_error([&] { m.predict(x.data(), 4, nullptr); }, Status::kInvalidArgument, "classes is null");
  expect_error([&] { m.logits(x.data(), 4, out.data(), 0); }, Status::kInvalidArgument, "threads");
  expect_error([&] { m.logits(std::span<const float>(x).first(5), 1); }, Status::kShapeError, "5 values");
  m.logits(nullptr, 0, nullptr);  // zero rows: nothing to read or write
  x[2 * 6 + 3] = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { m.logits(x.data(), 4, out.data()); }, Status::kNonFinite, "row 2, column 3");
  expect_error([&] { m.predict(x.data(), 4, classes.data(), nullptr, 3); }, Status::kNonFinite, "row 2, column 3");
  x[2 * 6 + 3] = std::numeric_limits<float>::infinity();
  expect_error([&] { m.logits(x.data(), 4, out.data(), 2); }, Status::kNonFinite, "row 2, column 3");
}

// ---- malformed files: each case makes a file, which must fail with the status and a message naming the problem.
struct BadFile {
  const char* name;
  std::function<std::string()> bytes;
  Status status;
  const char* text;
};

ModelSpec good_spec() { return Builder(5, 3).linear(4).act("relu").batch_norm().linear_int8(3).build(); }
std::string good_bytes() { return serialize(good_spec()); }

std::string with_card(const std::function<void(nlohmann::json&)>& edit) {
  ModelSpec s = good_spec();
  edit(s.card);
  return serialize(s);
}
std::string with_tensor(const std::string& name, const std::function<void(TensorSpec&)>& edit) {
  ModelSpec s = good_spec();
  edit(*find(s, name));
  return serialize(s);
}
// Rewrites the safetensors header (keeping the data), with the header length fixed up.
std::string with_header(const std::function<void(nlohmann::json&)>& edit) {
  const std::string b = good_bytes();
  uint64_t n = 0;
  std::memcpy(&n, b.data(), 8);
  nlohmann::json h = nlohmann::json::parse(b.substr(8, n));
  edit(h);
  const std::string text = h.dump();
  std::string out(8, '\0');
  const uint64_t len = text.size();
  std::memcpy(out.data(), &len, 8);
  return out + text + b.substr(8 + n);
}

std::vector<BadFile> bad_files() {
  const auto nan = std::numeric_limits<float>::quiet_NaN();
  return {
      {"empty", [] { return std::string(); }, Status::kFormatError, "shorter than the 8-byte header length"},
      {"short", [] { return std::string("\x10\0\0", 3); }, Status::kFormatError, "shorter than the 8-byte"},
      {"header_beyond_file", [] { std::string b = good_bytes(); b[6] = 1; return b; }, Status::kFormatError,
       "exceeds the"},
      {"bad_json", [] { std::string b = good_bytes(); b[8] = '['; b[9] = '}'; return b; }, Status::kFormatError,
       "not valid JSON"},
      {"no_card", [] { return with_header([](auto& h) { h["__metadata__"].erase("loom.card"); }); },
       Status::kFormatError, "loom.card"},
      {"card_not_json", [] { return with_header([](auto& h) { h["__metadata__"]["loom.card"] = "{oops"; }); },
       Status::kFormatError, "the card is not valid JSON"},
      {"wrong_format", [] { return with_card([](auto& c) { c["format"] = "onnx"; }); }, Status::kFormatError,
       "format is 'onnx'"},
      {"bad_version", [] { return with_card([](auto& c) { c["format_version"] = 2; }); }, Status::kUnsupported,
       "format_version 2"},
      {"flipped_byte", [] { std::string b = good_bytes(); b[b.size() - 5] ^= 0x10; return b; },
       Status::kChecksumError, "checksum mismatch"},
      {"bad_checksum_text", [] { ModelSpec s = good_spec(); s.card["checksum"] = "md5:00"; return serialize(s, false); },
       Status::kFormatError, "card.checksum"},
      {"wrong_dtype", [] { return with_tensor("layers.0.weight", [](auto& t) { t.dtype = "F64"; t.bytes += t.bytes; }); },
       Status::kFormatError, "dtype F64"},
      {"f32_for_int8", [] { return with_tensor("layers.3.weight", [](auto& t) { t.dtype = "F32"; t.bytes += t.bytes + t.bytes + t.bytes; }); },
       Status::kFormatError, "expected I8"},
      {"wrong_shape", [] { return with_tensor("layers.0.weight", [](auto& t) { t.shape = {5, 4}; }); },
       Status::kShapeError, "has shape [5, 4], expected [4, 5]"},
      {"huge_shape", [] { return with_tensor("layers.0.weight", [](auto& t) { t.shape = {1ull << 40, 1ull << 40}; }); },
       Status::kFormatError, "too large"},
      {"offsets_outside", [] { return with_header([](auto& h) { h["layers.0.weight"]["data_offsets"][1] = 1u << 30; }); },
       Status::kFormatError, "outside"},
      {"offsets_overlap", [] { return with_header([](auto& h) { h["layers.0.bias"]["data_offsets"] = h["layers.0.weight"]["data_offsets"]; h["layers.0.bias"]["shape"] = {20}; }); },
       Status::kFormatError, "overlaps"},
      {"unknown_card_key", [] { return with_card([](auto& c) { c["metrics"] = 1; }); }, Status::kFormatError,
       "card: unknown key 'metrics'"},
      {"newer_version", [] { return with_card([](auto& c) { c["format_version"] = 2; c["quantization"] = "fp8"; }); },
       Status::kUnsupported, "format_version 2 is not supported"},
      {"unknown_op", [] { return with_card([](auto& c) { c["layers"][1]["op"] = "conv"; }); }, Status::kUnsupported,
       "unknown layer 'conv' at layers[1]"},
      {"unknown_key", [] { return with_card([](auto& c) { c["layers"][1]["inplace"] = true; }); },
       Status::kFormatError, "unknown key 'inplace'"},
      {"missing_key", [] { return with_card([](auto& c) { c["layers"][0].erase("out"); }); }, Status::kFormatError,
       "missing key 'out'"},
      {"missing_tensor", [] { ModelSpec s = good_spec(); s.tensors.erase(s.tensors.begin() + 1); return serialize(s); },
       Status::kFormatError, "'layers.0.bias' (layers[0].bias) is missing"},
      {"extra_tensor", [] { ModelSpec s = good_spec(); s.tensors.push_back({"stray", "F32", {1}, f32_bytes({1})}); return serialize(s); },
       Status::kFormatError, "'stray' is not named by the card"},
      {"widths_do_not_chain", [] { return with_card([](auto& c) { c["layers"][3]["in"] = 5; }); },
       Status::kShapeError, "widths must chain"},
      {"last_width", [] { return with_card([](auto& c) { c["num_classes"] = 4; c["class_names"].push_back("c3"); }); },
       Status::kShapeError, "num_classes is 4"},
      {"class_names", [] { return with_card([](auto& c) { c["class_names"].erase(0); }); }, Status::kFormatError,
       "class_names"},
      {"nan_weight", [=] { return with_tensor("layers.0.weight", [=](auto& t) { std::memcpy(t.bytes.data() + 8, &nan, 4); }); },
       Status::kNonFinite, "'layers.0.weight' holds nan at index 2"},
      {"negative_var", [] { return with_tensor("norms.2.running_var", [](auto& t) { const float v = -1; std::memcpy(t.bytes.data(), &v, 4); }); },
       Status::kFormatError, "running_var[0] + eps"},
      {"int8_minus_128", [] { return with_tensor("layers.3.weight", [](auto& t) { t.bytes[3] = static_cast<char>(-128); }); },
       Status::kFormatError, "-128 at index 3"},
  };
}

TEST(RuntimeLoad, MalformedFilesAreRefusedWithTheirProblem) {
  for (const BadFile& c : bad_files()) {
    SCOPED_TRACE(c.name);
    const std::string path = temp_path(std::string(c.name) + ".loom");
    write_file(path, c.bytes());
    expect_error([&] { Model::load(path); }, c.status, c.text);
    expect_error([&] { Model::load(path); }, c.status, path);  // the message names the file
    loom_model* m = nullptr;  // the C API: the same code and message
    EXPECT_EQ(loom_model_load(path.c_str(), &m), static_cast<int>(c.status));
    EXPECT_EQ(m, nullptr);
    EXPECT_THAT(loom_last_error(), HasSubstr(c.text));
  }
}

TEST(RuntimeLoad, GoodFileLoads) {
  const std::string path = temp_path("good.loom");
  write_file(path, good_bytes());
  EXPECT_EQ(Model::load(path).num_classes(), 3);
}

TEST(RuntimeLoad, MissingFileAndDirectory) {
  expect_error([] { Model::load("/nonexistent/m.loom"); }, Status::kIoError, "'/nonexistent/m.loom': cannot open");
  expect_error([] { Model::load("/tmp"); }, Status::kIoError, "directory");
}

TEST(RuntimeLoad, EveryTruncationIsRefused) {
  const std::string b = good_bytes();
  const std::string path = temp_path("cut.loom");
  // Every cut in the length field and the header's start, then every 7th byte (each load re-parses the header).
  for (size_t cut = 0; cut < b.size(); cut += cut < 64 ? 1 : 7) {
    write_file(path, b.substr(0, cut));
    try {
      Model::load(path);
      ADD_FAILURE() << "a file cut at " << cut << " of " << b.size() << " bytes loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), Status::kFormatError) << "cut at " << cut << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace loom::runtime::testing
