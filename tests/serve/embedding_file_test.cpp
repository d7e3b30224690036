// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The embedding file: a round trip, and every malformed file rejected with a FormatError naming the problem (and
// the same tables rejected by save_embeddings with a ValueError).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "loom/core/checksum.h"
#include "loom/core/error.h"
#include "serve_util.h"

namespace loom::serve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(ServeEmbeddingFile, RoundTripKeepsEverything) {
  for (bool with_seen : {true, false}) {
    EmbeddingTables t = random_tables({.users = 7, .items = 11, .dim = 5, .integer = false});
    if (!with_seen) t.seen_indptr.clear(), t.seen_items.clear();
    const std::string path = temp_path("round.safetensors");
    save_embeddings(t, path);
    const EmbeddingTables r = load_embeddings(path);
    EXPECT_EQ(r.dim, t.dim);
    EXPECT_EQ(r.user_embeddings, t.user_embeddings);
    EXPECT_EQ(r.item_embeddings, t.item_embeddings);
    EXPECT_EQ(r.user_ids, t.user_ids);
    EXPECT_EQ(r.item_ids, t.item_ids);
    EXPECT_EQ(r.seen_indptr, t.seen_indptr);
    EXPECT_EQ(r.seen_items, t.seen_items);
    EXPECT_EQ(nlohmann::json::parse(r.source_json), nlohmann::json::parse(t.source_json));
  }
}

TEST(ServeEmbeddingFile, CardAndLayoutAreAsDocumented) {
  const EmbeddingTables t = random_tables({.users = 3, .items = 4, .dim = 2});
  const std::string path = temp_path("card.safetensors");
  save_embeddings(t, path);
  const std::string bytes = read_bytes(path);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  const auto card = nlohmann::json::parse(header["__metadata__"]["loom.embeddings"].get<std::string>());
  EXPECT_EQ(card["format_version"], 1);
  EXPECT_EQ(card["dim"], 2);
  EXPECT_EQ(card["users"], 3);
  EXPECT_EQ(card["items"], 4);
  EXPECT_EQ(card["score"], "dot");
  EXPECT_EQ(card["checksum"], fnv1a64_card(bytes.data() + 8 + n, bytes.size() - 8 - n));
  EXPECT_EQ(header["user_embeddings"]["dtype"], "F32");
  EXPECT_EQ(header["seen_items"]["dtype"], "I64");
  for (const auto& [name, e] : header.items())  // every tensor 8-byte aligned in the file
    if (name != "__metadata__") {
      EXPECT_EQ(e["data_offsets"][0].get<uint64_t>() % 8, 0u) << name;
    }
}

class ServeFileRejects : public ::testing::Test {
 protected:
  EmbeddingTables t = random_tables({.users = 6, .items = 9, .dim = 4});
  std::string path = temp_path("bad.safetensors");

  void expect_load_fails(const std::string& what) {
    EXPECT_THAT([&] { load_embeddings(path); }, ThrowsMessage<FormatError>(HasSubstr(what)));
  }
  void expect_rejected(const EmbeddingTables& bad, const std::string& what) {
    write_raw(path, raw_tensors(bad));
    expect_load_fails(what);
    EXPECT_THAT([&] { save_embeddings(bad, temp_path("never.safetensors")); },
                ThrowsMessage<ValueError>(HasSubstr(what)));
  }
};

TEST_F(ServeFileRejects, TruncatedFiles) {
  save_embeddings(t, path);
  const std::string good = read_bytes(path);
  write_bytes(path, good.substr(0, 5));
  expect_load_fails("shorter than the 8-byte header length");
  write_bytes(path, good.substr(0, 40));
  expect_load_fails("(truncated?)");
  write_bytes(path, good.substr(0, good.size() - 1));
  expect_load_fails("(truncated?)");
}

TEST_F(ServeFileRejects, BadHeaderJson) {
  save_embeddings(t, path);
  std::string bytes = read_bytes(path);
  bytes[8] = 'X';
  write_bytes(path, bytes);
  expect_load_fails("the header is not valid JSON");
}

TEST_F(ServeFileRejects, NotAnEmbeddingFile) {
  std::vector<RawTensor> x = raw_tensors(t);
  write_raw(path, x);
  std::string bytes = read_bytes(path);
  const size_t at = bytes.find("loom.embeddings");
  bytes.replace(at, 4, "LOOM");
  write_bytes(path, bytes);
  expect_load_fails("has no string 'loom.embeddings'");
}

