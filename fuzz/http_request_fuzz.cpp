// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// libFuzzer harness: the recommendation service's request handling (loom/serve/request.h), the code that
// examples/recommend_server runs for every request, over a small in-memory index. The input is a request as the
// server receives it:
//   line 1: the request target, e.g. "/recommend?user=1&k=3" (the path percent-decoded and the query string parsed by
//           cpp-httplib's own functions, as its server does);
//   rest:   a POST body, for /reload's path (taken raw, and parsed as a form as cpp-httplib does for curl -d).
// handle_query must return a 200 with a well-formed answer, a 400 with an error, or a 404 for another route; any
// exception escaping it (a loom::Error included), a malformed body, or a sanitizer report is a finding.
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "loom/serve/index.h"
#include "loom/serve/request.h"

namespace {

namespace serve = loom::serve;
using Json = nlohmann::json;

// 5 users and 11 items in 3 dimensions, with ids at the int64 limits and below zero, an all-zero item (cosine 0),
// duplicate seen entries, and a user who has seen all but two items (so k's upper bound differs per user).
serve::EmbeddingTables tables() {
  serve::EmbeddingTables t;
  t.dim = 3;
  t.user_ids = {1, 2, 3, -7, std::numeric_limits<int64_t>::max()};
  t.item_ids = {1, 2, 3, 4, 5, 6, 7, 8, 1000, -1, std::numeric_limits<int64_t>::min()};
  t.user_embeddings = {1, 0, 0, 0, 1, 0, 0.5f, -0.25f, 2, -1, -1, -1, 3, 1e-3f, -2};
  t.item_embeddings = {1, 2, 3, -1, 0, 1, 0, 0, 0, 0.5f, 0.5f, 0.5f, 2, -3, 1, 1, 1, 1,
                       -2, 0.25f, 4, 7, 7, 7, 0, -1, 0, 1e-4f, 0, 0, -5, 5, -5};
  const std::vector<std::vector<int64_t>> seen = {{0, 1}, {}, {0, 1, 2, 3, 4, 5, 6, 7, 8}, {3, 3}, {10}};
  t.seen_indptr = {0};
  for (const auto& s : seen) {
    t.seen_items.insert(t.seen_items.end(), s.begin(), s.end());
    t.seen_indptr.push_back(static_cast<int64_t>(t.seen_items.size()));
  }
  t.source_json = R"({"fuzz":"http_request"})";
  return t;
}

const serve::EmbeddingIndex& index() {
  static const serve::EmbeddingIndex ix(tables());
  return ix;
}

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_response(const serve::Response& r, const std::string& route) {
  const bool served = route == "/recommend" || route == "/similar";
  check(r.body.find('\n') == std::string::npos);
  const Json body = Json::parse(r.body);  // throws (a finding) when the body is not JSON
  check(body.is_object());
  if (r.status != 200) {
    check(r.status == (served ? 400 : 404));
    check(body.size() == 1 && body.contains("error") && body["error"].is_string());
    return;
  }
  check(served);
  const Json& items = body.at("items");
  check(items.is_array() && !items.empty() && static_cast<int64_t>(items.size()) <= index().num_items());
  check(body.contains(route == "/similar" ? "item" : "user"));
  std::set<int64_t> ids;
  double previous = std::numeric_limits<double>::infinity();
  for (const Json& s : items) {
    const int64_t id = s.at("id").get<int64_t>();
    const double score = s.at("score").get<double>();
    check(std::count(index().tables().item_ids.begin(), index().tables().item_ids.end(), id) == 1);
    check(ids.insert(id).second);  // no item twice
    check(score <= previous);      // best first
    previous = score;
  }
}

void check_reload_path(const std::string& path, const serve::RequestParams& params, const std::string& body) {
  check(path.empty() || !std::isspace(static_cast<unsigned char>(path.back())));
  const auto [first, last] = params.equal_range("path");
  const std::string& source = first != last ? first->second : body;
  check(source.compare(0, path.size(), path) == 0);  // a prefix of its source: only trailing whitespace removed
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string target = input.substr(0, eol);
  const std::string body = eol == std::string::npos ? std::string() : input.substr(eol + 1);

  // The split cpp-httplib's server makes of a request target.
  const size_t q = target.find('?');
  const std::string route = httplib::detail::decode_url(target.substr(0, q), false);
  httplib::Params params;
  if (q != std::string::npos) httplib::detail::parse_query_text(target.substr(q + 1), params);

  const serve::Response r = serve::handle_query(index(), route, params);
  check_response(r, route);
  check_reload_path(serve::reload_path(params, body), params, body);
  // A form body (curl -d) is parsed into the same parameters.
  httplib::Params with_form = params;
  httplib::detail::parse_query_text(body, with_form);
  check_reload_path(serve::reload_path(with_form, body), with_form, body);
  return 0;
}
