// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The C++ side of serving a distilled student: load the file once, answer a batch of vertices from many threads at
// once (one shared runtime::Model is safe for that), and check the batch against one-at-a-time answers.
//   serve_student_cpp MODEL.loom < features.txt   (rows of numbers, as serve_student reads them)
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "loom/runtime/runtime.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODEL.loom < features.txt\n", argv[0]);
    return 2;
  }
  try {
    const loom::runtime::Model model = loom::runtime::Model::load(argv[1]);
    const int64_t width = model.input_width();
    std::vector<float> x;
    std::string line;
    int64_t rows = 0;
    while (std::getline(std::cin, line)) {
      for (char& ch : line)
        if (ch == ',' || ch == '\t') ch = ' ';
      std::istringstream in(line);
      float v;
      int64_t got = 0;
      while (in >> v) {
        x.push_back(v);
        ++got;
      }
      if (got != width || !in.eof()) {
        std::fprintf(stderr, "line %lld: expected %lld numbers\n", static_cast<long long>(rows + 1),
                     static_cast<long long>(width));
        return 1;
      }
      ++rows;
    }
    // The whole batch at once, split over 4 threads by the runtime ...
    const std::vector<int32_t> batch = model.predict(x, rows, /*threads=*/4);
    // ... and each row on its own from 4 service threads sharing the model: the answers must agree.
    std::vector<int32_t> single(static_cast<size_t>(rows));
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t)
      pool.emplace_back([&, t] {
        for (int64_t r = t; r < rows; r += 4) model.predict(x.data() + r * width, 1, &single[static_cast<size_t>(r)]);
      });
    for (std::thread& th : pool) th.join();
    for (int64_t r = 0; r < rows; ++r) {
      if (batch[static_cast<size_t>(r)] != single[static_cast<size_t>(r)]) {
        std::fprintf(stderr, "row %lld: batch and single answers differ\n", static_cast<long long>(r));
        return 1;
      }
      std::printf("%s\n", model.class_names()[static_cast<size_t>(batch[static_cast<size_t>(r)])].c_str());
    }
    std::fprintf(stderr, "%lld rows, batch and per-thread answers agree\n", static_cast<long long>(rows));
  } catch (const loom::runtime::Error& e) {
    std::fprintf(stderr, "serve_student_cpp: %s\n", e.what());
    return 1;
  }
  return 0;
}
