# SPDX-FileCopyrightText: 2026 The Loom Authors
# SPDX-License-Identifier: Apache-2.0
# Per-module libraries in dependency order: loom_core, loom_data, loom_graph, loom_hypergraph, loom_layers,
# loom_models (aliases loom::core, ...; installed as loom::core, ...). Each module's public include directory is its
# own <module>/include; its sources reach their own private headers ("core/detail/x.h" from core) through a private
# root that contains only that module, so an include of another module's internals does not compile.
include(GNUInstallDirs)

# loom_private_root(<name> <dir> <out_var>): ${PROJECT_BINARY_DIR}/private/<name>/<name> is a symlink to <dir>, so
# with the returned root on the include path "#include "<name>/x.h"" finds <dir>/x.h and nothing else of the tree.
function(loom_private_root name dir out_var)
  set(root ${PROJECT_BINARY_DIR}/private/${name})
  file(MAKE_DIRECTORY ${root})
  if(NOT IS_SYMLINK ${root}/${name})
    file(CREATE_LINK ${dir} ${root}/${name} SYMBOLIC)
  endif()
  set(${out_var} ${root} PARENT_SCOPE)
endfunction()

# loom_add_module(<name> [DEPENDS lower modules...] [PRIVATE_LIBS libs...]): the library loom_<name> with no sources
# yet (the module's CMakeLists adds them with target_sources(loom_<name> PRIVATE ...)). Lower modules link PUBLIC
# (their headers appear in ours); third-party libraries link PRIVATE.
function(loom_add_module name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;PRIVATE_LIBS" ${ARGN})
  set(target loom_${name})
  add_library(${target})  # static or shared, as BUILD_SHARED_LIBS says
  add_library(loom::${name} ALIAS ${target})
  # No loom_<name>_EXPORTS define in shared builds: nothing uses it, and without it a shared and a static CPU build
  # compile identical commands (ccache shares their objects).
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} DEFINE_SYMBOL "" INSTALL_RPATH "$ORIGIN")
  target_compile_features(${target} PUBLIC cxx_std_20)
  loom_private_root(${name} ${PROJECT_SOURCE_DIR}/${name} private_root)
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/${name}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${private_root})
  foreach(dep ${ARG_DEPENDS})
    target_link_libraries(${target} PUBLIC loom_${dep})
  endforeach()
  if(ARG_PRIVATE_LIBS)
    target_link_libraries(${target} PRIVATE ${ARG_PRIVATE_LIBS})
  endif()
  if(LOOM_WITH_CUDA)
    set_target_properties(${target} PROPERTIES CUDA_SEPARABLE_COMPILATION OFF)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr --extended-lambda -Xcompiler=-fPIC>)
  endif()
  loom_target_warnings(${target})
  if(LOOM_NATIVE)
    # Eigen picks its vector width at compile time; without this it is limited to SSE2.
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
  endif()
  loom_target_sanitizers(${target})
  set_property(GLOBAL APPEND PROPERTY LOOM_MODULE_TARGETS ${target})
endfunction()

# loom_internal_header(<target> <module> <header>...): an INTERFACE target that exposes just the named private headers
# of <module> ("core/detail/parallel.h") to the modules sanctioned to use them, and nothing else of that module.
# A module uses one through loom_use_internal (internals are never installed or exported).
function(loom_internal_header target module)
  set(root ${PROJECT_BINARY_DIR}/internal/${target})
  foreach(header ${ARGN})
    get_filename_component(dir ${root}/${module}/${header} DIRECTORY)
    file(MAKE_DIRECTORY ${dir})
    if(NOT IS_SYMLINK ${root}/${module}/${header})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${module}/${header} ${root}/${module}/${header} SYMBOLIC)
    endif()
  endforeach()
  add_library(${target} INTERFACE)
  target_include_directories(${target} INTERFACE $<BUILD_INTERFACE:${root}>)
  target_link_libraries(${target} INTERFACE loom_${module})
endfunction()

# loom_use_internal(<target> <internal>...): <target> may include the headers of these loom_internal_header targets.
# Include roots, not links: CMake 3.25 refuses to export a static library whose private links name a target outside
# the export set, even inside $<BUILD_INTERFACE:...>.
function(loom_use_internal target)
  foreach(internal ${ARGN})
    target_include_directories(${target} PRIVATE $<TARGET_PROPERTY:${internal},INTERFACE_INCLUDE_DIRECTORIES>)
  endforeach()
endfunction()
