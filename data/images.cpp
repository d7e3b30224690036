// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// IDX reading (plain or gzip through zlib), the Fashion-MNIST loader and patch tokenisation of image batches.
// The whole file is read into memory first (Fashion-MNIST's largest file is 47 MB), then parsed with size checks.
#include "loom/data/images.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/detail/env.h"
#include "core/detail/file_errors.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"

namespace loom::data {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_plain(const std::string& path, const std::string& who) {
  std::error_code ec;
  LOOM_CHECK(!std::filesystem::is_directory(path, ec), Error, who, ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  LOOM_CHECK(in.is_open(), Error, who, ": cannot open the file: ", std::strerror(errno));
  std::string bytes(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!bytes.empty()) in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  LOOM_CHECK(in.good(), Error, who, ": read error");
  return bytes;
}

// The number of bytes an IDX file must have, judged from its first bytes: the magic, then the header, then the
// header and data plus one byte (to notice trailing bytes). Where the bytes so far are already wrong, what is there:
// parse_idx then says what is wrong.
size_t idx_bytes_wanted(const std::string& bytes) {
  if (bytes.size() < 4) return 4;
  const int rank = static_cast<unsigned char>(bytes[3]);
  if (bytes[0] != 0 || bytes[1] != 0 || rank < 1 || rank > kMaxRank) return bytes.size();
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  if (bytes.size() < header) return header;
  size_t numel = 1;
  for (int d = 0; d < rank; ++d) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data()) + 4 + 4 * d;
    const size_t size = (size_t{p[0]} << 24) | (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | size_t{p[3]};
    if (__builtin_mul_overflow(numel, size, &numel)) return bytes.size();
  }
  return numel > (size_t{1} << 40) ? bytes.size() : header + numel + 1;
}

// zlib's gz* functions read gzip members (and pass plain bytes through unchanged); a corrupt stream is a
// FormatError, since the file exists but its contents are wrong. Only as many bytes as the IDX header asks for
// (and one more) are inflated: a small file that inflates to gigabytes is refused by its header, not read.
std::string read_gzip(const std::string& path, const std::string& who) {
  std::error_code ec;
  LOOM_CHECK(!std::filesystem::is_directory(path, ec), Error, who, ": is a directory, not a file");
  gzFile f = gzopen(path.c_str(), "rb");
  LOOM_CHECK(f != nullptr, Error, who, ": cannot open the file: ", std::strerror(errno));
  std::string bytes;
  std::array<char, 1 << 16> chunk{};
  for (size_t want = idx_bytes_wanted(bytes); bytes.size() < want; want = idx_bytes_wanted(bytes)) {
    const size_t ask = std::min(chunk.size(), want - bytes.size());
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(ask));
    if (n < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      gzclose(f);
      throw FormatError(detail::str_cat(who, ": corrupt gzip data: ", msg));
    }
    if (n == 0) break;
    bytes.append(chunk.data(), static_cast<size_t>(n));
  }
  // gzread returns 0 at a truncated stream's end too; gzerror tells the two apart.
  int code = 0;
  const std::string msg = gzerror(f, &code);
  gzclose(f);
  LOOM_CHECK(code == Z_OK || code == Z_STREAM_END, FormatError, who, ": corrupt gzip data: ", msg);
  return bytes;
}

const char* idx_type_name(uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "unknown";
  }
}

Tensor parse_idx(const std::string& bytes, const std::string& who) {
  LOOM_CHECK(bytes.size() >= 4, FormatError, who, ": truncated: ", bytes.size(),
             " bytes, shorter than the 4-byte IDX magic");
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  LOOM_CHECK(b[0] == 0 && b[1] == 0, FormatError, who, ": bad magic: expected the IDX magic 0x0000, found 0x",
             std::hex, (static_cast<int>(b[0]) << 8 | b[1]), " (not an IDX file)");
  const uint8_t type = b[2];
  const int rank = b[3];
  LOOM_CHECK(type == 0x08, FormatError, who, ": unsupported element type 0x", std::hex, static_cast<int>(type),
             " (", idx_type_name(type), "); only unsigned bytes (0x08) are read");
  LOOM_CHECK(rank >= 1 && rank <= kMaxRank, FormatError, who, ": rank ", rank, " is outside 1..", kMaxRank);
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  LOOM_CHECK(bytes.size() >= header, FormatError, who, ": truncated: ", bytes.size(), " bytes, but the header of a rank-",
             rank, " IDX file has ", header);
  Shape shape;
  size_t numel = 1;
  for (int d = 0; d < rank; ++d) {
    const unsigned char* p = b + 4 + 4 * d;
    const uint32_t size = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
    LOOM_CHECK(size <= static_cast<uint32_t>(std::numeric_limits<int32_t>::max()), FormatError, who, ": size ", d,
               " is ", size, ", beyond int32");
    shape.push_back(static_cast<int64_t>(size));
    // Sizes past the file's length are caught below; this guards the product itself.
    LOOM_CHECK(size == 0 || numel <= (std::numeric_limits<size_t>::max() >> 1) / size, FormatError, who,
               ": the shape ", shape_str(shape), "... overflows");
    numel *= size;
  }
  const size_t have = bytes.size() - header;
  LOOM_CHECK(have >= numel, FormatError, who, ": truncated: shape ", shape_str(shape), " needs ", numel,
             " data bytes, the file has ", have);
  LOOM_CHECK(have == numel, FormatError, who, ": ", have - numel, " trailing bytes after the ", numel,
             " data bytes of shape ", shape_str(shape));
  Tensor t = empty(shape, kInt32, kCPU);
  int32_t* out = t.data<int32_t>();
  for (size_t i = 0; i < numel; ++i) out[i] = b[header + i];
  return t;
}

