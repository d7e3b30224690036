// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Named tensor collections and the safetensors file format (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length N, N bytes of JSON describing each tensor (dtype, shape, byte offsets),
// then the raw little-endian data. Loom reads and writes F32, F64, I32 and I64 tensors of rank 0..4.
#pragma once
#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

// An insertion-ordered map from names to tensors (state dicts, safetensors contents). Names are unique.
class NamedTensors {
 public:
  using Item = std::pair<std::string, Tensor>;

  NamedTensors() = default;
  NamedTensors(std::initializer_list<Item> items);

  // Appends `name`; throws ValueError when the name is already present.
  void insert(std::string name, Tensor tensor);
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // Throws ValueError naming the key when absent.
  const Tensor& at(const std::string& name) const;
  // nullptr when absent.
  const Tensor* find(const std::string& name) const;

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::vector<std::string> keys() const;
  std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  std::vector<Item>::const_iterator end() const { return items_.end(); }
  const Item& operator[](size_t i) const { return items_.at(i); }

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> index_;
};

using Metadata = std::map<std::string, std::string>;

// Writes `tensors` (any device; CUDA tensors are copied to the host) and optional string metadata to `path`.
// The file is written through write_file_atomic (loom/core/atomic_file.h), so readers never see a half-written file.
// Throws ValueError for an undefined tensor or the reserved name "__metadata__", Error when the OS refuses.
void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata = {});

struct SafetensorsContents {
  NamedTensors tensors;  // in header order, on the CPU
  Metadata metadata;
};

// Reads a safetensors file into CPU tensors. Every structural problem (short file, header length beyond the file,
// invalid JSON, unknown dtype, bad shape, offsets out of order / overlapping / leaving holes / out of the buffer,
// byte counts that differ from numel * itemsize, trailing bytes) is a FormatError naming the file and the problem.
// A file that cannot be opened is an Error.
SafetensorsContents read_safetensors(const std::string& path);
NamedTensors load_safetensors(const std::string& path);

}  // namespace loom
