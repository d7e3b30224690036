// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Inference. Rows go through all the layers a block at a time (Model::Impl::block_rows), so that a block's
// activations stay in cache from one layer to the next. A linear layer's weights are stored transposed ([in, out],
// output columns contiguous), and an outer-product micro-kernel computes an R-row × T-vector tile: for each input k
// it broadcasts x[r][k], multiplies it by the weight vectors of row k and accumulates. Each output element thus has
// one accumulator, summed over k in ascending order whatever R and T are, so a row's answer does not depend on its
// block, the batch or the thread split: one-row, batched and threaded calls agree bitwise.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <system_error>
#include <thread>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "model_impl.h"

namespace loom::runtime {

namespace {

// The vector width and the micro-tile (kR rows × kT vectors), chosen so that kR·kT accumulators, kT weight vectors
// and a broadcast fit the target's registers: 32 zmm with AVX-512, 16 ymm with AVX, 16 xmm with SSE2 only.
#if defined(__AVX512F__)
constexpr int kW = 16, kR = 6, kT = 4;
#elif defined(__AVX__)
constexpr int kW = 8, kR = 6, kT = 2;
#else
constexpr int kW = 4, kR = 4, kT = 2;
#endif
typedef float Vec __attribute__((vector_size(kW * sizeof(float))));  // one register of the target

// A broadcast. The intrinsics are one instruction; GCC turns the portable lane loop into a chain of masked inserts.
inline Vec splat(float s) {
#if defined(__AVX512F__)
  return reinterpret_cast<Vec>(_mm512_set1_ps(s));
#elif defined(__AVX__)
  return reinterpret_cast<Vec>(_mm256_set1_ps(s));
#elif defined(__SSE2__)
  return reinterpret_cast<Vec>(_mm_set1_ps(s));
#else
  Vec v;
  for (int i = 0; i < kW; ++i) v[i] = s;
  return v;
#endif
}

inline Vec load(const float* p) { return *reinterpret_cast<const Vec*>(p); }  // p is aligned (AlignedFloats)

// acc + a·b. With FMA one rounding, else two (-ffp-contract=off keeps the compiler from fusing them itself);
// either way the same in every path of one build.
inline Vec madd(Vec a, Vec b, Vec acc) {
#if defined(__AVX512F__)
  return reinterpret_cast<Vec>(_mm512_fmadd_ps(reinterpret_cast<__m512>(a), reinterpret_cast<__m512>(b),
                                               reinterpret_cast<__m512>(acc)));
#elif defined(__FMA__)
  return reinterpret_cast<Vec>(_mm256_fmadd_ps(reinterpret_cast<__m256>(a), reinterpret_cast<__m256>(b),
                                               reinterpret_cast<__m256>(acc)));
#else
  return acc + a * b;
#endif
}

constexpr int64_t pad(int64_t n) { return (n + kW - 1) / kW * kW; }

bool fusable(Op op) { return op == Op::kBatchNorm || op == Op::kRelu || op == Op::kLeakyRelu; }

// Where a linear step reads and writes: x rows of stride xs, y rows of stride ys (a multiple of kW, aligned).
struct LinearArgs {
  const Model::Impl* m;
  const Step* step;
  const float* x;
  int64_t xs;
  float* y;
  int64_t ys;
};

// The tile of rows [r0, r0 + R) and output columns [c0, c0 + T·kW): the k loop, then the epilogue (scale, bias and
// the fused layers) on the accumulators before they are stored.
template <int R, int T>
void tile(const LinearArgs& a, int64_t r0, int64_t c0) {
  const Layer& L = a.m->layers[a.step->layer];
  const int64_t in = L.in, ws = L.padded;
  const float* x = a.x + r0 * a.xs;
  const float* w = L.wt.data() + c0;
  Vec acc[R][T] = {};
  for (int64_t k = 0; k < in; ++k) {
    Vec wv[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) wv[t] = load(w + k * ws + t * kW);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const Vec xb = splat(x[r * a.xs + k]);
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[r][t] = madd(xb, wv[t], acc[r][t]);
    }
  }
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) {
    const int64_t c = c0 + t * kW;
    Vec v[R];
    for (int r = 0; r < R; ++r) v[r] = acc[r][t];
    if (!L.wscale.empty()) {
      const Vec s = load(L.wscale.data() + c);
      for (int r = 0; r < R; ++r) v[r] = v[r] * s;
    }
    if (!L.wbias.empty()) {
      const Vec b = load(L.wbias.data() + c);
      for (int r = 0; r < R; ++r) v[r] = v[r] + b;
    }
    for (int64_t f = 1; f <= a.step->fused; ++f) {
      const Layer& P = a.m->layers[a.step->layer + f];
      if (P.op == Op::kBatchNorm) {
        const Vec mul = load(P.wmul.data() + c), shift = load(P.wshift.data() + c);
        for (int r = 0; r < R; ++r) v[r] = v[r] * mul + shift;
      } else if (P.op == Op::kRelu) {
        for (int r = 0; r < R; ++r) v[r] = v[r] > 0 ? v[r] : Vec{};
      } else {  // kLeakyRelu
        const Vec p = splat(P.param);
        for (int r = 0; r < R; ++r) v[r] = v[r] > 0 ? v[r] : v[r] * p;
      }
    }
    for (int r = 0; r < R; ++r) *reinterpret_cast<Vec*>(a.y + (r0 + r) * a.ys + c) = v[r];
  }
}

