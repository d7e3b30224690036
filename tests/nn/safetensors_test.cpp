// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Safetensors: round trips of every dtype and rank, the exact byte layout, atomic saving, and a FormatError naming
// the problem for each kind of malformed file.
#include <gmock/gmock.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "loom/core/io.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// A fresh path in the test temp directory, unique per test and process.
std::string temp_path(const std::string& stem) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "loom_" + info->name() + "_" + std::to_string(::getpid()) + "_" + stem;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Writes an 8-byte little-endian length (the header's size unless `length` overrides it), the header, the data.
void write_raw(const std::string& path, const std::string& header, const std::string& data,
               int64_t length = -1) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const uint64_t n = length < 0 ? header.size() : static_cast<uint64_t>(length);
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << header << data;
}

template <class T>
Tensor iota(Shape shape) {
  std::vector<T> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i * 3) - static_cast<T>(7);
  return from_vector<T>(v, shape);
}

void expect_same(const Tensor& a, const Tensor& b, const std::string& name) {
  ASSERT_TRUE(a.defined()) << name;
  EXPECT_EQ(a.dtype(), b.dtype()) << name;
  EXPECT_EQ(a.shape(), b.shape()) << name;
  ASSERT_EQ(a.nbytes(), b.nbytes()) << name;
  const Tensor ac = a.cpu(), bc = b.cpu();
  if (a.nbytes() > 0) {
    EXPECT_EQ(std::memcmp(ac.raw_data(), bc.raw_data(), a.nbytes()), 0) << name;
  }
}

TEST(Safetensors, RoundTripAllDtypesRanksAndEmpty) {
  NamedTensors t;
  t.insert("f32_rank0", scalar_tensor(3.5, kFloat32));
  t.insert("f64_rank1", testing::random_tensor({5}, 1, -3, 3, kFloat64));
  t.insert("i32_rank2", iota<int32_t>({3, 4}));
  t.insert("i64_rank3", iota<int64_t>({2, 3, 2}));
  t.insert("f32_rank4", testing::random_tensor({2, 1, 3, 2}, 2, -1, 1, kFloat32));
  t.insert("empty_f32", empty({0}, kFloat32));
  t.insert("empty_i64_2d", empty({3, 0}, kInt64));
  t.insert("i64_big", from_vector<int64_t>({INT64_MIN, -1, INT64_MAX}));
  const Metadata meta = {{"format", "pt"}, {"note", "quotes \" and unicode \xc3\xa9"}};
  const std::string path = temp_path("rt.safetensors");
  save_safetensors(path, t, meta);

  const SafetensorsContents back = read_safetensors(path);
  EXPECT_EQ(back.tensors.keys(), t.keys());  // header order is preserved
  for (const auto& [name, tensor] : t) expect_same(back.tensors.at(name), tensor, name);
  EXPECT_EQ(back.metadata, meta);
  EXPECT_TRUE(back.tensors.at("f32_rank0").is_cpu());
  EXPECT_EQ(back.tensors.at("f32_rank0").dim(), 0);
  fs::remove(path);
}

TEST(Safetensors, ByteLayoutMatchesTheFormat) {
  NamedTensors t{{"b", from_vector<int32_t>({1, 2, 3})}, {"a", from_vector<double>({0.5}, {1, 1})}};
  const std::string path = temp_path("layout.safetensors");
  save_safetensors(path, t);
  const std::string bytes = read_file(path);
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  EXPECT_EQ(n % 8, 0u) << "header padded so the data is 8-byte aligned";
  ASSERT_EQ(bytes.size(), 8 + n + 12 + 8);
  const auto h = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_FALSE(h.contains("__metadata__"));
  EXPECT_EQ(h["b"]["dtype"], "I32");
  EXPECT_EQ(h["b"]["shape"], nlohmann::json::array({3}));
  EXPECT_EQ(h["b"]["data_offsets"], nlohmann::json::array({0, 12}));
  EXPECT_EQ(h["a"]["dtype"], "F64");
  EXPECT_EQ(h["a"]["shape"], nlohmann::json::array({1, 1}));
  EXPECT_EQ(h["a"]["data_offsets"], nlohmann::json::array({12, 20}));
  int32_t second = 0;
  std::memcpy(&second, bytes.data() + 8 + n + 4, 4);
  EXPECT_EQ(second, 2);
  double a = 0;
  std::memcpy(&a, bytes.data() + 8 + n + 12, 8);
  EXPECT_EQ(a, 0.5);
  fs::remove(path);
}

