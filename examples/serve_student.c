// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// A C service loop over loom_runtime.h: load an exported student (loom distill --export / loom export), read one
// vertex's raw features per line on stdin (numbers separated by spaces, commas or tabs), print its class name and
// probability. A bad line gets an error on stderr naming the line, and the loop goes on; the exit status is 1 when
// any line failed.
//   serve_student MODEL.loom < features.txt
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loom_runtime.h"

// Parses up to `width` numbers of `line` into x; returns how many were read, or -1 for a token that is no number.
static long parse_row(char* line, float* x, long width) {
  long count = 0;
  for (char* tok = strtok(line, " ,\t\r\n"); tok != NULL; tok = strtok(NULL, " ,\t\r\n")) {
    char* end = NULL;
    errno = 0;
    const float v = strtof(tok, &end);
    if (end == tok || *end != '\0' || errno == ERANGE) return -1;
    if (count < width) x[count] = v;
    ++count;
  }
  return count;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.loom < features.txt\n", argv[0]);
    return 2;
  }
  loom_model* model = NULL;
  if (loom_model_load(argv[1], &model) != 0) {
    fprintf(stderr, "serve_student: %s\n", loom_last_error());
    return 1;
  }
  const long width = (long)loom_model_input_width(model), classes = (long)loom_model_num_classes(model);
  float* x = malloc(sizeof(float) * (size_t)width);
  float* p = malloc(sizeof(float) * (size_t)classes);
  char* line = NULL;
  size_t capacity = 0;
  long number = 0;
  int failed = 0;
  while (x != NULL && p != NULL && getline(&line, &capacity, stdin) != -1) {
    ++number;
    const long got = parse_row(line, x, width);
    if (got != width) {
      fprintf(stderr, "line %ld: expected %ld numbers, got %s%ld\n", number, width, got < 0 ? "a non-number after " : "",
              got < 0 ? 0 : got);
      failed = 1;
      continue;
    }
    int32_t c = 0;
    if (loom_model_predict(model, x, 1, &c, p) != 0) {
      fprintf(stderr, "line %ld: %s\n", number, loom_last_error());
      failed = 1;
      continue;
    }
    printf("%s\t%.6f\n", loom_model_class_name(model, c), (double)p[c]);
  }
  free(line);
  free(x);
  free(p);
  loom_model_free(model);
  return failed;
}
