// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// .npy reader/writer: round trips for every dtype and rank, hand-built byte strings (versions 1.0-3.0, bool,
// uint8), and every malformed case with its message.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "loom/data/npy.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

using testing::temp_dir;

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// magic + version + little-endian header length (2 bytes for 1.x, 4 otherwise) + dict + data
std::string npy_bytes(int major, const std::string& dict, const std::string& data, int minor = 0) {
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(major));
  out.push_back(static_cast<char>(minor));
  const size_t len_bytes = major == 1 ? 2 : 4;
  for (size_t i = 0; i < len_bytes; ++i) out.push_back(static_cast<char>((dict.size() >> (8 * i)) & 0xff));
  return out + dict + data;
}
template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
std::string dict_for(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
}

template <class T>
void expect_round_trip(const fs::path& dir, const Shape& shape, uint32_t seed) {
  Tensor t = testing::random_tensor(shape, seed, -100.0, 100.0, kFloat64).to(dtype_v<T>);
  const fs::path p = dir / ("t_" + std::to_string(seed) + ".npy");
  data::write_npy(p.string(), t);
  Tensor r = data::read_npy(p.string());
  EXPECT_EQ(r.dtype(), dtype_v<T>);
  EXPECT_EQ(r.shape(), shape);
  EXPECT_EQ(r.to_vector<T>(), t.to_vector<T>()) << dtype_name(dtype_v<T>) << " " << shape_str(shape);
}

TEST(Npy, RoundTripAllDtypesAndRanks) {
  const fs::path dir = temp_dir();
  const std::vector<Shape> shapes = {{}, {7}, {3, 4}, {2, 3, 5}, {2, 1, 3, 2}, {0}, {4, 0, 2}};
  uint32_t seed = 1;
  for (const Shape& s : shapes) {
    expect_round_trip<float>(dir, s, seed++);
    expect_round_trip<double>(dir, s, seed++);
    expect_round_trip<int32_t>(dir, s, seed++);
    expect_round_trip<int64_t>(dir, s, seed++);
  }
  // Only the final files remain: the temporary files were renamed away.
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().extension(), ".npy") << e.path();
}

TEST(Npy, WriteOverwritesAndMatchesNumpyLayout) {
  const fs::path dir = temp_dir();
  const fs::path p = dir / "a.npy";
  data::write_npy(p.string(), ones({3}, kInt64));
  data::write_npy(p.string(), tensor({1.5f, -2.f}));
  Tensor r = data::read_npy(p.string());
  EXPECT_EQ(r.to_vector<float>(), (std::vector<float>{1.5f, -2.f}));
  const std::string b = data::to_npy_bytes(tensor({1.5f, -2.f}));
  EXPECT_EQ(b.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t header_len = static_cast<unsigned char>(b[8]) | (static_cast<unsigned char>(b[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);  // data aligned as NumPy aligns them
  EXPECT_EQ(b[10 + header_len - 1], '\n');
  EXPECT_THAT(b.substr(10, header_len), HasSubstr("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"));
  EXPECT_EQ(b.size(), 10 + header_len + 8);
}

TEST(Npy, WriteCopiesCudaTensorsToHost) {
  LOOM_REQUIRE_CUDA();
  const fs::path p = temp_dir() / "cuda.npy";
  Tensor t = testing::random_tensor({5, 3}, 3, -1, 1, kFloat32);
  data::write_npy(p.string(), t.cuda());
  EXPECT_EQ(data::read_npy(p.string()).to_vector<float>(), t.to_vector<float>());
}

TEST(Npy, ReadsVersion1HandBuilt) {
  const std::vector<float> v = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f};
  Tensor t = data::parse_npy(npy_bytes(1, dict_for("<f4", "(2, 3)"), raw(v)));
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.to_vector<float>(), v);
}

TEST(Npy, ReadsVersion2And3) {
  const std::vector<int64_t> v = {-5, 0, 1LL << 40};
  Tensor t2 = data::parse_npy(npy_bytes(2, dict_for("<i8", "(3,)"), raw(v)));
  EXPECT_EQ(t2.dtype(), kInt64);
  EXPECT_EQ(t2.to_vector<int64_t>(), v);
  const std::vector<double> d = {0.25, -1e300};
  Tensor t3 = data::parse_npy(npy_bytes(3, dict_for("<f8", "(1, 2)"), raw(d)));
  EXPECT_EQ(t3.shape(), (Shape{1, 2}));
  EXPECT_EQ(t3.to_vector<double>(), d);
}

TEST(Npy, ReadsFromFileWithLooseHeaderSyntax) {
  // Double quotes, keys in another order, no trailing comma, Python-2 long suffix, a scalar.
  const std::vector<int32_t> v = {7, -8};
  const fs::path p = temp_dir() / "loose.npy";
  write_file(p, npy_bytes(1, "{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<i4\"}   \n", raw(v)));
  Tensor t = data::read_npy(p.string());
  EXPECT_EQ(t.dtype(), kInt32);
  EXPECT_EQ(t.to_vector<int32_t>(), v);
  Tensor s = data::parse_npy(npy_bytes(1, dict_for("<f8", "()"), raw(std::vector<double>{3.5})));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<double>(), 3.5);
}

