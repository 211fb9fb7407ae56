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
  cmake_parse_arguments(ARG "BUILDTREE_ONLY" "ADD_TO_COMPONENT;COMPONENT_NAME" "LINK_COMPONENTS;LINK_LIBS;DEPENDS;ADDITIONAL_HEADER_DIRS;ADDITIONAL_HEADERS" ${ARGN})
  set(lib vega_${name})
  add_library(${lib} STATIC ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${lib} PROPERTIES OUTPUT_NAME ${name})
  string(REGEX REPLACE "^LLVM" "" component ${name})
  if(ARG_COMPONENT_NAME)
    set_property(GLOBAL PROPERTY LLVM_COMPONENT_NAME_${ARG_COMPONENT_NAME} ${component})
  endif()
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

# Some LLVM libraries are linked by a component name other than their own (LLVMScalarOpts is "Scalar", LLVMipo is
# "IPO"): LLVM's build records that as LLVM_COMPONENT_NAME_<name>, which llvm_map_components_to_libnames reads, but
# the installed LLVMConfig does not carry it. Read the renames from the llvm/lib CMakeLists.txt files of the sources
# the installed LLVM was built from, so that e.g. BPF's LINK_COMPONENTS Scalar links LLVMScalarOpts.
function(vega_register_component_renames llvm_src)
  file(GLOB_RECURSE lists "${llvm_src}/lib/*/CMakeLists.txt")
  foreach(list_file IN LISTS lists)
    file(READ "${list_file}" text)
    if(NOT text MATCHES "COMPONENT_NAME")
      continue()
    endif()
    string(REGEX MATCHALL "add_llvm_component_library\\([ \t\r\n]*LLVM[A-Za-z0-9_]+[^)]*COMPONENT_NAME[ \t\r\n]+[A-Za-z0-9_]+"
           calls "${text}")
    foreach(call IN LISTS calls)
      string(REGEX REPLACE "^add_llvm_component_library\\([ \t\r\n]*LLVM([A-Za-z0-9_]+).*$" "\\1" lib "${call}")
      string(REGEX REPLACE "^.*COMPONENT_NAME[ \t\r\n]+([A-Za-z0-9_]+)$" "\\1" comp "${call}")
      get_property(known GLOBAL PROPERTY LLVM_COMPONENT_NAME_${comp})
      if(NOT known)
        set_property(GLOBAL PROPERTY LLVM_COMPONENT_NAME_${comp} ${lib})
      endif()
    endforeach()
  endforeach()
endfunction()

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
