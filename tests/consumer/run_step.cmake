# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Shared by the install drivers (run_pkgconfig.cmake, run_runtime_c.cmake): a fresh WORK_DIR, and run(out_var CMD...),
# which runs one step there, stops the test with the step's output when it fails, and returns its stdout.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
function(run out_var)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${ARGN}\n${out}")
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
