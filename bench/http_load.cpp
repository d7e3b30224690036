// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// bench_http_load: a bounded local load run against examples/recommend_server: --clients threads, each with its own
// keep-alive connection, send GET /recommend?user=ID&k=K (ids drawn from 0..users-1) for --seconds, and the program
// prints one JSON line: requests per second, latency p50/p99/max, and how many requests failed or returned another
// status than 200 (a correct run has none). Loopback only.
//   bench_http_load --port P [--host 127.0.0.1] [--clients 8] [--seconds 10] [--users 943] [--k 10]
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  CLI::App app{"load a recommend_server on loopback"};
  std::string host = "127.0.0.1";
  int port = 0, clients = 8, k = 10;
  double seconds = 10;
  int64_t users = 943;
  app.add_option("--host", host);
  app.add_option("--port", port)->required();
  app.add_option("--clients", clients)->check(CLI::Range(1, 256));
  app.add_option("--seconds", seconds)->check(CLI::Range(0.1, 600.0));
  app.add_option("--users", users)->check(CLI::PositiveNumber);
  app.add_option("--k", k)->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::vector<double>> latency(clients);
  std::atomic<int64_t> failed{0};
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client cli(host, port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);  // as the server: no delayed-ACK stalls on small requests
      cli.set_read_timeout(5, 0);
      std::mt19937_64 rng(static_cast<uint64_t>(c) + 1);
      while (Clock::now() < end) {
        const std::string path = "/recommend?user=" + std::to_string(rng() % static_cast<uint64_t>(users)) +
                                 "&k=" + std::to_string(k);
        const auto s = Clock::now();
        const auto res = cli.Get(path);
        latency[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        if (!res || res->status != 200) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (const auto& v : latency) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))]; };
  std::printf("{\"workload\":\"http_recommend\",\"clients\":%d,\"seconds\":%.1f,\"requests\":%zu,\"rps\":%.1f,"
              "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"failed\":%lld,\"k\":%d}\n",
              clients, elapsed, all.size(), static_cast<double>(all.size()) / elapsed, pct(0.5), pct(0.99),
              all.empty() ? 0.0 : all.back(), static_cast<long long>(failed.load()), k);
  return failed.load() == 0 ? 0 : 1;
}
