# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# CTest driver (label "install"): installs the build tree into a scratch prefix, then compiles
# tests/consumer/runtime_c.c as C99 with nothing but `pkg-config --cflags --libs loom-runtime` and runs it.
# Arguments: -DBUILD_DIR -DSOURCE_DIR -DWORK_DIR -DPKG_CONFIG -DCC
include(${CMAKE_CURRENT_LIST_DIR}/run_step.cmake)
run(ignored ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
file(GLOB_RECURSE pc_files ${WORK_DIR}/prefix/*/loom-runtime.pc)
if(NOT pc_files)
  message(FATAL_ERROR "no loom-runtime.pc under ${WORK_DIR}/prefix")
endif()
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
run(flags ${PKG_CONFIG} --cflags --libs loom-runtime)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(ignored ${CC} -std=c99 -pedantic-errors -Wall -Wextra -Werror -O1 -o runtime_c
    ${SOURCE_DIR}/tests/consumer/runtime_c.c ${flags})
run(output ${WORK_DIR}/runtime_c)
