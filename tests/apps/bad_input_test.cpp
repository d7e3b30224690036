// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The bad-input catalogue: one case (or more) for every class of failure the hardening issue lists, run through the
// real `loom` binary or the library call a service would make. Each must end in a typed error or a non-zero exit
// with a message naming the problem, never a signal, a hang or a silent wrong result.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "core/detail/file_errors.h"
#include "loom/core/checked.h"
#include "loom/core/config.h"
#include "loom/core/io.h"
#include "loom/core/ops.h"
#include "loom/data/dataset.h"
#include "loom/data/images.h"
#include "loom/data/mtx.h"
#include "loom/data/npy.h"
#include "loom/graph/graph.h"
#include "support/cli.h"
#include "support/testing.h"

namespace loom {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::read_file;
using testing::run_loom;

fs::path fresh_dir(const std::string& name) {
  const fs::path d = testing::temp_dir() / ("bad_input_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// A small valid node-classification folder (4 nodes, 2 classes, a path graph) to break one file at a time.
fs::path tiny_folder(const std::string& name) {
  const fs::path d = fresh_dir(name);
  data::write_npy((d / "x.npy").string(), from_vector<float>({1, 0, 0, 1, 1, 1, 0, 0}, {4, 2}));
  data::write_npy((d / "y.npy").string(), testing::i64({0, 1, 0, 1}));
  data::write_npy((d / "edge_index.npy").string(), testing::i64({0, 1, 2, 1, 2, 3}).view({2, 3}));
  data::write_npy((d / "train_idx.npy").string(), testing::i64({0, 1}));
  data::write_npy((d / "val_idx.npy").string(), testing::i64({2}));
  data::write_npy((d / "test_idx.npy").string(), testing::i64({3}));
  return d;
}

// A run that failed cleanly: exited (no signal) with a non-zero code, and said `what` on stderr.
void expect_refused(const testing::CliRun& r, const std::string& what) {
  EXPECT_GT(r.code, 0) << "exit " << r.code << " (negative: killed by signal " << -r.code << ")\n" << r.err;
  EXPECT_THAT(r.err, HasSubstr(what));
}

// ---------------------------------------------------------------- counts that overflow

TEST(BadInput, ShapesWhoseCountOrBytesOverflowAreRefusedBeforeAllocation) {
  EXPECT_THROW(empty({int64_t{1} << 62, 4}, kFloat32), ShapeError);
  EXPECT_THROW(zeros({int64_t{1} << 31, int64_t{1} << 31, 4}), ShapeError);
  EXPECT_THROW(empty({(int64_t{1} << 61) + 1}, kFloat64), ShapeError);
  EXPECT_THROW(checked_mul(int64_t{1} << 40, int64_t{1} << 40, "count"), ValueError);
  EXPECT_THROW(checked_add(std::numeric_limits<int64_t>::max(), 1, "offset"), ValueError);
  EXPECT_THROW(checked_mul(-1, 2, "count"), ValueError);
  EXPECT_EQ(checked_mul(1 << 20, 1 << 20, "count"), int64_t{1} << 40);
  EXPECT_EQ(checked_nbytes({3, 5}, kFloat64, "x"), size_t{120});
}

// A safetensors file whose header declares F64 [2^61 + 1] over 8 bytes: the byte count wraps to 8 in 64 bits.
TEST(BadInput, SafetensorsWhoseDeclaredBytesWrapIsRefused) {
  const fs::path d = fresh_dir("safetensors_wrap");
  for (const std::string& header : {std::string(R"({"w":{"dtype":"F64","shape":[2305843009213693953],"data_offsets":[0,8]}})"),
                                    std::string(R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})")}) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    bytes += header + std::string(8, '\0');
    write_text(d / "w.safetensors", bytes);
    try {
      load_safetensors((d / "w.safetensors").string());
      ADD_FAILURE() << "loaded " << header;
    } catch (const FormatError& e) {
      EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("needs more bytes"), HasSubstr("too large"), HasSubstr("need")));
    }
  }
}

TEST(BadInput, MatrixMarketOfFourBillionSquaredIsRefusedByTheDenseConversionAndTheLoader) {
  const fs::path d = tiny_folder("mtx_huge");
  fs::remove(d / "x.npy");
  write_text(d / "features.mtx", "%%MatrixMarket matrix coordinate real general\n4294967296 4294967296 1\n1 1 1.0\n");
  EXPECT_THROW(data::coo_to_dense(data::read_mtx((d / "features.mtx").string())), Error);
  EXPECT_THROW(data::load_node_dataset(d.string()), Error);
  expect_refused(run_loom({"train", "--data", d.string(), "--epochs", "1"}, d), "64-bit");
}

TEST(BadInput, HugeNumericFlagsAreRefusedWithTheirRange) {
  const fs::path d = fresh_dir("huge_flags");
  expect_refused(run_loom({"train", "--hidden", "4611686018427387904", "--epochs", "1"}, d), "[1, 1048576]");
  expect_refused(run_loom({"train", "--epochs", "99999999999999999999"}, d), "--epochs");
  expect_refused(run_loom({"train", "--nodes", "-5"}, d), "--nodes");
}

// ---------------------------------------------------------------- the environment

TEST(BadInput, ABadEnvironmentVariableIsAnErrorNamingIt) {
  const fs::path d = fresh_dir("env");
  for (const char* value : {"abc", "", "99999999999999999999999", "-1"}) {
    const auto r = run_loom({"train", "--epochs", "1", "--nodes", "100", "--quiet"}, d,
                            {std::string("LOOM_HOST_CACHE_MB=") + value});
    expect_refused(r, "LOOM_HOST_CACHE_MB");
  }
  const auto ok = run_loom({"train", "--epochs", "1", "--nodes", "100", "--quiet"}, d, {"LOOM_HOST_CACHE_MB=0"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  // Every variable treats "set but empty" alike: an error naming it, never a silent default.
  expect_refused(run_loom({"train", "--epochs", "1", "--data", "cora", "--quiet"}, d, {"LOOM_DATA="}),
                 "environment variable LOOM_DATA is set but empty");
  // (LOOM_SPMM_IMPL, read at the first SpMM on a GPU: SpmmBackendEnv.empty in tests/message.)
  const char* old = std::getenv("LOOM_FASHION_MNIST");
  const std::string saved = old ? old : "";
  ::setenv("LOOM_FASHION_MNIST", "", 1);
  EXPECT_THAT([] { (void)data::resolve_fashion_mnist_dir(); },
              ThrowsMessage<ValueError>(HasSubstr("LOOM_FASHION_MNIST is set but empty")));
  if (old) ::setenv("LOOM_FASHION_MNIST", saved.c_str(), 1); else ::unsetenv("LOOM_FASHION_MNIST");
}

// ---------------------------------------------------------------- silent wrong results

TEST(BadInput, NonFiniteOrOutOfRangeNumericFlagsAreRefused) {
  const fs::path d = fresh_dir("nan_flags");
  for (const char* flag : {"--lr", "--weight-decay", "--dropout", "--attention-dropout", "--momentum", "--gamma"}) {
    for (const char* value : {"nan", "inf", "-1"}) {
      const auto r = run_loom({"train", flag, value, "--epochs", "1", "--nodes", "100"}, d);
      expect_refused(r, flag);
      EXPECT_THAT(r.err, HasSubstr("finite number in")) << flag << " " << value;
    }
  }
  expect_refused(run_loom({"train", "--dropout", "1.5"}, d), "[0, 0.99]");
}

TEST(BadInput, FlagsThatDoNotApplyAreErrors) {
  const fs::path d = tiny_folder("flags_apply");
  expect_refused(run_loom({"train", "--split", "99", "--epochs", "1"}, d), "need --data");
  expect_refused(run_loom({"train", "--data", d.string(), "--nodes", "100", "--epochs", "1"}, d), "--nodes");
}

TEST(BadInput, NonFiniteFeaturesAreRefusedAtLoadNamingTheNode) {
  for (float bad : {std::nanf(""), std::numeric_limits<float>::infinity()}) {
    const fs::path d = tiny_folder("nan_features");
    data::write_npy((d / "x.npy").string(), from_vector<float>({1, 0, 0, 1, 1, bad, 0, 0}, {4, 2}));
    try {
      data::load_node_dataset(d.string());
      ADD_FAILURE() << "loaded features with " << bad;
    } catch (const ValueError& e) {
      EXPECT_THAT(e.what(), HasSubstr("at node 2, feature 1 (features must be finite)"));
    }
    expect_refused(run_loom({"train", "--data", d.string(), "--epochs", "1"}, d), "features must be finite");
  }
}

TEST(BadInput, SymmetricNormalisationWithNegativeDegreesIsRefused) {
  const graph::Graph g = graph::Graph::from_edge_index(testing::i64({0, 1, 1, 0}).view({2, 2}), 2, from_vector<float>({-1.f, 2.f}, {2}));
  try {
    g.norm(graph::Norm::kSym);
    ADD_FAILURE() << "sym norm of a negative degree";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("negative edge weights"));
  }
  EXPECT_NO_THROW(g.norm(graph::Norm::kRandomWalk));
}

TEST(BadInput, AFailedWriteOfTheLogIsAnError) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  const fs::path d = fresh_dir("full_disk");
  expect_refused(run_loom({"train", "--epochs", "2", "--nodes", "100", "--quiet", "--log", "/dev/full"}, d),
                 "/dev/full");
}

// ---------------------------------------------------------------- saves under concurrency, and the symlink hole

TEST(BadInput, ConcurrentSaversLeaveExactlyOneWritersFile) {
  const fs::path d = fresh_dir("concurrent_save");
  const std::string path = (d / "m.safetensors").string();
  std::vector<std::string> expected;
  for (int w = 0; w < 4; ++w) {
    const std::string one = (d / ("one-" + std::to_string(w) + ".safetensors")).string();
    save_safetensors(one, {{"w", full({1 << 14}, static_cast<double>(w), kFloat32)}});
    expected.push_back(read_file(one));
  }
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::thread> savers;
    for (int w = 0; w < 4; ++w)
      savers.emplace_back([&, w] { save_safetensors(path, {{"w", full({1 << 14}, static_cast<double>(w), kFloat32)}}); });
    for (std::thread& t : savers) t.join();
    const std::string got = read_file(path);
    EXPECT_TRUE(std::find(expected.begin(), expected.end(), got) != expected.end()) << "trial " << trial;
  }
  // No temporary file is left behind.
  for (const auto& e : fs::directory_iterator(d))
    EXPECT_THAT(e.path().filename().string(), ::testing::Not(HasSubstr(".tmp")));
}

