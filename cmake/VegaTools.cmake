# Our own llc and llvm-mc, from the llvm-project sources, linked with the target's fresh static libraries and the
# installed static libraries for everything else (never the installed copy of the same target, never libLLVM.so:
# both would register the target's cl::opts twice).

function(vega_add_tools llvm_src)
  get_property(libs GLOBAL PROPERTY VEGA_LIBS)
  get_property(codegen GLOBAL PROPERTY VEGA_CODEGEN_LIB)

  llvm_map_components_to_libnames(llc_deps
    Analysis AsmParser AsmPrinter CodeGen Core IRReader MC MIRParser Remarks ScalarOpts SelectionDAG Support
    Target TargetParser TransformUtils Vectorize)
  add_executable(vega_llc "${llvm_src}/tools/llc/llc.cpp")
  set_target_properties(vega_llc PROPERTIES OUTPUT_NAME llc RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin")
  target_link_libraries(vega_llc PRIVATE ${libs} ${llc_deps})

  # llvm-mc needs the MC layer only: every library of the target but its CodeGen.
  set(mc_libs ${libs})
  if(codegen)
    list(REMOVE_ITEM mc_libs ${codegen})
  endif()
  llvm_map_components_to_libnames(mc_deps MC MCParser MCDisassembler Support TargetParser)
  add_executable(vega_llvm_mc "${llvm_src}/tools/llvm-mc/llvm-mc.cpp" "${llvm_src}/tools/llvm-mc/Disassembler.cpp")
  set_target_properties(vega_llvm_mc PROPERTIES OUTPUT_NAME llvm-mc RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bin")
  target_link_libraries(vega_llvm_mc PRIVATE ${mc_libs} ${mc_deps})
endfunction()