TEST(Safetensors, ReadsAHandWrittenFile) {
  // As another writer would produce it: keys out of offset order, trailing spaces in the header.
  const std::string path = temp_path("hand.safetensors");
  const float f[2] = {1.5f, -2.0f};
  const int64_t i = 42;
  std::string data(reinterpret_cast<const char*>(&i), 8);
  data += std::string(reinterpret_cast<const char*>(f), 8);
  write_raw(path,
            R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
            R"("n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}   )",
            data);
  const SafetensorsContents c = read_safetensors(path);
  EXPECT_EQ(c.tensors.keys(), (std::vector<std::string>{"w", "n"}));
  EXPECT_EQ(c.tensors.at("w").to_vector<float>(), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(c.tensors.at("n").item<int64_t>(), 42);
  EXPECT_EQ(c.metadata.at("k"), "v");
  fs::remove(path);
}

TEST(Safetensors, SaveIsAtomicAndOverwrites) {
  const std::string path = temp_path("atomic.safetensors");
  save_safetensors(path, {{"x", ones({100})}});
  save_safetensors(path, {{"y", zeros({3}, kInt32)}});
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const NamedTensors back = load_safetensors(path);
  EXPECT_EQ(back.keys(), std::vector<std::string>{"y"});
  EXPECT_EQ(back.at("y").to_vector<int32_t>(), (std::vector<int32_t>{0, 0, 0}));
  fs::remove(path);

  // A directory that does not exist: an Error, and neither the file nor a .tmp appears.
  const std::string bad = temp_path("no_such_dir") + "/x.safetensors";
  EXPECT_THAT([&] { save_safetensors(bad, {{"x", ones({1})}}); },
              ThrowsMessage<Error>(HasSubstr("cannot create a temporary file beside")));
  EXPECT_FALSE(fs::exists(bad));
  EXPECT_FALSE(fs::exists(bad + ".tmp"));
}

TEST(Safetensors, BadArguments) {
  const std::string path = temp_path("bad.safetensors");
  EXPECT_THAT([&] { save_safetensors(path, {{"x", Tensor()}}); },
              ThrowsMessage<ValueError>(HasSubstr("tensor 'x' is undefined")));
  EXPECT_THAT([&] { save_safetensors(path, {{"__metadata__", ones({1})}}); },
              ThrowsMessage<ValueError>(HasSubstr("reserved")));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_THAT([&] { load_safetensors(temp_path("missing.safetensors")); },
              ThrowsMessage<Error>(HasSubstr("cannot open")));
}

TEST(NamedTensors, UniqueNamesAndLookup) {
  NamedTensors t{{"a", ones({1})}};
  EXPECT_THAT([&] { t.insert("a", ones({2})); }, ThrowsMessage<ValueError>(HasSubstr("duplicate name 'a'")));
  EXPECT_THAT([&] { t.at("b"); }, ThrowsMessage<ValueError>(HasSubstr("no tensor named 'b'")));
  EXPECT_EQ(t.find("b"), nullptr);
  EXPECT_EQ(t.at("a").numel(), 1);
}

// ---------------------------------------------------------------- malformed files

struct Malformed {
  const char* name;
  std::string header;
  std::string data;
  int64_t length;  // -1: the header's size
  const char* expected;
};

std::string bytes(size_t n) { return std::string(n, '\x01'); }
std::string f32(const char* shape, const char* offsets) {
  return std::string(R"({"dtype":"F32","shape":)") + shape + R"(,"data_offsets":)" + offsets + "}";
}

