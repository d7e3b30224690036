// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The C API of loom::serve (C99): open an embedding file (docs/embedding-format.md), ask for top-k items, reload
// it while queries run. Every function returns a status code (LOOM_SERVE_OK = 0) and never lets an exception or a
// crash out; loom_serve_last_error() then says what went wrong. A handle may be queried and reloaded from many
// threads at once: a query sees the old model or the new one, whole.
#ifndef LOOM_SERVE_H_
#define LOOM_SERVE_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  LOOM_SERVE_OK = 0,
  LOOM_SERVE_IO_ERROR = 1,          // the file cannot be opened or read
  LOOM_SERVE_FORMAT_ERROR = 2,      // the file is not a valid embedding file (truncated, checksum, NaN, ...)
  LOOM_SERVE_INVALID_ARGUMENT = 3,  // a NULL pointer, k out of range, bad options
  LOOM_SERVE_UNKNOWN_ID = 4,        // a user or item id the model does not have
  LOOM_SERVE_UNSUPPORTED = 5,       // approximate search without hnswlib, a GPU path without a GPU
  LOOM_SERVE_OUT_OF_MEMORY = 6,
  LOOM_SERVE_INTERNAL = 7
};

typedef struct loom_serve_options {
  int approximate;      // 0: exact search; 1: HNSW (hnswlib)
  int hnsw_m;           // graph degree (default 16)
  int ef_construction;  // default 200
  int ef_search;        // default 64
} loom_serve_options;

typedef struct loom_serve loom_serve;

// Fills *options with the defaults (exact search).
void loom_serve_default_options(loom_serve_options* options);
// Opens the file at `path` into *out (NULL on failure). options: NULL for the defaults.
int loom_serve_open(const char* path, const loom_serve_options* options, loom_serve** out);
// Frees a handle; NULL is a no-op. No query may be running on it.
void loom_serve_close(loom_serve* handle);
// The message of the last failure on the calling thread ("" if none); valid until this thread's next failing call.
const char* loom_serve_last_error(void);

// The k best items for `user_id`: out_ids and out_scores have room for k entries; *n receives how many were written
// (k on success, 0 on failure). exclude_seen: nonzero drops the user's training items. Scores are dot products,
// best first, equal scores to the item stored first.
int loom_serve_recommend(const loom_serve* handle, int64_t user_id, int64_t k, int exclude_seen, int64_t* out_ids,
                         float* out_scores, int64_t* n);
// The k items most similar to `item_id` by cosine similarity, never the item itself. Same outputs as above.
int loom_serve_similar(const loom_serve* handle, int64_t item_id, int64_t k, int64_t* out_ids, float* out_scores,
                       int64_t* n);
// Loads `path` (NULL: the current file again) and makes it the model; on failure the old model keeps serving.
int loom_serve_reload(loom_serve* handle, const char* path);

// Sizes of the current model; -1 (and a message) for a NULL handle.
int64_t loom_serve_num_users(const loom_serve* handle);
int64_t loom_serve_num_items(const loom_serve* handle);
int64_t loom_serve_dim(const loom_serve* handle);

#ifdef __cplusplus
}
#endif

#endif  // LOOM_SERVE_H_
