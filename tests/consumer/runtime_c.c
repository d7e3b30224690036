// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A C99 program that links the installed runtime alone (pkg-config loom-runtime) and checks that errors come back
// as codes with messages. install.runtime_c_consumer compiles and runs it; it exits 0 when all is as expected.
#include <stdio.h>
#include <string.h>

#include "loom_runtime.h"

static int expect(int got, int want, const char* what) {
  if (got == want) return 0;
  printf("%s: got %d, want %d (%s)\n", what, got, want, loom_last_error());
  return 1;
}

int main(void) {
  int bad = 0;
  loom_model* m = NULL;
  float x[4] = {0};
  int32_t c[1];
  bad += expect(loom_model_load("/nonexistent/model.loom", &m), LOOM_IO_ERROR, "missing file");
  bad += expect(strstr(loom_last_error(), "/nonexistent/model.loom") != NULL, 1, "message names the file");
  bad += expect(m == NULL, 1, "no model on failure");
  bad += expect(loom_model_load(NULL, &m), LOOM_INVALID_ARGUMENT, "null path");
  bad += expect(loom_model_predict(NULL, x, 1, c, NULL), LOOM_INVALID_ARGUMENT, "null model");
  bad += expect(loom_model_input_width(NULL) == -1, 1, "width of a null model");
  bad += expect(loom_model_class_name(NULL, 0) == NULL, 1, "class name of a null model");
  loom_model_free(NULL);
  printf(bad ? "FAILED\n" : "ok\n");
  return bad;
}
