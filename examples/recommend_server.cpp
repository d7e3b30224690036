// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A recommendation HTTP service on loom::serve and cpp-httplib:
//   recommend_server --model FILE [--port P (0: any free port)] [--host 127.0.0.1]
//     GET /recommend?user=ID&k=10[&exclude_seen=0]   GET /similar?item=ID&k=10   GET /healthz
//     POST /reload [path=FILE as query or body; default: the current file again]; SIGHUP reloads the current file.
//   It prints "port N" on one line once listening. Helper modes for scripts and tests:
//   recommend_server --write-demo FILE --seed S [--users U --items I --dim D]   random embeddings (ids 1..U, 1..I)
//   recommend_server --query FILE --user ID [--k K --exclude-seen 0|1] | --item ID [--k K]   the answer as JSON
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "loom/core/error.h"
#include "loom/serve/index.h"
#include "loom/serve/request.h"

using Json = nlohmann::json;
namespace serve = loom::serve;

namespace {

std::atomic<bool> hup{false}, quit{false};
extern "C" void on_signal(int s) { (s == SIGHUP ? hup : quit) = true; }

int write_demo(const std::string& path, uint64_t seed, int64_t users, int64_t items, int64_t dim) {
  serve::EmbeddingTables t;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  t.dim = dim;
  t.user_embeddings.resize(static_cast<size_t>(users * dim));
  t.item_embeddings.resize(static_cast<size_t>(items * dim));
  for (float& v : t.user_embeddings) v = n(rng);
  for (float& v : t.item_embeddings) v = n(rng);
  for (int64_t u = 1; u <= users; ++u) t.user_ids.push_back(u);
  for (int64_t i = 1; i <= items; ++i) t.item_ids.push_back(i);
  t.seen_indptr.push_back(0);
  for (int64_t u = 0; u < users; ++u) {
    for (int64_t e = 0; e < static_cast<int64_t>(rng() % 5); ++e) t.seen_items.push_back(static_cast<int64_t>(rng() % items));
    t.seen_indptr.push_back(static_cast<int64_t>(t.seen_items.size()));
  }
  t.source_json = Json{{"demo", true}, {"seed", seed}}.dump();
  serve::save_embeddings(t, path);
  return 0;
}

int run_server(const std::string& model, const std::string& host, int port) {
  serve::IndexHandle handle(model);
  httplib::Server svr;
  // Answers are small: without TCP_NODELAY a keep-alive client waits out the peer's delayed ACK (about 40 ms) on
  // every request.
  svr.set_tcp_nodelay(true);
  const auto send = [](httplib::Response& res, const serve::Response& r) {
    res.status = r.status;
    res.set_content(r.body + "\n", "application/json");
  };
  const auto reply = [&](httplib::Response& res, int status, const Json& body) {
    send(res, {status, body.dump(-1, ' ', false, Json::error_handler_t::replace)});  // a model path may be any bytes
  };
  // The request handling is the library's (loom/serve/request.h), the code fuzz/http_request_fuzz.cpp fuzzes.
  const auto get = [&](const char* route) {
    svr.Get(route, [&, route](const httplib::Request& req, httplib::Response& res) {
      send(res, serve::handle_query(*handle.snapshot(), route, req.params));  // one snapshot: one model per query
    });
  };
  get("/recommend");
  get("/similar");
  svr.Get("/healthz", [&](const httplib::Request&, httplib::Response& res) {
    const auto index = handle.snapshot();
    reply(res, 200, {{"status", "ok"}, {"model", handle.path()}, {"generation", handle.generation()},
                     {"users", index->num_users()}, {"items", index->num_items()}, {"dim", index->dim()}});
  });
  svr.Post("/reload", [&](const httplib::Request& req, httplib::Response& res) {
    try {
      handle.reload(serve::reload_path(req.params, req.body));
      reply(res, 200, {{"model", handle.path()}, {"generation", handle.generation()}});
    } catch (const loom::Error& e) {  // the old model keeps serving
      send(res, {400, serve::error_body(e.what())});
    }
  });
  svr.set_error_handler([&](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) send(res, {404, serve::error_body("no such route")});
  });

  const int bound = port == 0 ? svr.bind_to_any_port(host) : (svr.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::fprintf(stderr, "recommend_server: cannot listen on %s:%d\n", host.c_str(), port);
    return 1;
  }
  std::signal(SIGHUP, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  // Signals only set flags; this thread acts on them (nothing of a reload is async-signal-safe).
  std::thread watcher([&] {
    while (!quit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (hup.exchange(false)) {
        try {
          handle.reload();
          std::fprintf(stderr, "recommend_server: SIGHUP: reloaded %s\n", handle.path().c_str());
        } catch (const loom::Error& e) {
          std::fprintf(stderr, "recommend_server: SIGHUP: reload failed, old model kept: %s\n", e.what());
        }
      }
    }
    svr.stop();
  });
  std::printf("port %d\n", bound);
  std::fflush(stdout);
  svr.listen_after_bind();
  quit = true;
  watcher.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]).rfind("--", 0) != 0) {
      std::fprintf(stderr, "recommend_server: expected --flag value pairs, got '%s'\n", argv[i]);
      return 2;
    }
    a[argv[i] + 2] = argv[i + 1];
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "recommend_server: flag '%s' has no value\n", argv[argc - 1]);
    return 2;
  }
  const auto num = [&](const char* key, int64_t fallback) {
    int64_t v = fallback;
    if (a.count(key) && !serve::parse_int(a[key], v)) throw loom::ValueError(std::string("--") + key + " must be an integer");
    return v;
  };
  try {
    if (a.count("write-demo"))
      return write_demo(a["write-demo"], static_cast<uint64_t>(num("seed", 1)), num("users", 50), num("items", 500),
                        num("dim", 16));
    if (a.count("query")) {
      const auto index = serve::EmbeddingIndex::load(a["query"]);
      serve::RequestParams p;
      for (const char* key : {"user", "item", "k"})
        if (a.count(key)) p.emplace(key, a[key]);
      if (a.count("exclude-seen")) p.emplace("exclude_seen", a["exclude-seen"]);
      // The server's answer to the same request: /similar when an item is given, else /recommend.
      const serve::Response r = serve::handle_query(*index, a.count("item") ? "/similar" : "/recommend", p);
      if (r.status != 200) throw loom::ValueError(nlohmann::json::parse(r.body).at("error").get<std::string>());
      std::printf("%s\n", r.body.c_str());
      return 0;
    }
    if (!a.count("model")) {
      std::fprintf(stderr, "usage: recommend_server --model FILE [--port P] [--host H]\n");
      return 2;
    }
    return run_server(a["model"], a.count("host") ? a["host"] : "127.0.0.1", static_cast<int>(num("port", 8080)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recommend_server: %s\n", e.what());
    return 1;
  }
}
