// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// NamedTensors: an insertion-ordered, name-unique list of tensors with a hash index for lookups.
#include "loom/core/io.h"

namespace loom {

NamedTensors::NamedTensors(std::initializer_list<Item> items) {
  for (const Item& it : items) insert(it.first, it.second);
}

void NamedTensors::insert(std::string name, Tensor tensor) {
  LOOM_CHECK(!contains(name), ValueError, "NamedTensors: duplicate name '", name, "'");
  index_.emplace(name, items_.size());
  items_.emplace_back(std::move(name), std::move(tensor));
}

const Tensor* NamedTensors::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &items_[it->second].second;
}

const Tensor& NamedTensors::at(const std::string& name) const {
  const Tensor* t = find(name);
  LOOM_CHECK(t != nullptr, ValueError, "NamedTensors: no tensor named '", name, "'");
  return *t;
}

std::vector<std::string> NamedTensors::keys() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const Item& it : items_) out.push_back(it.first);
  return out;
}

}  // namespace loom
