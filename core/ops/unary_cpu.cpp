// CPU kernels of the unary family: the shared functors in a parallel map.
#include "core/detail/dispatch.h"
#include "core/ops/unary.h"

namespace loom::detail {

void unary_cpu(UnaryOp op, const UnaryParams& p, const Tensor& x, const Tensor& y) {
  dispatch_floating(x.dtype(), "unary", [&]<class T>() {
    with_unary_functor(op, p, [&](auto f) { unary_map_cpu(x.data<T>(), y.data<T>(), x.numel(), f); });
  });
}

}  // namespace loom::detail
