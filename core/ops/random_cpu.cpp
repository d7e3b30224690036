// CPU kernels of the random family: parallel maps over the element index (each element hashes its own counter,
// so the result does not depend on the thread schedule).
#include "core/detail/dispatch.h"
#include "core/detail/parallel.h"
#include "core/ops/random.h"

namespace loom::detail {

namespace {
constexpr int64_t kRandomGrain = 1 << 14;

template <class T, class S>
void fill(T* out, int64_t n, uint64_t seed, uint64_t offset, S sampler) {
  parallel_for(n, kRandomGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      out[i] = sampler.template sample<T>(hash_bits(seed, offset + static_cast<uint64_t>(i)));
  });
}
}  // namespace

void random_fill_cpu(RandomKind kind, double low, double high, uint64_t seed, uint64_t offset, const Tensor& out) {
  dispatch_floating(out.dtype(), "random", [&]<class T>() {
    if (kind == RandomKind::kUniform) fill(out.data<T>(), out.numel(), seed, offset, UniformSampler{low, high});
    else fill(out.data<T>(), out.numel(), seed, offset, NormalSampler{});
  });
}

void dropout_cpu(const DropoutMask& mask, const Tensor& in, const Tensor& out) {
  dispatch_floating(in.dtype(), "dropout", [&]<class T>() {
    const T* x = in.data<T>();
    T* y = out.data<T>();
    const T scale = T(mask.scale);
    parallel_for(in.numel(), kRandomGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) y[i] = mask.keep(i) ? x[i] * scale : T(0);
    });
  });
}

}  // namespace loom::detail
