// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The C API (loom_serve.h): a thin shell over loom::serve::IndexHandle that turns every exception into a status
// code and a thread-local message.
#include <algorithm>
#include <new>
#include <string>

#include "loom/core/error.h"
#include "loom/serve/index.h"
#include "loom_serve.h"

using loom::serve::IndexHandle;
using loom::serve::IndexOptions;

struct loom_serve {
  IndexHandle handle;
};

namespace {

thread_local std::string last_error;

int fail(int code, const char* what) noexcept {
  try {
    last_error = what;
  } catch (...) {  // out of memory for the message itself: keep the code
  }
  return code;
}

// Runs f, returning LOOM_SERVE_OK or the code of what it threw. The typed errors first: each is a loom::Error.
template <class F>
int guarded(F&& f) noexcept {
  try {
    f();
    return LOOM_SERVE_OK;
  } catch (const loom::IndexError& e) {
    return fail(LOOM_SERVE_UNKNOWN_ID, e.what());
  } catch (const loom::ValueError& e) {
    return fail(LOOM_SERVE_INVALID_ARGUMENT, e.what());
  } catch (const loom::FormatError& e) {
    return fail(LOOM_SERVE_FORMAT_ERROR, e.what());
  } catch (const loom::NotImplementedError& e) {
    return fail(LOOM_SERVE_UNSUPPORTED, e.what());
  } catch (const loom::DeviceError& e) {
    return fail(LOOM_SERVE_UNSUPPORTED, e.what());
  } catch (const loom::Error& e) {
    // The reader throws the base type only when the file cannot be opened or read.
    return fail(LOOM_SERVE_IO_ERROR, e.what());
  } catch (const std::bad_alloc&) {
    return fail(LOOM_SERVE_OUT_OF_MEMORY, "loom::serve: out of memory");
  } catch (const std::exception& e) {
    return fail(LOOM_SERVE_INTERNAL, e.what());
  } catch (...) {
    return fail(LOOM_SERVE_INTERNAL, "loom::serve: unknown error");
  }
}

int write_out(const std::vector<loom::serve::ScoredItem>& items, int64_t* ids, float* scores, int64_t* n) {
  for (size_t i = 0; i < items.size(); ++i) {
    ids[i] = items[i].id;
    scores[i] = items[i].score;
  }
  *n = static_cast<int64_t>(items.size());
  return LOOM_SERVE_OK;
}

}  // namespace

extern "C" {

void loom_serve_default_options(loom_serve_options* options) {
  if (options == nullptr) return;
  const IndexOptions d;
  *options = {d.approximate ? 1 : 0, d.hnsw_m, d.ef_construction, d.ef_search};
}

int loom_serve_open(const char* path, const loom_serve_options* options, loom_serve** out) {
  if (out == nullptr) return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_open: out is null");
  *out = nullptr;
  if (path == nullptr) return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_open: path is null");
  IndexOptions o;
  if (options != nullptr) {
    o.approximate = options->approximate != 0;
    o.hnsw_m = options->hnsw_m;
    o.ef_construction = options->ef_construction;
    o.ef_search = options->ef_search;
  }
  return guarded([&] { *out = new loom_serve{IndexHandle(path, o)}; });
}

void loom_serve_close(loom_serve* handle) { delete handle; }

const char* loom_serve_last_error(void) { return last_error.c_str(); }

int loom_serve_recommend(const loom_serve* handle, int64_t user_id, int64_t k, int exclude_seen, int64_t* out_ids,
                         float* out_scores, int64_t* n) {
  if (n != nullptr) *n = 0;
  if (handle == nullptr || out_ids == nullptr || out_scores == nullptr || n == nullptr)
    return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_recommend: handle, out_ids, out_scores and n must not be null");
  return guarded([&] {
    loom::serve::Filter f;
    f.exclude_seen = exclude_seen != 0;
    write_out(handle->handle.snapshot()->recommend(user_id, k, f), out_ids, out_scores, n);
  });
}

int loom_serve_similar(const loom_serve* handle, int64_t item_id, int64_t k, int64_t* out_ids, float* out_scores,
                       int64_t* n) {
  if (n != nullptr) *n = 0;
  if (handle == nullptr || out_ids == nullptr || out_scores == nullptr || n == nullptr)
    return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_similar: handle, out_ids, out_scores and n must not be null");
  return guarded([&] { write_out(handle->handle.snapshot()->similar_items(item_id, k), out_ids, out_scores, n); });
}

int loom_serve_reload(loom_serve* handle, const char* path) {
  if (handle == nullptr) return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_reload: handle is null");
  return guarded([&] { handle->handle.reload(path == nullptr ? "" : path); });
}

int64_t loom_serve_num_users(const loom_serve* handle) {
  if (handle == nullptr) return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_num_users: handle is null"), -1;
  return handle->handle.snapshot()->num_users();
}

int64_t loom_serve_num_items(const loom_serve* handle) {
  if (handle == nullptr) return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_num_items: handle is null"), -1;
  return handle->handle.snapshot()->num_items();
}

int64_t loom_serve_dim(const loom_serve* handle) {
  if (handle == nullptr) return fail(LOOM_SERVE_INVALID_ARGUMENT, "loom_serve_dim: handle is null"), -1;
  return handle->handle.snapshot()->dim();
}

}  // extern "C"
