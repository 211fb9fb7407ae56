"""smoke: IR programs (llvmlite) compiled by a generated llc, and llvm-mc round trips; needs no lit tests."""
