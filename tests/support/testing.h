// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Shared test support: random inputs, the device list, CUDA skips, data sets and temporary folders. The gradcheck is
// in support/gradcheck.h, the CPU/CUDA and bitwise comparisons in support/parity.h.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "loom/core/autograd.h"
#include "loom/core/ops.h"
#include "loom/core/tensor.h"

namespace loom::testing {

// Uniform values in [lo, hi) from a local generator (independent of loom's global one).
inline Tensor random_tensor(const Shape& shape, uint32_t seed, double lo = -1.0, double hi = 1.0,
                            DType dtype = kFloat64, Device device = kCPU) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(static_cast<size_t>(shape_numel(shape)));
  for (double& x : v) x = dist(gen);
  return from_vector<double>(v, shape).to(dtype).to(device);
}

// Uniform values in [lo, hi) from a counter-based generator (splitmix64 of a hashed seed plus the index): the same
// values on every platform, several times faster than random_tensor for large inputs (a harness that draws
// thousands of them). Different seeds give unrelated streams.
inline Tensor random_values(const Shape& shape, uint64_t seed, double lo = -1.0, double hi = 1.0,
                            DType dtype = kFloat64, Device device = kCPU) {
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  std::vector<double> v(static_cast<size_t>(shape_numel(shape)));
  uint64_t x = mix(seed + 0x632be59bd9b4e019ULL);
  for (double& y : v) y = lo + (hi - lo) * static_cast<double>(mix(x += 0x9e3779b97f4a7c15ULL) >> 11) * 0x1.0p-53;
  return from_vector<double>(v, shape).to(dtype).to(device);
}

// 1-D index tensors from a list: i64({3, 0, 2}), i32({1, 1}, kCUDA).
inline Tensor i64(const std::vector<int64_t>& v, Device d = kCPU) {
  return from_vector<int64_t>(v, {static_cast<int64_t>(v.size())}, d);
}
inline Tensor i32(const std::vector<int32_t>& v, Device d = kCPU) {
  return from_vector<int32_t>(v, {static_cast<int64_t>(v.size())}, d);
}

// Integer class ids in [0, classes).
inline Tensor random_labels(int64_t n, int64_t classes, uint32_t seed, Device device = kCPU) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int64_t> dist(0, classes - 1);
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = dist(gen);
  return from_vector<int64_t>(v, {n}, device);
}

inline bool has_cuda() { return cuda::is_available(); }

#define LOOM_REQUIRE_CUDA()                                                        \
  do {                                                                             \
    if (!::loom::testing::has_cuda()) GTEST_SKIP() << "no CUDA device: CUDA check skipped"; \
  } while (0)

// Devices to run a parameterized test on: CPU always; CUDA when present (otherwise a visible skip).
inline std::vector<Device> all_devices() { return {kCPU, kCUDA}; }
inline std::string device_name(const ::testing::TestParamInfo<Device>& info) {
  return info.param.is_cpu() ? "cpu" : "cuda";
}
#define LOOM_SKIP_UNLESS_AVAILABLE(device)                                                  \
  do {                                                                                      \
    if ((device).is_cuda() && !::loom::testing::has_cuda()) GTEST_SKIP() << "no CUDA device"; \
  } while (0)

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// LOOM_DATA or ../shared/data relative to the source tree. Under CI=true a missing data set fails the test;
// elsewhere it is a visible skip.
inline std::string data_dir() {
  if (const char* d = std::getenv("LOOM_DATA")) return d;
  const char* src = std::getenv("LOOM_SOURCE_DIR");
  return std::string(src ? src : ".") + "/../shared/data";
}
// A fresh, empty directory for the running test (removed first if a previous run left it).
inline std::filesystem::path temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path d = std::filesystem::temp_directory_path() /
                            (std::string("loom_") + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

}  // namespace loom::testing

// Use at the top of a test that needs data set `name` (a folder under data_dir()).
#define LOOM_REQUIRE_DATASET(name)                                                                        \
  do {                                                                                                    \
    const std::string loom_ds_ = ::loom::testing::data_dir() + "/" + (name) + "/meta.json";               \
    if (!std::ifstream(loom_ds_).good()) {                                                                \
      if (::loom::testing::in_ci()) FAIL() << "data set missing under CI: " << loom_ds_ << " (set LOOM_DATA)"; \
      GTEST_SKIP() << "data set not found: " << loom_ds_ << " (set LOOM_DATA)";                           \
    }                                                                                                     \
  } while (0)
