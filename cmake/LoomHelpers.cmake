# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Shared CMake helpers: ccache, warnings, sanitizers, and loom_add_test.

function(loom_use_ccache)
  find_program(LOOM_CCACHE ccache)
  if(LOOM_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${LOOM_CCACHE} PARENT_SCOPE)
    set(CMAKE_CUDA_COMPILER_LAUNCHER ${LOOM_CCACHE} PARENT_SCOPE)
  endif()
endfunction()

function(loom_target_warnings target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)
  if(LOOM_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()

function(loom_target_sanitizers target)
  if(LOOM_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# loom_add_test(name SOURCES a.cpp ... [LABELS l1 l2] [STANDALONE]): one GoogleTest executable, its tests discovered
# by CTest. STANDALONE links no Loom module (the caller links what it tests: loom::runtime needs none of them).
function(loom_add_test name)
  cmake_parse_arguments(ARG "STANDALONE" "" "SOURCES;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  if(NOT ARG_STANDALONE)
    # loom_test_internals: tests may include any module's private headers ("core/detail/...", "support/...").
    target_link_libraries(${name} PRIVATE loom::loom loom_test_internals)
  endif()
  target_link_libraries(${name} PRIVATE GTest::gmock GTest::gtest_main)
  loom_target_warnings(${name})
  if(LOOM_SANITIZE)
    # Under the sanitizers the test files compile at -O0 (the library keeps its -O1): they are gtest-heavy, half of
    # the sanitizer build's compile time, and not where its run time goes. This keeps CI inside its 30 minutes.
    target_compile_options(${name} PRIVATE -O0)
  endif()
  set(props ENVIRONMENT "LOOM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  if(ARG_LABELS)
    # One label per suite: gtest_discover_tests (CMake 3.25) flattens a list-valued property.
    list(LENGTH ARG_LABELS n_labels)
    if(n_labels GREATER 1)
      message(FATAL_ERROR "loom_add_test(${name}): give one label, got ${ARG_LABELS}")
    endif()
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} PROPERTIES ${props} DISCOVERY_TIMEOUT 60)
endfunction()
