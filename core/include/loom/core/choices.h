// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The named choices that options take (activation, aggregation, normalisation layer) as enums, with one table of
// names each. Options hold enums; text is parsed only at the edges (command line, saved configurations), and an
// unknown name is a ValueError that lists the valid ones.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

enum class Activation : uint8_t { kIdentity, kRelu, kLeakyRelu, kElu, kGelu, kSigmoid, kTanh };
// How a node's incoming messages are combined. kSym is a sum with symmetric coefficients 1/sqrt(d_u d_v).
enum class Aggregation : uint8_t { kSum, kMean, kMax, kMin, kSym };
enum class NormLayer : uint8_t { kNone, kBatch, kLayer };

// Each enum's names, in declaration order: EnumNames<E>::what names the kind in messages.
template <class E> struct EnumNames;
template <> struct EnumNames<Activation> {
  static constexpr std::string_view what = "activation";
  static constexpr std::array<std::pair<Activation, std::string_view>, 7> table{{{Activation::kIdentity, "identity"},
                                                                                 {Activation::kRelu, "relu"},
                                                                                 {Activation::kLeakyRelu, "leaky_relu"},
                                                                                 {Activation::kElu, "elu"},
                                                                                 {Activation::kGelu, "gelu"},
                                                                                 {Activation::kSigmoid, "sigmoid"},
                                                                                 {Activation::kTanh, "tanh"}}};
};
template <> struct EnumNames<Aggregation> {
  static constexpr std::string_view what = "aggregation";
  static constexpr std::array<std::pair<Aggregation, std::string_view>, 5> table{{{Aggregation::kSum, "sum"},
                                                                                  {Aggregation::kMean, "mean"},
                                                                                  {Aggregation::kMax, "max"},
                                                                                  {Aggregation::kMin, "min"},
                                                                                  {Aggregation::kSym, "sym"}}};
};
template <> struct EnumNames<NormLayer> {
  static constexpr std::string_view what = "norm";
  static constexpr std::array<std::pair<NormLayer, std::string_view>, 3> table{
      {{NormLayer::kNone, "none"}, {NormLayer::kBatch, "batch"}, {NormLayer::kLayer, "layer"}}};
};

namespace detail {
// ValueError "<message> (expected <valid>)".
[[noreturn]] void throw_choice(const std::string& message, const std::vector<std::string>& valid);
std::string join_names(const std::vector<std::string>& names);
}  // namespace detail

template <class E> std::string to_string(E value) {
  for (const auto& [v, n] : EnumNames<E>::table) {
    if (v == value) return std::string(n);
  }
  return "?";
}

// Every name, or the names of `allowed` only.
template <class E> std::vector<std::string> choice_names() {
  std::vector<std::string> out;
  for (const auto& entry : EnumNames<E>::table) out.emplace_back(entry.second);
  return out;
}
template <class E> std::vector<std::string> choice_names(const std::vector<E>& allowed) {
  std::vector<std::string> out;
  for (E v : allowed) out.push_back(to_string(v));
  return out;
}

// "gelu" -> Activation::kGelu; ValueError "unknown activation 'swish' (expected identity, relu, ...)".
template <class E> E parse_choice(std::string_view name) {
  for (const auto& [v, n] : EnumNames<E>::table) {
    if (n == name) return v;
  }
  detail::throw_choice("unknown " + std::string(EnumNames<E>::what) + " '" + std::string(name) + "'", choice_names<E>());
}

// ValueError "SINCConv: aggregation 'max' is not supported (expected sum, mean or sym)" unless value is allowed.
template <class E> void check_choice(std::string_view who, E value, const std::vector<E>& allowed) {
  for (E v : allowed) {
    if (v == value) return;
  }
  detail::throw_choice(std::string(who) + ": " + std::string(EnumNames<E>::what) + " '" + to_string(value) +
                           "' is not supported",
                       choice_names(allowed));
}

// y = act(x) with the tensor ops of loom/core/ops.h (leaky_relu uses `negative_slope`, elu alpha 1).
Tensor activate(const Tensor& x, Activation act, double negative_slope = 0.2);

}  // namespace loom
