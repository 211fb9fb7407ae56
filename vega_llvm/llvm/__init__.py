"""Stage ``llvm``: the llvm-project 16.0.6 sources and the installed LLVM 16 toolchain."""
