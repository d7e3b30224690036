// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Image classification data: IDX files (the MNIST family's format, plain or gzip-compressed) and Fashion-MNIST, as
// Debian's dataset-fashion-mnist package installs it, plus the patch tokens that token models (SoftHGNN, ACE-HGNN)
// take as input.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom::data {

// Reads an IDX file (magic 0x0000 + type byte + rank byte, big-endian int32 sizes, then the data), plain or, when
// the name ends in ".gz", through zlib. Supports unsigned bytes (type 0x08), returned as int32 with the file's shape
// (e.g. [60000, 28, 28] images, [60000] labels). FormatError naming the file for a bad magic, an unsupported type,
// a truncated file, trailing bytes or corrupt gzip data; loom::Error when it cannot be opened (as read_npy).
Tensor read_idx(const std::string& path);

struct ImageDataset {
  Tensor train_images, test_images;  // float32 [n, H, W], pixels scaled to [0, 1]
  Tensor train_labels, test_labels;  // int64 [n] class ids
  int64_t num_classes = 0;
  std::vector<std::string> class_names;
};

// $LOOM_FASHION_MNIST when set, else /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
std::string resolve_fashion_mnist_dir();
// Loads {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] from `dir` (resolve_fashion_mnist_dir() when empty):
// 60,000 + 10,000 images of 28 x 28, 10 classes. FormatError naming the file when one is missing or the counts of
// images and labels disagree.
ImageDataset load_fashion_mnist(const std::string& dir = "");

// Non-overlapping patch x patch tiles of images [n, H, W] as tokens [n, (H/patch)(W/patch), patch^2], in row-major
// tile order, pixels row-major within a tile. H and W must be multiples of patch (ValueError naming them).
Tensor patch_tokens(const Tensor& images, int64_t patch);

}  // namespace loom::data
