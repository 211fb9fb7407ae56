"""LLVM's own implementation as the answer of last resort for an interface hook no candidate can write.

Where every candidate of a function names something the target's description and LLVM's headers do not declare
(``visible.Visibility``), and neither another target's values nor pruning mends one (``generate._revalued``,
``_pruned``), the best of them was emitted all the same: on RISC-V 51 of the 517 tested functions, each a certain
compile error (``getTgtMemIntrinsic`` taken from LoongArch names NVPTX's intrinsics, ``hasReservedSpillSlot`` from
PowerPC names ``CR2``). Some of them (14 of those 51) override a virtual hook of an LLVM class that has a default
of its own (``TargetInstrInfo::isAsCheapAsAMove``, ``TargetRegisterInfo::hasReservedSpillSlot``): the default is
what a backend author writes who has nothing better yet, and what ``bootstrap``'s ladder reaches after failed builds
where the donor's code does not compile either (``repair.leave_out``: the function left out, LLVM's default
running). Here the same answer comes first, as a function that calls the base class's version with its own
arguments: it compiles, keeps the function's place and signature, and its confidence is the training targets'
agreement with it, like any candidate's.

The base class is the LLVM class, among those the function's class derives from (``Visibility.llvm_bases``: read
from the names its training versions use), that declares the hook and derives from every other such class that
declares it: ``MachineFunctionPass::getAnalysisUsage``, not ``Pass``'s, which would skip the analyses the pass
manager needs. A hook that an LLVM header declares pure virtual (no default to call) or with an inline default that
only stops (``llvm_unreachable("Target didn't implement ...")``), a constructor, a destructor, a static function, a
function with an unnamed parameter and one whose return type is a class of the target's own (a covariant return
the base's version does not give) are left as they were.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .parameters import parameters

LLVM_DEFAULT = "llvm-default"  # the source of a candidate written this way (generate's and eval's rows)
_VIRTUAL = re.compile(rb"\bvirtual\b[^;{}()]*?\b(~?\w+)\s*\(")
# ``virtual ... name(...) [const] [noexcept] = 0;`` (parameter lists hold no ``;`` or braces)
_PURE = re.compile(rb"\bvirtual\b[^;{}()]*?\b(\w+)\s*\([^;{}]*\)[^;{}()]*=\s*0\s*;")
# a default that only stops: ``virtual ... name(...) const { llvm_unreachable("Target didn't implement ..."); }``
_STOPS = re.compile(rb"\bvirtual\b[^;{}()]*?\b(\w+)\s*\([^;{}]*\)[^;{}()]*\{\s*(?:llvm_unreachable|report_fatal_error)\b")


@lru_cache(maxsize=4)
def llvm_hooks(include_dir: str, within: tuple[str, ...] = ("",)) -> tuple[frozenset[str], frozenset[str]]:
    """(names of LLVM's virtual member functions, names of those that some header declares without a default to
    call: pure virtual, or with a body that only stops), read from the installed headers under ``llvm/<within>``
    (every ``llvm/`` header by default). By name, not by class: a name pure in one class
    (``TargetTransformInfo::Concept::getTgtMemIntrinsic``) counts as pure in every class, which leaves out a few
    hooks that have a default, never calls one that has none."""
    virtual: set[str] = set()
    pure: set[str] = set()
    for sub in within:
        for dirpath, _dirs, files in os.walk(Path(include_dir) / "llvm" / sub, followlinks=True):
            for f in files:
                if not f.endswith(".h"):
                    continue
                try:
                    data = Path(dirpath, f).read_bytes()
                except OSError:
                    continue
                if b"virtual" not in data:
                    continue
                virtual.update(m.group(1).decode() for m in _VIRTUAL.finditer(data))
                pure.update(m.group(1).decode() for m in _PURE.finditer(data))
                pure.update(m.group(1).decode() for m in _STOPS.finditer(data))
    return frozenset(virtual), frozenset(pure)


def declaring_base(vis: Any, template: Any, name: str) -> str | None:
    """The LLVM class whose version of the hook ``name`` the function's class inherits (see the module docstring),
    or None where none or no single one is known."""
    bases = vis.llvm_bases(template)
    # LLVM's class of the function's role, where it derives from one of those (``TargetLowering`` of
    # ``<T>TargetLowering``, above the ``TargetLoweringBase`` whose members the training versions use most)
    role = _owner_class(template.qname).replace("<T>", "")
    if role in vis.headers.members and vis.headers.below(role) & bases:
        bases = bases | {role}
    declaring = {c for c in bases if name in vis.headers.members.get(c, ())}
    # the most derived: the one every other declaring class is below
    top = [c for c in declaring if declaring - {c} <= vis.headers.below(c)]
    return top[0] if len(top) == 1 else None


def _owner_class(qname: str) -> str:
    return qname.rpartition("::")[0].rpartition("::")[2]


def forwarding_code(head: str, qname: str, base: str, spelling: str = "") -> str | None:
    """The function of ``head`` (its definition's first line, ``qname`` its qualified name as written there) as a
    call of ``base``'s version with its own arguments; None where a parameter has no name, the head is not a
    method's, or its return type names one of the target's own classes (``spelling``), which the base's version
    does not return."""
    head = head.rstrip().removesuffix("{").rstrip()  # the line may hold the body's opening brace
    params = parameters(head)
    if params is None or any(not n for _, n in params):
        return None
    before, found, _ = head.partition(qname)
    if not found:
        return None
    words = before.split()
    if not words or "static" in words:  # a constructor (no return type) or a static function
        return None
    if spelling and any(spelling in w for w in words):  # a covariant return (``const <T>Subtarget *``)
        return None
    name = qname.rpartition("::")[2].strip()
    returns = [w for w in words if w not in ("inline", "virtual", "constexpr")] != ["void"]
    call = f"{base} :: {name} ( {' , '.join(n for _, n in params)} ) ;"
    return f"{head}\n  {{\n    {'return ' if returns else ''}{call}\n  }}"


def llvm_default(template: Any, head: str, spelling: str, vis: Any) -> str | None:
    """The code of the function as a call of LLVM's default (see the module docstring), or None where the function
    is no hook with a default that its class inherits."""
    from ..llvm.toolchain import find_toolchain

    if vis is None:
        return None
    owner, _, name = template.qname.rpartition("::")
    if not owner or name.startswith("~") or name == owner.rpartition("::")[2]:
        return None
    virtual, pure = llvm_hooks(str(find_toolchain().includedir))
    if name not in virtual or name in pure:
        return None
    base = declaring_base(vis, template, name)
    if base is None:
        return None
    qname = template.qname.replace("<T>", spelling)
    spaced = " :: ".join(qname.split("::"))
    return forwarding_code(head, spaced if spaced in head else qname, base, spelling)
