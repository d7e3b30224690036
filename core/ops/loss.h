// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private to the loss family. Per-row kernels (log-sum-exp rows of cross-entropy and of the distillation KL) and
// elementwise maps given as functors of the flat index, shared by the CPU and CUDA back ends. The scalar upstream
// gradient dy is read through a pointer inside the kernels, so a backward never copies it to the host.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/detail/macros.h"
#include "loom/core/tensor.h"

namespace loom::detail {

// ---- per-row kernels on [N, C]
// A row's log-softmax is kept as two statistics, the maximum m and l = log sum_c exp(x_c - m), and evaluated as
// (x_c - m) - l: forming m + l first would cancel catastrophically in float32 for large logits.
struct RowStats {
  Tensor max, log_sum;  // [N] each
};
// loss[r] = -(1 - s) log_softmax(x_r)[t_r] - (s / C) sum_c log_softmax(x_r)[c]; writes the row statistics.
void cross_entropy_rows_cpu(const Tensor& logits, const Tensor& target, double smoothing, const Tensor& loss,
                            const RowStats& stats);
void cross_entropy_rows_cuda(const Tensor& logits, const Tensor& target, double smoothing, const Tensor& loss,
                             const RowStats& stats);
// With p = softmax(teacher / T), q = softmax(student / T) per row: kl[r] = sum_c p (log p - log q); writes the
// statistics of both scaled rows for the backward.
void kl_rows_cpu(const Tensor& student, const Tensor& teacher, double temperature, const Tensor& kl,
                 const RowStats& student_stats, const RowStats& teacher_stats);
void kl_rows_cuda(const Tensor& student, const Tensor& teacher, double temperature, const Tensor& kl,
                  const RowStats& student_stats, const RowStats& teacher_stats);

// ---- elementwise maps: out[i] = f(i)
enum class LossMap {
  kCrossEntropyGrad,  // [N, C]: (softmax - smoothed one-hot) * dy / N
  kNllPick,           // [N]: -log_probs[r, t_r]
  kNllGrad,           // [N, C]: -dy / N at the target, 0 elsewhere
  kBce,               // max(x, 0) - x t + log(1 + exp(-|x|))
  kBceGradLogits,     // (sigmoid(x) - t) * dy * scale
  kBceGradTarget,     // -x * dy * scale
  kSquaredDiff,       // (a - b)^2
  kMseGrad,           // 2 (a - b) * dy * scale
  kKlGrad,            // [N, C]: (q - p) * dy * scale, scale = T / N
};

// What the maps read: a, b are [N, C] or elementwise operands; target int64 [N]; stats_a/stats_b the row
// statistics of a and b (scaled by param for the KL); dy a one-element tensor; param: label smoothing or
// 1 / temperature.
struct LossMapArgs {
  Tensor a, b, target;
  RowStats stats_a, stats_b;
  Tensor dy;
  double param = 0, scale = 1;
  int64_t cols = 1;
};

template <class T>
struct LossMapF {
  LossMap kind;
  const T* a;
  const T* b;
  const int64_t* target;
  const T* max_a;
  const T* log_sum_a;
  const T* max_b;
  const T* log_sum_b;
  const T* dy;
  T param, scale;
  int64_t cols;

  LOOM_HOST_DEVICE T operator()(int64_t i) const {
    switch (kind) {
      case LossMap::kCrossEntropyGrad: {
        const int64_t r = i / cols, c = i % cols;
        const T p = std::exp((a[i] - max_a[r]) - log_sum_a[r]);
        const T q = (c == target[r] ? T(1) - param : T(0)) + param / T(cols);
        return (p - q) * dy[0] * scale;
      }
      case LossMap::kNllPick: return -a[i * cols + target[i]];
      case LossMap::kNllGrad: return (i % cols) == target[i / cols] ? -dy[0] * scale : T(0);
      case LossMap::kBce: {
        const T x = a[i];
        return (x > T(0) ? x : T(0)) - x * b[i] + std::log1p(std::exp(-std::abs(x)));
      }
      case LossMap::kBceGradLogits: {
        const T x = a[i];
        const T e = std::exp(-std::abs(x));  // sigmoid without overflow on either side
        const T sig = x >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
        return (sig - b[i]) * dy[0] * scale;
      }
      case LossMap::kBceGradTarget: return -a[i] * dy[0] * scale;
      case LossMap::kSquaredDiff: { const T d = a[i] - b[i]; return d * d; }
      case LossMap::kMseGrad: return T(2) * (a[i] - b[i]) * dy[0] * scale;
      case LossMap::kKlGrad: {
        const int64_t r = i / cols;
        const T q = std::exp((a[i] * param - max_a[r]) - log_sum_a[r]);
        const T p = std::exp((b[i] * param - max_b[r]) - log_sum_b[r]);
        return (q - p) * dy[0] * scale;
      }
    }
    return T(0);
  }
};

template <class T>
const T* loss_opt_data(const Tensor& t) { return t.defined() ? t.data<T>() : nullptr; }

template <class T>
LossMapF<T> make_loss_map(LossMap kind, const LossMapArgs& m) {
  return {kind,
          loss_opt_data<T>(m.a),
          loss_opt_data<T>(m.b),
          loss_opt_data<int64_t>(m.target),
          loss_opt_data<T>(m.stats_a.max),
          loss_opt_data<T>(m.stats_a.log_sum),
          loss_opt_data<T>(m.stats_b.max),
          loss_opt_data<T>(m.stats_b.log_sum),
          loss_opt_data<T>(m.dy),
          T(m.param),
          T(m.scale),
          m.cols};
}

// out (dtype T of `out`) gets out.numel() values of the map.
void loss_map_cpu(LossMap kind, const LossMapArgs& args, const Tensor& out);
void loss_map_cuda(LossMap kind, const LossMapArgs& args, const Tensor& out);

}  // namespace loom::detail
