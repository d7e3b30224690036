// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The recommendation service's request handling (loom/serve/request.h): parameter parsing and checks, the index
// call, and the JSON answer. Kept free of any HTTP library so that the server and the fuzzer run this same code.
#include "loom/serve/request.h"

#include <cctype>
#include <charconv>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "loom/core/error.h"

namespace loom::serve {
namespace {

using Json = nlohmann::json;

// Echoed parameter values may hold any byte: invalid UTF-8 is replaced rather than thrown as json::type_error.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json answer(const char* key, int64_t id, const std::vector<ScoredItem>& items) {
  Json list = Json::array();
  for (const auto& s : items) list.push_back({{"id", s.id}, {"score", s.score}});
  return {{key, id}, {"items", list}};
}

// The last value of a parameter (cpp-httplib keeps every repetition, in order), or none.
std::optional<std::string_view> last_value(const RequestParams& p, const char* name) {
  const auto [first, last] = p.equal_range(name);
  if (first == last) return std::nullopt;
  return std::string_view(std::prev(last)->second);
}

int64_t integer(const RequestParams& p, const char* name, std::optional<int64_t> fallback) {
  const auto text = last_value(p, name);
  if (!text) {
    if (!fallback) throw ValueError(std::string("missing parameter '") + name + "'");
    return *fallback;
  }
  int64_t v = 0;
  if (!parse_int(*text, v))
    throw ValueError(std::string("parameter '") + name + "' must be an integer, got '" + std::string(*text) + "'");
  return v;
}

Json query(const EmbeddingIndex& index, bool similar, const RequestParams& p) {
  const int64_t k = integer(p, "k", 10);
  if (similar) {
    const int64_t item = integer(p, "item", std::nullopt);
    return answer("item", item, index.similar_items(item, k));
  }
  Filter f;
  const int64_t exclude = integer(p, "exclude_seen", 1);
  if (exclude != 0 && exclude != 1)
    throw ValueError("parameter 'exclude_seen' must be 0 or 1, got " + std::to_string(exclude));
  f.exclude_seen = exclude == 1;
  const int64_t user = integer(p, "user", std::nullopt);
  return answer("user", user, index.recommend(user, k, f));
}

}  // namespace

bool parse_int(std::string_view text, int64_t& out) {
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && stop == end;
}

Response handle_query(const EmbeddingIndex& index, std::string_view route, const RequestParams& params) {
  const bool similar = route == "/similar";
  if (!similar && route != "/recommend") return {404, error_body("no such route")};
  // /similar needs its item before anything else is read; /recommend never looks at one.
  if (similar && params.find("item") == params.end()) return {400, error_body("missing parameter 'item'")};
  try {
    return {200, dump(query(index, similar, params))};
  } catch (const Error& e) {
    return {400, error_body(e.what())};
  }
}

std::string reload_path(const RequestParams& params, std::string_view body) {
  const auto [first, last] = params.equal_range("path");  // the first `path`, as cpp-httplib's get_param_value
  std::string path = first != last ? first->second : std::string(body);
  while (!path.empty() && std::isspace(static_cast<unsigned char>(path.back()))) path.pop_back();
  return path;
}

std::string error_body(std::string_view message) { return dump(Json{{"error", std::string(message)}}); }

}  // namespace loom::serve