TEST_F(ServeFileRejects, WrongDtypesAndShapes) {
  std::vector<RawTensor> x = raw_tensors(t);
  x[4].dtype = "F64";
  write_raw(path, x);
  expect_load_fails("tensor 'user_embeddings' has dtype F64, expected F32");
  x = raw_tensors(t);
  x[4].shape = {2, 12};  // same bytes, wrong shape
  write_raw(path, x);
  expect_load_fails("tensor 'user_embeddings' has shape [2, 12], the card implies [6, 4]");
  x = raw_tensors(t);
  x.erase(x.begin() + 1);
  write_raw(path, x);
  expect_load_fails("card.items must be an integer >= 1");
  x = raw_tensors(t);
  x.pop_back();
  write_raw(path, x);
  expect_load_fails("card.dim must be an integer >= 1");
  x = raw_tensors(t);
  x[3].name = "seen_things";
  write_raw(path, x);
  expect_load_fails("missing tensor 'seen_items'");
}

TEST_F(ServeFileRejects, ChecksumMismatch) {
  save_embeddings(t, path);
  std::string bytes = read_bytes(path);
  bytes[bytes.size() - 3] ^= 0x10;  // one bit of the last item embedding
  write_bytes(path, bytes);
  expect_load_fails("checksum mismatch");
  write_raw(path, raw_tensors(t), "fnv1a64:0123456789abcdef");
  expect_load_fails("the card says fnv1a64:0123456789abcdef");
}

TEST_F(ServeFileRejects, NonFiniteEmbeddings) {
  EmbeddingTables bad = t;
  bad.item_embeddings[2 * 4 + 1] = std::numeric_limits<float>::quiet_NaN();
  expect_rejected(bad, "item_embeddings row 2 column 1 is nan");
  bad = t;
  bad.user_embeddings[3] = std::numeric_limits<float>::infinity();
  expect_rejected(bad, "user_embeddings row 0 column 3 is inf");
}

TEST_F(ServeFileRejects, DuplicateIds) {
  EmbeddingTables bad = t;
  bad.item_ids[5] = bad.item_ids[2];
  expect_rejected(bad, "item_ids has the id " + std::to_string(t.item_ids[2]) + " twice (second at position 5)");
  bad = t;
  bad.user_ids[1] = bad.user_ids[0];
  expect_rejected(bad, "user_ids has the id");
}

TEST_F(ServeFileRejects, BadSeenCsr) {
  EmbeddingTables bad = t;
  bad.seen_items.assign({0, 9, 1});
  bad.seen_indptr = {0, 1, 3, 3, 3, 3, 3};
  expect_rejected(bad, "seen_items[1] is 9, outside the 9 items");
  bad.seen_items.assign({0, -1, 1});
  expect_rejected(bad, "seen_items[1] is -1");
  bad.seen_items.assign({0, 1, 2});
  bad.seen_indptr = {0, 2, 1, 3, 3, 3, 3};
  expect_rejected(bad, "seen_indptr is not monotone: entry 2 is 1 after 2");
  bad.seen_indptr = {0, 1, 2, 3, 3, 3, 4};
  expect_rejected(bad, "seen_indptr ends at 4 but seen_items has 3 entries");
  bad.seen_indptr = {1, 1, 2, 3, 3, 3, 3};
  expect_rejected(bad, "seen_indptr[0] is 1, expected 0");
  bad.seen_indptr = {0, 1, 2, 3};
  write_raw(path, raw_tensors(bad));
  expect_load_fails("tensor 'seen_indptr' has shape [4], expected [0] (none) or [users + 1] = [7]");
}

TEST(ServeEmbeddingFile, MissingFileAndFailedSaveKeepOldFile) {
  EXPECT_THAT([] { load_embeddings(temp_path("absent.safetensors")); }, ThrowsMessage<Error>(HasSubstr("cannot open")));
  const EmbeddingTables t = random_tables({.users = 2, .items = 3, .dim = 2});
  const std::string path = temp_path("keep.safetensors");
  save_embeddings(t, path);
  EmbeddingTables bad = t;
  bad.dim = 0;
  EXPECT_THROW(save_embeddings(bad, path), ValueError);
  EXPECT_EQ(load_embeddings(path).item_ids, t.item_ids);  // a rejected save never touched the file
  bad = t;
  bad.source_json = "{not json";
  EXPECT_THAT([&] { save_embeddings(bad, path); }, ThrowsMessage<ValueError>(HasSubstr("source_json is not JSON")));
}

}  // namespace
}  // namespace loom::serve::testing
