// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Hand-written interaction sets for the recommendation suites: (user, item) pairs -> per-user item lists.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "loom/data/interactions.h"

namespace loom::testing {

inline data::UserItems items_of(int64_t users, const std::vector<std::pair<int64_t, int64_t>>& pairs, int64_t items) {
  data::Interactions d;
  d.num_users = users;
  d.num_items = items;
  for (auto [u, i] : pairs) d.user.push_back(u), d.item.push_back(i);
  return data::user_items(d);
}

}  // namespace loom::testing
