// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// loom::serve from C: open an embedding file, print a user's top-k, show what a bad call reports.
//   serve_recommend FILE USER_ID [K]
#include <stdio.h>
#include <stdlib.h>

#include "loom_serve.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: serve_recommend FILE USER_ID [K]\n");
    return 2;
  }
  const int64_t user = strtoll(argv[2], NULL, 10), k = argc > 3 ? strtoll(argv[3], NULL, 10) : 5;
  loom_serve* handle = NULL;
  if (loom_serve_open(argv[1], NULL, &handle) != LOOM_SERVE_OK) {
    fprintf(stderr, "serve_recommend: %s\n", loom_serve_last_error());
    return 1;
  }
  int64_t* ids = malloc(sizeof(int64_t) * (size_t)(k > 0 ? k : 1));
  float* scores = malloc(sizeof(float) * (size_t)(k > 0 ? k : 1));
  int64_t n = 0;
  int status = loom_serve_recommend(handle, user, k, 1, ids, scores, &n);
  if (status != LOOM_SERVE_OK) {
    fprintf(stderr, "serve_recommend: status %d: %s\n", status, loom_serve_last_error());
  } else {
    for (int64_t i = 0; i < n; ++i) printf("%lld %.6f\n", (long long)ids[i], scores[i]);
  }
  // An unknown user is a status code with a message, never a crash.
  if (loom_serve_recommend(handle, -1, 1, 1, ids, scores, &n) == LOOM_SERVE_UNKNOWN_ID)
    printf("unknown user: %s\n", loom_serve_last_error());
  free(ids);
  free(scores);
  loom_serve_close(handle);
  return status == LOOM_SERVE_OK ? 0 : 1;
}
