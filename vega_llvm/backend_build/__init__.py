"""Stage ``build``: compile a target directory out of tree against the installed LLVM 16, with our own llc/llvm-mc.

Inputs: a target directory ``lib/Target/<X>`` (real or generated). Outputs, in the build directory:
``bin/llc``, ``bin/llvm-mc``, the target's static libraries, ``build.log`` and ``build.json`` (what was built,
from which sources, how long it took). The CMake project is ``cmake/`` at the repository root.
"""