TEST(BadInput, ASymlinkOrDirectoryAtTheOldTemporaryNameIsNeitherFollowedNorInTheWay) {
  const fs::path d = fresh_dir("symlink");
  const fs::path victim = d / "victim.txt";
  write_text(victim, "precious");
  const std::string path = (d / "m.safetensors").string();
  fs::create_symlink(victim, path + ".tmp");
  save_safetensors(path, {{"w", ones({3})}});
  EXPECT_EQ(read_file(victim), "precious");
  EXPECT_EQ(load_safetensors(path).at("w").numel(), 3);

  const std::string other = (d / "n.safetensors").string();
  fs::create_directory(other + ".tmp");
  EXPECT_NO_THROW(save_safetensors(other, {{"w", ones({2})}}));
  data::write_npy((d / "a.npy").string(), ones({2}));
  EXPECT_EQ(data::read_npy((d / "a.npy").string()).numel(), 2);
}

// ---------------------------------------------------------------- bounded work for small inputs

TEST(BadInput, AHyperedgeIdFarBeyondTheIncidencesIsRefused) {
  const fs::path d = tiny_folder("hyperedge_id");
  fs::remove(d / "edge_index.npy");
  data::write_npy((d / "hyperedge_index.npy").string(), testing::i64({0, 1, 2, 0, 0, 1000000000}).view({2, 3}));
  try {
    data::load_node_dataset(d.string());
    ADD_FAILURE() << "loaded a hyperedge id of 1e9";
  } catch (const IndexError& e) {
    EXPECT_THAT(e.what(), HasSubstr("hyperedge id 1000000000, out of range [0, 3)"));
  }
}

