// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The recommendation service's request handling, without the socket: a route and its query parameters (as the HTTP
// layer parsed them) become a status code and a JSON body over one index snapshot. examples/recommend_server answers
// every /recommend and /similar request with handle_query and takes /reload's file from reload_path;
// fuzz/http_request_fuzz.cpp drives the same two functions with arbitrary requests.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "loom/serve/index.h"

namespace loom::serve {

// Query parameters as the HTTP layer decoded them, in request order (the type of cpp-httplib's Params). A name
// given twice: handle_query reads its last value, reload_path its first (as cpp-httplib's get_param_value does).
using RequestParams = std::multimap<std::string, std::string>;

struct Response {
  int status = 200;  // 200; 400 for a bad request; 404 for a route handle_query does not serve
  std::string body;  // one line of JSON, no trailing newline; {"error": "..."} unless the status is 200
};

// A strict decimal integer: the whole text, digits with an optional leading '-' (no '+', no spaces, no "0x"), within
// int64. Returns false, leaving `out` unspecified, otherwise.
bool parse_int(std::string_view text, int64_t& out);

// Answers a GET route:
//   /recommend  user=ID [k=10] [exclude_seen=1|0]   {"user":ID,"items":[{"id":ITEM,"score":S},...]}   (recommend)
//   /similar    item=ID [k=10]                      {"item":ID,"items":[...]}                         (similar_items)
// Parameters are read in this order: k, then (/similar) item, or (/recommend) exclude_seen and user; /recommend ignores
// an `item` parameter and /similar an `exclude_seen` one. A missing required parameter, a value that is not an
// integer, k < 1, exclude_seen other than 0 or 1, an id the index does not have, or k above the candidates left:
// 400 with {"error": message} naming the parameter (or, for the index's own checks, the id or k it refused). Any other
// route: 404 {"error":"no such route"}. A loom::Error never escapes; an answer is exactly what the index returns.
Response handle_query(const EmbeddingIndex& index, std::string_view route, const RequestParams& params);

// POST /reload's file: the `path` parameter when the request has one, else the body; trailing whitespace (a
// newline from `curl -d @file` or echo) removed. Empty means the handle's current file again.
std::string reload_path(const RequestParams& params, std::string_view body);

// {"error": message} as one line of JSON. Bytes of the message that are not valid UTF-8 (a parameter value echoed
// into it may hold any byte) become U+FFFD instead of making the serialisation throw.
std::string error_body(std::string_view message);

}  // namespace loom::serve
