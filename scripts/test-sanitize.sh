#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Builds the CPU back end with AddressSanitizer + UndefinedBehaviorSanitizer and runs the memory-level suites under
# it (tensor core, ops, sparse, engine, graphs, hypergraphs, data, I/O; see tests/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# -O1 -g1: sanitizer builds compile and link much faster than at -O2 -g, and still give file:line in reports.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DLOOM_SANITIZE=ON \
  -DLOOM_BUILD_BENCH=OFF -DLOOM_BUILD_EXAMPLES=OFF -DLOOM_BUILD_APPS=OFF -DLOOM_INSTALL=OFF
cmake --build build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan -j"$(nproc)" --output-on-failure -LE "install|slow"
