"""Register a brand-new architecture in llvm-project 16.0.6 so that a generated ``lib/Target/<X>`` builds in tree.

LLVM only builds a target whose name is a ``Triple::ArchType`` with an ELF machine, so a new target needs edits outside
``lib/Target``. The architecture name is the user's, so the patches are generated per target (``patches.py``) from the
real 16.0.6 sources, written as ordinary ``.patch`` files and applied with ``patch -p1`` (``apply.py``).
"""

from __future__ import annotations

from ..errors import ToolError


class PatchApplyError(ToolError):
    """``patch`` refused a generated patch (the tree is not llvm-project 16.0.6, or was edited by hand)."""
