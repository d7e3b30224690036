// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The CUDA SpMM back end setting (loom/core/message.h): one process-wide value, set explicitly; the environment
// variable LOOM_SPMM_IMPL only gives its initial value, read once. Compiled in every build: a CPU build accepts the
// setting and runs its own kernels regardless.
#include <atomic>
#include <cstdlib>
#include <optional>

#include "core/detail/env.h"
#include "loom/core/error.h"
#include "loom/core/message.h"

namespace loom::mp {

namespace {

constexpr int kUnset = -1;
// The backend as an int, kUnset until first read or set. Constant-initialised: no static-order problem.
std::atomic<int> g_backend{kUnset};

SpmmBackend from_env() {
  const std::optional<std::string> s = detail::env_string("LOOM_SPMM_IMPL");
  if (!s) return SpmmBackend::kLoom;
  try {
    return spmm_backend_from_name(*s);
  } catch (const ValueError&) {
    throw ValueError(detail::str_cat("LOOM_SPMM_IMPL must be loom or cusparse, got '", *s,
                                     "' (or call loom::mp::set_spmm_backend)"));
  }
}

}  // namespace

const char* spmm_backend_name(SpmmBackend backend) {
  switch (backend) {
    case SpmmBackend::kLoom: return "loom";
    case SpmmBackend::kCusparse: return "cusparse";
  }
  throw ValueError(detail::str_cat("spmm_backend_name: unknown SpmmBackend value ", static_cast<int>(backend)));
}

SpmmBackend spmm_backend_from_name(const std::string& name) {
  for (SpmmBackend b : {SpmmBackend::kLoom, SpmmBackend::kCusparse}) {
    if (name == spmm_backend_name(b)) return b;
  }
  throw ValueError(detail::str_cat("unknown SpMM backend '", name, "': valid backends are loom and cusparse"));
}

void set_spmm_backend(SpmmBackend backend) {
  spmm_backend_name(backend);  // validates the value
  g_backend.store(static_cast<int>(backend), std::memory_order_relaxed);
}

SpmmBackend spmm_backend() {
  int v = g_backend.load(std::memory_order_relaxed);
  if (v == kUnset) {
    // First use: the environment's value, unless set_spmm_backend got there first. A bad value throws here (and on
    // every later read until something valid is set), naming the valid ones.
    int expected = kUnset;
    g_backend.compare_exchange_strong(expected, static_cast<int>(from_env()), std::memory_order_relaxed);
    v = g_backend.load(std::memory_order_relaxed);
  }
  return static_cast<SpmmBackend>(v);
}

}  // namespace loom::mp