template <int R>
void tile_cols(const LinearArgs& a, int64_t r0, int64_t c0, int64_t vecs) {
  static_assert(kT <= 4);
  switch (vecs) {
    case 4: if constexpr (kT >= 4) return tile<R, 4>(a, r0, c0); [[fallthrough]];
    case 3: if constexpr (kT >= 3) return tile<R, 3>(a, r0, c0); [[fallthrough]];
    case 2: return tile<R, 2>(a, r0, c0);
    default: return tile<R, 1>(a, r0, c0);
  }
}

template <int R>
void tile_rows(const LinearArgs& a, int64_t r0, int rows, int64_t c0, int64_t vecs) {
  if constexpr (R > 1)
    if (rows < R) return tile_rows<R - 1>(a, r0, rows, c0, vecs);
  tile_cols<R>(a, r0, c0, vecs);
}

// Column tiles outside, row tiles inside: a tile's in × T·kW weights stay in L1 while every row of the block
// passes over them.
void linear_block(const LinearArgs& a, int n) {
  const int64_t vecs = a.m->layers[a.step->layer].padded / kW;
  for (int64_t c = 0; c < vecs; c += kT) {
    const int64_t nt = std::min<int64_t>(kT, vecs - c);
    for (int r = 0; r < n; r += kR) tile_rows<kR>(a, r, std::min(kR, n - r), c * kW, nt);
  }
}

// A layer on its own (one not fused into a linear step's epilogue), in place over n rows of stride hs.
void elementwise(const Layer& L, float* h, int64_t hs, int n) {
  const float p = L.param;
  for (int r = 0; r < n; ++r) {
    float* v = h + r * hs;
    const int64_t w = L.out;
    switch (L.op) {
      case Op::kBatchNorm: for (int64_t i = 0; i < w; ++i) v[i] = v[i] * L.weight[i] + L.bias[i]; break;
      case Op::kRelu: for (int64_t i = 0; i < w; ++i) v[i] = v[i] > 0 ? v[i] : 0.0f; break;
      case Op::kElu: for (int64_t i = 0; i < w; ++i) v[i] = v[i] > 0 ? v[i] : p * std::expm1(v[i]); break;
      case Op::kLeakyRelu: for (int64_t i = 0; i < w; ++i) v[i] = v[i] > 0 ? v[i] : p * v[i]; break;
      case Op::kTanh: for (int64_t i = 0; i < w; ++i) v[i] = std::tanh(v[i]); break;
      case Op::kSigmoid: for (int64_t i = 0; i < w; ++i) v[i] = 1.0f / (1.0f + std::exp(-v[i])); break;
      case Op::kGelu:
        for (int64_t i = 0; i < w; ++i) v[i] = 0.5f * v[i] * (1.0f + std::erf(v[i] * 0.70710678118654752f));
        break;
      case Op::kLinear: break;
    }
  }
}

// Per-thread ping-pong buffers of block_rows × max_padded floats each, aligned: they grow to the largest model a
// thread has run, then a call allocates nothing (one row or a whole block alike).
struct Scratch {
  std::vector<float> storage;
  float* a = nullptr;
  float* b = nullptr;
  int64_t each = 0;
};

