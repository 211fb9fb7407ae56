"""A target's own SelectionDAG nodes (``<T>ISD::RET_FLAG``) and the role each plays, read from its ``.td``.

A donor's lowering code makes the donor's nodes: Lanai's ``LowerReturn`` ends in a ``LanaiISD::RET_FLAG`` node,
its ``LowerCall`` in ``LanaiISD::CALL``. The new target has nodes for the same jobs under other names (XCore's
``RETSP`` and ``BL``), and a translation by shared name parts (``adapt.own_enumerators``) finds none, so the model
filled the slot with whatever enumerator it liked (``XCoreISD::CRC8``), which XCore's patterns never select where a
return is. The ``.td`` says what a node is for: its ``SDNode`` record gives its properties (a chain, glue in and
out, variadic operands) and its type profile, and the instructions that its selection patterns turn it into say
what it does (a return, a call, a branch; ``roles.ROLE_FLAGS``). Two nodes with the same properties, result count
and selected instructions' flags play the same role (``Node.role``).

The profile also says which operands a node takes before its variadic ones: XCore's return node takes the stack
adjustment as an immediate of the pointer type (``retsp 0``) where Lanai's takes none, so a return made as Lanai makes it is a
node no pattern selects. ``Node.fixed`` lists each such operand's value type and whether the pattern matches it as
a target constant (``timm``) or a plain one (``imm``), for ``operands.py`` to supply.

A wrapper (MSP430's ``Wrapper``, XCore's ``DPRelativeWrapper``) selects no instruction that says what it does; the
symbols its patterns apply it to (a global, a constant pool entry, a block address) do (``Node.wraps``, ``wrapper``).

Reading a ``.td`` runs ``llvm-tblgen`` (a second for small targets, half a minute for AMDGPU), so each target's nodes
are cached under ``<cache>/nodes/``, keyed by the bytes of the description's ``.td`` files and this module's code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..paths import cache_root
from ..provenance import code_digest, file_digest

# the properties of an SDNode that decide how a node is made and chained (``SDNodeProperties.td``); memory and side
# effect properties (``SDNPMayLoad``: XCore's return reloads the link register) say how it is scheduled
ROLE_PROPERTIES = frozenset({"SDNPHasChain", "SDNPInGlue", "SDNPOutGlue", "SDNPOptInGlue", "SDNPVariadic"})
# the flags of a selected instruction that say what the node does
SELECT_FLAGS = ("isReturn", "isCall", "isBranch", "isIndirectBranch", "isBarrier", "isTerminator")


@dataclass(frozen=True)
class Node:
    """One target node: its enumerator (``RETSP``), scope (``XCoreISD``) and what the ``.td`` says of it."""

    name: str
    scope: str
    properties: tuple[str, ...]
    results: int
    operands: int  # the profile's NumOperands; -1: any number
    selects: tuple[str, ...]  # the union of SELECT_FLAGS of the instructions its patterns select
    fixed: tuple[tuple[str, str], ...] = ()  # (value type, "imm" | "timm") of each operand before the variadic ones
    # the symbols (``tglobaladdr``, ``tconstpool``) its patterns apply it to: what a wrapper wraps
    wraps: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> "Node":
        """A node as ``asdict`` wrote it (JSON has lists where the record has tuples)."""
        return cls(row["name"], row["scope"], tuple(row["properties"]), row["results"], row["operands"],
                   tuple(row["selects"]), tuple(tuple(f) for f in row["fixed"]), tuple(row.get("wraps") or ()))

    @property
    def role(self) -> tuple[Any, ...] | None:
        """What makes two nodes stand for each other; None for a node whose patterns select nothing that says
        what it does (a wrapper, an arithmetic node): such nodes are told apart by what they wrap (``wrapper``)
        or by name."""
        if not self.selects:
            return None
        return (tuple(p for p in self.properties if p in ROLE_PROPERTIES), self.results, self.selects)


def _def(value: Any) -> str | None:
    return value.get("def") if isinstance(value, dict) and value.get("kind") == "def" else None


def _operator(dag: Any) -> str | None:
    return _def(dag.get("operator")) if isinstance(dag, dict) and dag.get("kind") == "dag" else None


def nodes_of(records: dict[str, Any], instanceof: dict[str, list[str]]) -> list[Node]:
    """The target's own nodes (an ``SDNode`` whose opcode is not LLVM's ``ISD::``), from a ``--dump-json``."""
    instructions = set(instanceof.get("Instruction", []))
    own = {n: r for n in instanceof.get("SDNode", []) for r in [records.get(n) or {}]
           if "::" in str(r.get("Opcode", "")) and not str(r.get("Opcode")).startswith("ISD::")}
    selects: dict[str, set[str]] = {}
    leaves: dict[str, list[str]] = {}  # a node's operand leaves in its patterns, in order
    wraps: dict[str, set[str]] = {}
    # LLVM's nodes of a symbol a wrapper can wrap: a global, a constant pool entry, an external symbol, ... (their
    # ``ISD::Target*`` forms, less ``TargetConstant``, an immediate)
    symbols = {n for n in instanceof.get("SDNode", []) for op in [str((records.get(n) or {}).get("Opcode", ""))]
               if op.startswith("ISD::Target") and op != "ISD::TargetConstant"}

    def note(match: Any, instr: str | None, top: bool = True) -> None:
        if not isinstance(match, dict) or match.get("kind") != "dag":
            return
        args = [a[0] if isinstance(a, list) and a else a for a in match.get("args") or []]
        for a in args:  # a wrapper is applied anywhere in a pattern: ``(set R:$a, (load (dprelwrapper g)))``
            note(a, instr, top=False)
        op = _operator(match)
        if op not in own:
            return
        wraps.setdefault(op, set()).update(n for a in args for n in [_def(a) or _operator(a)] if n in symbols)
        if not top:  # what it selects and which operands are immediates: read where the node is the pattern
            return
        if instr in instructions:
            selects.setdefault(op, set()).update(f for f in SELECT_FLAGS if (records.get(instr) or {}).get(f))
        leaves.setdefault(op, [_leaf(records, a) for a in args])

    for i in instructions:
        for pat in (records.get(i) or {}).get("Pattern") or []:
            note(pat, i)
    for p in instanceof.get("Pattern", []):
        rec = records.get(p) or {}
        results = rec.get("ResultInstrs") or []
        note(rec.get("PatternToMatch"), _operator(results[0]) if results else None)
    out = []
    for name, r in sorted(own.items()):
        profile = records.get(_def(r.get("TypeProfile")) or "") or {}
        fixed = []
        n_ops = int(profile.get("NumOperands", 0) or 0)
        n_res = int(profile.get("NumResults", 0) or 0)
        vts = _operand_types(records, profile, n_res)
        for k in range(max(n_ops, 0)):
            leaf = (leaves.get(name) or [])[k:k + 1]
            fixed.append((vts.get(k, ""), leaf[0] if leaf else ""))
        scope, _, enum = str(r["Opcode"]).rpartition("::")
        out.append(Node(enum, scope, tuple(sorted(_def(p) or "" for p in r.get("Properties") or [])), n_res,
                        n_ops, tuple(f for f in SELECT_FLAGS if f in selects.get(name, set())), tuple(fixed),
                        tuple(sorted(wraps.get(name, ())))))
    return out


def _operand_types(records: dict[str, Any], profile: dict[str, Any], results: int) -> dict[int, str]:
    """Operand index -> the value type an ``SDTCisVT`` constraint of the profile gives it (``i32``), or ``ptr``
    for an ``SDTCisPtrTy`` one (the target's pointer type)."""
    out = {}
    for c in profile.get("Constraints") or []:
        rec = records.get(_def(c) or "") or {}
        kinds = rec.get("!superclasses") or []
        vt = _def(rec.get("VT")) if "SDTCisVT" in kinds else "ptr" if "SDTCisPtrTy" in kinds else None
        if vt and isinstance(rec.get("OperandNum"), int):
            k = rec["OperandNum"] - results
            if k >= 0:
                out[k] = vt
    return out


def _leaf(records: dict[str, Any], arg: Any) -> str:
    """How a pattern matches one operand: ``imm`` or ``timm`` for an immediate (through the ``ImmLeaf`` or
    ``PatLeaf`` that wraps it), else ""."""
    value = arg[0] if isinstance(arg, list) and arg else arg
    name = _def(value) or _operator(value)
    seen = set()
    while name and name not in seen:
        if name in ("imm", "timm"):
            return name
        seen.add(name)
        rec = records.get(name) or {}
        fragments = rec.get("Fragments") or [None]
        name = _def(rec.get("ImmNode")) or _operator(fragments[0]) or None
    return ""


def _source_root(records: dict[str, Any], match: Any, sdnodes: set[str]) -> str | None:
    """The SelectionDAG node at the root of what a pattern matches: the operator of a ``set``'s value (or of the
    pattern itself, a store), through the ``PatFrag``s and ``ImmLeaf``s that wrap it (``immU6`` is ``imm``,
    ``load_sext`` is ``load``); None where it is none of LLVM's or the target's nodes."""
    if isinstance(match, dict) and match.get("kind") == "dag" and _operator(match) == "set":
        args = match.get("args") or []
        match = args[-1][0] if args and isinstance(args[-1], list) and args[-1] else (args[-1] if args else None)
    name = _def(match) or _operator(match)
    seen = set()
    while name and name not in seen:
        if name in sdnodes:
            return name
        seen.add(name)
        rec = records.get(name) or {}
        if rec.get("!superclasses") and "ValueType" in rec["!superclasses"]:  # ``(i32 immMskBitp:$size)``
            args = match.get("args") or [] if isinstance(match, dict) else []
            match = args[0][0] if args and isinstance(args[0], list) and args[0] else None
            name = _def(match) or _operator(match)
            continue
        fragments = rec.get("Fragments") or [None]
        match = fragments[0]
        name = _def(rec.get("ImmNode")) or _operator(fragments[0]) or None
    return None


def selected_from(records: dict[str, Any], instanceof: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each instruction's selection sources: the nodes at the root of the patterns that select it as they stand,
    its own (``LDC_ru6``: ``(set RRegs:$a, immU6:$b)`` is ``imm``) and the ``Pat``s whose result is the
    instruction applied to operands taken as matched. A ``Pat`` that first transforms an operand
    (``(MKMSK_rus (msksize_xform imm:$size))``: a constant made a mask width) or builds more instructions does not
    count: the instruction does something else with the value than the pattern's root does.

    Two targets' instructions of the same operand kinds and flags may still do different things (XCore's ``ldc``
    and ``mkmsk`` both take a register and an immediate); the node each is selected from tells them apart
    (``roles.RecordRoles.same_role``)."""
    instructions = set(instanceof.get("Instruction", []))
    sdnodes = set(instanceof.get("SDNode", []))
    out: dict[str, set[str]] = {}
    for i in instructions:
        for pat in (records.get(i) or {}).get("Pattern") or []:
            root = _source_root(records, pat, sdnodes)
            if root:
                out.setdefault(i, set()).add(root)
    for p in instanceof.get("Pattern", []):
        rec = records.get(p) or {}
        results = rec.get("ResultInstrs") or []
        if len(results) != 1:
            continue
        instr = _operator(results[0])
        args = [a[0] if isinstance(a, list) and a else a for a in results[0].get("args") or []]
        if instr not in instructions or any(isinstance(a, dict) and a.get("kind") == "dag" for a in args):
            continue
        root = _source_root(records, rec.get("PatternToMatch"), sdnodes)
        if root:
            out.setdefault(instr, set()).add(root)
    return {i: sorted(s) for i, s in sorted(out.items())}


def _cache_key(td: Path, inputs: list[dict[str, Any]]) -> str:
    h = hashlib.sha256(code_digest("nodes").encode())
    files = sorted({str(i["path"]) for i in inputs if str(i.get("path", "")).endswith(".td")} | {str(td)})
    for f in files:
        h.update(f.encode() + b"\0" + (file_digest(Path(f)).encode() if Path(f).is_file() else b"-") + b"\0")
    return h.hexdigest()[:24]


def target_nodes(table: Any, cache: Path | None = None) -> dict[str, Node]:
    """``nodes_of`` the ``.td`` that ``table`` (a ``describe`` property table) was made from, by enumerator name;
    {} where the table names no readable ``.td`` or ``llvm-tblgen`` rejects it (nothing can be said)."""
    read = _read(table, cache)
    return {n.name: n for n in read[0]} if read else {}


def instruction_sources(table: Any, cache: Path | None = None) -> dict[str, frozenset[str]]:
    """``selected_from`` the ``.td`` that ``table`` was made from; {} where it cannot be read."""
    read = _read(table, cache)
    return {i: frozenset(s) for i, s in read[1].items()} if read else {}


_READ: dict[str, tuple[list[Node], dict[str, list[str]]]] = {}


def _read(table: Any, cache: Path | None) -> tuple[list[Node], dict[str, list[str]]] | None:
    """A target's nodes and instruction sources, from the cache or one ``llvm-tblgen`` run (then cached)."""
    from ..describe.properties import write_json_atomic
    from ..describe.tblgen import dump_json
    from ..errors import ConfigError, TableGenError

    meta = getattr(table, "meta", None) or {}
    td = Path(str(meta.get("td") or ""))
    if not td.is_file():
        return None
    folder = (cache or cache_root()) / "nodes"
    path = folder / f"{table.target}-{_cache_key(td, meta.get('inputs') or [])}.json"
    if str(path) in _READ:
        return _READ[str(path)]
    got = None
    if path.is_file():
        try:
            row = json.loads(path.read_text())
            got = ([Node.from_json(n) for n in row["nodes"]], {k: list(v) for k, v in row["sources"].items()})
        except (ValueError, TypeError, KeyError):
            got = None  # unreadable or of an older layout: made again below
    if got is None:
        try:
            dump = dump_json(td)
        except (ConfigError, TableGenError, OSError):
            return None
        got = (nodes_of(dump.records, dump.instanceof), selected_from(dump.records, dump.instanceof))
        folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, {"nodes": [asdict(n) for n in got[0]], "sources": got[1]})
    _READ[str(path)] = got
    return got


