// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The exporter (loom/models/export.h) against docs/model-format.md, read back byte by byte: the safetensors
// layout, the card's fields, the weights (float32 exactly; int8 within half a quantisation step), the checksum,
// and the refusal of models that need a graph.
#include <gmock/gmock.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loom/core/error.h"
#include "loom/core/io.h"
#include "loom/core/random.h"
#include "loom/models/export.h"
#include "support/testing.h"

namespace loom {
namespace {

using Json = nlohmann::json;

struct Raw {
  Json header;
  Json card;
  std::string data;  // the tensor data section
};

Raw read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int b = 7; b >= 0; --b) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(b)]);
  EXPECT_EQ(n % 8, 0u) << "the header is padded to 8 bytes";
  Raw r;
  r.header = Json::parse(bytes.substr(8, n));
  r.card = Json::parse(r.header["__metadata__"]["loom.card"].get<std::string>());
  r.data = bytes.substr(8 + n);
  return r;
}

std::vector<float> floats_of(const Raw& r, const std::string& name) {
  const auto off = r.header[name]["data_offsets"];
  std::vector<float> v((off[1].get<size_t>() - off[0].get<size_t>()) / 4);
  std::memcpy(v.data(), r.data.data() + off[0].get<size_t>(), v.size() * 4);
  return v;
}

std::shared_ptr<models::StudentMLP> trained_looking_student() {
  manual_seed(9);
  auto m = std::make_shared<models::StudentMLP>(models::StudentOptions(6, 3).hidden({5, 4}));
  NoGradGuard g;
  for (const auto& bn : m->norms()) {
    bn->running_mean.copy_(testing::random_tensor(bn->running_mean.shape(), 3, -1, 1, kFloat32));
    bn->running_var.copy_(testing::random_tensor(bn->running_var.shape(), 4, 0.5, 2, kFloat32));
  }
  return m;
}

TEST(Export, StudentFileFollowsTheFormat) {
  const auto student = trained_looking_student();
  const models::StudentMLP& m = *student;
  const std::string path = (testing::temp_dir() / "student.loom").string();
  models::ExportInfo info;
  info.features = models::FeatureTransform::kRowNormalize;
  info.class_names = {"a", "b", "c"};
  info.source_json = R"({"teacher":"hgnn"})";
  models::export_model(m, path, info);
  const Raw r = read_raw(path);
  EXPECT_EQ(r.card["format"], "loom-model");
  EXPECT_EQ(r.card["format_version"], 1);
  EXPECT_EQ(r.card["input_width"], 6);
  EXPECT_EQ(r.card["num_classes"], 3);
  EXPECT_EQ(r.card["class_names"], Json({"a", "b", "c"}));
  EXPECT_EQ(r.card["preprocess"], "row_normalize");
  EXPECT_EQ(r.card["source"]["teacher"], "hgnn");
  std::vector<std::string> ops;
  for (const Json& l : r.card["layers"]) ops.push_back(l["op"]);
  EXPECT_EQ(ops, (std::vector<std::string>{"linear", "relu", "batch_norm", "linear", "relu", "batch_norm", "linear"}));
  // Weights exactly as the model holds them, [out, in].
  const Json& first = r.card["layers"][0];
  EXPECT_EQ(r.header[first["weight"].get<std::string>()]["shape"], Json({5, 6}));
  EXPECT_EQ(floats_of(r, first["weight"]), m.linears()[0]->weight.to_vector<float>());
  EXPECT_EQ(floats_of(r, r.card["layers"][5]["running_var"]), m.norms()[1]->running_var.to_vector<float>());
  char want[32];
  std::snprintf(want, sizeof want, "fnv1a64:%016llx",
                static_cast<unsigned long long>(models::fnv1a64(r.data.data(), r.data.size())));
  EXPECT_EQ(r.card["checksum"], want);
  // The F32 file is plain safetensors: Loom's own reader opens it.
  EXPECT_EQ(read_safetensors(path).tensors.size(), r.header.size() - 1);
}

TEST(Export, Int8WeightsAreWithinHalfAStepOfTheFloats) {
  const auto student = trained_looking_student();
  const models::StudentMLP& m = *student;
  const std::string path = (testing::temp_dir() / "student8.loom").string();
  models::ExportInfo info;
  info.int8 = true;
  models::export_model(m, path, info);
  const Raw r = read_raw(path);
  const Json& layer = r.card["layers"][0];
  EXPECT_EQ(layer["op"], "linear_int8");
  EXPECT_EQ(r.header[layer["weight"].get<std::string>()]["dtype"], "I8");
  const std::vector<float> scale = floats_of(r, layer["scale"]), w = m.linears()[0]->weight.to_vector<float>();
  const size_t begin = r.header[layer["weight"].get<std::string>()]["data_offsets"][0];
  for (size_t o = 0; o < 5; ++o)
    for (size_t k = 0; k < 6; ++k) {
      const auto q = static_cast<int8_t>(r.data[begin + o * 6 + k]);
      EXPECT_GE(q, -127);
      EXPECT_LE(std::abs(scale[o] * q - w[o * 6 + k]), 0.5f * scale[o] + 1e-7f);
    }
  EXPECT_EQ(r.card["class_names"], Json({"0", "1", "2"}));
}

TEST(Export, RefusesGraphModelsAndBadInfo) {
  const std::string path = (testing::temp_dir() / "gcn.loom").string();
  models::NodeClassifier gcn(models::paper_options("gcn", 6, 3));
  EXPECT_THAT([&] { models::export_model(gcn, path, {}); },
              ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr("needs a graph at inference")));
  models::NodeClassifier mlp(models::paper_options("mlp", 6, 3));
  models::export_model(mlp, path, {});  // the structure-free registry model exports
  EXPECT_EQ(read_raw(path).card["layers"].size(), 3u);  // linear, relu, linear
  models::ExportInfo wrong;
  wrong.class_names = {"only one"};
  EXPECT_THAT([&] { models::export_model(*trained_looking_student(), path, wrong); },
              ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr("1 class names for a model with 3 outputs")));
}

}  // namespace
}  // namespace loom
