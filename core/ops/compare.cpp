// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Comparisons used by tests and checks: allclose, max_abs_diff, has_nonfinite (host-side, any device).
#include <cmath>

#include "core/detail/check.h"
#include "core/detail/dispatch.h"
#include "loom/core/ops.h"

namespace loom {

namespace {
std::vector<double> host_doubles(const Tensor& t) {
  std::vector<double> out;
  detail::dispatch_all(t.dtype(), "compare", [&]<class T>() {
    std::vector<T> v = t.to_vector<T>();
    out.assign(v.begin(), v.end());
  });
  return out;
}
}  // namespace

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  if (a.shape() != b.shape()) return false;
  const std::vector<double> x = host_doubles(a), y = host_doubles(b);
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) return false;
    if (std::abs(x[i] - y[i]) > atol + rtol * std::abs(y[i])) return false;
  }
  return true;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  detail::check_same_shape("max_abs_diff", "a", a, "b", b);
  const std::vector<double> x = host_doubles(a), y = host_doubles(b);
  double m = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double d = std::abs(x[i] - y[i]);
    if (std::isnan(d)) return d;
    m = std::max(m, d);
  }
  return m;
}

bool has_nonfinite(const Tensor& x) {
  for (double v : host_doubles(x))
    if (!std::isfinite(v)) return true;
  return false;
}

}  // namespace loom
