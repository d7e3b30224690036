// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// loom::runtime: runs an exported graph-free model (an MLP student, docs/model-format.md) with nothing but the C++
// standard library. A Model is immutable after load: every const member may be called from many threads at once.
// The C API over it is loom_runtime.h.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom::runtime {

// The numbering is the C API's (loom_runtime.h): do not reorder.
enum class Status {
  kOk = 0,
  kIoError,          // the file cannot be opened or read (missing, a directory, unreadable); out of memory
  kFormatError,      // not a well-formed model file: short file, header length beyond the file, JSON that does not
                     // parse, no card, wrong `format`, a card key missing, unknown or of the wrong type, tensor
                     // dtype, data offsets outside the data section / overlapping / leaving holes, a tensor missing
                     // or not named by the card, int8 code -128, running_var + eps <= 0
  kChecksumError,    // the tensor data does not hash to the card's checksum: the file is corrupted
  kShapeError,       // a tensor's shape differs from the card's, the layer widths do not chain or do not end at
                     // num_classes; (inference) a span whose size is not rows × input_width
  kInvalidArgument,  // a bad call: null pointer, negative row count, threads < 1, class index out of range
  kNonFinite,        // NaN or Inf in the weights (load) or in the input features (inference)
  kUnsupported,      // a format_version, layer op or preprocess this runtime does not know (a newer exporter)
};

// "ok", "io error", ...
const char* status_name(Status s) noexcept;

class Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

enum class Preprocess { kNone, kRowNormalize };

class Model {
 public:
  // Reads and validates the whole file; throws Error naming the file and the problem.
  static Model load(const std::string& path);

  int64_t input_width() const noexcept;
  int64_t num_classes() const noexcept;
  const std::vector<std::string>& class_names() const noexcept;
  Preprocess preprocess() const noexcept;
  const std::string& card_json() const noexcept;  // the card exactly as stored in the file
  bool int8() const noexcept;                      // any linear_int8 layer

  // x: rows × input_width raw features, row-major (preprocessing is applied here); out: rows × num_classes logits.
  // Each row's answer depends on that row alone and is bitwise the same for any rows/threads split (within one
  // build: a build for a CPU with FMA rounds a multiply-add once, a portable one twice, so the two differ in the
  // last bits). threads > 1 splits the rows over that many std::threads. Throws Error: kInvalidArgument (null
  // pointer, rows < 0, threads < 1), kNonFinite (naming the first row and column holding NaN or Inf); after an
  // error the contents of out are unspecified. One thread allocates nothing once its scratch has grown to the
  // model; threads > 1 starts fresh threads on every call, so it pays off for large batches only.
  void logits(const float* x, int64_t rows, float* out, int threads = 1) const;
  // classes: rows argmaxes (the first on ties); probabilities (may be null): rows × num_classes softmax.
  void predict(const float* x, int64_t rows, int32_t* classes, float* probabilities = nullptr,
               int threads = 1) const;

  // Conveniences: x.size() must be rows × input_width (else kShapeError).
  std::vector<float> logits(std::span<const float> x, int64_t rows, int threads = 1) const;
  std::vector<int32_t> predict(std::span<const float> x, int64_t rows, int threads = 1) const;

  struct Impl;  // internal (runtime/src/model_impl.h)

 private:
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // shared and immutable: copies of a Model are cheap
};

}  // namespace loom::runtime
