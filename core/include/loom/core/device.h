// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Where a tensor lives, and the CUDA runtime knobs a user may set (stream, availability, allocator statistics).
#pragma once
#include <cstdint>
#include <string>

namespace loom {

enum class DeviceType : uint8_t { kCPU, kCUDA };

struct Device {
  DeviceType type = DeviceType::kCPU;
  int index = 0;
  constexpr Device() = default;
  constexpr Device(DeviceType t, int i = 0) : type(t), index(i) {}
  bool is_cuda() const { return type == DeviceType::kCUDA; }
  bool is_cpu() const { return type == DeviceType::kCPU; }
  bool operator==(const Device& o) const { return type == o.type && (type == DeviceType::kCPU || index == o.index); }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }
  // Parses "cpu", "cuda" or "cuda:N"; throws ValueError otherwise.
  static Device parse(const std::string& s);
};
inline constexpr Device kCPU{DeviceType::kCPU, 0};
inline constexpr Device kCUDA{DeviceType::kCUDA, 0};

namespace cpu {
// Large host blocks (>= 1 MiB) of freed CPU tensors are cached for reuse (at most $LOOM_HOST_CACHE_MB MiB, default
// 4096; 0 disables): the bytes held now, and giving them all back to the system.
int64_t cached_bytes();
void empty_cache();
}  // namespace cpu

namespace cuda {
// True when Loom was built with CUDA and a device is present.
bool is_available();
// True when Loom was built with CUDA support at all.
bool is_built();
// The stream every Loom CUDA op runs on (a cudaStream_t; nullptr means the legacy default stream).
void set_stream(void* stream);
void* current_stream();
// Waits for all work on the current stream.
void synchronize();
// Caching allocator: bytes handed out now, the peak since the last reset, and bytes cached (held but free).
struct MemoryStats {
  int64_t allocated = 0, peak = 0, reserved = 0;
};
MemoryStats memory_stats();
void reset_peak_memory();
// Returns cached blocks to the driver.
void empty_cache();
}  // namespace cuda

}  // namespace loom
