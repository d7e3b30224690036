// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Test-side writer of .loom files (docs/model-format.md) and a double-precision reference of what the card says.
// It lives in the tests on purpose: the runtime only reads, and an independent writer checks it against the spec.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace loom::runtime::testing {

struct TensorSpec {
  std::string name;
  std::string dtype;  // "F32", "I8", or anything for the malformed cases
  nlohmann::json shape;
  std::string bytes;
};

struct ModelSpec {
  nlohmann::json card;
  std::vector<TensorSpec> tensors;
};

// Builds a valid model layer by layer with seeded random weights.
class Builder {
 public:
  Builder(int64_t input_width, int64_t num_classes, bool row_normalize = false, uint32_t seed = 1);
  Builder& linear(int64_t out, bool bias = true);
  Builder& linear_int8(int64_t out, bool bias = true);
  Builder& act(const std::string& op, nlohmann::json param = nullptr);  // elu alpha, leaky_relu negative_slope
  Builder& batch_norm();
  ModelSpec build() const;  // class names "c0", "c1", ...

 private:
  std::vector<float> uniform(int64_t n, float lo, float hi);
  void add(const std::string& name, const std::vector<float>& v);
  ModelSpec spec_;
  int64_t width_, classes_;
  std::mt19937 rng_;
};

std::string f32_bytes(const std::vector<float>& v);
TensorSpec* find(ModelSpec& spec, const std::string& name);

// The file's bytes. With fix_checksum the card's checksum is set to the FNV-1a hash of the data written.
std::string serialize(ModelSpec spec, bool fix_checksum = true);
void write_file(const std::string& path, const std::string& bytes);
uint64_t fnv1a64(const std::string& bytes);

// rows × num_classes logits in double precision, read straight off the card and the tensors.
std::vector<double> reference_logits(const ModelSpec& spec, const std::vector<float>& x, int64_t rows);

}  // namespace loom::runtime::testing
