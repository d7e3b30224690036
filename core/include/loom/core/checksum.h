// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The one checksum of Loom's file cards (docs/model-format.md, docs/embedding-format.md): 64-bit FNV-1a over the
// data section. Header-only and dependency-free so that every writer and reader hashes the same way.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace loom {

// 64-bit FNV-1a of `size` bytes.
inline uint64_t fnv1a64(const void* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ULL;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

// "fnv1a64:" and 16 lowercase hex digits: how a card writes the checksum.
inline std::string fnv1a64_card(const void* data, size_t size) {
  char text[32];
  std::snprintf(text, sizeof text, "fnv1a64:%016llx", static_cast<unsigned long long>(fnv1a64(data, size)));
  return text;
}

}  // namespace loom
