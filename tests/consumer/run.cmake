# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# CTest driver (label "install"): installs the build tree into a scratch prefix, then configures, builds and runs
# tests/consumer against it. Arguments: -DBUILD_DIR -DSOURCE_DIR -DWORK_DIR [-DCUDA_ROOT] [-DTBB_DIR]
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
set(extra "")
if(CUDA_ROOT)
  list(APPEND extra -DCUDAToolkit_ROOT=${CUDA_ROOT})
endif()
if(TBB_DIR)  # a oneTBB outside the system prefix (as on the GPU machine) must be found the same way
  list(APPEND extra -DTBB_DIR=${TBB_DIR})
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix ${extra})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
