// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Losses (mean over the batch): cross-entropy (fused log-softmax + NLL), NLL, BCE with logits, MSE and the
// temperature-scaled distillation KL. Checks, per-row / elementwise kernels (loss.h) and fused backward maps.
#include "core/ops/loss.h"

#include "core/ops/index.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace {

using detail::LossMap;
using detail::LossMapArgs;

// A fresh tensor of `shape` filled by one elementwise map on `device`.
Tensor loss_map(LossMap kind, const LossMapArgs& args, const Shape& shape, DType dtype, Device device) {
  Tensor out = empty(shape, dtype, device);
  if (out.numel() == 0) return out;
  if (device.is_cuda()) {
    LOOM_CUDA_ONLY("loss", detail::loss_map_cuda(kind, args, out));
  } else {
    detail::loss_map_cpu(kind, args, out);
  }
  return out;
}

// Uninitialised row statistics for `rows` rows of x's dtype and device.
detail::RowStats row_stats(int64_t rows, const Tensor& x) {
  return {empty({rows}, x.dtype(), x.device()), empty({rows}, x.dtype(), x.device())};
}

// Mean of per-row or per-element losses, as a rank-0 tensor (deterministic sum()).
Tensor mean_of(const Tensor& values) { return mul_scalar(sum(values), 1.0 / double(values.numel())); }

// logits/log_probs [N, C] floating; target int64 [N] on the same device with every id in [0, C).
void check_class_targets(const char* op, const char* arg, const Tensor& x, const Tensor& target) {
  detail::check_floating(op, arg, x);
  LOOM_CHECK(x.dim() == 2, ShapeError, op, ": '", arg, "' must be [N, C], got shape ", x.shape_str());
  detail::check_defined(op, "target", target);
  LOOM_CHECK(target.dtype() == kInt64, DTypeError, op, ": 'target' must be int64 class ids, got ",
             dtype_name(target.dtype()), " ", target.shape_str());
  LOOM_CHECK(target.shape() == Shape{x.size(0)}, ShapeError, op, ": 'target' must have shape [", x.size(0),
             "] to match '", arg, "' ", x.shape_str(), ", got ", target.shape_str());
  detail::check_same_device(op, arg, x, "target", target);
  const int64_t classes = x.size(1);
  LOOM_CHECK(classes >= 1, ShapeError, op, ": '", arg, "' has no classes: ", x.shape_str());
  // The index family's search (core/ops/index.h): on CUDA it skips targets already known to be in range and
  // otherwise searches on the device with one small copy back.
  const detail::BadIndex bad = target.is_cuda() ? detail::find_bad_index_device(op, target, classes)
                                                : detail::find_bad_index_cpu(target, classes);
  LOOM_CHECK(bad.pos < 0, IndexError, op, ": target[", bad.pos, "] = ", bad.value, " is out of range for ", classes,
             " classes (expected 0 <= target < ", classes, ")");
}

// Two same-shape, same-dtype, same-device floating operands.
void check_pair(const char* op, const char* a_name, const Tensor& a, const char* b_name, const Tensor& b) {
  detail::check_floating(op, a_name, a);
  detail::check_floating(op, b_name, b);
  detail::check_same_device(op, a_name, a, b_name, b);
  detail::check_same_dtype(op, a_name, a, b_name, b);
  detail::check_same_shape(op, a_name, a, b_name, b);
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, double label_smoothing) {
  const char* op = "cross_entropy";
  check_class_targets(op, "logits", logits, target);
  LOOM_CHECK(label_smoothing >= 0 && label_smoothing <= 1, ValueError, op,
             ": label_smoothing must be in [0, 1], got ", label_smoothing);
  const int64_t n = logits.size(0), c = logits.size(1);
  const Tensor x = logits.detach(), t = target.detach();
  Tensor rows = empty({n}, x.dtype(), x.device());
  const detail::RowStats stats = row_stats(n, x);
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY(op, detail::cross_entropy_rows_cuda(x, t, label_smoothing, rows, stats));
  } else {
    detail::cross_entropy_rows_cpu(x, t, label_smoothing, rows, stats);
  }
  Tensor out = mean_of(rows);
  autograd::record(op, {logits, target}, out, [x, t, stats, label_smoothing, n, c](const Tensor& dy) {
    // d/dx of the mean loss: (softmax - ((1 - s) one-hot + s / C)) / N, one fused map over [N, C].
    const LossMapArgs m{x, Tensor(), t, stats, {}, dy, label_smoothing, 1.0 / double(n), c};
    return std::vector<Tensor>{loss_map(LossMap::kCrossEntropyGrad, m, x.shape(), x.dtype(), x.device()), Tensor()};
  });
  return out;
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target) {
  const char* op = "nll_loss";
  check_class_targets(op, "log_probs", log_probs, target);
  const int64_t n = log_probs.size(0), c = log_probs.size(1);
  const Tensor t = target.detach();
  const LossMapArgs pick{log_probs.detach(), Tensor(), t, {}, {}, Tensor(), 0.0, 1.0, c};
  Tensor out = mean_of(loss_map(LossMap::kNllPick, pick, {n}, log_probs.dtype(), log_probs.device()));
  autograd::record(op, {log_probs, target}, out,
                   [t, shape = log_probs.shape(), dtype = log_probs.dtype(), n, c](const Tensor& dy) {
                     const LossMapArgs m{Tensor(), Tensor(), t, {}, {}, dy, 0.0, 1.0 / double(n), c};
                     return std::vector<Tensor>{loss_map(LossMap::kNllGrad, m, shape, dtype, dy.device()), Tensor()};
                   });
  return out;
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target) {
  const char* op = "binary_cross_entropy_with_logits";
  check_pair(op, "logits", logits, "target", target);
  const Tensor x = logits.detach(), t = target.detach();
  const LossMapArgs fwd{x, t, Tensor(), {}, {}, Tensor(), 0.0, 1.0, 1};
  Tensor out = mean_of(loss_map(LossMap::kBce, fwd, x.shape(), x.dtype(), x.device()));
  const bool gx = logits.requires_grad(), gt = target.requires_grad();
  autograd::record(op, {logits, target}, out, [x, t, gx, gt](const Tensor& dy) {
    const LossMapArgs m{x, t, Tensor(), {}, {}, dy, 0.0, 1.0 / double(x.numel()), 1};
    return std::vector<Tensor>{
        gx ? loss_map(LossMap::kBceGradLogits, m, x.shape(), x.dtype(), x.device()) : Tensor(),
        gt ? loss_map(LossMap::kBceGradTarget, m, x.shape(), x.dtype(), x.device()) : Tensor()};
  });
  return out;
}

