// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Safetensors written by PyTorch open in Loom: fixtures/torch_written.safetensors was produced by
// tests/interop/torch_safetensors.py (safetensors 0.8.0, torch 2.11.0) from the formulas recomputed here.
#include <gmock/gmock.h>

#include "loom/core/io.h"
#include "support/testing.h"

namespace loom {
namespace {

std::string fixture() {
  const char* src = std::getenv("LOOM_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/nn/fixtures/torch_written.safetensors";
}

TEST(TorchInterop, ReadsAFileThatPyTorchWrote) {
  const SafetensorsContents c = read_safetensors(fixture());
  EXPECT_EQ(c.metadata.at("writer"), "torch");
  const Tensor f32 = c.tensors.at("f32");
  ASSERT_EQ(f32.shape(), (Shape{3, 4}));
  const std::vector<float> v = f32.to_vector<float>();
  for (int i = 0; i < 12; ++i) EXPECT_EQ(v[static_cast<size_t>(i)], i * 0.25f - 1.0f);
  const Tensor f64 = c.tensors.at("f64");
  ASSERT_EQ(f64.shape(), (Shape{2, 1, 3}));
  const std::vector<double> d = f64.to_vector<double>();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(d[static_cast<size_t>(i)], i / 7.0);
  EXPECT_EQ(c.tensors.at("i32").to_vector<int32_t>(), (std::vector<int32_t>{0, -3, -6, -9, -12}));
  EXPECT_EQ(c.tensors.at("i64").to_vector<int64_t>(),
            (std::vector<int64_t>{0, 1000000000000, 2000000000000, 3000000000000}));
  const Tensor s = c.tensors.at("scalar");
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<float>(), 2.5f);
}

}  // namespace
}  // namespace loom
