// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Tensor handles: metadata, factories, device/dtype conversion, views and the autograd entry points.
#include "loom/core/tensor.h"

#include <cstring>

#include "core/detail/check.h"
#include "core/detail/cuda_runtime.h"
#include "core/detail/dispatch.h"
#include "core/detail/elementwise.h"
#include "core/detail/int_bounds.h"
#include "loom/core/autograd.h"
#include "loom/core/checked.h"
#include "loom/core/ops.h"

namespace loom {

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

int64_t checked_numel(const Shape& s, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : s) {
    LOOM_CHECK(d >= 0, ShapeError, what, ": negative dimension in shape ", shape_str(s));
    LOOM_CHECK(!__builtin_mul_overflow(n, d, &n), ShapeError, what, ": shape ", shape_str(s),
               " has more elements than a 64-bit count holds");
  }
  return n;
}

size_t checked_nbytes(const Shape& s, DType dtype, const std::string& what) {
  const int64_t n = checked_numel(s, what);
  int64_t bytes = 0;
  LOOM_CHECK(!__builtin_mul_overflow(n, static_cast<int64_t>(dtype_size(dtype)), &bytes), ShapeError, what,
             ": shape ", shape_str(s), " of ", dtype_name(dtype), " needs more bytes than a 64-bit size holds");
  return static_cast<size_t>(bytes);
}

Device Device::parse(const std::string& s) {
  if (s == "cpu") return kCPU;
  if (s == "cuda") return kCUDA;
  if (s.rfind("cuda:", 0) == 0) {
    try {
      return Device(DeviceType::kCUDA, std::stoi(s.substr(5)));
    } catch (const std::exception&) {
    }
  }
  throw ValueError("unknown device '" + s + "' (expected cpu, cuda or cuda:N)");
}

TensorImpl::~TensorImpl() = default;

namespace {
void check_shape(const char* op, const Shape& shape) {
  LOOM_CHECK(shape.size() <= static_cast<size_t>(kMaxRank), ShapeError, op, ": rank ", shape.size(),
             " exceeds the maximum of ", kMaxRank, " (shape ", shape_str(shape), ")");
  for (int64_t d : shape)
    LOOM_CHECK(d >= 0, ShapeError, op, ": negative dimension in shape ", shape_str(shape));
}
const TensorImpl& must(const std::shared_ptr<TensorImpl>& p) {
  LOOM_CHECK(p != nullptr, ValueError, "use of an undefined tensor");
  return *p;
}
}  // namespace

