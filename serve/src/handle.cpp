// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// IndexHandle: the model behind a shared_ptr that queries copy under a mutex held for the copy only. A reload
// builds the whole next index first, then swaps the pointer; queries in flight keep the model they copied alive.
#include <utility>

#include "index_impl.h"

namespace loom::serve {

IndexHandle::IndexHandle(const std::string& path, IndexOptions options)
    : options_(options), index_(EmbeddingIndex::load(path, options)), path_(path), generation_(1) {}

std::shared_ptr<const EmbeddingIndex> IndexHandle::snapshot() const {
  std::lock_guard lock(mutex_);
  return index_;
}

void IndexHandle::reload(const std::string& path) {
  std::lock_guard one_at_a_time(reload_mutex_);
  const std::string file = path.empty() ? this->path() : path;
  std::shared_ptr<const EmbeddingIndex> next = EmbeddingIndex::load(file, options_);  // throws: nothing changes
  std::shared_ptr<const EmbeddingIndex> old;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(index_, std::move(next));
    path_ = file;
    ++generation_;
  }
  // `old` is released here, outside the lock: freeing a large model must not stall queries.
}

std::string IndexHandle::path() const {
  std::lock_guard lock(mutex_);
  return path_;
}

uint64_t IndexHandle::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

}  // namespace loom::serve
