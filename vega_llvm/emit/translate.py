"""Records of the donor target in taken-over code, translated through the two descriptions to the new target's.

Renaming a donor's function (``Lanai`` -> ``XCore``) keeps the donor's own record names: Lanai's
``addRegisterClass(MVT::i32, &Lanai::GPRRegClass)`` becomes ``&XCore::GPRRegClass``, which XCore does not have,
so the statement fails, is commented out, and the backend has no register class at all (every test then stops in
argument lowering). The records play the same role in both descriptions, and the property tables say enough to
find the counterpart: a register class is its value types, its register size, whether it is allocatable, and how
many registers it has. ``register_class_map`` pairs each donor class the new target lacks with the target's class
that agrees most on those, in that order; ``translate`` rewrites the C++ spellings TableGen gives a class
(``GPRRegClass``, ``GPRRegClassID``, ``GPRRegisterClass``).

Calling conventions the same way (``calling_conv_map``): Lanai's ``CC_Lanai32`` (renamed ``CC_XCore32``) is not
XCore's ``CC_XCore``, and without ``CCInfo.AnalyzeFormalArguments(Ins, CC_XCore32)`` no argument is ever assigned a
location. LLVM's own naming gives the role: a ``RetCC`` convention assigns return values, the others arguments; among
the target's conventions of the same role the one whose name shares the most parts with the donor's is taken.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..generate.adapt import DERIVED_SUFFIXES, class_agreement, name_parts, register_classes


def register_class_map(donor: Any, target: Any) -> dict[str, str]:
    """Each register class of ``donor`` (a property table) that ``target`` lacks -> the target's class most like it
    (value types, allocatable, size, number of registers; a class sharing no value type is no counterpart)."""
    mine, theirs = register_classes(target), register_classes(donor)
    out: dict[str, str] = {}
    for name, row in theirs.items():
        if name in mine or not mine:
            continue
        best = max(sorted(mine), key=lambda c: class_agreement(row, mine[c]))
        if class_agreement(row, mine[best])[0] > 0:
            out[name] = best
    return out


def calling_conv_map(donor: Any, target: Any, renamed: Callable[[str], str] = lambda n: n) -> dict[str, str]:
    """Each calling convention of ``donor`` as renamed code spells it (``renamed``: the donor's names respelled for
    the target, ``CC_Lanai32`` -> ``CC_XCore32``) that ``target`` lacks -> the target's convention of the same role
    (``RetCC`` or not) sharing the most name parts with it."""
    mine = list((getattr(target, "values", None) or {}).get("calling_conv", []))
    out: dict[str, str] = {}
    for name in (getattr(donor, "values", None) or {}).get("calling_conv", []):
        spelled = renamed(name)
        if spelled in mine:
            continue
        same_role = sorted(c for c in mine if c.startswith("RetCC") == spelled.startswith("RetCC"))
        if same_role:
            out[spelled] = max(same_role, key=lambda c: len(name_parts(c) & name_parts(spelled)))
    return out


def translate(code: str, classes: dict[str, str], names: dict[str, str] | None = None) -> str:
    """``code`` with the TableGen spellings of the donor classes in ``classes`` replaced by the target's, and each
    whole identifier in ``names`` (calling conventions) by its counterpart."""
    if classes:
        suffixes = "|".join(DERIVED_SUFFIXES["register_class"])
        alts = "|".join(re.escape(n) for n in sorted(classes, key=len, reverse=True))
        code = re.sub(rf"\b({alts})({suffixes})\b", lambda m: classes[m.group(1)] + m.group(2), code)
    if names:
        alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        code = re.sub(rf"\b({alts})\b", lambda m: names[m.group(1)], code)
    return code
