# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# CTest driver (label "install"): installs the build tree into a scratch prefix, then compiles and links
# tests/consumer/main.cpp with nothing but `pkg-config --cflags --libs loom` from that prefix, and runs it.
# Arguments: -DBUILD_DIR -DSOURCE_DIR -DWORK_DIR -DPKG_CONFIG -DCXX [-DTBB_DIR]
include(${CMAKE_CURRENT_LIST_DIR}/run_step.cmake)
run(ignored ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
file(GLOB_RECURSE pc_files ${WORK_DIR}/prefix/*/loom.pc)
if(NOT pc_files)
  message(FATAL_ERROR "no loom.pc under ${WORK_DIR}/prefix")
endif()
list(GET pc_files 0 pc_file)
get_filename_component(pc_dir ${pc_file} DIRECTORY)
# The installed tree is moved before use: loom.pc must derive its prefix from where it lies.
file(RENAME ${WORK_DIR}/prefix ${WORK_DIR}/moved)
string(REPLACE "${WORK_DIR}/prefix" "${WORK_DIR}/moved" pc_dir "${pc_dir}")
set(ENV{PKG_CONFIG_PATH} "${pc_dir}:$ENV{PKG_CONFIG_PATH}")
# A oneTBB outside the system prefix (as on the GPU machine) keeps its tbb.pc at <prefix>/lib/pkgconfig.
if(TBB_DIR AND EXISTS "${TBB_DIR}/../../pkgconfig/tbb.pc")
  get_filename_component(tbb_pc_dir "${TBB_DIR}/../../pkgconfig" ABSOLUTE)
  set(ENV{PKG_CONFIG_PATH} "${tbb_pc_dir}:$ENV{PKG_CONFIG_PATH}")
endif()
run(flags ${PKG_CONFIG} --cflags --libs loom)
separate_arguments(flags UNIX_COMMAND "${flags}")
# Shared builds: the consumer finds the libraries at run time through the runpath, as a packager would set it.
string(REGEX MATCH "-L[^ ;]+" libdir_flag "${flags}")
string(SUBSTRING "${libdir_flag}" 2 -1 libdir)
run(ignored ${CXX} -O1 -o consumer ${SOURCE_DIR}/tests/consumer/main.cpp ${flags} -Wl,-rpath,${libdir})
run(output ${WORK_DIR}/consumer)
