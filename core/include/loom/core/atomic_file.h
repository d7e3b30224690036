// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Atomic, concurrency-safe file writes: every file Loom saves (models, checkpoints, .npy) goes through here.
#pragma once
#include <cstdio>
#include <functional>
#include <string>

namespace loom {

// Writes `path` atomically and safely under concurrency: `write` fills a temporary file created exclusively (never
// opening anything that exists, so a symlink or directory planted beside `path` is never followed) with a unique
// name in path's directory; it is flushed, fsynced and renamed over `path`, and the directory is fsynced. Two
// writers of one path leave exactly one writer's bytes; a killed writer leaves the old file. `write` returns false
// (with errno set) or throws on failure; then the temporary file is removed and Error (naming `who`, the path and
// the OS's reason) is thrown, or `write`'s own exception propagates.
void write_file_atomic(const std::string& path, const std::function<bool(std::FILE*)>& write, const std::string& who);

}  // namespace loom
