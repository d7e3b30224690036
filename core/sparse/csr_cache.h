// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the engine: data derived from a Csr's pattern (kernel schedules, narrowed offsets, constant value
// vectors) cached in the Csr itself, so that it is built once and dies with the pattern.
//
// Why not a table keyed by an address: a process-wide map from a tensor's address to its derived data outlives the
// tensor, and the allocator hands the same address to the next Csr, which then risks reading a stale schedule
// built for another graph. Here the entries live in the shared structure that every Csr with this pattern holds
// (copies, with_values), so they are freed with it and a new Csr always starts empty. Csr::to() does not carry them:
// they are rebuilt on the new device when first asked for.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <typeindex>

#include "loom/core/sparse.h"

namespace loom::detail {

// The store inside a Csr's structure: (key, device) -> a value of some type, under one mutex.
struct CsrCache {
  struct Entry {
    std::type_index type;
    std::shared_ptr<const void> value;
  };
  std::mutex mu;
  std::map<std::tuple<std::string, DeviceType, int>, Entry> entries;
};

// The entry of `csr` under (key, device), or null. A key holding another type than `type` is a ValueError naming
// both types (two call sites chose the same key).
std::shared_ptr<const void> csr_cache_find(const Csr& csr, const std::string& key, Device device,
                                           std::type_index type);
// Stores `value` unless another thread stored one first; returns the one kept.
std::shared_ptr<const void> csr_cache_insert(const Csr& csr, const std::string& key, Device device,
                                             std::type_index type, std::shared_ptr<const void> value);
// Entries cached for csr's pattern (every Csr sharing its structure sees the same count).
size_t csr_cache_size(const Csr& csr);

// The value cached for (key, device) in csr, built by make() on first use. Thread-safe. make() runs without the
// lock held (it may itself use the cache, e.g. ask for the transpose), so two threads may both build it; the first
// stored is kept and returned to both. The value is immutable once cached.
template <class T, class Make>
std::shared_ptr<const T> csr_cached(const Csr& csr, const std::string& key, Device device, Make&& make) {
  const std::type_index type(typeid(T));
  if (auto hit = csr_cache_find(csr, key, device, type)) return std::static_pointer_cast<const T>(hit);
  std::shared_ptr<const void> built = std::make_shared<const T>(std::invoke(std::forward<Make>(make)));
  return std::static_pointer_cast<const T>(csr_cache_insert(csr, key, device, type, std::move(built)));
}

}  // namespace loom::detail