// A 1 x 1 IDX image file followed by 64 MiB of zeros, gzipped to a few tens of kilobytes: refused after its header
// and two bytes of data, not after inflating the whole stream.
TEST(BadInput, AGzipIdxFileIsJudgedByItsHeaderBeforeItsBodyIsInflated) {
  const fs::path d = fresh_dir("gzip_bomb");
  const std::string path = (d / "bomb-idx3-ubyte.gz").string();
  gzFile f = gzopen(path.c_str(), "wb9");
  ASSERT_NE(f, nullptr);
  const unsigned char header[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  gzwrite(f, header, sizeof header);
  std::vector<char> zeros(1 << 20, 0);
  for (int i = 0; i < 64; ++i) gzwrite(f, zeros.data(), static_cast<unsigned>(zeros.size()));
  gzclose(f);
  try {
    data::read_idx(path);
    ADD_FAILURE() << "read a file with 64 MiB of trailing bytes";
  } catch (const FormatError& e) {
    EXPECT_THAT(e.what(), HasSubstr("trailing bytes"));
  }
}

TEST(BadInput, ADirectoryGivenAsAFileIsAnErrorNamingIt) {
  const fs::path d = fresh_dir("directory_as_file");
  fs::create_directory(d / "x.npy");
  fs::create_directory(d / "f.mtx");
  fs::create_directory(d / "i-idx3-ubyte");
  fs::create_directory(d / "i-idx3-ubyte.gz");
  fs::create_directory(d / "m.safetensors");
  for (const auto& call : std::vector<std::function<void()>>{
           [&] { data::read_npy((d / "x.npy").string()); }, [&] { data::read_mtx((d / "f.mtx").string()); },
           [&] { data::read_idx((d / "i-idx3-ubyte").string()); },
           [&] { data::read_idx((d / "i-idx3-ubyte.gz").string()); },
           [&] { load_safetensors((d / "m.safetensors").string()); }}) {
    try {
      call();
      ADD_FAILURE() << "read a directory";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("directory"));
    }
  }
}