const Shape& Tensor::shape() const { return must(impl_).shape; }
DType Tensor::dtype() const { return must(impl_).dtype; }
Device Tensor::device() const { return must(impl_).storage->device; }
int64_t Tensor::size(int64_t d) const {
  const int64_t r = dim();
  const int64_t w = d < 0 ? d + r : d;
  LOOM_CHECK(w >= 0 && w < r, IndexError, "size(", d, ") is out of range for shape ", shape_str());
  return shape()[static_cast<size_t>(w)];
}
std::string Tensor::str() const {
  if (!defined()) return "undefined";
  return std::string(dtype_name(dtype())) + shape_str() + " on " + device().str();
}
void* Tensor::raw_data() const {
  const TensorImpl& t = must(impl_);
  return t.storage->ptr ? static_cast<char*>(t.storage->ptr) + t.offset : nullptr;
}
void Tensor::check_dtype_for_access(DType want) const {
  LOOM_CHECK(dtype() == want, DTypeError, "data<", dtype_name(want), ">() on a ", str(), " tensor");
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  check_dtype_for_access(dtype_v<T>);
  std::vector<T> out(static_cast<size_t>(numel()));
  if (out.empty()) return out;
  if (is_cpu()) {
    std::memcpy(out.data(), raw_data(), nbytes());
  } else {
    detail::cuda_copy_d2h(out.data(), raw_data(), nbytes());
  }
  return out;
}
template <class T>
T Tensor::item() const {
  LOOM_CHECK(numel() == 1, ShapeError, "item(): tensor has ", numel(), " elements ", shape_str(), ", expected 1");
  return to_vector<T>()[0];
}
double Tensor::item_double() const {
  return detail::dispatch_all(dtype(), "item", [&]<class T>() { return static_cast<double>(item<T>()); });
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int32_t Tensor::item<int32_t>() const;
template int64_t Tensor::item<int64_t>() const;

// ---------------------------------------------------------------- factories

Tensor empty(Shape shape, DType dtype, Device device) {
  check_shape("empty", shape);
  const size_t nbytes = checked_nbytes(shape, dtype, "empty");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(nbytes, device);
  impl->shape = std::move(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}
Tensor full(Shape shape, double value, DType dtype, Device device) {
  Tensor t = empty(std::move(shape), dtype, device);
  t.fill_(value);
  return t;
}
Tensor zeros(Shape shape, DType dtype, Device device) { return full(std::move(shape), 0.0, dtype, device); }
Tensor ones(Shape shape, DType dtype, Device device) { return full(std::move(shape), 1.0, dtype, device); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype(), t.device()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }
Tensor scalar_tensor(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

Tensor arange(int64_t n, DType dtype, Device device) {
  LOOM_CHECK(n >= 0, ValueError, "arange: n must be non-negative, got ", n);
  Tensor t = empty({n}, dtype, kCPU);
  detail::dispatch_all(dtype, "arange", [&]<class T>() {
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i);
  });
  return device.is_cpu() ? t : t.to(device);
}

template <class T>
Tensor from_vector(const std::vector<T>& values, Shape shape, Device device) {
  if (shape.empty() && values.size() != 1) shape = {static_cast<int64_t>(values.size())};
  LOOM_CHECK(shape_numel(shape) == static_cast<int64_t>(values.size()), ShapeError, "from_vector: ", values.size(),
             " values do not fill shape ", shape_str(shape));
  Tensor t = empty(std::move(shape), dtype_v<T>, device);
  if (values.empty()) return t;
  if (device.is_cpu()) {
    std::memcpy(t.raw_data(), values.data(), t.nbytes());
  } else {
    detail::cuda_copy_h2d(t.raw_data(), values.data(), t.nbytes());
    detail::record_host_bounds(t, values.data());
  }
  return t;
}
template Tensor from_vector<float>(const std::vector<float>&, Shape, Device);
template Tensor from_vector<double>(const std::vector<double>&, Shape, Device);
template Tensor from_vector<int32_t>(const std::vector<int32_t>&, Shape, Device);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&, Shape, Device);

void copy_bytes(const Tensor& dst, const Tensor& src) {
  LOOM_ASSERT(dst.nbytes() == src.nbytes(), dst.str(), " <- ", src.str());
  detail::forget_bounds(dst);  // whatever was known of dst's storage no longer holds
  const size_t n = src.nbytes();
  if (n == 0) return;
  if (dst.is_cpu() && src.is_cpu()) {
    std::memcpy(dst.raw_data(), src.raw_data(), n);
  } else if (dst.is_cuda() && src.is_cpu()) {
    detail::cuda_copy_h2d(dst.raw_data(), src.raw_data(), n);
  } else if (dst.is_cpu() && src.is_cuda()) {
    detail::cuda_copy_d2h(dst.raw_data(), src.raw_data(), n);
  } else {
    detail::cuda_copy_d2d(dst.raw_data(), src.raw_data(), n);
  }
}

// ---------------------------------------------------------------- conversions

Tensor Tensor::to(Device d) const {
  if (device() == d) return *this;
  Tensor out = empty(shape(), dtype(), d);
  copy_bytes(out, *this);
  if (is_cpu()) detail::record_host_bounds(out, raw_data());
  const Device from = device();
  autograd::record("to", {*this}, out, [from](const Tensor& dy) { return std::vector<Tensor>{dy.to(from)}; });
  return out;
}

Tensor Tensor::to(DType t) const {
  if (dtype() == t) return *this;
  Tensor out = empty(shape(), t, device());
  if (is_cpu()) {
    detail::dispatch_all(dtype(), "to(dtype)", [&]<class S>() {
      detail::dispatch_all(t, "to(dtype)", [&]<class D>() {
        detail::unary_map_cpu(data<S>(), out.data<D>(), numel(), [](S s) { return static_cast<D>(s); });
      });
    });
  } else {
    detail::cuda_cast(raw_data(), dtype(), out.raw_data(), t, numel());
  }
  if (is_floating(dtype()) && is_floating(t)) {
    const DType from = dtype();
    autograd::record("to", {*this}, out, [from](const Tensor& dy) { return std::vector<Tensor>{dy.to(from)}; });
  }
  return out;
}

Tensor Tensor::clone() const {
  Tensor out = empty_like(*this);
  copy_bytes(out, *this);
  autograd::record("clone", {*this}, out, [](const Tensor& dy) { return std::vector<Tensor>{dy}; });
  return out;
}

// ---------------------------------------------------------------- views

Tensor Tensor::view(Shape s) const {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      LOOM_CHECK(infer < 0, ShapeError, "view: more than one -1 in ", loom::shape_str(s));
      infer = static_cast<int64_t>(i);
    } else {
      LOOM_CHECK(s[i] >= 0, ShapeError, "view: negative dimension in ", loom::shape_str(s));
      known *= s[i];
    }
  }
  if (infer >= 0) {
    LOOM_CHECK(known != 0 && numel() % known == 0, ShapeError, "view: cannot view ", shape_str(), " (", numel(),
               " elements) as ", loom::shape_str(s));
    s[static_cast<size_t>(infer)] = numel() / known;
  }
  LOOM_CHECK(shape_numel(s) == numel(), ShapeError, "view: cannot view ", shape_str(), " (", numel(),
             " elements) as ", loom::shape_str(s));
  check_shape("view", s);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->offset = impl_->offset;
  impl->shape = s;
  impl->dtype = impl_->dtype;
  Tensor out(std::move(impl));
  const Shape from = shape();
  autograd::record("view", {*this}, out, [from](const Tensor& dy) { return std::vector<Tensor>{dy.view(from)}; });
  return out;
}

