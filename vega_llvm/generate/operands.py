"""Immediate operands that a translated node needs and its donor's code never passes.

A node translated to the new target's node of the same role (``roles.RecordRoles.node``: Lanai's ``RET_FLAG`` is XCore's
``RETSP``) can take more operands before its variadic ones than the donor's did: XCore's return takes the stack
adjustment as an immediate (``retsp 0``; the frame lowering rewrites it), Lanai's takes none. Made with the donor's
operands, the node has a register where its pattern wants the immediate, and selection stops at ``Cannot select``.
The ``.td`` gives what is missing: how many operands the profile fixes and which of them the patterns match as an
immediate (``imm``: ``getConstant``; ``timm``: ``getTargetConstant``), with its value type where the profile pins one.
The operand is supplied as 0, the value that changes nothing (no stack to pop, no offset), at its place after the
chain and the donor's own fixed operands: in the operand vector the call passes, or among the call's arguments.
An operand that is not an immediate cannot be made up, and the code is left as it is.
"""

from __future__ import annotations

import re
from typing import Callable

from .nodes import Node

_CALL = re.compile(r"(\b[A-Za-z_]\w*)\s*(\.|->)\s*getNode\s*\(")


def call_arguments(code: str, start: int) -> tuple[list[tuple[int, int]], int] | None:
    """The spans of the top-level arguments of the call whose ``(`` is at ``start``, and the index of its ``)``."""
    depth, spans, begin = 0, [], start + 1
    for i in range(start, len(code)):
        ch = code[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                spans.append((begin, i))
                return spans, i
        elif ch == "," and depth == 1:
            spans.append((begin, i))
            begin = i + 1
    return None


def _node_named(expr: str, code: str, own: dict[str, Node]) -> Node | None:
    """The node an opcode argument names: ``<T>ISD :: RETSP`` itself, or a local assigned it (``Opc``)."""
    m = re.fullmatch(r"\s*(?:\w+\s*::\s*)?(\w+)\s*", expr)
    if not m:
        return None
    name = m.group(1)
    if name in own and re.search(rf"\b{re.escape(own[name].scope)}\s*::\s*{name}\s*$", expr.strip()):
        return own[name]
    assigned = re.findall(rf"\b{re.escape(name)}\s*=\s*\w+\s*::\s*(\w+)\s*;", code)
    return own.get(assigned[0]) if len(set(assigned)) == 1 else None


def _value(node: Node, index: int, dag: str, loc: str) -> str | None:
    vt, leaf = node.fixed[index]
    if leaf not in ("imm", "timm"):
        return None
    ty = f"MVT :: {vt}" if vt and vt != "ptr" else \
        f"{dag} . getTargetLoweringInfo ( ) . getPointerTy ( {dag} . getDataLayout ( ) )"
    return f"{dag} . {'getTargetConstant' if leaf == 'timm' else 'getConstant'} ( 0 , {loc.strip()} , {ty} )"


def supplied_operands(code: str, own: dict[str, Node], stood_for: Callable[[], dict[str, Node]]) -> str:
    """``code`` with the immediate operands each node of the target's it makes needs beyond those of the donor's
    node it stands for, as 0; unchanged where nothing is missing or cannot be supplied. ``stood_for`` gives, by the
    name of a node of ``own``, the donor's node translated to it (``roles.RecordRoles.stood_for``); it is only
    called (the donor's ``.td`` read) where a call makes a node of ``own`` that has immediate operands."""
    calls = []
    for m in _CALL.finditer(code):
        found = call_arguments(code, m.end() - 1)
        if found is not None and len(found[0]) >= 4:
            node = _node_named(code[found[0][0][0]:found[0][0][1]], code, own)
            if node is not None and any(leaf for _, leaf in node.fixed):
                calls.append((m, found[0], node))
    if not calls:
        return code
    donor = stood_for()
    for m, spans, node in reversed(calls):
        d = donor.get(node.name)
        if d is None or d.operands < 0 or node.operands <= d.operands:
            continue
        chained = "SDNPHasChain" in node.properties
        values = [_value(node, k, m.group(1), code[spans[1][0]:spans[1][1]])
                  for k in range(d.operands, node.operands)]
        if any(v is None for v in values):
            continue
        at = int(chained) + d.operands  # after the chain and the operands the donor passed too
        ops = code[spans[3][0]:spans[3][1]]
        vector = next((v for v in re.findall(r"[A-Za-z_]\w*", ops)
                       if re.search(rf"SmallVector\s*<\s*SDValue\s*,\s*\d+\s*>\s*{v}\b", code)), None) \
            if len(spans) == 4 else None
        if vector is not None:  # one operand vector: insert into it before the statement that makes the node
            line = code.rfind("\n", 0, m.start()) + 1
            while line > 1 and not code[:line - 1].rstrip().endswith((";", "{", "}")):  # the statement's start
                line = code.rfind("\n", 0, line - 1) + 1
            indent = re.match(r"[ \t]*", code[line:]).group(0)
            inserts = "".join(f"{indent}{vector} . insert ( {vector} . begin ( ) + {at + j} , {v} ) ;\n"
                              for j, v in enumerate(values))
            code = code[:line] + inserts + code[line:]
        else:  # operands as arguments: VT, then the operands
            if 3 + at > len(spans):
                continue
            begin, end = spans[3 + at - 1] if at else spans[2]
            pos = begin + len(code[begin:end].rstrip())
            code = code[:pos] + "".join(f" , {v}" for v in values) + code[pos:]
    return code

