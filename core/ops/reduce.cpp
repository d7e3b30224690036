// Reductions: sum, mean and max along a dimension or over everything, and argmax.
#include "core/ops/reduce.h"

#include "core/detail/check.h"
#include "core/detail/macros.h"
#include "loom/core/autograd.h"
#include "loom/core/ops.h"

namespace loom {

namespace detail {
ReduceDims reduce_dims(const Shape& shape, int64_t dim) {
  ReduceDims d;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    const int64_t s = shape[static_cast<size_t>(i)];
    if (i < dim) d.outer *= s;
    else if (i == dim) d.axis = s;
    else d.inner *= s;
  }
  return d;
}

namespace {
Shape reduced_shape(const Shape& s, int64_t dim, bool keepdim) {
  Shape out = s;
  if (keepdim) out[static_cast<size_t>(dim)] = 1;
  else out.erase(out.begin() + dim);
  return out;
}

// Chunked sum: [outer, axis, inner] -> partial [outer, chunks, inner] -> ... -> [outer, inner].
Tensor sum_dim_impl(const Tensor& x, const ReduceDims& d) {
  const int64_t chunk = x.is_cuda() ? kSumChunkCuda : kSumChunkCpu;
  const int64_t chunks = d.axis <= chunk ? 1 : (d.axis + chunk - 1) / chunk;
  Tensor out = empty({d.outer * chunks, d.inner}, x.dtype(), x.device());
  if (x.is_cuda()) {
    LOOM_CUDA_ONLY("sum", sum_dim_cuda(x, d, chunk, out));
  } else {
    sum_dim_cpu(x, d, chunk, out);
  }
  if (chunks == 1) return out;
  return sum_dim_impl(out, ReduceDims{d.outer, chunks, d.inner});
}
}  // namespace
}  // namespace detail

Tensor sum(const Tensor& x, int64_t dim, bool keepdim) {
  detail::check_floating("sum", "x", x);
  const int64_t rank = x.dim();
  LOOM_CHECK(rank >= 1, ShapeError, "sum: cannot reduce dimension ", dim, " of a rank-0 tensor");
  const int64_t d = detail::wrap_dim("sum", dim, rank);
  const detail::ReduceDims rd = detail::reduce_dims(x.shape(), d);
  Tensor out = detail::sum_dim_impl(x.detach(), rd).view(detail::reduced_shape(x.shape(), d, keepdim));
  autograd::record("sum", {x}, out, [xs = x.shape(), d](const Tensor& dy) {
    Shape kept = xs;
    kept[static_cast<size_t>(d)] = 1;
    return std::vector<Tensor>{add(zeros(xs, dy.dtype(), dy.device()), dy.view(kept))};
  });
  return out;
}

Tensor sum(const Tensor& x) {
  detail::check_floating("sum", "x", x);
  Tensor out = sum(x.detach().view({-1}), 0, false);  // rank 0
  autograd::record("sum", {x}, out, [xs = x.shape()](const Tensor& dy) {
    return std::vector<Tensor>{add(zeros(xs, dy.dtype(), dy.device()), dy)};
  });
  return out;
}

}  // namespace loom
