// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The recommendation service's request handling (loom/serve/request.h), as examples/recommend_server runs it: answers
// equal to the index's, and every malformed request a 400 whose error names the parameter (or the id or k that the
// index refused), never an exception. Unknown routes are 404; /reload's path comes from the query or the body.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "loom/serve/request.h"
#include "serve_util.h"

namespace loom::serve::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class ServeRequest : public ::testing::Test {
 protected:
  ServeRequest() : t_(random_tables({.users = 6, .items = 40, .dim = 4, .seed = 3, .max_seen = 5})), index_(t_) {}

  std::string user(size_t i = 1) const { return std::to_string(t_.user_ids[i]); }
  std::string item(size_t i = 2) const { return std::to_string(t_.item_ids[i]); }

  // The expected body: the index's answer in the service's JSON shape.
  static Json expected(const char* key, int64_t id, const std::vector<ScoredItem>& items) {
    Json list = Json::array();
    for (const auto& s : items) list.push_back({{"id", s.id}, {"score", s.score}});
    return {{key, id}, {"items", list}};
  }

  // A 400 whose {"error": ...} contains `part`.
  void expect_bad(const std::string& route, const RequestParams& p, const std::string& part) const {
    std::string request = route + "?";
    for (const auto& [k, v] : p) request += k + "=" + v + "&";
    SCOPED_TRACE(request);
    const Response r = handle_query(index_, route, p);
    EXPECT_EQ(r.status, 400) << r.body;
    const Json body = Json::parse(r.body);
    ASSERT_TRUE(body.contains("error")) << r.body;
    EXPECT_THAT(body.at("error").get<std::string>(), HasSubstr(part));
  }

  EmbeddingTables t_;
  EmbeddingIndex index_;
};