// Every reader's entry point (read_npy, read_mtx, read_idx, load_safetensors, load_node_dataset, models::load) runs
// through detail::reading_file: what the standard library throws while reading becomes a typed error naming the file.
TEST(BadInput, StandardLibraryExceptionsWhileReadingBecomeTypedErrorsNamingTheFile) {
  const std::string who = "read_npy(\"x.npy\")";
  EXPECT_THAT([&] { detail::reading_file(who, []() -> int { throw std::bad_alloc(); }); },
              ThrowsMessage<Error>(HasSubstr("read_npy(\"x.npy\"): out of memory while reading the file")));
  EXPECT_THAT([&] {
    detail::reading_file(who, []() -> int { throw std::ios_base::failure("basic_ios::clear: iostream error"); });
  }, ThrowsMessage<FormatError>(HasSubstr("read_npy(\"x.npy\"): reading the file failed: basic_ios::clear")));
  EXPECT_THAT([&] { detail::reading_file(who, []() -> int { throw std::length_error("basic_string::_M_create"); }); },
              ThrowsMessage<FormatError>(HasSubstr("x.npy")));
  // Loom's own errors pass through with their type and message.
  EXPECT_THAT([&] { detail::reading_file(who, []() -> int { throw IndexError("id 7 outside [0, 3)"); }); },
              ThrowsMessage<IndexError>(::testing::StrEq("id 7 outside [0, 3)")));
  EXPECT_EQ(detail::reading_file(who, [] { return 42; }), 42);
}

// ---------------------------------------------------------------- the command line itself

TEST(BadInput, MistypedCommandsAndDevicesAreNamed) {
  const fs::path d = fresh_dir("commands");
  const auto typo = run_loom({"trian", "--epochs", "1"}, d);
  expect_refused(typo, "unknown command 'trian' (did you mean 'train'? commands: train, eval, predict");
  expect_refused(run_loom({"frobnicate"}, d), "unknown command 'frobnicate' (commands: train");
  expect_refused(run_loom({"train", "--device", "cuda:x", "--epochs", "1"}, d), "expected cpu, cuda or cuda:N");
  // GPU 7 does not exist here (no GPU at all, or fewer): the message names it either way.
  expect_refused(run_loom({"train", "--device", "cuda:7", "--epochs", "1", "--nodes", "100", "--quiet"}, d),
                 "--device cuda:7: ");
  const auto version = run_loom({"--version"}, d);
  EXPECT_EQ(version.code, 0) << version.err;
  EXPECT_THAT(version.out, HasSubstr(std::string("loom ") + LOOM_VERSION + " (CUDA: "));
}
}  // namespace
}  // namespace loom
