// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// mp::scatter: reduces an edge tensor [nnz, ...] to the rows of the Csr, the closing step of the generic path.
// It is gspmm(copy_e) (its own file so that it links with the gspmm family).
#include "loom/core/message.h"

namespace loom::mp {

Tensor scatter(const Csr& g, const Tensor& e, Reduce reduce) { return gspmm(g, Msg::kCopyE, reduce, Tensor(), e); }

}  // namespace loom::mp
