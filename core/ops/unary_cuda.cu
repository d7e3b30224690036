// CUDA kernels of the unary family: the shared functors in a grid-stride map.
#include "core/detail/dispatch.h"
#include "core/detail/elementwise.cuh"
#include "core/ops/unary.h"

namespace loom::detail {

void unary_cuda(UnaryOp op, const UnaryParams& p, const Tensor& x, const Tensor& y) {
  dispatch_floating(x.dtype(), "unary", [&]<class T>() {
    with_unary_functor(op, p, [&](auto f) { unary_map_cuda(x.data<T>(), y.data<T>(), x.numel(), f); });
  });
}

}  // namespace loom::detail