TEST(Safetensors, MalformedFilesRaiseFormatError) {
  const std::vector<Malformed> cases = {
      {"header_too_long", R"({"a":1})", "", 1000, "header length 1000 exceeds the 7 bytes"},
      {"invalid_json", R"({"a": {"dtype": )", "", -1, "invalid JSON header"},
      {"not_object", "[1, 2]", "", -1, "not a JSON object"},
      {"entry_not_object", R"({"a": 3})", "", -1, "tensor 'a': entry must be an object"},
      {"missing_field", R"({"a":{"dtype":"F32","data_offsets":[0,4]}})", bytes(4), -1, "missing field 'shape'"},
      {"unknown_dtype", R"({"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})", bytes(4), -1,
       "unknown dtype 'BF16'"},
      {"dtype_not_string", R"({"a":{"dtype":7,"shape":[2],"data_offsets":[0,4]}})", bytes(4), -1,
       "dtype must be a string"},
      {"negative_shape", "{\"a\":" + f32("[-2]", "[0,8]") + "}", bytes(8), -1, "must hold non-negative integers"},
      {"fractional_shape", "{\"a\":" + f32("[2.5]", "[0,8]") + "}", bytes(8), -1,
       "must hold non-negative integers"},
      {"shape_not_array", "{\"a\":" + f32("2", "[0,8]") + "}", bytes(8), -1, "shape must be an array"},
      {"rank_too_high", "{\"a\":" + f32("[1,1,1,1,1]", "[0,4]") + "}", bytes(4), -1,
       "rank 5 exceeds loom's maximum of 4"},
      {"huge_shape", "{\"a\":" + f32("[4294967296,4294967296,4294967296]", "[0,4]") + "}", bytes(4), -1,
       "is too large"},
      {"offsets_out_of_order", "{\"a\":" + f32("[2]", "[8,0]") + "}", bytes(8), -1, "out of order"},
      {"offsets_not_pair", "{\"a\":" + f32("[2]", "[0]") + "}", bytes(8), -1,
       "data_offsets must be two non-negative integers"},
      {"negative_offset", "{\"a\":" + f32("[2]", "[-8,0]") + "}", bytes(8), -1,
       "data_offsets must be two non-negative integers"},
      {"offsets_past_buffer", "{\"a\":" + f32("[2]", "[0,8]") + "}", bytes(4), -1,
       "lie outside the 4-byte data buffer"},
      {"byte_count", "{\"a\":" + f32("[3]", "[0,8]") + "}", bytes(8), -1, "hold 8 bytes but dtype F32 and shape [3] need 12"},
      {"overlap", "{\"a\":" + f32("[2]", "[0,8]") + ",\"b\":" + f32("[2]", "[4,12]") + "}", bytes(12), -1,
       "tensor 'b' (bytes 4..12) overlaps tensor 'a'"},
      {"hole", "{\"a\":" + f32("[1]", "[0,4]") + ",\"b\":" + f32("[1]", "[8,12]") + "}", bytes(12), -1,
       "bytes 4..8 of the data buffer belong to no tensor"},
      {"trailing", "{\"a\":" + f32("[1]", "[0,4]") + "}", bytes(7), -1, "3 trailing bytes after the last tensor"},
      {"duplicate_key", "{\"a\":" + f32("[1]", "[0,4]") + ",\"a\":" + f32("[1]", "[4,8]") + "}", bytes(8), -1,
       "names 'a' twice"},
      {"metadata_not_string", R"({"__metadata__":{"k":1}})", "", -1, "__metadata__ value of 'k' is number"},
      {"metadata_not_object", R"({"__metadata__":[1]})", "", -1, "__metadata__ must be an object"},
  };
  for (const Malformed& c : cases) {
    const std::string path = temp_path(std::string(c.name) + ".safetensors");
    write_raw(path, c.header, c.data, c.length);
    EXPECT_THAT([&] { load_safetensors(path); },
                ThrowsMessage<FormatError>(AllOf(HasSubstr(path), HasSubstr(c.expected))))
        << c.name;
    fs::remove(path);
  }
}

TEST(Safetensors, FileShorterThanTheLengthField) {
  const std::string path = temp_path("short.safetensors");
  {
    std::ofstream out(path, std::ios::binary);
    out << "abc";
  }
  EXPECT_THAT([&] { load_safetensors(path); },
              ThrowsMessage<FormatError>(AllOf(HasSubstr(path), HasSubstr("the file is 3 bytes, shorter than the 8-byte"))));
  fs::remove(path);
}

TEST(Safetensors, CudaTensorsAreSavedFromTheDevice) {
  LOOM_REQUIRE_CUDA();
  const Tensor x = testing::random_tensor({4, 3}, 9, -1, 1, kFloat32);
  const std::string path = temp_path("cuda.safetensors");
  save_safetensors(path, {{"x", x.cuda()}, {"i", iota<int64_t>({5}).cuda()}});
  const NamedTensors back = load_safetensors(path);
  expect_same(back.at("x"), x, "x");
  expect_same(back.at("i"), iota<int64_t>({5}), "i");
  EXPECT_TRUE(back.at("x").is_cpu());
  fs::remove(path);
}

}  // namespace
}  // namespace loom
