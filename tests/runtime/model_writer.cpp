// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
#include "model_writer.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>

namespace loom::runtime::testing {

using Json = nlohmann::json;

Builder::Builder(int64_t input_width, int64_t num_classes, bool row_normalize, uint32_t seed)
    : width_(input_width), classes_(num_classes), rng_(seed) {
  spec_.card = {{"format", "loom-model"}, {"format_version", 1}, {"loom_version", "0.1.0"},
                {"task", "node_classification"}, {"input_width", input_width}, {"num_classes", num_classes},
                {"preprocess", row_normalize ? "row_normalize" : "none"}, {"layers", Json::array()},
                {"source", {{"teacher", "test"}}}, {"checksum", "fnv1a64:0000000000000000"}};
}

std::vector<float> Builder::uniform(int64_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng_);
  return v;
}

std::string f32_bytes(const std::vector<float>& v) {
  std::string b(v.size() * 4, '\0');
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

void Builder::add(const std::string& name, const std::vector<float>& v) {
  spec_.tensors.push_back({name, "F32", Json::array({static_cast<int64_t>(v.size())}), f32_bytes(v)});
}

Builder& Builder::linear(int64_t out, bool bias) {
  const std::string p = "layers." + std::to_string(spec_.card["layers"].size());
  Json layer = {{"op", "linear"}, {"in", width_}, {"out", out}, {"weight", p + ".weight"}};
  const float bound = 1.0f / std::sqrt(static_cast<float>(width_));
  spec_.tensors.push_back({p + ".weight", "F32", {out, width_}, f32_bytes(uniform(out * width_, -bound, bound))});
  if (bias) {
    layer["bias"] = p + ".bias";
    add(p + ".bias", uniform(out, -0.5f, 0.5f));
  }
  spec_.card["layers"].push_back(layer);
  width_ = out;
  return *this;
}

Builder& Builder::linear_int8(int64_t out, bool bias) {
  const std::string p = "layers." + std::to_string(spec_.card["layers"].size());
  Json layer = {{"op", "linear_int8"}, {"in", width_}, {"out", out}, {"weight", p + ".weight"}, {"scale", p + ".scale"}};
  std::string q(out * width_, '\0');
  std::uniform_int_distribution<int> d(-127, 127);
  for (char& c : q) c = static_cast<char>(static_cast<int8_t>(d(rng_)));
  spec_.tensors.push_back({p + ".weight", "I8", {out, width_}, q});
  add(p + ".scale", uniform(out, 0.001f, 0.02f));
  if (bias) {
    layer["bias"] = p + ".bias";
    add(p + ".bias", uniform(out, -0.5f, 0.5f));
  }
  spec_.card["layers"].push_back(layer);
  width_ = out;
  return *this;
}

Builder& Builder::act(const std::string& op, Json param) {
  Json layer = {{"op", op}};
  if (!param.is_null()) layer[op == "elu" ? "alpha" : "negative_slope"] = param;
  spec_.card["layers"].push_back(layer);
  return *this;
}

Builder& Builder::batch_norm() {
  const std::string p = "norms." + std::to_string(spec_.card["layers"].size());
  spec_.card["layers"].push_back({{"op", "batch_norm"}, {"width", width_}, {"eps", 1e-5},
                                  {"weight", p + ".weight"}, {"bias", p + ".bias"},
                                  {"running_mean", p + ".running_mean"}, {"running_var", p + ".running_var"}});
  add(p + ".weight", uniform(width_, 0.5f, 1.5f));
  add(p + ".bias", uniform(width_, -0.2f, 0.2f));
  add(p + ".running_mean", uniform(width_, -0.3f, 0.3f));
  add(p + ".running_var", uniform(width_, 0.1f, 2.0f));
  return *this;
}

ModelSpec Builder::build() const {
  ModelSpec s = spec_;
  s.card["class_names"] = Json::array();
  // (not "c" + std::to_string(c): GCC 12 warns a false -Wrestrict on it)
  for (int64_t c = 0; c < classes_; ++c) s.card["class_names"].push_back(std::string(1, 'c').append(std::to_string(c)));
  return s;
}

TensorSpec* find(ModelSpec& spec, const std::string& name) {
  for (TensorSpec& t : spec.tensors)
    if (t.name == name) return &t;
  throw std::runtime_error("no tensor " + name);
}

uint64_t fnv1a64(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string serialize(ModelSpec spec, bool fix_checksum) {
  std::string data;
  Json header = Json::object();
  for (const TensorSpec& t : spec.tensors) {
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  if (fix_checksum) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(data)));
    spec.card["checksum"] = std::string("fnv1a64:") + hex;
  }
  header["__metadata__"] = {{"loom.card", spec.card.dump()}};
  std::string h = header.dump();
  while (h.size() % 8) h += ' ';  // safetensors pads the header so that the data section is aligned
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((uint64_t{h.size()} >> (8 * i)) & 0xff);
  return out + h + data;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

namespace {

std::vector<double> tensor(const ModelSpec& spec, const std::string& name) {
  for (const TensorSpec& t : spec.tensors) {
    if (t.name != name) continue;
    std::vector<double> v;
    if (t.dtype == "I8") {
      for (char c : t.bytes) v.push_back(static_cast<int8_t>(c));
    } else {
      std::vector<float> f(t.bytes.size() / 4);
      std::memcpy(f.data(), t.bytes.data(), t.bytes.size());
      v.assign(f.begin(), f.end());
    }
    return v;
  }
  throw std::runtime_error("no tensor " + name);
}

}  // namespace

std::vector<double> reference_logits(const ModelSpec& spec, const std::vector<float>& x, int64_t rows) {
  const Json& card = spec.card;
  const int64_t in = card["input_width"];
  std::vector<double> result;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> h(x.begin() + r * in, x.begin() + (r + 1) * in);
    if (card["preprocess"] == "row_normalize") {
      double sum = 0;
      for (double v : h) sum += v;
      if (sum != 0)
        for (double& v : h) v /= sum;
    }
    for (const Json& L : card["layers"]) {
      const std::string op = L["op"];
      if (op == "linear" || op == "linear_int8") {
        const int64_t n_in = L["in"], n_out = L["out"];
        const auto w = tensor(spec, L["weight"]);
        const auto scale = op == "linear_int8" ? tensor(spec, L["scale"]) : std::vector<double>(n_out, 1.0);
        const auto b = L.contains("bias") ? tensor(spec, L["bias"]) : std::vector<double>(n_out, 0.0);
        std::vector<double> y(n_out);
        for (int64_t o = 0; o < n_out; ++o) {
          double s = 0;
          for (int64_t i = 0; i < n_in; ++i) s += scale[o] * w[o * n_in + i] * h[i];
          y[o] = s + b[o];
        }
        h = y;
      } else if (op == "batch_norm") {
        const auto w = tensor(spec, L["weight"]), b = tensor(spec, L["bias"]);
        const auto m = tensor(spec, L["running_mean"]), var = tensor(spec, L["running_var"]);
        const double eps = L["eps"];
        for (size_t c = 0; c < h.size(); ++c) h[c] = (h[c] - m[c]) / std::sqrt(var[c] + eps) * w[c] + b[c];
      } else {
        for (double& v : h) {
          if (op == "relu") v = std::max(v, 0.0);
          else if (op == "elu") v = v > 0 ? v : L.value("alpha", 1.0) * std::expm1(v);
          else if (op == "leaky_relu") v = v > 0 ? v : L.value("negative_slope", 0.01) * v;
          else if (op == "tanh") v = std::tanh(v);
          else if (op == "sigmoid") v = 1 / (1 + std::exp(-v));
          else if (op == "gelu") v = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
          else throw std::runtime_error("reference: unknown op " + op);
        }
      }
    }
    result.insert(result.end(), h.begin(), h.end());
  }
  return result;
}

}  // namespace loom::runtime::testing
