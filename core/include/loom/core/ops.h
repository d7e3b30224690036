// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The op catalogue: every differentiable tensor op Loom offers, in one header.
// Each entry gives the formula, the shapes and the gradient. Floating ops accept float32 and float64; both inputs of
// a binary op must share dtype and device (no implicit promotion or transfer: the error names both).
// Implementations: core/ops/<family>.cpp (checks, dispatch, autograd), <family>_cpu.cpp, <family>_cuda.cu.
#pragma once
#include <cstdint>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

// ---------------------------------------------------------------- elementwise binary (core/ops/binary.*)
// out = a op b with NumPy broadcasting (trailing dimensions aligned; size-1 dimensions stretch).
// Gradients are summed back over the broadcast dimensions. da/db: add 1/1, sub 1/-1, mul b/a, div 1/b / -a/b^2.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
// Sums `x` over the dimensions that broadcasting stretched to reach x.shape() from `shape` (the gradient reduction).
Tensor sum_to(const Tensor& x, const Shape& shape);
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// ---------------------------------------------------------------- elementwise unary (core/ops/unary.*)
// y = f(x), same shape. Gradients: relu 1[x>0]; leaky_relu 1 or slope; elu 1 or alpha*e^x (x<=0);
// gelu exact (erf) form; sigmoid y(1-y); tanh 1-y^2; exp y; log 1/x; sqrt 1/(2y); pow p*x^(p-1).
Tensor neg(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor gelu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
// Scalar forms: y = x op s, y = x * s + b (affine keeps optimizers and losses to one kernel each).
Tensor add_scalar(const Tensor& x, double s);
Tensor mul_scalar(const Tensor& x, double s);
// Inverted dropout: during training zero each element with probability p and scale the rest by 1/(1-p).
// The mask comes from the global seeded generator (loom/core/random.h) and is identical on CPU and CUDA.
// p must be in [0, 1] (ValueError otherwise); p == 1 gives zeros. Eval mode or p == 0 returns x itself.
Tensor dropout(const Tensor& x, double p, bool training);

// ---------------------------------------------------------------- reductions (core/ops/reduce.*)
// Along `dim` (negative counts from the end); keepdim leaves a size-1 dimension. Without dim: over all elements
// (a rank-0 result). Sums are deterministic: a fixed blocking independent of the thread count.
// Gradients: sum broadcasts dy; mean broadcasts dy/n; max routes dy to the first arg-max of each slice.
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, int64_t dim, bool keepdim = false);
// Index of the maximum along dim (int64, not differentiable). Ties give the first.
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);

// ---------------------------------------------------------------- softmax (core/ops/softmax.*)
// y = exp(x - max) / sum exp(x - max) along dim. dx = y * (dy - sum(dy * y)).
Tensor softmax(const Tensor& x, int64_t dim);
// y = x - max - log sum exp(x - max). dx = dy - softmax(x) * sum(dy).
Tensor log_softmax(const Tensor& x, int64_t dim);

// ---------------------------------------------------------------- shape ops (core/ops/shape.*)
// concat along dim; all other dimensions equal. Gradient: slices of dy.
Tensor concat(const std::vector<Tensor>& xs, int64_t dim);
// Elements [start, end) along dim (negative indices count from the end). Gradient: dy placed into zeros.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end);
Tensor reshape(const Tensor& x, const Shape& shape);
// Swaps two dimensions (copies into a new contiguous tensor). Gradient: the same transpose of dy.
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);

// ---------------------------------------------------------------- indexing (core/ops/index.*)
// out[i] = x[index[i]] along dim 0 (rows). index is int32 or int64 on x's device; out of range throws IndexError.
// Gradient: index_add of dy into zeros.
Tensor index_select(const Tensor& x, const Tensor& index);
// out = x; out[index[i]] += src[i] (rows). Duplicate indices accumulate. Deterministic on CPU and CUDA (rows are
// processed in a fixed order per destination). Gradients: dx = dy, dsrc = index_select(dy, index).
Tensor index_add(const Tensor& x, const Tensor& index, const Tensor& src);

