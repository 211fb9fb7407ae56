"""Stage ``eval``: function-level pass@1 with LLVM's own regression tests, re-run for real.

The swap harness (``harness.SwapHarness``) puts candidate function bodies into a private copy of the real target
directory, rebuilds it incrementally and runs the target's lit tests; a function passes when the backend builds and
the lit results equal the unmodified backend's. Many swaps are tested at once and bisected on failure (group
testing); a compile error is attributed to the function whose body contains it. Functions that no test exercises
(a body replaced by a trap still passes every test) are "untested", never passes.
"""