TEST(Npy, BoolAndUint8BecomeInt32) {
  const std::string bools("\x00\x01\x01\x00\x02\x00", 6);  // a stray 2 is still true
  Tensor b = data::parse_npy(npy_bytes(1, dict_for("|b1", "(2, 3)"), bools));
  EXPECT_EQ(b.dtype(), kInt32);
  EXPECT_EQ(b.shape(), (Shape{2, 3}));
  EXPECT_EQ(b.to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 1, 0, 1, 0}));
  const fs::path p = temp_dir() / "u8.npy";
  write_file(p, npy_bytes(1, dict_for("|u1", "(4,)"), std::string("\x00\x07\x80\xff", 4)));
  Tensor u = data::read_npy(p.string());
  EXPECT_EQ(u.dtype(), kInt32);
  EXPECT_EQ(u.to_vector<int32_t>(), (std::vector<int32_t>{0, 7, 128, 255}));
}

TEST(Npy, TruncatedFileNamesShapeDtypeAndBytes) {
  const fs::path p = temp_dir() / "feat.npy";
  write_file(p, npy_bytes(1, dict_for("<f4", "(2708, 1433)"), std::string(15000, '\0')));
  EXPECT_THAT([&] { data::read_npy(p.string()); },
              ThrowsMessage<FormatError>(HasSubstr("read_npy(\"" + p.string() +
                                                   "\"): header declares (2708, 1433) float32 = 15522256 bytes, "
                                                   "file has 15000 after the header")));
  // Too many bytes is as wrong as too few.
  EXPECT_THAT([&] { data::parse_npy(npy_bytes(1, dict_for("<i8", "(2,)"), std::string(24, '\0')), "x.npy"); },
              ThrowsMessage<FormatError>(HasSubstr("header declares (2,) int64 = 16 bytes, file has 24")));
  EXPECT_THAT([&] { data::parse_npy(npy_bytes(1, dict_for("|b1", "(3,)"), std::string(2, '\0'))); },
              ThrowsMessage<FormatError>(HasSubstr("(3,) bool = 3 bytes, file has 2")));
}

TEST(Npy, BadMagicAndVersion) {
  EXPECT_THAT([] { data::parse_npy("PK\x03\x04 this is a zip file", "w.npy"); },
              ThrowsMessage<FormatError>(HasSubstr("parse_npy(\"w.npy\"): not a .npy file (bad magic")));
  EXPECT_THAT([] { data::parse_npy("\x93NUM"); }, ThrowsMessage<FormatError>(HasSubstr("bad magic")));
  EXPECT_THAT([] { data::parse_npy(npy_bytes(4, dict_for("<f4", "(1,)"), std::string(4, '\0'))); },
              ThrowsMessage<FormatError>(HasSubstr("unsupported .npy format version 4.0")));
  EXPECT_THAT([] { data::parse_npy(npy_bytes(1, dict_for("<f4", "(1,)"), std::string(4, '\0'), 1)); },
              ThrowsMessage<FormatError>(HasSubstr("unsupported .npy format version 1.1")));
  // A header length that runs past the end of the file.
  std::string b = npy_bytes(1, dict_for("<f4", "(1,)"), "");
  b[8] = '\xff';
  EXPECT_THAT([&] { data::parse_npy(b); }, ThrowsMessage<FormatError>(HasSubstr("runs past the end of the file")));
}

