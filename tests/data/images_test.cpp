// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// IDX reading (plain and gzip, written here byte by byte), every malformed case with its message, the
// Fashion-MNIST loader on a small hand-made folder, and patch_tokens against explicit loops.
#include <gmock/gmock.h>
#include <zlib.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "loom/data/images.h"
#include "support/gradcheck.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::temp_dir;

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
void write_gzip(const fs::path& p, const std::string& bytes) {
  gzFile f = gzopen(p.string().c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}
std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// magic 0x0000, type, rank, big-endian uint32 sizes, then the data bytes.
std::string idx_header(uint8_t type, const std::vector<uint32_t>& dims) {
  std::string out = {'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((d >> s) & 0xff));
  }
  return out;
}
std::string idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  return idx_header(0x08, dims) + std::string(data.begin(), data.end());
}
std::vector<uint8_t> ramp(size_t n, int step = 37) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * step + 11) % 256);
  return v;
}
std::vector<int32_t> widen(const std::vector<uint8_t>& v) { return {v.begin(), v.end()}; }

TEST(ReadIdx, PlainFilesOfEveryRank) {
  const fs::path dir = temp_dir();
  const std::vector<std::vector<uint32_t>> shapes = {{5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}, {0}, {2, 0, 3}};
  for (size_t k = 0; k < shapes.size(); ++k) {
    size_t n = 1;
    for (uint32_t d : shapes[k]) n *= d;
    const std::vector<uint8_t> data = ramp(n);
    const fs::path p = dir / (std::to_string(k) + ".idx");
    write_file(p, idx_bytes(shapes[k], data));
    const Tensor t = data::read_idx(p.string());
    EXPECT_EQ(t.dtype(), kInt32);
    EXPECT_EQ(t.shape(), Shape(shapes[k].begin(), shapes[k].end()));
    EXPECT_EQ(t.to_vector<int32_t>(), widen(data));
  }
}

TEST(ReadIdx, FullByteRangeAndLargeSizes) {
  const fs::path dir = temp_dir();
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<size_t>(i)] = static_cast<uint8_t>(255 - i);
  write_file(dir / "bytes", idx_bytes({256}, all));
  EXPECT_EQ(data::read_idx((dir / "bytes").string()).to_vector<int32_t>(), widen(all));
  // A size over 255 exercises every byte of the big-endian field: 70000 = 0x00011170.
  const std::vector<uint8_t> big = ramp(70000, 7);
  write_file(dir / "big", idx_bytes({70000}, big));
  const Tensor t = data::read_idx((dir / "big").string());
  EXPECT_EQ(t.shape(), Shape({70000}));
  EXPECT_EQ(t.to_vector<int32_t>(), widen(big));
}

