// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The per-Csr cache of derived data (see csr_cache.h): lookups and inserts on the Csr's shared structure.
#include "core/sparse/csr_cache.h"

#include "core/detail/macros.h"
#include "core/sparse/csr_impl.h"

namespace loom::detail {

namespace {

CsrCache& cache_of(const Csr& csr) { return CsrAccess::impl(csr).s->cache; }

auto key_of(const std::string& key, Device device) { return std::make_tuple(key, device.type, device.index); }

void check_type(const std::string& key, Device device, const CsrCache::Entry& e, std::type_index type) {
  LOOM_CHECK(e.type == type, ValueError, "csr_cached: the entry '", key, "' on ", device.str(), " holds a ",
             e.type.name(), ", not the ", type.name(), " asked for (two callers share one key)");
}

}  // namespace

std::shared_ptr<const void> csr_cache_find(const Csr& csr, const std::string& key, Device device,
                                           std::type_index type) {
  CsrCache& c = cache_of(csr);
  std::lock_guard<std::mutex> lock(c.mu);
  const auto it = c.entries.find(key_of(key, device));
  if (it == c.entries.end()) return nullptr;
  check_type(key, device, it->second, type);
  return it->second.value;
}

std::shared_ptr<const void> csr_cache_insert(const Csr& csr, const std::string& key, Device device,
                                             std::type_index type, std::shared_ptr<const void> value) {
  CsrCache& c = cache_of(csr);
  std::lock_guard<std::mutex> lock(c.mu);
  const auto [it, inserted] = c.entries.try_emplace(key_of(key, device), CsrCache::Entry{type, std::move(value)});
  if (!inserted) check_type(key, device, it->second, type);
  return it->second.value;
}

size_t csr_cache_size(const Csr& csr) {
  CsrCache& c = cache_of(csr);
  std::lock_guard<std::mutex> lock(c.mu);
  return c.entries.size();
}

}  // namespace loom::detail
