# Stand-ins for LLVM's add_llvm_component_group / add_llvm_component_library / add_llvm_target, enough to build a
# target's own CMakeLists.txt files out of tree.
#
# Our CMake targets are named vega_<LLVM name> with OUTPUT_NAME <LLVM name>: the installed LLVMConfig already defines
# imported targets called LLVMXCoreCodeGen, llc, ... Link components are resolved after the whole target directory
# has been read: a component that this directory defines links our fresh library, any other the installed static one.

# Stubs for LLVM-internal targets that some DEPENDS lists name (their outputs are installed headers here).
foreach(_dep IN ITEMS intrinsics_gen omp_gen acc_gen)
  if(NOT TARGET ${_dep})
    add_custom_target(${_dep})
  endif()
endforeach()

function(add_llvm_component_group name)
  set_property(GLOBAL APPEND PROPERTY VEGA_COMPONENT_GROUPS ${name})
endfunction()

function(add_llvm_component_library name)
  cmake_parse_arguments(ARG "BUILDTREE_ONLY" "ADD_TO_COMPONENT" "LINK_COMPONENTS;LINK_LIBS;DEPENDS;ADDITIONAL_HEADER_DIRS;ADDITIONAL_HEADERS" ${ARGN})
  set(lib vega_${name})
  add_library(${lib} STATIC ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${lib} PROPERTIES OUTPUT_NAME ${name})
  string(REGEX REPLACE "^LLVM" "" component ${name})
  set_property(GLOBAL APPEND PROPERTY VEGA_LIBS ${lib})
  set_property(GLOBAL PROPERTY VEGA_COMPONENT_${component} ${lib})
  set_property(GLOBAL PROPERTY VEGA_LINKS_${lib} ${ARG_LINK_COMPONENTS})
  if(ARG_LINK_LIBS)
    target_link_libraries(${lib} PUBLIC ${ARG_LINK_LIBS})
  endif()
  foreach(dep IN LISTS LLVM_COMMON_DEPENDS ARG_DEPENDS)
    if(TARGET ${dep})
      add_dependencies(${lib} ${dep})
    endif()
  endforeach()
endfunction()

# Mirrors LLVM: the target's source and binary directories go on the include path of it and its subdirectories.
macro(add_llvm_target target_name)
  include_directories(BEFORE ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  add_llvm_component_library(LLVM${target_name} ${ARGN})
  set_property(GLOBAL PROPERTY VEGA_CODEGEN_LIB vega_LLVM${target_name})
endmacro()

function(vega_resolve_component_links)
  get_property(libs GLOBAL PROPERTY VEGA_LIBS)
  foreach(lib IN LISTS libs)
    get_property(comps GLOBAL PROPERTY VEGA_LINKS_${lib})
    set(ours "")
    set(installed "")
    foreach(comp IN LISTS comps)
      get_property(own GLOBAL PROPERTY VEGA_COMPONENT_${comp})
      if(own)
        list(APPEND ours ${own})
      else()
        list(APPEND installed ${comp})
      endif()
    endforeach()
    if(installed)
      llvm_map_components_to_libnames(installed_libs ${installed})
    else()
      set(installed_libs "")
    endif()
    target_link_libraries(${lib} PUBLIC ${ours} ${installed_libs})
  endforeach()
endfunction()