bool is_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

// name[.gz] in dir: the plain file when present, else the compressed one. FormatError when neither exists.
Tensor read_member(const std::filesystem::path& dir, const std::string& name) {
  const std::filesystem::path plain = dir / name;
  if (is_file(plain)) return read_idx(plain.string());
  const std::filesystem::path gz = dir / (name + ".gz");
  if (is_file(gz)) return read_idx(gz.string());
  throw FormatError(detail::str_cat("load_fashion_mnist: missing file ", gz.string(), " (or ", plain.string(),
                                    "); install Debian's dataset-fashion-mnist or set LOOM_FASHION_MNIST"));
}

void check_pair(const Tensor& images, const Tensor& labels, const std::string& what) {
  LOOM_CHECK(images.dim() == 3, FormatError, "load_fashion_mnist: ", what, " images must be [n, H, W], found ",
             images.shape_str());
  LOOM_CHECK(labels.dim() == 1, FormatError, "load_fashion_mnist: ", what, " labels must be [n], found ",
             labels.shape_str());
  LOOM_CHECK(images.size(0) == labels.size(0), FormatError, "load_fashion_mnist: ", what, " has ", images.size(0),
             " images but ", labels.size(0), " labels");
}

Tensor to_labels(const Tensor& raw, int64_t num_classes, const std::string& what) {
  const int32_t* p = raw.data<int32_t>();
  for (int64_t i = 0; i < raw.numel(); ++i) {
    LOOM_CHECK(p[i] < num_classes, FormatError, "load_fashion_mnist: ", what, " label ", i, " is ", p[i],
               ", outside [0, ", num_classes, ")");
  }
  return raw.to(kInt64);
}

}  // namespace

Tensor read_idx(const std::string& path) {
  const std::string who = "read_idx(\"" + path + "\")";
  return detail::reading_file(who, [&] {
    const std::string bytes = ends_with(path, ".gz") ? read_gzip(path, who) : read_plain(path, who);
    return parse_idx(bytes, who);
  });
}

std::string resolve_fashion_mnist_dir() {
  return detail::env_string("LOOM_FASHION_MNIST").value_or("/usr/share/datasets/fashion-mnist");
}

ImageDataset load_fashion_mnist(const std::string& dir) {
  const std::filesystem::path root = dir.empty() ? resolve_fashion_mnist_dir() : dir;
  constexpr int64_t kClasses = 10;
  const Tensor train_images = read_member(root, "train-images-idx3-ubyte");
  const Tensor train_labels = read_member(root, "train-labels-idx1-ubyte");
  const Tensor test_images = read_member(root, "t10k-images-idx3-ubyte");
  const Tensor test_labels = read_member(root, "t10k-labels-idx1-ubyte");
  check_pair(train_images, train_labels, "train");
  check_pair(test_images, test_labels, "test");
  LOOM_CHECK(train_images.size(1) == test_images.size(1) && train_images.size(2) == test_images.size(2), FormatError,
             "load_fashion_mnist: train images are ", train_images.size(1), " x ", train_images.size(2),
             " but test images are ", test_images.size(1), " x ", test_images.size(2));
  ImageDataset d;
  d.train_images = mul_scalar(train_images.to(kFloat32), 1.0 / 255.0);
  d.test_images = mul_scalar(test_images.to(kFloat32), 1.0 / 255.0);
  d.train_labels = to_labels(train_labels, kClasses, "train");
  d.test_labels = to_labels(test_labels, kClasses, "test");
  d.num_classes = kClasses;
  d.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return d;
}

Tensor patch_tokens(const Tensor& images, int64_t patch) {
  LOOM_CHECK(images.defined(), ValueError, "patch_tokens: images is undefined");
  LOOM_CHECK(images.dim() == 3, ShapeError, "patch_tokens: images must be [n, H, W], found ", images.shape_str());
  LOOM_CHECK(patch >= 1, ValueError, "patch_tokens: patch must be >= 1, found ", patch);
  const int64_t n = images.size(0), h = images.size(1), w = images.size(2);
  LOOM_CHECK(h % patch == 0 && w % patch == 0, ValueError, "patch_tokens: H = ", h, " and W = ", w,
             " must be multiples of patch = ", patch);
  // [n H/p, p, W/p, p] -> swap the in-tile row with the tile column -> [n H/p, W/p, p, p]: tiles in row-major
  // order, each tile's pixels row-major. Rank 4 is the most a tensor has, hence n and H/p share a dimension.
  const Tensor tiles = transpose(reshape(images, {n * (h / patch), patch, w / patch, patch}), 1, 2);
  return reshape(tiles, {n, (h / patch) * (w / patch), patch * patch});
}

}  // namespace loom::data
