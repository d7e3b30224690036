// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Errors from the standard library while reading a file become Loom's typed errors naming the file: every reader's
// entry point runs its body through reading_file, so a caller (a service, a fuzzer) catches loom::Error alone and
// always learns which file failed. Loom's own errors pass through unchanged; they already name the file.
#pragma once
#include <exception>
#include <new>
#include <string>
#include <utility>

#include "loom/core/error.h"

namespace loom::detail {

// `who` names the reader and the file, e.g. read_npy("x.npy").
template <class Read>
decltype(auto) reading_file(const std::string& who, Read&& read) {
  try {
    return std::forward<Read>(read)();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    // Readers bound every count by the file's size first, so this is a file that really is larger than memory.
    throw Error(str_cat(who, ": out of memory while reading the file"));
  } catch (const std::exception& e) {
    // std::ios_base::failure, std::filesystem::filesystem_error, std::length_error, a JSON parser's errors.
    throw FormatError(str_cat(who, ": reading the file failed: ", e.what()));
  }
}

}  // namespace loom::detail
