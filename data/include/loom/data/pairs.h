// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Lists of node pairs to score (`loom predict --pairs FILE`, a link model's candidates), from .npy or text.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::data {

// int64 [2, k] pairs, and for a text file the line of each pair (for errors naming it). A .npy (by its magic bytes)
// holds int32/int64 [2, k] or [k, 2] ([2, 2] reads as [2, k]); text holds one 'src,dst' (or space/tab separated)
// pair per line, '#' comments, blank lines and a header row without digits skipped. FormatError names the file and
// line of a malformed row; ids are not range-checked here (the caller knows the node count).
struct PairList {
  Tensor pairs;
  std::vector<int64_t> lines;  // empty for .npy
};
PairList read_pairs(const std::string& path);

}  // namespace loom::data