TEST_F(ServeRequest, RecommendAnswersAsTheIndex) {
  const int64_t u = t_.user_ids[1];
  Response r = handle_query(index_, "/recommend", {{"user", user()}, {"k", "5"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), expected("user", u, index_.recommend(u, 5)));
  EXPECT_EQ(r.body, expected("user", u, index_.recommend(u, 5)).dump());  // byte for byte, as --query prints it
  // Defaults: k = 10, the user's seen items excluded.
  r = handle_query(index_, "/recommend", {{"user", user()}});
  EXPECT_EQ(Json::parse(r.body), expected("user", u, index_.recommend(u, 10)));
  r = handle_query(index_, "/recommend", {{"user", user()}, {"k", "7"}, {"exclude_seen", "0"}});
  Filter keep_seen;
  keep_seen.exclude_seen = false;
  EXPECT_EQ(Json::parse(r.body), expected("user", u, index_.recommend(u, 7, keep_seen)));
  r = handle_query(index_, "/recommend", {{"user", user()}, {"k", "7"}, {"exclude_seen", "1"}});
  EXPECT_EQ(Json::parse(r.body), expected("user", u, index_.recommend(u, 7)));
  // /recommend ignores an item parameter, whatever its value.
  r = handle_query(index_, "/recommend", {{"user", user()}, {"k", "3"}, {"item", "not a number"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), expected("user", u, index_.recommend(u, 3)));
}

TEST_F(ServeRequest, SimilarAnswersAsTheIndex) {
  const int64_t i = t_.item_ids[2];
  Response r = handle_query(index_, "/similar", {{"item", item()}, {"k", "4"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), expected("item", i, index_.similar_items(i, 4)));
  // /similar ignores exclude_seen and user.
  r = handle_query(index_, "/similar", {{"item", item()}, {"exclude_seen", "7"}, {"user", "x"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json::parse(r.body), expected("item", i, index_.similar_items(i, 10)));
}

TEST_F(ServeRequest, RepeatedParameterTakesItsLastValue) {
  const int64_t u = t_.user_ids[1];
  const Response r = handle_query(index_, "/recommend", {{"user", "bad"}, {"user", user()}, {"k", "0"}, {"k", "2"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body), expected("user", u, index_.recommend(u, 2)));
  expect_bad("/recommend", {{"user", user()}, {"user", "bad"}}, "parameter 'user' must be an integer, got 'bad'");
}

TEST_F(ServeRequest, MissingParameters) {
  expect_bad("/recommend", {}, "missing parameter 'user'");
  expect_bad("/recommend", {{"k", "3"}}, "missing parameter 'user'");
  expect_bad("/recommend", {{"item", item()}}, "missing parameter 'user'");  // an item does not make it /similar
  expect_bad("/similar", {}, "missing parameter 'item'");
  expect_bad("/similar", {{"k", "abc"}}, "missing parameter 'item'");  // the item is looked for first
  expect_bad("/similar", {{"user", user()}}, "missing parameter 'item'");
}

TEST_F(ServeRequest, NotIntegers) {
  for (const std::string bad : {"abc", "1.5", "+1", " 1", "1 ", "", "0x10", "1e3", "10abc", "--1", "-", "١"}) {
    expect_bad("/recommend", {{"user", bad}}, "parameter 'user' must be an integer, got '" + bad + "'");
    expect_bad("/recommend", {{"user", user()}, {"k", bad}}, "parameter 'k' must be an integer, got '" + bad + "'");
    expect_bad("/recommend", {{"user", user()}, {"exclude_seen", bad}},
               "parameter 'exclude_seen' must be an integer, got '" + bad + "'");
    expect_bad("/similar", {{"item", bad}}, "parameter 'item' must be an integer, got '" + bad + "'");
    expect_bad("/similar", {{"item", item()}, {"k", bad}}, "parameter 'k' must be an integer, got '" + bad + "'");
  }
}

TEST_F(ServeRequest, OverflowIsNotAnInteger) {
  for (const std::string big : {"9223372036854775808", "-9223372036854775809", "99999999999999999999999"}) {
    expect_bad("/recommend", {{"user", big}}, "parameter 'user' must be an integer, got '" + big + "'");
    expect_bad("/recommend", {{"user", user()}, {"k", big}}, "parameter 'k' must be an integer");
    expect_bad("/similar", {{"item", big}}, "parameter 'item' must be an integer");
  }
  // The int64 limits themselves are integers: ids the index does not have.
  expect_bad("/recommend", {{"user", "9223372036854775807"}}, "unknown user id 9223372036854775807");
  expect_bad("/recommend", {{"user", "-9223372036854775808"}}, "unknown user id -9223372036854775808");
  expect_bad("/similar", {{"item", "-9223372036854775808"}}, "unknown item id -9223372036854775808");
}

TEST_F(ServeRequest, UnknownIds) {
  expect_bad("/recommend", {{"user", "999999"}}, "unknown user id 999999");
  expect_bad("/recommend", {{"user", "-1"}, {"k", "3"}}, "unknown user id -1");
  expect_bad("/similar", {{"item", "999999"}}, "unknown item id 999999");
  expect_bad("/similar", {{"item", "0"}, {"k", "3"}}, "unknown item id 0");
}

TEST_F(ServeRequest, KOutOfRange) {
  for (const std::string k : {"0", "-1", "-9223372036854775808"}) {
    expect_bad("/recommend", {{"user", user()}, {"k", k}}, "k must be >= 1, got " + k);
    expect_bad("/similar", {{"item", item()}, {"k", k}}, "k must be >= 1, got " + k);
  }
  // Above the candidates: all 40 items without the seen filter; 39 for similar (never the item itself).
  expect_bad("/recommend", {{"user", user()}, {"k", "41"}, {"exclude_seen", "0"}}, "k = 41 exceeds the 40 candidate");
  expect_bad("/recommend", {{"user", user()}, {"k", "9223372036854775807"}}, "k = 9223372036854775807 exceeds");
  expect_bad("/similar", {{"item", item()}, {"k", "40"}}, "k = 40 exceeds the 39 candidate");
  expect_bad("/similar", {{"item", item()}, {"k", "9223372036854775807"}}, "k = 9223372036854775807 exceeds");
  EXPECT_EQ(handle_query(index_, "/recommend", {{"user", user()}, {"k", "40"}, {"exclude_seen", "0"}}).status, 200);
  EXPECT_EQ(handle_query(index_, "/similar", {{"item", item()}, {"k", "39"}}).status, 200);
}

TEST_F(ServeRequest, ExcludeSeenIsZeroOrOne) {
  for (const std::string v : {"2", "-1", "10", "9223372036854775807"})
    expect_bad("/recommend", {{"user", user()}, {"exclude_seen", v}}, "parameter 'exclude_seen' must be 0 or 1, got " + v);
  expect_bad("/recommend", {{"user", user()}, {"exclude_seen", "yes"}}, "parameter 'exclude_seen' must be an integer");
  // Checked before the user: a request wrong twice names exclude_seen.
  expect_bad("/recommend", {{"exclude_seen", "2"}}, "parameter 'exclude_seen' must be 0 or 1");
}

TEST_F(ServeRequest, UnknownRoutesAre404) {
  for (const std::string route : {"", "/", "/recommend/", "/Recommend", "/similar?item=1", "/healthz", "/reload"}) {
    const Response r = handle_query(index_, route, {{"user", user()}, {"item", item()}});
    EXPECT_EQ(r.status, 404) << route;
    EXPECT_EQ(Json::parse(r.body), Json({{"error", "no such route"}}));
  }
}

TEST_F(ServeRequest, EchoedBytesStayValidJson) {
  // A parameter value is any bytes once percent-decoded: the error echoes it and must still serialise.
  const std::string bad = std::string("\xff\xfe\x00\"\\\n", 6);
  const Response r = handle_query(index_, "/recommend", {{"user", bad}});
  EXPECT_EQ(r.status, 400);
  const Json body = Json::parse(r.body);  // valid JSON, invalid UTF-8 replaced by U+FFFD
  EXPECT_THAT(body.at("error").get<std::string>(), HasSubstr("parameter 'user' must be an integer, got '\xEF\xBF\xBD"));
  EXPECT_EQ(r.body.find('\n'), std::string::npos);  // one line
  EXPECT_EQ(Json::parse(error_body("plain")), Json({{"error", "plain"}}));
}

TEST(ServeRequestParse, StrictIntegers) {
  int64_t v = 0;
  EXPECT_TRUE(parse_int("0", v) && v == 0);
  EXPECT_TRUE(parse_int("-42", v) && v == -42);
  EXPECT_TRUE(parse_int("007", v) && v == 7);
  EXPECT_TRUE(parse_int("9223372036854775807", v) && v == std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(parse_int("-9223372036854775808", v) && v == std::numeric_limits<int64_t>::min());
  for (const char* bad : {"", "+1", " 1", "1 ", "1.0", "0x1", "1e2", "9223372036854775808", "-", "abc"})
    EXPECT_FALSE(parse_int(bad, v)) << bad;
  EXPECT_FALSE(parse_int(std::string_view("12\0", 3), v));
}

TEST(ServeRequestReload, PathFromQueryOrBody) {
  EXPECT_EQ(reload_path({{"path", "a.safetensors"}}, "ignored.safetensors"), "a.safetensors");
  EXPECT_EQ(reload_path({{"path", "first"}, {"path", "second"}}, ""), "first");  // as cpp-httplib's get_param_value
  EXPECT_EQ(reload_path({}, "b.safetensors\n"), "b.safetensors");
  EXPECT_EQ(reload_path({{"other", "x"}}, "  c d.safetensors \r\n\t "), "  c d.safetensors");
  EXPECT_EQ(reload_path({}, ""), "");  // the current file again
  EXPECT_EQ(reload_path({}, " \n"), "");
  EXPECT_EQ(reload_path({{"path", ""}}, "body"), "");  // an empty path parameter still wins over the body
}

}  // namespace
}  // namespace loom::serve::testing
