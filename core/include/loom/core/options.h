// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// LOOM_ARG: chainable option setters in the style of LibTorch's TORCH_ARG, shared by modules and optimizers.
// `struct FooOptions { LOOM_ARG(double, lr) = 0.1; };` gives `opts.lr(0.5).other(...)` and the getter `opts.lr()`.
#pragma once

#define LOOM_ARG(T, name)                                                   \
 public:                                                                    \
  auto& name(const T& new_##name) {                                         \
    this->name##_ = new_##name;                                             \
    return *this;                                                           \
  }                                                                         \
  const T& name() const noexcept { return this->name##_; }                  \
                                                                            \
 private:                                                                   \
  T name##_
