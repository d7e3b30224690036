// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Tensor: a dense, contiguous, row-major array of rank 0..4 on the CPU or a CUDA device, with autograd metadata.
// Tensors are cheap handles: copies share storage. Views (view/reshape, row slices) share storage too; every tensor
// is contiguous, so kernels index it as a flat array.
#pragma once
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "loom/core/device.h"
#include "loom/core/dtype.h"
#include "loom/core/error.h"

namespace loom {

using Shape = std::vector<int64_t>;
inline constexpr int kMaxRank = 4;

std::string shape_str(const Shape& s);  // "[2708, 1433]"
int64_t shape_numel(const Shape& s);

namespace autograd { struct Node; }
class Tensor;

// Raw memory on one device. CUDA memory comes from the caching allocator and goes back to it on destruction.
struct Storage {
  void* ptr = nullptr;
  size_t nbytes = 0;
  Device device;
  // 0, or B > 0 when every integer stored here is known to lie in [0, B): lets CUDA index checks skip their device
  // pass (core/detail/int_bounds.h says who sets and drops it).
  std::atomic<int64_t> nonneg_below{0};
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

struct AutogradMeta;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  size_t offset = 0;  // bytes from storage->ptr
  Shape shape;
  DType dtype = DType::kFloat32;
  std::unique_ptr<AutogradMeta> autograd;  // null until requires_grad or recorded by an op
  ~TensorImpl();
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // ---- metadata
  const Shape& shape() const;
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const { return shape_numel(shape()); }
  DType dtype() const;
  Device device() const;
  bool is_cuda() const { return device().is_cuda(); }
  bool is_cpu() const { return device().is_cpu(); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }
  std::string shape_str() const { return loom::shape_str(shape()); }
  std::string str() const;  // "float32[2, 3] on cpu"; "undefined" for an empty handle

  // ---- element access. data<T>() checks the dtype; the pointer is a device pointer for CUDA tensors.
  void* raw_data() const;
  template <class T> T* data() const {
    check_dtype_for_access(dtype_v<T>);
    return static_cast<T*>(raw_data());
  }
  template <class T> std::vector<T> to_vector() const;  // copies to host; dtype must be T
  template <class T> T item() const;                    // numel must be 1
  double item_double() const;                            // any dtype, numel 1

  // ---- conversions (always copies unless already there)
  Tensor to(Device d) const;
  Tensor to(DType t) const;  // differentiable between floating types
  Tensor cpu() const { return to(kCPU); }
  Tensor cuda() const { return to(kCUDA); }
  Tensor clone() const;  // differentiable

  // ---- views sharing storage (differentiable). One dimension of view() may be -1.
  Tensor view(Shape shape) const;
  Tensor reshape(Shape shape) const { return view(std::move(shape)); }
  Tensor flatten() const { return view({-1}); }
  // Rows [start, end) along dimension 0, without a copy (differentiable).
  Tensor narrow_rows(int64_t start, int64_t end) const;

  // ---- autograd
  bool requires_grad() const;
  Tensor& set_requires_grad(bool r);
  bool is_leaf() const;
  Tensor grad() const;  // undefined until backward() reaches this leaf
  void set_grad(const Tensor& g) const;
  void zero_grad() const;  // drops the gradient (like set_to_none)
  std::shared_ptr<autograd::Node> grad_fn() const;
  // Backpropagates from this tensor; a non-scalar needs an explicit gradient of its shape.
  void backward(const Tensor& grad = Tensor()) const;
  // Same storage, cut from the graph.
  Tensor detach() const;

  // ---- in-place updates outside autograd (optimizers, initialisation). They refuse tensors an op recorded.
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);                 // same shape and dtype, any device
  Tensor& add_(const Tensor& other, double alpha = 1.0);  // this += alpha * other
  Tensor& mul_(double value);

  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

 private:
  void check_dtype_for_access(DType want) const;
  std::shared_ptr<TensorImpl> impl_;
};

// ---- factories
Tensor empty(Shape shape, DType dtype = kFloat32, Device device = kCPU);
Tensor zeros(Shape shape, DType dtype = kFloat32, Device device = kCPU);
Tensor ones(Shape shape, DType dtype = kFloat32, Device device = kCPU);
Tensor full(Shape shape, double value, DType dtype = kFloat32, Device device = kCPU);
Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor scalar_tensor(double value, DType dtype = kFloat32, Device device = kCPU);
Tensor arange(int64_t n, DType dtype = kInt64, Device device = kCPU);  // 0, 1, ..., n-1
// A tensor holding a copy of `values` with the given shape ({values.size()} when empty).
template <class T> Tensor from_vector(const std::vector<T>& values, Shape shape = {}, Device device = kCPU);
inline Tensor tensor(std::initializer_list<float> v, Shape shape = {}, Device d = kCPU) {
  return from_vector<float>(std::vector<float>(v), std::move(shape), d);
}

// Copies bytes between two tensors of equal nbytes on any devices (no checks of dtype; used by I/O and to()).
void copy_bytes(const Tensor& dst, const Tensor& src);

}  // namespace loom
