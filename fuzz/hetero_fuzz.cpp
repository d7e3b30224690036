// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: a heterogeneous folder (loom/data/hetero_dataset.h) whose meta.json is the input, beside valid
// features, two relations (one each way), labels and a split: the loader's checks of declared types, counts,
// target type and classes against the files.
#include <filesystem>

#include "fuzz_common.h"
#include "loom/core/tensor.h"
#include "loom/data/hetero_dataset.h"
#include "loom/data/npy.h"

namespace {

std::string make_folder() {
  const std::string dir = "/tmp/loom-fuzz-" + std::to_string(::getpid()) + "-hetero";
  std::filesystem::create_directories(dir + "/nodes/author");
  std::filesystem::create_directories(dir + "/edges");
  using loom::from_vector;
  using loom::data::write_npy;
  write_npy(dir + "/nodes/author/features.npy", from_vector<float>({1, 0, 0, 1, 1, 1}, {3, 2}));
  write_npy(dir + "/edges/author__writes__paper.npy", from_vector<int64_t>({0, 1, 2, 0, 1, 1}, {2, 3}));
  write_npy(dir + "/edges/paper__written_by__author.npy", from_vector<int64_t>({0, 1, 1, 0, 1, 2}, {2, 3}));
  write_npy(dir + "/y.npy", from_vector<int64_t>({0, 1, 0}, {3}));
  write_npy(dir + "/train_idx.npy", from_vector<int64_t>({0}, {1}));
  write_npy(dir + "/val_idx.npy", from_vector<int64_t>({1}, {1}));
  write_npy(dir + "/test_idx.npy", from_vector<int64_t>({2}, {1}));
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = make_folder();
  const std::string meta = loom::fuzz::write_temp(data, size, "hetero-meta.json");
  std::filesystem::copy_file(meta, dir + "/meta.json", std::filesystem::copy_options::overwrite_existing);
  return loom::fuzz::accept_typed_errors([&] { loom::data::load_hetero_dataset(dir); });
}
