# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Install rules: the module libraries, public headers, an exported CMake package (find_package(loom) -> loom::loom,
# and loom::core ... loom::models for a consumer that wants fewer), and a relocatable loom.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(loom_modules GLOBAL PROPERTY LOOM_MODULE_TARGETS)
install(TARGETS ${loom_modules} loom EXPORT loomTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})  # include dirs: each module's INSTALL_INTERFACE
foreach(dir core/include data/include graph/include hetero/include hypergraph/include layers/include models/include serve/include dist/include)
  if(EXISTS ${PROJECT_SOURCE_DIR}/${dir}/loom)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/loom DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})  # + loom_runtime.h
install(FILES ${PROJECT_SOURCE_DIR}/serve/include/loom_serve.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/loom/core/config.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/loom/core)

set(LOOM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/loom)
install(EXPORT loomTargets NAMESPACE loom:: DESTINATION ${LOOM_CMAKE_DIR})
export(EXPORT loomTargets NAMESPACE loom:: FILE ${PROJECT_BINARY_DIR}/loomTargets.cmake)
configure_package_config_file(cmake/loomConfig.cmake.in ${PROJECT_BINARY_DIR}/loomConfig.cmake
  INSTALL_DESTINATION ${LOOM_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/loomConfigVersion.cmake COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/loomConfig.cmake ${PROJECT_BINARY_DIR}/loomConfigVersion.cmake
  DESTINATION ${LOOM_CMAKE_DIR})
# loom.pc: the prefix is derived from the file's own place (${pcfiledir}), so the installed tree can move. Modules are
# listed top-down (models first) so that static linkers resolve each against the ones below it. What the libraries
# link privately (zlib, the CUDA libraries) is needed by every consumer of a static build, by none of a shared one.
file(RELATIVE_PATH LOOM_PC_PREFIX_FROM_PCFILEDIR /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" LOOM_PC_PREFIX_FROM_PCFILEDIR "${LOOM_PC_PREFIX_FROM_PCFILEDIR}")
set(LOOM_PC_LIBS "")
foreach(module models layers hypergraph hetero graph data serve core)
  string(APPEND LOOM_PC_LIBS " -lloom_${module}")
endforeach()
set(loom_pc_private "")
if(LOOM_WITH_CUDA)
  set(loom_pc_private "-L${CUDAToolkit_LIBRARY_DIR} -lcudart -lcublas -lcusparse")
endif()
if(LOOM_WITH_METIS)
  string(APPEND loom_pc_private " -lmetis")
endif()
if(BUILD_SHARED_LIBS)
  set(LOOM_PC_REQUIRES "tbb")
  set(LOOM_PC_REQUIRES_PRIVATE "zlib")
  set(LOOM_PC_LIBS_PRIVATE "${loom_pc_private}")
else()
  set(LOOM_PC_REQUIRES "tbb zlib")
  set(LOOM_PC_REQUIRES_PRIVATE "")
  string(APPEND LOOM_PC_LIBS " ${loom_pc_private}")
  set(LOOM_PC_LIBS_PRIVATE "")
endif()
configure_file(cmake/loom.pc.in ${PROJECT_BINARY_DIR}/loom.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/loom.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# loom-runtime.pc: the runtime alone, for C programs too (hence the C++ runtime libraries it needs, being static).
configure_file(cmake/loom-runtime.pc.in ${PROJECT_BINARY_DIR}/loom-runtime.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/loom-runtime.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(TARGET loom_cli)
  install(TARGETS loom_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