// ---------------------------------------------------------------- selection (core/ops/select.*)
// The k largest entries (largest = false: the k smallest) of every slice along the LAST dimension, sorted (largest
// first, or smallest first); equal values go to the lower index, so the result is deterministic and the same on CPU
// and CUDA. x floating [..., L], 0 <= k <= L (ValueError otherwise, naming k and L); NaN in x is a ValueError.
// Returns values [..., k] (x's dtype) and indices int64 [..., k] into the last dimension.
// Gradient: dvalues scattered back to the picked positions of x (zero elsewhere); indices carry none.
// CUDA: one thread block per long slice (a radix select), short slices (L <= 1024) sorted whole in shared memory,
// several per block; k up to 1024 (ValueError beyond that on CUDA).
struct TopK {
  Tensor values, indices;
};
TopK topk(const Tensor& x, int64_t k, bool largest = true);
// out[..., j] = x[..., index[..., j]] along the last dimension: x [..., L], index int32/int64 [..., K] with x's
// leading dimensions, on x's device; ids outside [0, L) are an IndexError naming the position.
// Gradient: dy summed back into the indexed positions of zeros shaped like x (repeated ids accumulate,
// deterministically).
Tensor gather_last(const Tensor& x, const Tensor& index);

// ---------------------------------------------------------------- linear algebra (core/ops/matmul.*)
// [M,K] x [K,N] -> [M,N]; [B,M,K] x [B,K,N] -> [B,M,N]; [B,M,K] x [K,N] -> [B,M,N] (shared right operand).
// Eigen + oneTBB on CPU, cuBLAS on CUDA. da = dy b^T, db = a^T dy (summed over B for a shared operand).
Tensor matmul(const Tensor& a, const Tensor& b);
// Batched only: [B,M,K] x [B,K,N].
Tensor bmm(const Tensor& a, const Tensor& b);

// ---------------------------------------------------------------- grouped product (core/ops/grouped_matmul.*)
// Typed linear maps in one call: rows offsets[g] .. offsets[g+1] of x form group g, and
//   y[i] = x[i] W_g (+ bias_g)    x [N, K], w [G, K, M], bias [G, M] or undefined -> y [N, M].
// offsets are G + 1 host integers, non-decreasing from 0 to N (empty groups allowed); K, M >= 1. Rows must be sorted
// by group (TypedLinear sorts them). CPU: one oneTBB loop over (group, row block) tiles, Eigen per tile; CUDA: one
// cuBLAS grouped-batched GEMM. Gradients: dx_g = dy_g W_g^T (the same grouped call), dW_g = x_g^T dy_g,
// dbias_g = column sums of dy_g (zero for an empty group). Deterministic for any thread count.
Tensor grouped_matmul(const Tensor& x, const Tensor& w, const std::vector<int64_t>& offsets,
                      const Tensor& bias = Tensor());

// ---------------------------------------------------------------- normalisation (core/ops/norm.*)
// Over the last dimension: y = (x - mean) / sqrt(var + eps) * weight + bias (weight/bias [C] may be undefined).
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps = 1e-5);
// x [N, C]: normalise each channel over the batch. In training, uses the batch statistics and updates
// running_mean/running_var in place (momentum as in PyTorch, unbiased running variance); in eval, uses them.
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                  Tensor& running_var, bool training, double momentum = 0.1, double eps = 1e-5);

// ---------------------------------------------------------------- losses (core/ops/loss.*)
// Mean over the batch. logits [N, C]; target int64 [N] class ids (checked in range).
// label_smoothing s: target distribution (1-s) one-hot + s/C.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, double label_smoothing = 0.0);
// log_probs [N, C], target [N]: -mean log_probs[i, target[i]].
Tensor nll_loss(const Tensor& log_probs, const Tensor& target);
// Numerically stable: max(x,0) - x*t + log(1 + exp(-|x|)), mean. target has x's shape and dtype.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target);
Tensor mse_loss(const Tensor& input, const Tensor& target);
// Distillation: T^2 * KL(softmax(teacher/T) || softmax(student/T)), mean over rows. Gradient to student only.
Tensor kl_div_with_temperature(const Tensor& student_logits, const Tensor& teacher_logits, double temperature);

// ---------------------------------------------------------------- operators
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& a, double s) { return add_scalar(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add_scalar(a, -s); }
inline Tensor operator*(const Tensor& a, double s) { return mul_scalar(a, s); }
inline Tensor operator*(double s, const Tensor& a) { return mul_scalar(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return mul_scalar(a, 1.0 / s); }

// ---------------------------------------------------------------- comparisons and utilities (no gradient)
// Elementwise |a - b| <= atol + rtol * |b| on any device (copied to host); false when shapes differ.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);
// Largest |a - b| (shapes must match).
double max_abs_diff(const Tensor& a, const Tensor& b);
// Whether any element is NaN or infinite.
bool has_nonfinite(const Tensor& x);

}  // namespace loom
