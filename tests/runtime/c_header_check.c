// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Compiled as C99 by the runtime.c_header test: the C API header must be valid C on its own.
#include "loom_runtime.h"

int check(const char* path);
int check(const char* path) {
  loom_model* model = 0;
  int status = loom_model_load(path, &model);
  if (status != LOOM_OK) return status;
  float x[1] = {0};
  int32_t c[1];
  status = loom_model_predict(model, x, 1, c, 0);
  loom_model_free(model);
  return status;
}
