// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The device path of exact search: the items live as [dim, block] core tensors (on the GPU for kCuda); a batch of
// users is one core matmul per block and one core topk that over-fetches by what the block can exclude, and the
// blocks' candidates merge on the host in the exact path's order. kOpsOnCpu runs the same code on CPU tensors.
#include <algorithm>

#include "index_impl.h"
#include "loom/core/autograd.h"
#include "loom/core/device.h"
#include "loom/core/error.h"
#include "loom/core/ops.h"
#include "loom/core/tensor.h"

namespace loom::serve::detail {

namespace {

constexpr int64_t kQueryRows = 1024;  // users per matmul: bounds the [users, block] score matrix
constexpr int64_t kCudaTopkLimit = 1024;  // core topk's largest k on CUDA

class TensorItems final : public DeviceItems {
 public:
  TensorItems(const EmbeddingTables& t, const IndexOptions& o)
      : device_(o.exact_path == ExactPath::kCuda ? kCUDA : kCPU), dim_(t.dim) {
    LOOM_CHECK(!device_.is_cuda() || cuda::is_available(), DeviceError,
               "EmbeddingIndex: exact_path = kCuda needs a CUDA build of Loom and a GPU (",
               cuda::is_built() ? "no device found" : "built without CUDA", ")");
    NoGradGuard no_grad;
    const int64_t n = t.num_items(), block = o.device_item_block;
    for (int64_t p0 = 0; p0 < n; p0 += block) {
      const int64_t nb = std::min(n, p0 + block) - p0;
      std::vector<float> tr(static_cast<size_t>(dim_ * nb));  // transposed on the host: matmul takes [dim, nb]
      for (int64_t j = 0; j < nb; ++j)
        for (int64_t d = 0; d < dim_; ++d) tr[d * nb + j] = t.item_embeddings[(p0 + j) * dim_ + d];
      starts_.push_back(p0);
      blocks_.push_back(from_vector<float>(tr, {dim_, nb}, device_));
    }
    starts_.push_back(n);
  }

  bool topk(const float* queries, int64_t rows, const Candidates& c, const Exclusions& skip, int64_t k,
            std::vector<std::vector<Hit>>& out) const override {
    if (!c.all) return false;  // allow-lists are short: the CPU path scans only them, cheaper than a device pass
    NoGradGuard no_grad;
    std::vector<std::vector<Hit>> result(static_cast<size_t>(rows));
    for (int64_t r0 = 0; r0 < rows; r0 += kQueryRows) {
      const int64_t nr = std::min(rows, r0 + kQueryRows) - r0;
      const Tensor q = from_vector<float>(std::vector<float>(queries + r0 * dim_, queries + (r0 + nr) * dim_),
                                          {nr, dim_}, device_);
      std::vector<TopK> tops(static_cast<size_t>(nr), TopK(k));
      std::vector<std::span<const int64_t>> ex(static_cast<size_t>(nr));
      for (int64_t r = 0; r < nr; ++r) ex[static_cast<size_t>(r)] = skip(r0 + r);
      for (size_t b = 0; b < blocks_.size(); ++b) {
        const int64_t p0 = starts_[b], p1 = starts_[b + 1];
        const auto in_block = [&](std::span<const int64_t> s) {
          return std::lower_bound(s.begin(), s.end(), p1) - std::lower_bound(s.begin(), s.end(), p0);
        };
        // A block's k best allowed items are among its k + (what it may exclude) best items.
        int64_t most = 0;
        for (const auto& e : ex) most = std::max<int64_t>(most, in_block(e));
        const int64_t fetch = std::min(p1 - p0, k + most + in_block(c.deny));
        if (device_.is_cuda() && fetch > kCudaTopkLimit) return false;
        const loom::TopK best = loom::topk(matmul(q, blocks_[b]), fetch);
        const std::vector<float> values = best.values.cpu().to_vector<float>();
        const std::vector<int64_t> index = best.indices.cpu().to_vector<int64_t>();
        for (int64_t r = 0; r < nr; ++r) {
          const auto& e = ex[static_cast<size_t>(r)];
          for (int64_t i = 0; i < fetch; ++i) {
            const int64_t pos = p0 + index[static_cast<size_t>(r * fetch + i)];
            if (std::binary_search(e.begin(), e.end(), pos) || std::binary_search(c.deny.begin(), c.deny.end(), pos))
              continue;
            tops[static_cast<size_t>(r)].push({values[static_cast<size_t>(r * fetch + i)], pos});
          }
        }
      }
      for (int64_t r = 0; r < nr; ++r) result[static_cast<size_t>(r0 + r)] = std::move(tops[static_cast<size_t>(r)]).sorted();
    }
    out = std::move(result);
    return true;
  }

 private:
  Device device_;
  int64_t dim_;
  std::vector<int64_t> starts_;  // block b holds positions [starts_[b], starts_[b + 1])
  std::vector<Tensor> blocks_;
};

}  // namespace

std::unique_ptr<DeviceItems> build_device_items(const EmbeddingTables& t, const IndexOptions& o) {
  return std::make_unique<TensorItems>(t, o);
}

}  // namespace loom::serve::detail
