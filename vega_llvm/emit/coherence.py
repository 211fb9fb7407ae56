"""What one function of a scratch backend promises and another must keep: the two sides agree before writing.

Each function of a scratch backend comes from its own candidates (often another training target's way of writing
it), so two functions that LLVM holds to one contract can disagree. The lowering's constructor marks an operation
``Custom`` (``setOperationAction(ISD::BR_CC, MVT::i32, Custom)``), and LLVM then hands every such node to
``LowerOperation`` (or, for a type it must expand, ``ReplaceNodeResults``); a ``LowerOperation`` written after
another target that has no case for it reaches its ``default: llvm_unreachable``. XCore's scratch backend stopped
there in 7 of its 66 lit tests. The constructor then marks the operation ``Legal`` where the target's own
selection patterns match it (``emit.selectable``: XCore selects ``setcc``), else ``Expand`` (LLVM's own expansion,
what a ``Custom`` node gets when ``LowerOperation`` returns nothing), and says so in a comment.

Only the certain case is changed: both functions are there, the lowering functions dispatch on ``case ISD::X:``
labels, and the constructor's call names one operation. Expanding can close a loop LLVM never leaves (``BR_CC`` and
``BRCOND`` expand into each other, as ``SELECT_CC`` and ``SELECT`` do): where both of a pair end ``Expand``, the one
the patterns select is made ``Legal``.

The same holds between a file's static creator functions and its initializer: LLVM finds a target's ``MCAsmInfo``,
instruction printer, disassembler, ... only through ``TargetRegistry::Register<Kind>(Target, Fn)``. A creator that
nothing registers is dead code, and the tool that needs it stops: XCore's scratch ``createXCoreMCAsmInfo`` compiled,
but the initializer taken from Lanai registered ``RegisterMCAsmInfo<XCoreMCAsmInfo>`` (a constructor XCore does not
declare) and the repair loop removed that line, so every lit test stopped in ``initAsmInfo``. The initializer then
registers the creator. Which ``Register`` call takes which creator is read from LLVM's ``TargetRegistry.h`` (the
``Target::<Kind>CtorFnTy`` each takes and the type that function returns), not listed here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..generate.parameters import parameters
from .functions import EmitFunction
from .layout import code_of

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


def custom_lowering_agrees(fns: list[EmitFunction],
                           selected: set[str] | None = None) -> tuple[list[EmitFunction], list[str]]:
    """``fns`` with the lowering constructor's ``Custom`` actions that no dispatcher handles made ``Legal`` where
    the target's selection patterns match the operation (``selected``: ``selectable.selected_operations``), else
    ``Expand``, and the operations changed."""
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
        if selected is not None and m.group(2) in selected:
            return f"{m.group(1)}Legal{m.group(3)} // vega: Custom, but LowerOperation has no case for it; the .td selects it"
        return f"{m.group(1)}Expand{m.group(3)} // vega: Custom, but LowerOperation has no case for it"

    lines, legal = _expansions_end(_substitute(ctor.body.split("\n"), _CUSTOM, expand), selected)
    changed += legal
    if not changed:
        return fns, []
    fixed = replace(ctor, body="\n".join(lines))
    return [fixed if f.key == CONSTRUCTOR else f for f in fns], changed


# LLVM's legalizer expands each of these operations into the other (``LegalizeDAG.cpp``: a ``BR_CC`` into a
# ``BRCOND`` of a ``SETCC``, a ``BRCOND`` into a ``BR_CC``; ``SELECT_CC`` and ``SELECT`` alike): both ``Expand``,
# and it never ends
EXPANSION_PAIRS = (("BR_CC", "BRCOND"), ("SELECT_CC", "SELECT"))
_EXPAND = re.compile(r"(setOperationAction\s*\(\s*ISD\s*::\s*(\w+)\s*,[^;{}]*?,\s*)Expand(\s*\)\s*;)")


def _expansions_end(lines: list[str], selected: set[str] | None) -> tuple[list[str], list[str]]:
    """``lines`` (the constructor's) where both operations of an ``EXPANSION_PAIRS`` pair are ``Expand`` (the
    donor's own choice for one, ``custom_lowering_agrees``' for the other: Lanai lowers ``BR_CC`` itself and
    expands ``BRCOND``; XCore's scratch backend, with Lanai's constructor and no ``BR_CC`` case, looped in the
    legalizer on every conditional branch) with the one the target's selection patterns match made ``Legal``,
    and the operations changed; unchanged where the patterns match neither (which one should stay cannot be told)."""
    expanded = {m.group(2) for line in lines for m in [_EXPAND.search(_CODE_OF_LINE.match(line).group(1))] if m}
    sel = selected or set()
    keep = {b if b in sel else a for a, b in EXPANSION_PAIRS if {a, b} <= expanded and (a in sel or b in sel)}
    if not keep:
        return lines, []
    other = {x: y for a, b in EXPANSION_PAIRS for x, y in ((a, b), (b, a))}

    def legal(m: re.Match[str]) -> str:
        if m.group(2) not in keep:
            return m.group(0)
        return (f"{m.group(1)}Legal{m.group(3)} // vega: Expand, but ISD::{other[m.group(2)]} is expanded into it; "
                f"the .td selects it")

    return _substitute(lines, _EXPAND, legal), sorted(keep)


def _substitute(lines: list[str], pattern: re.Pattern[str], repl: Any) -> list[str]:
    """``lines`` with ``pattern`` replaced in each line's code, its comment kept after the new code."""
    out = []
    for line in lines:
        code, comment = _CODE_OF_LINE.match(line).groups()
        out.append(pattern.sub(repl, code) + (comment or ""))
    return out


