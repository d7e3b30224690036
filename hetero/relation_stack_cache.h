// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Private: the per-graph cache of relation stacks (one per destination type), owned by the HeteroGraph it describes.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "loom/hetero/relation_stack.h"

namespace loom::hetero {

class RelationStackCache {
 public:
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<RelationStack>> stacks;  // unique_ptr: references stay valid on insert
};

inline std::shared_ptr<RelationStackCache> make_relation_stack_cache() { return std::make_shared<RelationStackCache>(); }

}  // namespace loom::hetero
