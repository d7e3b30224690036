// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Inference. Rows go through the layers kRows at a time: each weight row is loaded once per block and multiplied
// with every row of it. Each row's dot products always accumulate in the same order (8 lanes, the tail into the
// first lanes, one fixed lane reduction), so a row's answer does not depend on its block, the batch or the thread
// split: one-row, batched and threaded calls agree bitwise.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <system_error>
#include <thread>

#include "model_impl.h"

namespace loom::runtime {

namespace {

constexpr int kRows = 4;
typedef float V8 __attribute__((vector_size(32)));  // GCC/Clang vector: SSE pairs, or one AVX register

inline V8 load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline float reduce8(V8 a) { return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7])); }

// y[r, o] = sum_i W[o, i] x[r, i] (× scale[o]) (+ bias[o]) for R rows of width L.in, outputs [o0, o0 + O). Each
// (row, output) pair has one accumulator, so R·O independent chains hide the add latency: a block of rows shares
// every weight load, and a single row computes several outputs at once.
template <int R, int O>
void linear_tile(const Layer& L, const float* x, int64_t o0, float* y) {
  const int64_t in = L.in, body = in / 8 * 8;
  const float* w = L.weight.data() + o0 * in;
  V8 acc[R][O] = {};
  for (int64_t k = 0; k < body; k += 8) {
    V8 xv[R];
    for (int r = 0; r < R; ++r) xv[r] = load8(x + r * in + k);
    for (int o = 0; o < O; ++o) {
      const V8 wv = load8(w + o * in + k);
      for (int r = 0; r < R; ++r) acc[r][o] += wv * xv[r];
    }
  }
  for (int64_t k = body; k < in; ++k)
    for (int o = 0; o < O; ++o)
      for (int r = 0; r < R; ++r) acc[r][o][k - body] += w[o * in + k] * x[r * in + k];
  for (int o = 0; o < O; ++o)
    for (int r = 0; r < R; ++r) {
      float s = reduce8(acc[r][o]);
      if (!L.scale.empty()) s *= L.scale[o0 + o];
      if (!L.bias.empty()) s += L.bias[o0 + o];
      y[r * L.out + o0 + o] = s;
    }
}

template <int R, int O>
void linear(const Layer& L, const float* x, float* y) {
  int64_t o = 0;
  for (; o + O <= L.out; o += O) linear_tile<R, O>(L, x, o, y);
  for (; o < L.out; ++o) linear_tile<R, 1>(L, x, o, y);
}

void linear_rows(const Layer& L, const float* x, int n, float* y) {
  switch (n) {
    case 4: return linear<4, 1>(L, x, y);
    case 3: return linear<3, 1>(L, x, y);
    case 2: return linear<2, 2>(L, x, y);
    default: return linear<1, 4>(L, x, y);
  }
}

void elementwise(const Layer& L, float* h, int64_t n) {
  const float p = L.param;
  switch (L.op) {
    case Op::kRelu: for (int64_t i = 0; i < n; ++i) h[i] = h[i] > 0 ? h[i] : 0.0f; break;
    case Op::kElu: for (int64_t i = 0; i < n; ++i) h[i] = h[i] > 0 ? h[i] : p * std::expm1(h[i]); break;
    case Op::kLeakyRelu: for (int64_t i = 0; i < n; ++i) h[i] = h[i] > 0 ? h[i] : p * h[i]; break;
    case Op::kTanh: for (int64_t i = 0; i < n; ++i) h[i] = std::tanh(h[i]); break;
    case Op::kSigmoid: for (int64_t i = 0; i < n; ++i) h[i] = 1.0f / (1.0f + std::exp(-h[i])); break;
    case Op::kGelu:
      for (int64_t i = 0; i < n; ++i) h[i] = 0.5f * h[i] * (1.0f + std::erf(h[i] * 0.70710678118654752f));
      break;
    default: break;
  }
}

// Per-thread ping-pong buffers: they grow to the widest model a thread has run, then a call allocates nothing.
struct Scratch {
  std::vector<float> a, b;
};

Scratch& scratch(int64_t floats) {
  thread_local Scratch s;
  if (s.a.size() < static_cast<size_t>(floats)) {
    s.a.resize(floats);
    s.b.resize(floats);
  }
  return s;
}

[[noreturn]] void bad_value(const Model::Impl& m, const float* x, int64_t row0, int n) {
  for (int64_t i = 0; i < n * m.input_width; ++i)
    if (!std::isfinite(x[i]))
      throw Error(Status::kNonFinite, "loom::runtime: input row " + std::to_string(row0 + i / m.input_width) +
                                          ", column " + std::to_string(i % m.input_width) + " is " +
                                          std::to_string(x[i]) + " (NaN or Inf)");
  std::terminate();  // unreachable: called only when a value is not finite
}

// Runs n <= kRows rows (x: their raw features) and returns their logits, n × num_classes, in thread scratch.
const float* forward_block(const Model::Impl& m, const float* x, int64_t row0, int n) {
  Scratch& s = scratch(kRows * m.max_width);
  float* h = s.a.data();
  float* other = s.b.data();
  const int64_t in = m.input_width;
  bool finite = true;
  for (int64_t i = 0; i < n * in; ++i) finite &= std::fabs(x[i]) <= 3.4028235e38f;  // false for NaN and Inf
  if (!finite) bad_value(m, x, row0, n);
  for (int r = 0; r < n; ++r) {
    const float* xr = x + r * in;
    float* hr = h + r * in;
    if (m.preprocess == Preprocess::kRowNormalize) {
      double sum = 0;
      for (int64_t i = 0; i < in; ++i) sum += xr[i];
      if (sum != 0)
        for (int64_t i = 0; i < in; ++i) hr[i] = static_cast<float>(xr[i] / sum);
      else
        std::memcpy(hr, xr, in * sizeof(float));
    } else {
      std::memcpy(hr, xr, in * sizeof(float));
    }
  }
  for (const Layer& L : m.layers) {
    if (L.op == Op::kLinear) {
      linear_rows(L, h, n, other);
      std::swap(h, other);
    } else if (L.op == Op::kBatchNorm) {
      for (int r = 0; r < n; ++r)
        for (int64_t c = 0; c < L.out; ++c) h[r * L.out + c] = h[r * L.out + c] * L.weight[c] + L.bias[c];
    } else {
      elementwise(L, h, n * L.out);
    }
  }
  return h;
}

