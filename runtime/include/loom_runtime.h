// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The C API of loom::runtime (C99): load an exported model file (docs/model-format.md) and run it. Every function
// returns a status code (LOOM_OK = 0) or a sentinel (-1, NULL) on failure and never lets an exception or a crash
// out; loom_last_error() then says what went wrong. A loaded model may be queried from many threads at once.
#ifndef LOOM_RUNTIME_H_
#define LOOM_RUNTIME_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Status codes: the same numbering as loom::runtime::Status.
enum {
  LOOM_OK = 0,
  LOOM_IO_ERROR = 1,
  LOOM_FORMAT_ERROR = 2,
  LOOM_CHECKSUM_ERROR = 3,
  LOOM_SHAPE_ERROR = 4,
  LOOM_INVALID_ARGUMENT = 5,
  LOOM_NON_FINITE = 6,
  LOOM_UNSUPPORTED = 7
};

typedef struct loom_model loom_model;

// Loads the file at `path` into *out (set to NULL on failure).
int loom_model_load(const char* path, loom_model** out);
// Frees a model; NULL is a no-op.
void loom_model_free(loom_model* model);
// The message of the last failure on the calling thread ("" if none); valid until this thread's next failing call.
const char* loom_last_error(void);

// -1 (and a message) for a NULL model.
int64_t loom_model_input_width(const loom_model* model);
int64_t loom_model_num_classes(const loom_model* model);
// The name of class c, or NULL (and a message) for a NULL model or c outside [0, num_classes).
const char* loom_model_class_name(const loom_model* model, int64_t c);

// x: rows × input_width raw features, row-major. classes: rows entries; probabilities: NULL or rows × num_classes.
int loom_model_predict(const loom_model* model, const float* x, int64_t rows, int32_t* classes,
                       float* probabilities);
// out: rows × num_classes logits.
int loom_model_logits(const loom_model* model, const float* x, int64_t rows, float* out);

#ifdef __cplusplus
}
#endif

#endif  // LOOM_RUNTIME_H_