Tensor Tensor::narrow_rows(int64_t start, int64_t end) const {
  LOOM_CHECK(dim() >= 1, ShapeError, "narrow_rows: needs rank >= 1, got ", shape_str());
  const int64_t n = shape()[0];
  LOOM_CHECK(0 <= start && start <= end && end <= n, IndexError, "narrow_rows: rows [", start, ", ", end,
             ") out of range for ", n, " rows");
  const int64_t row = numel() / (n == 0 ? 1 : n);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->offset = impl_->offset + static_cast<size_t>(start * row) * dtype_size(dtype());
  impl->shape = shape();
  impl->shape[0] = end - start;
  impl->dtype = impl_->dtype;
  Tensor out(std::move(impl));
  const Shape full_shape = shape();
  autograd::record("narrow_rows", {*this}, out, [full_shape, start, end](const Tensor& dy) {
    Tensor g = zeros(full_shape, dy.dtype(), dy.device());
    g.narrow_rows(start, end).copy_(dy);
    return std::vector<Tensor>{g};
  });
  return out;
}

// ---------------------------------------------------------------- autograd entry points

bool Tensor::requires_grad() const { return impl_ && impl_->autograd && impl_->autograd->requires_grad; }
Tensor& Tensor::set_requires_grad(bool r) {
  LOOM_CHECK(!r || is_floating(dtype()), DTypeError, "set_requires_grad: only floating tensors have gradients, got ",
             str());
  LOOM_CHECK(is_leaf(), ValueError, "set_requires_grad: only leaf tensors can change requires_grad (use detach())");
  if (!impl_->autograd) impl_->autograd = std::make_unique<AutogradMeta>();
  impl_->autograd->requires_grad = r;
  return *this;
}
bool Tensor::is_leaf() const { return !(impl_ && impl_->autograd && impl_->autograd->grad_fn); }
Tensor Tensor::grad() const { return impl_ && impl_->autograd ? impl_->autograd->grad : Tensor(); }
void Tensor::set_grad(const Tensor& g) const {
  if (!impl_->autograd) impl_->autograd = std::make_unique<AutogradMeta>();
  impl_->autograd->grad = g;
}
void Tensor::zero_grad() const {
  if (impl_ && impl_->autograd) impl_->autograd->grad = Tensor();
}
std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  return impl_ && impl_->autograd ? impl_->autograd->grad_fn : nullptr;
}
void Tensor::backward(const Tensor& grad) const { autograd::run_backward(*this, grad); }
Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  impl->dtype = impl_->dtype;
  return Tensor(std::move(impl));
}

// ---------------------------------------------------------------- in-place updates

namespace {
void check_inplace(const char* op, const Tensor& t) {
  detail::check_defined(op, "self", t);
  LOOM_CHECK(t.is_leaf(), ValueError, op, ": cannot modify a tensor that an op produced while recording gradients ",
             "(detach() it first)");
}
}  // namespace

Tensor& Tensor::fill_(double value) {
  check_inplace("fill_", *this);
  detail::forget_bounds(*this);
  if (is_cpu()) {
    detail::dispatch_all(dtype(), "fill_", [&]<class T>() {
      T* p = data<T>();
      const T v = static_cast<T>(value);
      detail::parallel_for(numel(), detail::kElementwiseGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) p[i] = v;
      });
    });
  } else {
    detail::cuda_fill(raw_data(), dtype(), numel(), value);
  }
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace("copy_", *this);
  detail::check_defined("copy_", "src", src);
  detail::check_same_shape("copy_", "self", *this, "src", src);
  detail::check_same_dtype("copy_", "self", *this, "src", src);
  copy_bytes(*this, src);
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_inplace("add_", *this);
  NoGradGuard guard;
  Tensor sum = add(detach(), alpha == 1.0 ? other.detach() : mul_scalar(other.detach(), alpha));
  LOOM_CHECK(sum.shape() == shape(), ShapeError, "add_: 'other' ", other.shape_str(), " does not broadcast to ",
             shape_str());
  copy_bytes(*this, sum);
  return *this;
}

Tensor& Tensor::mul_(double value) {
  check_inplace("mul_", *this);
  NoGradGuard guard;
  copy_bytes(*this, mul_scalar(detach(), value));
  return *this;
}

}  // namespace loom