_CTOR_TYPE = re.compile(r"\busing\s+(\w+)\s*=\s*(?:const\s+)?(\w+)\s*\*\s*\(\s*\*\s*\)\s*\(([^;]*?)\)\s*;", re.S)
_REGISTER_FN = re.compile(r"\bstatic\s+void\s+(Register\w+)\s*\(\s*Target\s*&\s*\w+\s*,"
                          r"\s*Target\s*::\s*(\w+)\s+\w+\s*\)")
_STATIC_CREATOR = re.compile(r"^\s*static\s+(?:const\s+)?(\w+)\s*\*\s*(\w+)\s*\(")
_REGISTER_CALL = re.compile(r"\bTargetRegistry\s*::\s*Register\w+\s*\(\s*([^,()]+(?:\(\s*\))?)\s*,")
_PLAIN_CALL = re.compile(r"^[\w:\s]+\(\s*\)$")


@lru_cache(maxsize=4)
def registry_kinds(include_dir: Path) -> dict[str, tuple[str, int]]:
    """The type a creator returns -> (the ``TargetRegistry`` function that registers it, its parameter count), from
    ``llvm/MC/TargetRegistry.h``; a type that more than one kind returns (``MCStreamer``: ELF, COFF, ...) is left
    out, since its creator's kind cannot be told from its type."""
    header = Path(include_dir) / "llvm" / "MC" / "TargetRegistry.h"
    if not header.is_file():
        return {}
    text = header.read_text(errors="replace")
    ctor = {m.group(1): (m.group(2), _arity(m.group(3))) for m in _CTOR_TYPE.finditer(text)}
    by_type: dict[str, list[tuple[str, int]]] = {}
    for m in _REGISTER_FN.finditer(text):
        if m.group(2) in ctor:
            ret, n = ctor[m.group(2)]
            by_type.setdefault(ret, []).append((m.group(1), n))
    return {ret: kinds[0] for ret, kinds in by_type.items() if len(kinds) == 1}


def _arity(params: str) -> int:
    depth, n, seen = 0, 0, False
    for ch in params:
        if ch in "(<[":
            depth += 1
        elif ch in ")>]":
            depth -= 1
        elif ch == "," and depth == 0:
            n += 1
        elif not ch.isspace():
            seen = True
    return n + 1 if seen else 0


