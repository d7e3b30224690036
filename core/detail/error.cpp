// Out-of-line pieces of loom/core/error.h.
#include "loom/core/error.h"

namespace loom::detail {

void internal_assert_fail(const char* expr, const char* file, int line, const std::string& msg) {
  throw Error(str_cat("internal error (a Loom bug, please report): ", expr, " failed at ", file, ":", line,
                      msg.empty() ? "" : ": ", msg));
}

}  // namespace loom::detail
