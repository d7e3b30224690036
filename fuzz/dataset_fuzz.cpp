// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: a data-set folder whose meta.json is the input, beside valid x.npy, y.npy, edge_index.npy and
// split files (the loader's checks of declared counts, names and classes against the files).
#include <filesystem>

#include "fuzz_common.h"
#include "loom/core/tensor.h"
#include "loom/data/dataset.h"
#include "loom/data/npy.h"

namespace {

std::string make_folder() {
  const std::string dir = "/tmp/loom-fuzz-" + std::to_string(::getpid()) + "-folder";
  std::filesystem::create_directories(dir);
  using loom::from_vector;
  loom::data::write_npy(dir + "/x.npy", from_vector<float>({1, 0, 0, 1, 1, 1, 0, 0}, {4, 2}));
  loom::data::write_npy(dir + "/y.npy", from_vector<int64_t>({0, 1, 0, 1}, {4}));
  loom::data::write_npy(dir + "/edge_index.npy", from_vector<int64_t>({0, 1, 2, 1, 2, 3}, {2, 3}));
  loom::data::write_npy(dir + "/train_idx.npy", from_vector<int64_t>({0, 1}, {2}));
  loom::data::write_npy(dir + "/val_idx.npy", from_vector<int64_t>({2}, {1}));
  loom::data::write_npy(dir + "/test_idx.npy", from_vector<int64_t>({3}, {1}));
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = make_folder();
  const std::string meta = loom::fuzz::write_temp(data, size, "meta.json");
  std::filesystem::copy_file(meta, dir + "/meta.json", std::filesystem::copy_options::overwrite_existing);
  return loom::fuzz::accept_typed_errors([&] { loom::data::load_node_dataset(dir); });
}
