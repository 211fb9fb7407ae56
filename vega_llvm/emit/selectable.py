"""The ``ISD`` operations a target's ``.td`` selects: the nodes its instruction selection patterns match.

The lowering's constructor tells LLVM, per operation, whether the selector handles it (``Legal``, the default), the
target lowers it by hand (``Custom``) or LLVM rewrites it into others (``Expand``). A scratch backend's constructor
comes from a training target, so its ``Custom`` can name an operation that the chosen ``LowerOperation`` has no
case for (``emit.coherence``). Making every such operation ``Expand`` is wrong where the target's own patterns
select it: XCore's ``.td`` selects ``setcc`` (``(setcc GRRegs:$lhs, GRRegs:$rhs, SETEQ)`` -> ``EQ_3r``), which its
own lowering leaves ``Legal``; expanded, ``SETCC`` becomes a ``SELECT_CC`` that is itself expanded back. (XCore's
scratch lit timeouts, 5 of 66, outlived this: two are switch tests, likely the expanded ``JumpTable``, which XCore
lowers by hand; docs/RESULTS.md.) What the patterns match is read from ``llvm-tblgen --dump-json`` of the target: the operators
of every ``Pattern``'s ``PatternToMatch`` and every instruction's ``Pattern``, through the ``PatFrag`` fragments
and ``ComplexPattern`` root nodes they use, down to the ``SDNode`` records and their ``Opcode``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def selected_operations(records: dict[str, Any], instanceof: dict[str, list[str]]) -> set[str]:
    """The names of the ``ISD::`` opcodes (``SETCC``, ``ADD``) the target's selection patterns match."""
    sdnodes = set(instanceof.get("SDNode", []))
    complex_patterns = set(instanceof.get("ComplexPattern", []))
    out: set[str] = set()
    seen: set[str] = set()

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for v in value:
                visit(v)
            return
        if not isinstance(value, dict):
            return
        if value.get("kind") == "dag":
            visit(value.get("operator"))
            for arg in value.get("args") or []:
                visit(arg[0] if isinstance(arg, list) and arg else arg)
            return
        if value.get("kind") == "def":
            name = value.get("def")
            if not isinstance(name, str) or name in seen:
                return
            seen.add(name)
            rec = records.get(name) or {}
            if name in sdnodes:
                opcode = rec.get("Opcode")
                if isinstance(opcode, str) and opcode.startswith("ISD::"):
                    out.add(opcode[len("ISD::"):])
            elif name in complex_patterns:
                visit([{"kind": "def", "def": r.get("def")} for r in rec.get("RootNodes") or [] if isinstance(r, dict)])
            else:  # a PatFrag, PatFrags or PatLeaf: what its fragments match
                visit(rec.get("Fragments"))

    for name in instanceof.get("Pattern", []):
        visit((records.get(name) or {}).get("PatternToMatch"))
    for name in instanceof.get("Instruction", []):
        visit((records.get(name) or {}).get("Pattern"))
    return out


def td_selected_operations(td: Path) -> set[str] | None:
    """``selected_operations`` of the target description ``td``; None where ``llvm-tblgen`` cannot read it (nothing
    can be said, and the caller keeps its rule)."""
    from ..describe.tblgen import dump_json
    from ..errors import ConfigError, TableGenError

    try:
        dump = dump_json(td)
    except (ConfigError, TableGenError, OSError):
        return None
    return selected_operations(dump.records, dump.instanceof)