def counterpart(donor: Node, own: dict[str, Node]) -> Node | None:
    """The new target's node in the role ``donor`` plays (``Node.role``): the only one, or of several the one
    sharing the most name parts with it where exactly one does; for a node without a role, the wrapper of the same
    symbols (``wrapper``); None where no node has the role or the description cannot tell which."""
    from .adapt import name_parts

    role = donor.role
    if donor.name in own:
        return None
    if role is None:
        return wrapper(donor, own)
    alike = [n for n in own.values() if n.role == role]
    if len(alike) == 1:
        return alike[0]
    parts = name_parts(donor.name)
    scored = sorted(((len(name_parts(n.name) & parts), n.name, n) for n in alike), key=lambda x: (-x[0], x[1]))
    if scored and scored[0][0] and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][2]
    return None


# below this overlap of what two wrappers wrap (Jaccard) they are not taken for each other
MIN_WRAP_OVERLAP = 0.5


def wrapper(donor: Node, own: dict[str, Node]) -> Node | None:
    """The new target's node that wraps what ``donor`` wraps (``Node.wraps``), for a node whose patterns say nothing
    else of it: of the target's nodes with no role and as many results and operands, the one whose wrapped nodes
    overlap the donor's most, where exactly one does and by at least ``MIN_WRAP_OVERLAP``. MSP430's ``Wrapper``
    (a global, an external symbol, a block address) is XCore's ``PCRelativeWrapper`` (a global, a block address),
    not its ``CPRelativeWrapper`` (a global, a constant pool entry); a donor whose wrapper wraps a global alone
    stands between XCore's three and gets none."""
    if not donor.wraps:
        return None
    mine = set(donor.wraps)
    scored = sorted(((len(mine & set(n.wraps)) / len(mine | set(n.wraps)), n.name, n) for n in own.values()
                     if n.role is None and n.wraps and (n.results, n.operands) == (donor.results, donor.operands)),
                    key=lambda x: (-x[0], x[1]))
    if scored and scored[0][0] >= MIN_WRAP_OVERLAP and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][2]
    return None