Tensor mse_loss(const Tensor& input, const Tensor& target) {
  const char* op = "mse_loss";
  check_pair(op, "input", input, "target", target);
  const Tensor a = input.detach(), b = target.detach();
  const LossMapArgs fwd{a, b, Tensor(), {}, {}, Tensor(), 0.0, 1.0, 1};
  Tensor out = mean_of(loss_map(LossMap::kSquaredDiff, fwd, a.shape(), a.dtype(), a.device()));
  const bool ga = input.requires_grad(), gb = target.requires_grad();
  autograd::record(op, {input, target}, out, [a, b, ga, gb](const Tensor& dy) {
    const double inv_n = 1.0 / double(a.numel());
    const LossMapArgs da{a, b, Tensor(), {}, {}, dy, 0.0, inv_n, 1};
    const LossMapArgs db{a, b, Tensor(), {}, {}, dy, 0.0, -inv_n, 1};
    return std::vector<Tensor>{ga ? loss_map(LossMap::kMseGrad, da, a.shape(), a.dtype(), a.device()) : Tensor(),
                               gb ? loss_map(LossMap::kMseGrad, db, a.shape(), a.dtype(), a.device()) : Tensor()};
  });
  return out;
}

Tensor kl_div_with_temperature(const Tensor& student_logits, const Tensor& teacher_logits, double temperature) {
  const char* op = "kl_div_with_temperature";
  check_pair(op, "student_logits", student_logits, "teacher_logits", teacher_logits);
  LOOM_CHECK(student_logits.dim() == 2, ShapeError, op, ": 'student_logits' must be [N, C], got shape ",
             student_logits.shape_str());
  LOOM_CHECK(temperature > 0, ValueError, op, ": temperature must be > 0, got ", temperature);
  const int64_t n = student_logits.size(0), c = student_logits.size(1);
  LOOM_CHECK(c >= 1, ShapeError, op, ": 'student_logits' has no classes: ", student_logits.shape_str());
  const Tensor s = student_logits.detach(), t = teacher_logits.detach();
  Tensor kl = empty({n}, s.dtype(), s.device());
  const detail::RowStats ss = row_stats(n, s), ts = row_stats(n, t);
  if (s.is_cuda()) {
    LOOM_CUDA_ONLY(op, detail::kl_rows_cuda(s, t, temperature, kl, ss, ts));
  } else {
    detail::kl_rows_cpu(s, t, temperature, kl, ss, ts);
  }
  // T^2 keeps the gradient's scale independent of the temperature (Hinton et al.).
  Tensor out = mul_scalar(sum(kl), temperature * temperature / double(n));
  autograd::record(op, {student_logits, teacher_logits}, out,
                   [s, t, ss, ts, temperature, n, c](const Tensor& dy) {
                     // d/ds of T^2/N sum KL = T^2/N * (q - p) / T.
                     const LossMapArgs m{s, t, Tensor(), ss, ts, dy, 1.0 / temperature, temperature / double(n), c};
                     return std::vector<Tensor>{loss_map(LossMap::kKlGrad, m, s.shape(), s.dtype(), s.device()),
                                                Tensor()};
                   });
  return out;
}

}  // namespace loom