TEST(ReadIdx, GzipMatchesPlain) {
  const fs::path dir = temp_dir();
  const std::vector<uint8_t> data = ramp(3 * 28 * 28);
  const std::string bytes = idx_bytes({3, 28, 28}, data);
  write_file(dir / "x-idx3-ubyte", bytes);
  write_gzip(dir / "x-idx3-ubyte.gz", bytes);
  // The file on disk really is compressed (gzip magic 1f 8b), so zlib did the work.
  const std::string on_disk = read_bytes(dir / "x-idx3-ubyte.gz");
  ASSERT_GE(on_disk.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(on_disk[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(on_disk[1]), 0x8b);
  const Tensor plain = data::read_idx((dir / "x-idx3-ubyte").string());
  const Tensor gz = data::read_idx((dir / "x-idx3-ubyte.gz").string());
  EXPECT_EQ(gz.shape(), Shape({3, 28, 28}));
  EXPECT_EQ(gz.to_vector<int32_t>(), widen(data));
  EXPECT_EQ(gz.to_vector<int32_t>(), plain.to_vector<int32_t>());
}

TEST(ReadIdx, MalformedFilesAreFormatErrors) {
  const fs::path dir = temp_dir();
  auto expect_error = [&](const std::string& name, const std::string& bytes, const std::string& what) {
    const std::string path = (dir / name).string();
    write_file(dir / name, bytes);
    EXPECT_THAT([&] { data::read_idx(path); },
                ThrowsMessage<FormatError>(AllOf(HasSubstr("read_idx(\"" + path + "\")"), HasSubstr(what))))
        << name;
  };
  expect_error("empty", "", "truncated: 0 bytes, shorter than the 4-byte IDX magic");
  expect_error("magic", std::string("\x89PNG\r\n", 6) + std::string(20, '\0'), "bad magic: expected the IDX magic 0x0000, found 0x8950");
  expect_error("magic1", std::string("\x00\x01\x08\x01\x00\x00\x00\x00", 8), "bad magic");
  expect_error("float", idx_header(0x0D, {2}) + std::string(8, '\0'), "unsupported element type 0xd (float32)");
  expect_error("int32", idx_header(0x0C, {2}) + std::string(8, '\0'), "unsupported element type 0xc (int32)");
  expect_error("type7", idx_header(0x07, {2}) + std::string(2, '\0'), "unsupported element type 0x7 (unknown)");
  expect_error("rank0", idx_header(0x08, {}), "rank 0 is outside 1..4");
  expect_error("rank5", idx_header(0x08, {1, 1, 1, 1, 1}) + std::string(1, '\0'), "rank 5 is outside 1..4");
  expect_error("short_header", idx_header(0x08, {2, 3}).substr(0, 9),
               "truncated: 9 bytes, but the header of a rank-2 IDX file has 12");
  expect_error("short_data", idx_bytes({2, 3}, ramp(5)), "truncated: shape [2, 3] needs 6 data bytes, the file has 5");
  expect_error("trailing", idx_bytes({2, 3}, ramp(8)), "2 trailing bytes after the 6 data bytes of shape [2, 3]");
  expect_error("huge", idx_header(0x08, {0x80000000u}), "size 0 is 2147483648, beyond int32");
}

TEST(ReadIdx, MalformedGzipFiles) {
  const fs::path dir = temp_dir();
  // A valid gzip stream of a truncated IDX file: the IDX check fires after decompression.
  write_gzip(dir / "short.gz", idx_bytes({4, 4}, ramp(10)));
  const std::string short_path = (dir / "short.gz").string();
  EXPECT_THAT([&] { data::read_idx(short_path); },
              ThrowsMessage<FormatError>(HasSubstr("truncated: shape [4, 4] needs 16 data bytes, the file has 10")));
  // A gzip stream cut in half: zlib reports the damage.
  write_gzip(dir / "whole.gz", idx_bytes({64, 64}, ramp(64 * 64)));
  const std::string whole = read_bytes(dir / "whole.gz");
  write_file(dir / "cut.gz", whole.substr(0, whole.size() / 2));
  const std::string cut_path = (dir / "cut.gz").string();
  EXPECT_THAT([&] { data::read_idx(cut_path); },
              ThrowsMessage<FormatError>(AllOf(HasSubstr(cut_path), HasSubstr("corrupt gzip data"))));
  // Garbage after the gzip magic.
  write_file(dir / "bad.gz", std::string("\x1f\x8b\x08\x00", 4) + std::string(40, '\x55'));
  const std::string bad_path = (dir / "bad.gz").string();
  EXPECT_THAT([&] { data::read_idx(bad_path); }, ThrowsMessage<FormatError>(HasSubstr("corrupt gzip data")));
}

TEST(ReadIdx, MissingFileIsAnError) {
  EXPECT_THAT([] { data::read_idx("/nonexistent/dir/x-idx1-ubyte"); },
              ThrowsMessage<Error>(HasSubstr("read_idx(\"/nonexistent/dir/x-idx1-ubyte\"): cannot open")));
  EXPECT_THAT([] { data::read_idx("/nonexistent/dir/x-idx1-ubyte.gz"); },
              ThrowsMessage<Error>(HasSubstr("read_idx(\"/nonexistent/dir/x-idx1-ubyte.gz\"): cannot open")));
}

// A miniature Fashion-MNIST folder: 5 train and 3 test images of 4 x 4, gzip and plain mixed.
void write_mini_fashion(const fs::path& dir, const std::vector<uint8_t>& train_labels) {
  write_gzip(dir / "train-images-idx3-ubyte.gz", idx_bytes({5, 4, 4}, ramp(80)));
  write_gzip(dir / "train-labels-idx1-ubyte.gz",
             idx_bytes({static_cast<uint32_t>(train_labels.size())}, train_labels));
  write_file(dir / "t10k-images-idx3-ubyte", idx_bytes({3, 4, 4}, ramp(48, 5)));
  write_file(dir / "t10k-labels-idx1-ubyte", idx_bytes({3}, {9, 0, 4}));
}

TEST(LoadFashionMnist, SmallFolder) {
  const fs::path dir = temp_dir();
  write_mini_fashion(dir, {0, 3, 9, 1, 1});
  const data::ImageDataset d = data::load_fashion_mnist(dir.string());
  EXPECT_EQ(d.num_classes, 10);
  ASSERT_EQ(d.class_names.size(), 10u);
  EXPECT_EQ(d.class_names[0], "T-shirt/top");
  EXPECT_EQ(d.class_names[9], "Ankle boot");
  EXPECT_EQ(d.train_images.shape(), Shape({5, 4, 4}));
  EXPECT_EQ(d.test_images.shape(), Shape({3, 4, 4}));
  EXPECT_EQ(d.train_images.dtype(), kFloat32);
  EXPECT_EQ(d.train_labels.dtype(), kInt64);
  EXPECT_EQ(d.train_labels.to_vector<int64_t>(), (std::vector<int64_t>{0, 3, 9, 1, 1}));
  EXPECT_EQ(d.test_labels.to_vector<int64_t>(), (std::vector<int64_t>{9, 0, 4}));
  const std::vector<uint8_t> raw = ramp(48, 5);
  const std::vector<float> px = d.test_images.to_vector<float>();
  for (size_t i = 0; i < raw.size(); ++i) EXPECT_FLOAT_EQ(px[i], static_cast<float>(raw[i]) / 255.0f) << i;
}

TEST(LoadFashionMnist, ErrorsNameTheProblem) {
  const fs::path dir = temp_dir();
  EXPECT_THAT([&] { data::load_fashion_mnist(dir.string()); },
              ThrowsMessage<FormatError>(AllOf(HasSubstr("missing file"), HasSubstr("train-images-idx3-ubyte.gz"),
                                               HasSubstr("dataset-fashion-mnist"))));
  write_mini_fashion(dir, {0, 3, 9, 1});  // 4 labels for 5 images
  EXPECT_THAT([&] { data::load_fashion_mnist(dir.string()); },
              ThrowsMessage<FormatError>(HasSubstr("load_fashion_mnist: train has 5 images but 4 labels")));
  write_mini_fashion(dir, {0, 3, 10, 1, 1});
  EXPECT_THAT([&] { data::load_fashion_mnist(dir.string()); },
              ThrowsMessage<FormatError>(HasSubstr("train label 2 is 10, outside [0, 10)")));
}

TEST(LoadFashionMnist, DirectoryFromTheEnvironment) {
  const char* old = std::getenv("LOOM_FASHION_MNIST");
  const std::string saved = old ? old : "";
  ::setenv("LOOM_FASHION_MNIST", "/some/where", 1);
  EXPECT_EQ(data::resolve_fashion_mnist_dir(), "/some/where");
  ::unsetenv("LOOM_FASHION_MNIST");
  EXPECT_EQ(data::resolve_fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
  if (old) ::setenv("LOOM_FASHION_MNIST", saved.c_str(), 1);
}

TEST(PatchTokens, MatchesExplicitLoops) {
  for (const auto& [n, h, w, p] : std::vector<std::array<int64_t, 4>>{{2, 28, 28, 4}, {3, 6, 9, 3}, {1, 4, 8, 2},
                                                                      {2, 5, 5, 1}, {2, 6, 6, 6}}) {
    const Tensor images = testing::random_tensor({n, h, w}, static_cast<uint32_t>(n * h * w + p), 0.0, 1.0, kFloat32);
    const Tensor tokens = data::patch_tokens(images, p);
    const int64_t gh = h / p, gw = w / p;
    ASSERT_EQ(tokens.shape(), Shape({n, gh * gw, p * p}));
    const std::vector<float> x = images.to_vector<float>(), t = tokens.to_vector<float>();
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t ti = 0; ti < gh; ++ti) {
        for (int64_t tj = 0; tj < gw; ++tj) {
          for (int64_t r = 0; r < p; ++r) {
            for (int64_t c = 0; c < p; ++c) {
              const int64_t token = ti * gw + tj, pixel = r * p + c;
              const float want = x[static_cast<size_t>((b * h + ti * p + r) * w + tj * p + c)];
              const float got = t[static_cast<size_t>((b * gh * gw + token) * p * p + pixel)];
              ASSERT_EQ(got, want) << "image " << b << " token " << token << " pixel " << pixel;
            }
          }
        }
      }
    }
  }
}

TEST(PatchTokens, Float64AndGradient) {
  // patch_tokens is a permutation, so its gradient is the inverse permutation.
  const Tensor images = testing::random_tensor({2, 4, 6}, 3);
  EXPECT_TRUE(testing::gradcheck([](const std::vector<Tensor>& in) { return data::patch_tokens(in[0], 2); },
                                 {images}));
}

TEST(PatchTokens, BadArguments) {
  const Tensor images = zeros({2, 28, 28});
  EXPECT_THAT([&] { data::patch_tokens(images, 5); },
              ThrowsMessage<ValueError>(HasSubstr("patch_tokens: H = 28 and W = 28 must be multiples of patch = 5")));
  EXPECT_THAT([&] { data::patch_tokens(zeros({2, 8, 6}), 4); },
              ThrowsMessage<ValueError>(HasSubstr("H = 8 and W = 6 must be multiples of patch = 4")));
  EXPECT_THAT([&] { data::patch_tokens(images, 0); },
              ThrowsMessage<ValueError>(HasSubstr("patch_tokens: patch must be >= 1, found 0")));
  EXPECT_THAT([&] { data::patch_tokens(zeros({28, 28}), 4); },
              ThrowsMessage<ShapeError>(HasSubstr("patch_tokens: images must be [n, H, W], found [28, 28]")));
}

}  // namespace
}  // namespace loom
