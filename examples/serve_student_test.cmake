# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# CTest driver of the serving examples: distil a GCN into a student on a generated graph and export it (loom
# distill --export), then feed feature rows to serve_student (C) and serve_student_cpp (C++) and check their
# answers: one class name per row, the same from both, and a named error for a malformed row.
# Arguments: -DLOOM -DSERVE_C -DSERVE_CPP -DWORK_DIR
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${LOOM} distill --teacher gcn --nodes 300 --features 8 --epochs 20 --teacher-epochs 20
                        --val-per-class 20 --quiet --export ${WORK_DIR}/student.loom
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "loom distill failed (${rc}):\n${out}\n${err}")
endif()
# 12 rows of 8 features (the generated graph's width), some negative, one all zero.
set(rows "")
foreach(i RANGE 0 11)
  set(row "")
  foreach(j RANGE 0 7)
    math(EXPR v "(${i} * 7 + ${j} * 3) % 11 - 5")
    if(i EQUAL 4)
      set(v 0)
    endif()
    string(APPEND row "${v}.25 ")
  endforeach()
  string(APPEND rows "${row}\n")
endforeach()
file(WRITE ${WORK_DIR}/rows.txt "${rows}")
execute_process(COMMAND ${SERVE_C} ${WORK_DIR}/student.loom INPUT_FILE ${WORK_DIR}/rows.txt
                RESULT_VARIABLE rc OUTPUT_VARIABLE c_out ERROR_VARIABLE c_err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "serve_student failed (${rc}):\n${c_out}\n${c_err}")
endif()
string(REGEX MATCHALL "[0-9]+\t[0-9.]+\n" c_lines "${c_out}")
list(LENGTH c_lines n)
if(NOT n EQUAL 12)
  message(FATAL_ERROR "serve_student printed ${n} answers for 12 rows:\n${c_out}")
endif()
execute_process(COMMAND ${SERVE_CPP} ${WORK_DIR}/student.loom INPUT_FILE ${WORK_DIR}/rows.txt
                RESULT_VARIABLE rc OUTPUT_VARIABLE cpp_out ERROR_VARIABLE cpp_err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "serve_student_cpp failed (${rc}):\n${cpp_out}\n${cpp_err}")
endif()
string(REGEX REPLACE "\t[0-9.]+\n" "\n" c_classes "${c_out}")
if(NOT c_classes STREQUAL cpp_out)
  message(FATAL_ERROR "the C and C++ examples disagree:\nC:\n${c_out}\nC++:\n${cpp_out}")
endif()
# A short row and a word: each named on stderr, the good row still answered, exit status 1.
file(WRITE ${WORK_DIR}/bad.txt "1 2 3\n0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5\n1 2 x 4 5 6 7 8\n")
execute_process(COMMAND ${SERVE_C} ${WORK_DIR}/student.loom INPUT_FILE ${WORK_DIR}/bad.txt
                RESULT_VARIABLE rc OUTPUT_VARIABLE bad_out ERROR_VARIABLE bad_err)
if(NOT rc EQUAL 1 OR NOT bad_err MATCHES "line 1: expected 8 numbers, got 3" OR NOT bad_err MATCHES "line 3:"
   OR NOT bad_out MATCHES "^[0-9]+\t[0-9.]+\n$")
  message(FATAL_ERROR "malformed rows: status ${rc}\nstdout:\n${bad_out}\nstderr:\n${bad_err}")
endif()
# A file that is no model: an error naming it, status 1.
execute_process(COMMAND ${SERVE_C} ${WORK_DIR}/rows.txt INPUT_FILE ${WORK_DIR}/rows.txt
                RESULT_VARIABLE rc OUTPUT_VARIABLE ignored ERROR_VARIABLE no_model)
if(NOT rc EQUAL 1 OR NOT no_model MATCHES "rows.txt")
  message(FATAL_ERROR "a non-model file: status ${rc}, stderr:\n${no_model}")
endif()
message(STATUS "12 rows served by C and C++ alike:\n${c_out}")
