// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// NumPy .npy files: read (format 1.0, 2.0, 3.0; C order; little-endian) and write (format 1.0, atomically).
#pragma once
#include <string>

#include "loom/core/tensor.h"

namespace loom::data {

// Reads a .npy file into a CPU tensor. Supported dtypes and what they become:
//   <f4 -> float32, <f8 -> float64, <i4 -> int32, <i8 -> int64,
//   |b1 (bool) and |u1 (uint8) -> int32 (Loom tensors are float32/float64/int32/int64 only; bools become 0/1).
// Rank 0..4, C order only. Throws FormatError naming the file for a bad magic string, an unsupported version, a
// malformed header, fortran_order True, big-endian or other dtypes (object, structured, strings, ...), rank > 4,
// or a data size that does not match the declared shape and dtype (truncated or padded files).
// Throws loom::Error when the file cannot be opened or read.
Tensor read_npy(const std::string& path);

// Parses the bytes of a whole .npy file already in memory; `name` is used in error messages.
Tensor parse_npy(const std::string& bytes, const std::string& name = "<memory>");

// Writes `t` (any dtype and device; CUDA tensors are copied to the host) as a format-1.0 .npy file.
// The data go to a temporary file next to `path` that is then renamed over it, so a reader never sees a
// half-written file. Throws loom::Error when the file cannot be written.
void write_npy(const std::string& path, const Tensor& t);

// The bytes write_npy would write for `t`.
std::string to_npy_bytes(const Tensor& t);

}  // namespace loom::data
