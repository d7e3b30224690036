// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// Loom's exception hierarchy and the checks that raise it.
// Every failure on user input is an exception naming the operation, the argument, what was expected and what was
// found; nothing aborts the process.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace loom {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class ShapeError : public Error { using Error::Error; };
class DTypeError : public Error { using Error::Error; };
class DeviceError : public Error { using Error::Error; };
class IndexError : public Error { using Error::Error; };
class ValueError : public Error { using Error::Error; };
class FormatError : public Error { using Error::Error; };   // malformed files
class CudaError : public Error { using Error::Error; };
class NotImplementedError : public Error { using Error::Error; };

namespace detail {
template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
[[noreturn]] void internal_assert_fail(const char* expr, const char* file, int line, const std::string& msg);
}  // namespace detail

}  // namespace loom

// LOOM_CHECK(cond, ShapeError, "matmul: ", a.shape_str(), " vs ", b.shape_str()) throws ShapeError with the message.
#define LOOM_CHECK(cond, ErrType, ...)                              \
  do {                                                              \
    if (!(cond)) throw ::loom::ErrType(::loom::detail::str_cat(__VA_ARGS__)); \
  } while (0)

// Internal invariants: a failure is a Loom bug, reported as loom::Error with file:line (never an abort).
#define LOOM_ASSERT(cond, ...)                                                                       \
  do {                                                                                               \
    if (!(cond)) ::loom::detail::internal_assert_fail(#cond, __FILE__, __LINE__, ::loom::detail::str_cat(__VA_ARGS__)); \
  } while (0)
