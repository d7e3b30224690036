// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The C API (loom_runtime.h): a thin shell over loom::runtime::Model that turns every exception into a status code
// and a thread-local message.
#include <new>
#include <string>

#include "loom/runtime/runtime.h"
#include "loom_runtime.h"

using loom::runtime::Error;
using loom::runtime::Model;
using loom::runtime::Status;

struct loom_model {
  Model model;
};

namespace {

thread_local std::string last_error;

int fail(Status s, const char* what) noexcept {
  try {
    last_error = what;
  } catch (...) {  // out of memory for the message itself: keep the code
  }
  return static_cast<int>(s);
}

// Runs f, returning LOOM_OK or the code of what it threw.
template <class F>
int guarded(F&& f) noexcept {
  try {
    f();
    return LOOM_OK;
  } catch (const Error& e) {
    return fail(e.status(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(Status::kIoError, "loom::runtime: out of memory");
  } catch (const std::exception& e) {
    return fail(Status::kInvalidArgument, e.what());
  } catch (...) {
    return fail(Status::kInvalidArgument, "loom::runtime: unknown error");
  }
}

}  // namespace

extern "C" {

int loom_model_load(const char* path, loom_model** out) {
  if (out == nullptr) return fail(Status::kInvalidArgument, "loom_model_load: out is null");
  *out = nullptr;
  if (path == nullptr) return fail(Status::kInvalidArgument, "loom_model_load: path is null");
  return guarded([&] { *out = new loom_model{Model::load(path)}; });
}

void loom_model_free(loom_model* model) { delete model; }

const char* loom_last_error(void) { return last_error.c_str(); }

int64_t loom_model_input_width(const loom_model* model) {
  if (model == nullptr) return fail(Status::kInvalidArgument, "loom_model_input_width: model is null"), -1;
  return model->model.input_width();
}

int64_t loom_model_num_classes(const loom_model* model) {
  if (model == nullptr) return fail(Status::kInvalidArgument, "loom_model_num_classes: model is null"), -1;
  return model->model.num_classes();
}

const char* loom_model_class_name(const loom_model* model, int64_t c) {
  if (model == nullptr) return fail(Status::kInvalidArgument, "loom_model_class_name: model is null"), nullptr;
  if (c < 0 || c >= model->model.num_classes()) {
    guarded([&] {
      throw Error(Status::kInvalidArgument, "loom_model_class_name: class " + std::to_string(c) + " is outside [0, " +
                                                std::to_string(model->model.num_classes()) + ")");
    });
    return nullptr;
  }
  return model->model.class_names()[c].c_str();
}

int loom_model_predict(const loom_model* model, const float* x, int64_t rows, int32_t* classes,
                       float* probabilities) {
  if (model == nullptr) return fail(Status::kInvalidArgument, "loom_model_predict: model is null");
  return guarded([&] { model->model.predict(x, rows, classes, probabilities); });
}

int loom_model_logits(const loom_model* model, const float* x, int64_t rows, float* out) {
  if (model == nullptr) return fail(Status::kInvalidArgument, "loom_model_logits: model is null");
  return guarded([&] { model->model.logits(x, rows, out); });
}

}  // extern "C"