Scratch& scratch(int64_t floats) {
  thread_local Scratch s;
  if (s.each < floats) {
    constexpr int64_t slack = 64 / sizeof(float);
    s.storage.assign(2 * floats + slack, 0.0f);
    auto p = reinterpret_cast<uintptr_t>(s.storage.data());
    float* base = reinterpret_cast<float*>((p + 63) / 64 * 64);
    s.a = base;
    s.b = base + floats;  // floats is a multiple of kW (max_padded), so b is aligned too
    s.each = floats;
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

struct Rows {
  const float* p;
  int64_t stride;
};

// Runs n <= block_rows rows (x: their raw features) and returns their logits, rows of `stride`, in thread scratch.
Rows forward_block(const Model::Impl& m, const float* x, int64_t row0, int n) {
  Scratch& s = scratch(m.block_rows * m.max_padded);
  const int64_t in = m.input_width;
  bool finite = true;
  for (int64_t i = 0; i < n * in; ++i) finite &= std::fabs(x[i]) <= 3.4028235e38f;  // false for NaN and Inf
  if (!finite) bad_value(m, x, row0, n);
  float* h = s.a;
  float* other = s.b;
  Rows cur{x, in};  // a first linear layer reads the caller's rows where there is nothing to do to them first
  if (m.preprocess == Preprocess::kRowNormalize || m.layers[m.steps[0].layer].op != Op::kLinear) {
    const int64_t hs = pad(in);
    for (int r = 0; r < n; ++r) {
      const float* xr = x + r * in;
      float* hr = h + r * hs;
      double sum = 0;
      if (m.preprocess == Preprocess::kRowNormalize)
        for (int64_t i = 0; i < in; ++i) sum += xr[i];
      if (sum != 0)
        for (int64_t i = 0; i < in; ++i) hr[i] = static_cast<float>(xr[i] / sum);
      else
        std::memcpy(hr, xr, in * sizeof(float));
    }
    cur = {h, hs};
    std::swap(h, other);
  }
  for (const Step& st : m.steps) {
    const Layer& L = m.layers[st.layer];
    if (L.op == Op::kLinear) {
      linear_block(LinearArgs{&m, &st, cur.p, cur.stride, h, L.padded}, n);
      cur = {h, L.padded};
      std::swap(h, other);
    } else {
      // cur is in scratch here: a model whose first layer is not linear was copied in above.
      elementwise(L, const_cast<float*>(cur.p), cur.stride, n);
    }
  }
  return cur;
}

void check_call(const void* x, int64_t rows, const void* out, const char* out_name, int threads) {
  auto bad = [](const std::string& what) { throw Error(Status::kInvalidArgument, "loom::runtime: " + what); };
  if (rows < 0) bad("rows is " + std::to_string(rows) + ", must be >= 0");
  if (rows > 0 && x == nullptr) bad("x is null");
  if (rows > 0 && out == nullptr) bad(std::string(out_name) + " is null");
  if (threads < 1) bad("threads is " + std::to_string(threads) + ", must be >= 1");
}

// Calls body(begin, end) over [0, rows) split into `threads` contiguous ranges of whole blocks; rethrows the first
// range's error (so that the error names the first bad row, as a single-thread call would).
template <class F>
void split(int64_t rows, int64_t block, int threads, const F& body) {
  const int64_t blocks = (rows + block - 1) / block;
  const int64_t n = std::min<int64_t>({threads, blocks, 256});
  if (n <= 1) return body(0, rows);
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> pool;
  const int64_t per = (blocks + n - 1) / n * block;
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

AlignedFloats padded_copy(const std::vector<float>& v, int64_t padded) {
  AlignedFloats p;
  if (!v.empty()) {
    p.assign(padded, 0.0f);
    std::copy(v.begin(), v.end(), p.begin());
  }
  return p;
}

}  // namespace

void prepare(Model::Impl& m) {
  m.max_padded = pad(m.max_width);
  // About 64 KiB per activation buffer: two of them and a column tile of weights sit in L2 with room to spare.
  m.block_rows = std::clamp<int64_t>(16384 / m.max_padded / kR * kR, kR, 256 / kR * kR);
  for (Layer& L : m.layers) {
    L.padded = pad(L.out);
    if (L.op == Op::kLinear) {
      L.wt.assign(L.in * L.padded, 0.0f);
      for (int64_t o = 0; o < L.out; ++o)
        for (int64_t i = 0; i < L.in; ++i) L.wt[i * L.padded + o] = L.weight[o * L.in + i];
      std::vector<float>().swap(L.weight);  // the kernels read wt only
      L.wbias = padded_copy(L.bias, L.padded);
      L.wscale = padded_copy(L.scale, L.padded);
    } else if (L.op == Op::kBatchNorm) {
      L.wmul = padded_copy(L.weight, L.padded);
      L.wshift = padded_copy(L.bias, L.padded);
    }
  }
  m.steps.clear();
  for (size_t i = 0; i < m.layers.size(); ++i) {
    Step s{static_cast<int64_t>(i), 0};
    if (m.layers[i].op == Op::kLinear)
      while (i + 1 < m.layers.size() && fusable(m.layers[i + 1].op)) ++s.fused, ++i;
    m.steps.push_back(s);
  }
}

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
  split(rows, m.block_rows, threads, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r += m.block_rows) {
      const int n = static_cast<int>(std::min<int64_t>(m.block_rows, end - r));
      const Rows y = forward_block(m, x + r * m.input_width, r, n);
      for (int i = 0; i < n; ++i)
        std::memcpy(out + (r + i) * m.num_classes, y.p + i * y.stride, m.num_classes * sizeof(float));
    }
  });
}

void Model::predict(const float* x, int64_t rows, int32_t* classes, float* probabilities, int threads) const {
  check_call(x, rows, classes, "classes", threads);
  const Impl& m = *impl_;
  const int64_t C = m.num_classes;
  split(rows, m.block_rows, threads, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r += m.block_rows) {
      const int n = static_cast<int>(std::min<int64_t>(m.block_rows, end - r));
      const Rows y = forward_block(m, x + r * m.input_width, r, n);
      for (int i = 0; i < n; ++i) {
        const float* z = y.p + i * y.stride;
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
