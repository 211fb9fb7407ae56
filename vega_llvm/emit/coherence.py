"""What one function of a scratch backend promises and another must keep: the two sides agree before writing.

Each function of a scratch backend comes from its own candidates (often another training target's way of writing
it), so two functions that LLVM holds to one contract can disagree. The lowering's constructor marks an operation
``Custom`` (``setOperationAction(ISD::BR_CC, MVT::i32, Custom)``), and LLVM then hands every such node to
``LowerOperation`` (or, for a type it must expand, ``ReplaceNodeResults``); a ``LowerOperation`` written after
another target that has no case for it reaches its ``default: llvm_unreachable``. XCore's scratch backend stopped
there in 7 of its 66 lit tests. The constructor then marks the operation ``Expand`` (LLVM's own expansion, what a
``Custom`` node gets when ``LowerOperation`` returns nothing), and says so in a comment.

Only the certain case is changed: both functions are there, the lowering functions dispatch on ``case ISD::X:``
labels, and the constructor's call names one operation.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .functions import EmitFunction

CONSTRUCTOR = "<T>TargetLowering::<T>TargetLowering"
DISPATCHERS = ("<T>TargetLowering::LowerOperation", "<T>TargetLowering::ReplaceNodeResults")
_CASE = re.compile(r"\bcase\s+ISD\s*::\s*(\w+)\s*:")
_CUSTOM = re.compile(r"(setOperationAction\s*\(\s*ISD\s*::\s*(\w+)\s*,[^;{}]*?,\s*)Custom(\s*\)\s*;)")
_CODE_OF_LINE = re.compile(r"^(.*?)(//.*)?$")


def handled_operations(functions: dict[str, EmitFunction]) -> set[str] | None:
    """The ``ISD`` operations the target's ``LowerOperation`` (and ``ReplaceNodeResults``) dispatch on; None where
    ``LowerOperation`` is not there or has no such case (it dispatches some other way: nothing can be said)."""
    lower = functions.get(DISPATCHERS[0])
    if lower is None:
        return None
    out: set[str] = set()
    for key in DISPATCHERS:
        f = functions.get(key)
        if f is not None:
            out |= set(_CASE.findall(f.body))
    return out or None


def custom_lowering_agrees(fns: list[EmitFunction]) -> tuple[list[EmitFunction], list[str]]:
    """``fns`` with the lowering constructor's ``Custom`` actions that no dispatcher handles made ``Expand``, and the
    operations changed."""
    by_key = {f.key: f for f in fns}
    ctor = by_key.get(CONSTRUCTOR)
    handled = handled_operations(by_key)
    if ctor is None or handled is None:
        return fns, []
    changed: list[str] = []

    def expand(m: re.Match[str]) -> str:
        if m.group(2) in handled:
            return m.group(0)
        changed.append(m.group(2))
        return f"{m.group(1)}Expand{m.group(3)} // vega: Custom, but LowerOperation has no case for it"

    lines = []
    for line in ctor.body.split("\n"):
        code, comment = _CODE_OF_LINE.match(line).groups()
        new = _CUSTOM.sub(expand, code)
        lines.append(new + (comment or ""))
    if not changed:
        return fns, []
    fixed = replace(ctor, body="\n".join(lines))
    return [fixed if f.key == CONSTRUCTOR else f for f in fns], changed