void check_call(const void* x, int64_t rows, const void* out, const char* out_name, int threads) {
  auto bad = [](const std::string& what) { throw Error(Status::kInvalidArgument, "loom::runtime: " + what); };
  if (rows < 0) bad("rows is " + std::to_string(rows) + ", must be >= 0");
  if (rows > 0 && x == nullptr) bad("x is null");
  if (rows > 0 && out == nullptr) bad(std::string(out_name) + " is null");
  if (threads < 1) bad("threads is " + std::to_string(threads) + ", must be >= 1");
}

// Calls body(begin, end) over [0, rows) split into `threads` contiguous ranges; rethrows the first range's error
// (so that the error names the first bad row, as a single-thread call would).
template <class F>
void split(int64_t rows, int threads, const F& body) {
  const int64_t blocks = (rows + kRows - 1) / kRows;
  const int64_t n = std::min<int64_t>({threads, blocks, 256});
  if (n <= 1) return body(0, rows);
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> pool;
  const int64_t per = (blocks + n - 1) / n * kRows;
  auto range = [&](int64_t t) {
    try {
      body(std::min(rows, t * per), std::min(rows, (t + 1) * per));
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  for (int64_t t = 0; t < n; ++t) {
    try {
      pool.emplace_back(range, t);
    } catch (const std::system_error&) {  // no more threads to be had: the caller runs this range itself
      range(t);
    }
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace

const char* status_name(Status s) noexcept {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kIoError: return "io error";
    case Status::kFormatError: return "format error";
    case Status::kChecksumError: return "checksum error";
    case Status::kShapeError: return "shape error";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kNonFinite: return "non-finite value";
    case Status::kUnsupported: return "unsupported";
  }
  return "unknown status";
}

Model Model::load(const std::string& path) { return Model(load_impl(path)); }

int64_t Model::input_width() const noexcept { return impl_->input_width; }
int64_t Model::num_classes() const noexcept { return impl_->num_classes; }
const std::vector<std::string>& Model::class_names() const noexcept { return impl_->class_names; }
Preprocess Model::preprocess() const noexcept { return impl_->preprocess; }
const std::string& Model::card_json() const noexcept { return impl_->card; }
bool Model::int8() const noexcept { return impl_->int8; }

void Model::logits(const float* x, int64_t rows, float* out, int threads) const {
  check_call(x, rows, out, "out", threads);
  const Impl& m = *impl_;
  split(rows, threads, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r += kRows) {
      const int n = static_cast<int>(std::min<int64_t>(kRows, end - r));
      const float* y = forward_block(m, x + r * m.input_width, r, n);
      std::memcpy(out + r * m.num_classes, y, n * m.num_classes * sizeof(float));
    }
  });
}

void Model::predict(const float* x, int64_t rows, int32_t* classes, float* probabilities, int threads) const {
  check_call(x, rows, classes, "classes", threads);
  const Impl& m = *impl_;
  const int64_t C = m.num_classes;
  split(rows, threads, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r += kRows) {
      const int n = static_cast<int>(std::min<int64_t>(kRows, end - r));
      const float* y = forward_block(m, x + r * m.input_width, r, n);
      for (int i = 0; i < n; ++i) {
        const float* z = y + i * C;
        const int64_t best = std::max_element(z, z + C) - z;  // the first maximum
        classes[r + i] = static_cast<int32_t>(best);
        if (probabilities == nullptr) continue;
        float* p = probabilities + (r + i) * C;
        double sum = 0;
        for (int64_t c = 0; c < C; ++c) sum += p[c] = std::exp(z[c] - z[best]);
        for (int64_t c = 0; c < C; ++c) p[c] = static_cast<float>(p[c] / sum);
      }
    }
  });
}

std::vector<float> Model::logits(std::span<const float> x, int64_t rows, int threads) const {
  if (int64_t n = 0; rows < 0 || __builtin_mul_overflow(rows, input_width(), &n) || static_cast<uint64_t>(n) != x.size())
    throw Error(Status::kShapeError, "loom::runtime: logits: x holds " + std::to_string(x.size()) + " values, not rows (" +
                                         std::to_string(rows) + ") × input_width (" + std::to_string(input_width()) + ")");
  std::vector<float> out(rows * num_classes());
  logits(x.data(), rows, out.data(), threads);
  return out;
}

std::vector<int32_t> Model::predict(std::span<const float> x, int64_t rows, int threads) const {
  if (int64_t n = 0; rows < 0 || __builtin_mul_overflow(rows, input_width(), &n) || static_cast<uint64_t>(n) != x.size())
    throw Error(Status::kShapeError, "loom::runtime: predict: x holds " + std::to_string(x.size()) + " values, not rows (" +
                                         std::to_string(rows) + ") × input_width (" + std::to_string(input_width()) + ")");
  std::vector<int32_t> out(rows);
  predict(x.data(), rows, out.data(), nullptr, threads);
  return out;
}

}  // namespace loom::runtime
