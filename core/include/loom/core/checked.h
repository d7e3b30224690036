// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Overflow-safe arithmetic for counts, sizes and offsets that come from outside (files, flags, API arguments).
// Readers and factories check with these before allocating anything, so a number written in a file can never
// produce a tensor with no memory behind it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "loom/core/dtype.h"
#include "loom/core/tensor.h"

namespace loom {

// The exact result, or ValueError naming `what` and the operands when an operand is negative or the result does
// not fit in int64.
int64_t checked_mul(int64_t a, int64_t b, const std::string& what);
int64_t checked_add(int64_t a, int64_t b, const std::string& what);

// The element count and byte size of a shape: ShapeError naming `what` when a dimension is negative or the count
// or the bytes overflow. Tensor factories (empty, zeros, full, ...) check every shape this way.
int64_t checked_numel(const Shape& s, const std::string& what);
size_t checked_nbytes(const Shape& s, DType dtype, const std::string& what);

}  // namespace loom
