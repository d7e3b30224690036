// SPDX-FileCopyrightText: 2026 The Loom Authors
// SPDX-License-Identifier: Apache-2.0
// The explicit CUDA SpMM back end setting (mp::set_spmm_backend): names, round trips, scopes, and the environment
// variable that only gives the initial value. The back ends' results are compared in gspmm_test.cpp (CUDA).
// CTest also runs SpmmBackendEnv.* with LOOM_SPMM_IMPL=cusparse and with a bad value (tests/message/CMakeLists.txt).
#include <gmock/gmock.h>

#include <cstdlib>
#include <string>

#include "loom/core/message.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using mp::SpmmBackend;

// The first read follows LOOM_SPMM_IMPL (unset: Loom's kernel; a bad or empty value: an error naming it) and
// later changes to the variable are ignored: it is read once.
TEST(SpmmBackendEnv, InitialValueComesFromTheEnvironmentOnce) {
  const char* env = std::getenv("LOOM_SPMM_IMPL");
  const std::string value = env == nullptr ? "" : env;
  if (env == nullptr || value == "loom" || value == "cusparse") {
    const SpmmBackend want = value == "cusparse" ? SpmmBackend::kCusparse : SpmmBackend::kLoom;
    EXPECT_EQ(mp::spmm_backend(), want);
    setenv("LOOM_SPMM_IMPL", want == SpmmBackend::kLoom ? "cusparse" : "loom", 1);
    EXPECT_EQ(mp::spmm_backend(), want) << "the variable must be read once";
  } else {
    EXPECT_THAT([] { mp::spmm_backend(); },
                ThrowsMessage<ValueError>(::testing::Matcher<std::string>(
                    value.empty() ? ::testing::Matcher<std::string>(HasSubstr("LOOM_SPMM_IMPL is set but empty"))
                                  : AllOf(HasSubstr("LOOM_SPMM_IMPL must be loom or cusparse, got '" + value),
                                          HasSubstr("set_spmm_backend")))));
    mp::set_spmm_backend(SpmmBackend::kLoom);  // an explicit choice overrides the bad variable
    EXPECT_EQ(mp::spmm_backend(), SpmmBackend::kLoom);
  }
  if (env != nullptr) {
    setenv("LOOM_SPMM_IMPL", env, 1);
  } else {
    unsetenv("LOOM_SPMM_IMPL");
  }
}

TEST(SpmmBackend, NamesRoundTrip) {
  for (SpmmBackend b : {SpmmBackend::kLoom, SpmmBackend::kCusparse}) {
    EXPECT_EQ(mp::spmm_backend_from_name(mp::spmm_backend_name(b)), b);
  }
  EXPECT_STREQ(mp::spmm_backend_name(SpmmBackend::kLoom), "loom");
  EXPECT_STREQ(mp::spmm_backend_name(SpmmBackend::kCusparse), "cusparse");
  EXPECT_THAT([] { mp::spmm_backend_from_name("fastest"); },
              ThrowsMessage<ValueError>(HasSubstr("unknown SpMM backend 'fastest': valid backends are loom and cusparse")));
  EXPECT_THAT([] { mp::set_spmm_backend(static_cast<SpmmBackend>(7)); },
              ThrowsMessage<ValueError>(HasSubstr("unknown SpmmBackend value 7")));
}

TEST(SpmmBackend, SetAndScopeRestore) {
  mp::set_spmm_backend(SpmmBackend::kLoom);
  mp::set_spmm_backend(SpmmBackend::kCusparse);
  EXPECT_EQ(mp::spmm_backend(), SpmmBackend::kCusparse);
  {
    mp::SpmmBackendScope scope(SpmmBackend::kLoom);
    EXPECT_EQ(mp::spmm_backend(), SpmmBackend::kLoom);
    {
      mp::SpmmBackendScope inner(SpmmBackend::kCusparse);
      EXPECT_EQ(mp::spmm_backend(), SpmmBackend::kCusparse);
    }
    EXPECT_EQ(mp::spmm_backend(), SpmmBackend::kLoom);
  }
  EXPECT_EQ(mp::spmm_backend(), SpmmBackend::kCusparse);
  mp::set_spmm_backend(SpmmBackend::kLoom);
}

}  // namespace
}  // namespace loom
