// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The exporter of docs/model-format.md. A model becomes a list of layers (op, attributes, named float arrays),
// then one safetensors file whose card lists them. The file is serialised here rather than by
// save_safetensors because the format has int8 tensors, which Loom's tensors do not, and because the card's
// checksum covers the exact data bytes written.
#include "loom/models/export.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "loom/core/atomic_file.h"
#include "loom/core/autograd.h"
#include "loom/core/checksum.h"
#include "loom/core/config.h"
#include "loom/core/error.h"

namespace loom::models {

namespace {

using Json = nlohmann::ordered_json;

struct Array {
  std::string name;
  bool int8 = false;
  std::vector<int64_t> shape;
  std::vector<float> f32;
  std::vector<int8_t> i8;
};

struct Program {
  Json layers = Json::array();
  std::vector<Array> arrays;
  int64_t in = 0, out = 0;
};

std::vector<float> host_floats(const Tensor& t) {
  NoGradGuard no_grad;
  return t.detach().cpu().to(kFloat32).to_vector<float>();
}

// "l3." (built by appends: GCC 12 reports a false -Wrestrict for "l" + std::to_string(i)).
std::string prefix(size_t i) {
  std::string s = "l";
  s += std::to_string(i);
  s += '.';
  return s;
}

void add_linear(Program& p, const nn::Linear& linear, bool int8) {
  const size_t i = p.layers.size();
  const int64_t out = linear.weight.size(0), in = linear.weight.size(1);
  Json layer = {{"op", int8 ? "linear_int8" : "linear"}, {"in", in}, {"out", out}, {"weight", prefix(i) + "weight"}};
  const std::vector<float> w = host_floats(linear.weight);
  if (!int8) {
    p.arrays.push_back({prefix(i) + "weight", false, {out, in}, w, {}});
  } else {
    // Symmetric per-row quantisation: scale = max |w| / 127, q = round(w / scale) in [-127, 127].
    std::vector<float> scale(static_cast<size_t>(out));
    std::vector<int8_t> q(w.size());
    for (int64_t o = 0; o < out; ++o) {
      float top = 0;
      for (int64_t k = 0; k < in; ++k) top = std::max(top, std::abs(w[static_cast<size_t>(o * in + k)]));
      const float s = top > 0 ? top / 127.0f : 1.0f;
      scale[static_cast<size_t>(o)] = s;
      for (int64_t k = 0; k < in; ++k) {
        const auto idx = static_cast<size_t>(o * in + k);
        q[idx] = static_cast<int8_t>(std::lround(std::clamp(w[idx] / s, -127.0f, 127.0f)));
      }
    }
    layer["scale"] = prefix(i) + "scale";
    p.arrays.push_back({prefix(i) + "weight", true, {out, in}, {}, q});
    p.arrays.push_back({prefix(i) + "scale", false, {out}, scale, {}});
  }
  if (linear.bias.defined()) {
    layer["bias"] = prefix(i) + "bias";
    p.arrays.push_back({prefix(i) + "bias", false, {out}, host_floats(linear.bias), {}});
  }
  if (p.layers.empty()) p.in = in;
  p.out = out;
  p.layers.push_back(layer);
}

void add_batch_norm(Program& p, const nn::BatchNorm1d& bn) {
  const size_t i = p.layers.size();
  const int64_t width = bn.options().num_features();
  p.layers.push_back({{"op", "batch_norm"},
                      {"width", width},
                      {"eps", bn.options().eps()},
                      {"weight", prefix(i) + "weight"},
                      {"bias", prefix(i) + "bias"},
                      {"running_mean", prefix(i) + "running_mean"},
                      {"running_var", prefix(i) + "running_var"}});
  for (const auto& [key, t] : {std::pair<const char*, const Tensor*>{"weight", &bn.weight},
                               {"bias", &bn.bias},
                               {"running_mean", &bn.running_mean},
                               {"running_var", &bn.running_var}}) {
    p.arrays.push_back({prefix(i) + key, false, {width}, host_floats(*t), {}});
  }
}

void add_activation(Program& p, Activation a) {
  switch (a) {
    case Activation::kIdentity: return;
    case Activation::kRelu: p.layers.push_back({{"op", "relu"}}); return;
    case Activation::kLeakyRelu: p.layers.push_back({{"op", "leaky_relu"}, {"negative_slope", 0.2}}); return;
    case Activation::kElu: p.layers.push_back({{"op", "elu"}, {"alpha", 1.0}}); return;
    case Activation::kGelu: p.layers.push_back({{"op", "gelu"}}); return;
    case Activation::kSigmoid: p.layers.push_back({{"op", "sigmoid"}}); return;
    case Activation::kTanh: p.layers.push_back({{"op", "tanh"}}); return;
  }
}

// The safetensors bytes: header (with the card under __metadata__["loom.card"]) padded to 8 bytes, then the data.
void write_file(const Program& p, const std::string& path, const ExportInfo& info) {
  std::vector<std::string> names = info.class_names;
  if (names.empty())
    for (int64_t c = 0; c < p.out; ++c) names.push_back(std::to_string(c));
  LOOM_CHECK(static_cast<int64_t>(names.size()) == p.out, ValueError, "export_model: ", names.size(),
             " class names for a model with ", p.out, " outputs");
  Json source;
  try {
    source = Json::parse(info.source_json);
  } catch (const std::exception& e) {
    throw ValueError(std::string("export_model: source_json is not JSON: ") + e.what());
  }

  std::string data;
  Json header = Json::object();
  for (const Array& a : p.arrays) {
    const size_t begin = data.size();
    for (float v : a.f32)
      LOOM_CHECK(std::isfinite(v), ValueError, "export_model: tensor '", a.name, "' has a non-finite value ", v,
                 " (a diverged model cannot be served)");
    if (a.int8) data.append(reinterpret_cast<const char*>(a.i8.data()), a.i8.size());
    else data.append(reinterpret_cast<const char*>(a.f32.data()), a.f32.size() * sizeof(float));
    header[a.name] = {{"dtype", a.int8 ? "I8" : "F32"}, {"shape", a.shape}, {"data_offsets", {begin, data.size()}}};
  }
  const std::string checksum = fnv1a64_card(data.data(), data.size());
  const Json card = {{"format", "loom-model"},
                     {"format_version", 1},
                     {"loom_version", LOOM_VERSION},
                     {"task", "node_classification"},
                     {"input_width", p.in},
                     {"num_classes", p.out},
                     {"class_names", names},
                     {"preprocess", to_string(info.features)},
                     {"layers", p.layers},
                     {"source", source},
                     {"checksum", checksum}};
  Json full = {{"__metadata__", {{"loom.card", card.dump()}}}};
  for (auto& [k, v] : header.items()) full[k] = v;
  std::string text = full.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t n = text.size();
  unsigned char len[8];
  for (int b = 0; b < 8; ++b) len[b] = static_cast<unsigned char>(n >> (8 * b));
  write_file_atomic(
      path,
      [&](std::FILE* f) {
        return std::fwrite(len, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
               std::fwrite(data.data(), 1, data.size(), f) == data.size();
      },
      "export_model");
}

}  // namespace

uint64_t fnv1a64(const void* data, size_t size) { return loom::fnv1a64(data, size); }

void export_model(const StudentMLP& model, const std::string& path, const ExportInfo& info) {
  Program p;
  const auto& linears = model.linears();
  for (size_t i = 0; i < linears.size(); ++i) {
    add_linear(p, *linears[i], info.int8);
    if (i + 1 == linears.size()) break;
    add_activation(p, model.options().activation());
    if (!model.norms().empty()) add_batch_norm(p, *model.norms()[i]);
  }
  write_file(p, path, info);
}

void export_model(const NodeClassifier& model, const std::string& path, const ExportInfo& info) {
  const GnnOptions& o = model.options();
  const ModelSpec& spec = find_model(o.model());
  LOOM_CHECK(spec.input == Input::kFeatures, ValueError, "export_model: model '", o.model(), "' needs a ",
             to_string(spec.input),
             " at inference, which the runtime does not have; distil it into an MLP student first (loom distill "
             "--teacher ", o.model(), " --export FILE)");
  LOOM_CHECK(o.jk() == JumpingKnowledge::kNone && !o.residual() && o.norm() != NormLayer::kLayer, ValueError,
             "export_model: the runtime serves plain MLPs (no jumping knowledge, residuals or layer norm); model '",
             o.model(), "' has jk ", to_string(o.jk()), ", residual ", o.residual() ? "on" : "off", ", norm ",
             to_string(o.norm()));
  // The mlp's layers are nn::Linear modules under convs.i and its norms BatchNorm1d under norms.i (gnn.cpp).
  std::vector<const nn::Linear*> linears;
  std::vector<const nn::BatchNorm1d*> norms;
  for (const auto& [name, child] : model.named_children()) {
    const auto* list = dynamic_cast<const nn::ModuleList*>(child.get());
    if (list == nullptr) continue;
    for (size_t i = 0; i < list->size(); ++i) {
      if (const auto* l = dynamic_cast<const nn::Linear*>((*list)[i].get()); l && name == "convs") linears.push_back(l);
      if (const auto* b = dynamic_cast<const nn::BatchNorm1d*>((*list)[i].get()); b && name == "norms") norms.push_back(b);
    }
  }
  LOOM_CHECK(!linears.empty(), ValueError, "export_model: model '", o.model(), "' has no Linear layers under convs");
  Program p;
  for (size_t i = 0; i < linears.size(); ++i) {
    add_linear(p, *linears[i], info.int8);
    if (i + 1 == linears.size()) break;
    if (i < norms.size()) add_batch_norm(p, *norms[i]);
    add_activation(p, o.activation());
  }
  write_file(p, path, info);
}

}  // namespace loom::models