TEST(Npy, MalformedHeaders) {
  auto parse_dict = [](const std::string& dict) { data::parse_npy(npy_bytes(1, dict, std::string(4, '\0'))); };
  EXPECT_THAT([&] { parse_dict("[1, 2, 3]\n"); }, ThrowsMessage<FormatError>(HasSubstr("the header is not a dict")));
  EXPECT_THAT([&] { parse_dict("{'descr': '<f4', 'fortran_order': False}\n"); },
              ThrowsMessage<FormatError>(HasSubstr("missing key 'shape'")));
  EXPECT_THAT([&] { parse_dict("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}"); },
              ThrowsMessage<FormatError>(HasSubstr("malformed header")));
  EXPECT_THAT([&] { parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}"); },
              ThrowsMessage<FormatError>(HasSubstr("unexpected key 'extra'")));
  EXPECT_THAT([&] { parse_dict("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}"); },
              ThrowsMessage<FormatError>(HasSubstr("fortran_order must be True or False")));
  EXPECT_THAT([&] { parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"); },
              ThrowsMessage<FormatError>(HasSubstr("non-negative integers")));
  EXPECT_THAT([&] { parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing"); },
              ThrowsMessage<FormatError>(HasSubstr("unexpected text after the closing")));
  EXPECT_THAT([&] { parse_dict("{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}"); },
              ThrowsMessage<FormatError>(HasSubstr("expected ',' or '}'")));
}

TEST(Npy, FortranOrderRefused) {
  EXPECT_THAT([] { data::parse_npy(npy_bytes(1, dict_for("<f4", "(1, 1)", "True"), std::string(4, '\0'))); },
              ThrowsMessage<FormatError>(
                  HasSubstr("Fortran order is not supported; save with np.ascontiguousarray")));
}

TEST(Npy, UnsupportedDtypes) {
  auto parse_descr = [](const std::string& descr) {
    data::parse_npy(npy_bytes(1, dict_for(descr, "(1,)"), std::string(8, '\0')));
  };
  EXPECT_THAT([&] { parse_descr(">f4"); }, ThrowsMessage<FormatError>(HasSubstr("big-endian dtype '>f4'")));
  EXPECT_THAT([&] { parse_descr(">i8"); }, ThrowsMessage<FormatError>(HasSubstr("big-endian")));
  EXPECT_THAT([&] { parse_descr("|O"); }, ThrowsMessage<FormatError>(HasSubstr("object arrays")));
  EXPECT_THAT([&] { parse_descr("<i2"); }, ThrowsMessage<FormatError>(HasSubstr("unsupported dtype '<i2'")));
  EXPECT_THAT([&] { parse_descr("<c16"); }, ThrowsMessage<FormatError>(HasSubstr("unsupported dtype '<c16'")));
  EXPECT_THAT([&] { parse_descr("<U8"); }, ThrowsMessage<FormatError>(HasSubstr("unsupported dtype")));
  EXPECT_THAT(
      [] {
        data::parse_npy(npy_bytes(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", "xxxx"));
      },
      ThrowsMessage<FormatError>(HasSubstr("structured dtypes")));
}

TEST(Npy, RankAboveFourRefused) {
  EXPECT_THAT([] { data::parse_npy(npy_bytes(1, dict_for("<f4", "(1, 1, 1, 1, 2)"), std::string(8, '\0'))); },
              ThrowsMessage<FormatError>(HasSubstr("rank 5 (shape (1, 1, 1, 1, 2)) exceeds Loom's maximum rank of 4")));
}

TEST(Npy, MissingFileAndUnwritablePath) {
  EXPECT_THAT([] { data::read_npy("/nonexistent/dir/x.npy"); },
              ThrowsMessage<Error>(HasSubstr("read_npy(\"/nonexistent/dir/x.npy\"): cannot open")));
  EXPECT_THAT([] { data::write_npy("/nonexistent/dir/x.npy", ones({2})); },
              ThrowsMessage<Error>(HasSubstr("write_npy(\"/nonexistent/dir/x.npy\"): cannot create")));
}

}  // namespace
}  // namespace loom