def creators_registered(fns: list[EmitFunction], include_dir: Path) -> tuple[list[EmitFunction], list[str]]:
    """``fns`` with each file's static creators that nothing names registered by the file's initializer (the
    function of the same file that calls ``TargetRegistry::Register...`` on one target object), and the creators
    added. Only the certain case: the creator's returned type is one kind's alone, it takes that kind's parameter
    count, no live code registers that kind or names the creator, and the initializer's calls name one target by a
    call with no arguments (``getTheXCoreTarget()``; not a loop variable)."""
    kinds = registry_kinds(include_dir)
    live = {f.key: code_of(f.body) for f in fns}  # statements the repair loop commented out name nothing
    added: dict[str, list[str]] = {}  # initializer key -> registration lines
    names: list[str] = []
    for f in fns:
        m = _STATIC_CREATOR.match(" ".join(f.signature.split()))
        kind = kinds.get(m.group(1)) if m else None
        if m is None or kind is None:
            continue
        name, (register, arity) = m.group(2), kind
        sig_params = f.signature[f.signature.find("(") + 1 : f.signature.rfind(")")]
        if _arity(sig_params) != arity:
            continue
        if any(re.search(rf"\b{register}(?:Fn)?\b", code) or (k != f.key and re.search(rf"\b{name}\b", code))
               for k, code in live.items()):
            continue
        inits = [g for g in fns if g.file_stem == f.file_stem and g.key != f.key and _REGISTER_CALL.search(live[g.key])]
        if len(inits) != 1:
            continue
        targets = {t.strip() for t in _REGISTER_CALL.findall(live[inits[0].key])}
        if len(targets) != 1 or not _PLAIN_CALL.match(next(iter(targets))):
            continue
        added.setdefault(inits[0].key, []).append(
            f"  TargetRegistry::{register}({next(iter(targets))}, {name});  // vega: {name} was registered nowhere")
        names.append(name)
    if not added:
        return fns, []
    out = []
    for f in fns:
        if f.key in added:
            head, _, tail = f.body.rstrip().rpartition("}")
            indent = head[len(head.rstrip(" \t")):]  # the closing brace's
            f = replace(f, body=head.rstrip() + "\n" + "\n".join(added[f.key]) + "\n" + indent + "}" + tail)
        out.append(f)
    return out, names


NODE_NAMES = "<T>TargetLowering::getTargetNodeName"


def node_names_agree(fns: list[EmitFunction], nodes: list[str], namespace: str) -> tuple[list[EmitFunction], int]:
    """``fns`` with ``getTargetNodeName`` naming each node of the emitted ``<NS>ISD`` enumeration (``nodes``, as the
    enum's body writes them: an initializer after the name is dropped), and how many nodes the function it replaced
    did not name right.

    The function is the enumeration spelled out, every target's alike; the model's (XCore's scratch) named two of
    17 nodes, ``BR_JT`` as ``"XCoreISD::DeclareParam"``, and LLVM then reports a node selection cannot match as
    ``<<Unknown Target Node #439>>``: neither a person nor ``bootstrap.stops`` can tell which function made it.
    Only a function that dispatches with ``switch`` on its one named parameter is rewritten (its head kept)."""
    names = [n.split("=")[0].strip() for n in nodes]
    at = next((i for i, f in enumerate(fns) if f.key == NODE_NAMES), None)
    live = code_of(fns[at].body) if at is not None else ""
    if at is None or not names or "switch" not in live:
        return fns, 0
    declared = parameters(fns[at].signature) or []
    if len(declared) != 1 or not declared[0][1]:
        return fns, 0
    opcode = declared[0][1]  # the head is kept: its own name of the parameter
    scope = f"{namespace}ISD"
    wrong = sum(not re.search(rf'case\s+{scope}\s*::\s*{n}\s*:\s*return\s+"{scope}::{n}"', live) for n in names)
    if not wrong:
        return fns, 0
    width = max(len(n) for n in ["FIRST_NUMBER", *names])
    lines = ["{", f"  switch (({scope}::NodeType){opcode}) {{", f"  case {scope}::{'FIRST_NUMBER':<{width}} : break;"]
    lines += [f'  case {scope}::{n:<{width}} : return "{scope}::{n}";' for n in names]
    lines += ["  }", "  return nullptr;  // vega: every node of the enumeration named (emit.coherence)", "}"]
    out = list(fns)
    out[at] = replace(fns[at], body="\n".join(lines))
    return out, wrong
