"""Align the implementations of one function group into a template.

The members are merged one after another into a growing template tree, largest first: each is matched against the
template with ``gumtree.Matcher``; matched statements are merged, unmatched ones are inserted where the member has
them (after the statement mapped to their previous sibling). Every template statement then gets its text:

- **target-independent** when every member has it with the same tokens (after ``<T>`` abstraction);
- **target-specific** otherwise: the members' token sequences are aligned to the first one's (difflib on tokens,
  anchors kept only where every member agrees); runs that differ become placeholders ``<SVn>`` with one value per
  member, and in such statements numbers, strings, characters and ``<T>::member`` names become placeholders too,
  because they are the values a new target must supply even when the training members happen to agree.

Placeholder types (``PLACEHOLDER_TYPES``): ``register`` (a ``<T>::`` name shaped like a register: ``X1``, ``SP``),
``target-enum`` (another ``<T>::`` name: opcodes, fixups, ...), ``target-identifier`` (an identifier spelled with
``<T>``), ``enum-member`` (``Ns::Name`` outside the target namespace, e.g. ``ELF::R_MIPS_32``), ``identifier``,
``type``, ``namespace``, ``number``, ``string``, ``char``, ``constant`` (true/false/nullptr/this), ``expression``
(several tokens in some member).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from ..corpus.naming import T, abstract_token
from .gumtree import Matcher, Node
from .schema import TARGET_INDEPENDENT, TARGET_SPECIFIC, Member, Placeholder, Statement, Template

PLACEHOLDER_TYPES = (
    "register",
    "target-enum",
    "target-identifier",
    "enum-member",
    "identifier",
    "type",
    "namespace",
    "number",
    "string",
    "char",
    "constant",
    "expression",
)
_CODE_TYPE = {"y": "type", "n": "namespace", "d": "number", "s": "string", "c": "char", "b": "constant", "p": "expression"}
_REGISTER = re.compile(r"^(?:[A-Z]{1,3}\d{1,2}|[A-Z]\d{1,2}_\d+|SP|FP|LR|PC|RA|GP|TP|ZERO|SR|CP|DP|LP|ELR)$")
_SEP = "\x00"  # separates head and tail in a node label


@dataclass
class MemberInput:
    member: str
    target: str
    function: str
    spelling: str
    tree: dict[str, Any]


Seq = tuple[tuple[str, ...], str]  # tokens, type codes


class TNode:
    """A template statement while the template is being built: per member its head and tail tokens."""

    __slots__ = ("kind", "children", "heads", "tails", "label")

    def __init__(self, kind: str, label: tuple[str, ...]):
        self.kind = kind
        self.children: list[TNode] = []
        self.heads: dict[str, Seq] = {}
        self.tails: dict[str, Seq] = {}
        self.label = label  # the first member's tokens, what later members are matched against


def _abstract(tokens: list[str], codes: str, spelling: str) -> tuple[str, ...]:
    return tuple(abstract_token(t, spelling) if c in "iyn" else t for t, c in zip(tokens, codes))


def member_tree(tree: dict[str, Any], spelling: str) -> Node:
    """gumtree ``Node`` tree of a member's statement tree; ``ref`` = (head, tail) abstracted sequences."""
    head = (_abstract(tree.get("h", []), tree.get("ht", ""), spelling), tree.get("ht", ""))
    tail = (_abstract(tree.get("t", []), tree.get("tt", ""), spelling), tree.get("tt", ""))
    n = Node(tree["k"], head[0] + (_SEP,) + tail[0], ref=(head, tail))
    for ch in tree.get("c", ()):
        n.add(member_tree(ch, spelling))
    return n


def _template_tree(t: TNode) -> Node:
    n = Node(t.kind, t.label, ref=t)
    for ch in t.children:
        n.add(_template_tree(ch))
    return n


def _new_tnode(mn: Node, member: str) -> TNode:
    t = TNode(mn.kind, mn.label)
    t.heads[member], t.tails[member] = mn.ref
    for ch in mn.children:
        t.children.append(_new_tnode(ch, member))
    return t


def _merge(tn: Node, mn: Node, inv: dict[Node, Node], member: str) -> None:
    t: TNode = tn.ref
    t.heads[member], t.tails[member] = mn.ref
    cursor = -1
    for cm in mn.children:
        ca = inv.get(cm)
        if ca is not None:
            cursor = t.children.index(ca.ref)
            _merge(ca, cm, inv, member)
        else:
            cursor += 1
            t.children.insert(cursor, _new_tnode(cm, member))


def align_members(members: list[MemberInput], matcher: Matcher | None = None) -> TNode:
    """Merge all members into one template tree (members must share the root kind ``function_definition``)."""
    matcher = matcher or Matcher()
    trees = [(m, member_tree(m.tree, m.spelling)) for m in members]
    first_m, first_t = trees[0]
    root = _new_tnode(first_t, first_m.member)
    for m, mt in trees[1:]:
        tt = _template_tree(root)
        mapping = matcher.match(tt, mt)
        inv = {b: a for a, b in mapping.items()}
        _merge(tt, mt, inv, m.member)
    return root


# ---------------------------------------------------------------------------------------------------------------
# statement text and placeholders


class _Namer:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        name = f"SV{self.n}"
        self.n += 1
        return name


def _ph_type(ref_toks: tuple[str, ...], pos: int, values: list[Seq]) -> str:
    """Type of a placeholder from its members' values (token codes) and the tokens before it."""
    nonempty = [v for v in values if v[0]]
    if nonempty and all(len(v[0]) == 3 and v[0][1] == "::" and v[1][2] == "i" for v in nonempty):
        quals = {v[0][0] for v in nonempty}  # whole qualified names: "<T> :: fixup_x", "ELF :: R_X"
        if quals == {T}:
            return "register" if all(_REGISTER.match(v[0][2]) for v in nonempty) else "target-enum"
        return "enum-member"
    if not nonempty or any(len(v[0]) != 1 for v in nonempty):
        return "expression"
    codes = {v[1] for v in nonempty}
    if len(codes) != 1:
        return "expression"
    code = codes.pop()
    if code == "i":
        qual = ref_toks[pos - 2] if pos >= 2 and ref_toks[pos - 1] == "::" else None
        if qual == T:
            return "register" if all(_REGISTER.match(v[0][0]) for v in nonempty) else "target-enum"
        if any(T in v[0][0] for v in nonempty):
            return "target-identifier"
        return "enum-member" if qual else "identifier"
    if code in "yn" and any(T in v[0][0] for v in nonempty):
        return "target-identifier"
    return _CODE_TYPE.get(code, "expression")


def _forced(toks: tuple[str, ...], codes: str, i: int) -> bool:
    """Tokens that stay placeholders in a target-specific statement even when the members agree: literals and
    qualified names (``<T>::ADDI``, ``ELF::R_MIPS_32``), the values a new target supplies."""
    c = codes[i]
    if c in "dsc":
        return True
    return c == "i" and i >= 1 and toks[i - 1] == "::"


def _case_label(
    seqs: dict[str, Seq], namer: "_Namer", placeholders: list[Placeholder], values: dict[str, dict[str, str]]
) -> list[str] | None:
    """``case <SVn> :`` for a target-specific case label: the label is one value, whatever its shape."""
    spans = {}
    for m, (toks, codes) in seqs.items():
        if len(toks) < 3 or toks[0] != "case" or toks[-1] != ":":
            return None
        spans[m] = (toks[1:-1], codes[1:-1])
    name = namer()
    placeholders.append(Placeholder(name, _ph_type(("case",), 1, list(spans.values()))))
    for m, s in spans.items():
        values[m][name] = " ".join(s[0])
    return ["case", f"<{name}>", ":"]


def _pattern(
    seqs: dict[str, Seq],
    specific: bool,
    namer: _Namer,
    placeholders: list[Placeholder],
    values: dict[str, dict[str, str]],
    kind: str = "",
) -> list[str]:
    """Template tokens for one head (or tail) given each member's sequence; fills ``values[member][name]``."""
    members = list(seqs)
    ref_toks, ref_codes = seqs[members[0]]
    if not specific:
        return list(ref_toks)
    if kind == "case_statement":
        case = _case_label(seqs, namer, placeholders, values)
        if case is not None:
            return case
    # anchors: ref positions every member matches, with each member's position for them
    pos_maps: dict[str, dict[int, int]] = {}
    stable: set[int] = set(range(len(ref_toks)))
    for m in members[1:]:
        toks = seqs[m][0]
        sm = SequenceMatcher(None, ref_toks, toks, autojunk=False)
        pm: dict[int, int] = {}
        for blk in sm.get_matching_blocks():
            for k in range(blk.size):
                pm[blk.a + k] = blk.b + k
        pos_maps[m] = pm
        stable &= pm.keys()
    pos_maps[members[0]] = {i: i for i in range(len(ref_toks))}
    anchors = sorted(stable)
    out: list[str] = []

    def gap(lo_ref: int, hi_ref: int, at: int) -> None:
        """Members' tokens strictly between anchors lo_ref and hi_ref (-1 / len for the ends) as one placeholder."""
        spans: dict[str, Seq] = {}
        for m in members:
            toks, codes = seqs[m]
            lo = pos_maps[m][lo_ref] + 1 if lo_ref >= 0 else 0
            hi = pos_maps[m][hi_ref] if hi_ref < len(ref_toks) else len(toks)
            spans[m] = (toks[lo:hi], codes[lo:hi])
        if not any(s[0] for s in spans.values()):
            return
        name = namer()
        placeholders.append(Placeholder(name, _ph_type(tuple(out), at, list(spans.values()))))
        for m, s in spans.items():
            values[m][name] = " ".join(s[0])
        out.append(f"<{name}>")

    prev = -1
    for a in anchors:
        gap(prev, a, len(out))
        if _forced(ref_toks, ref_codes, a):
            name = namer()
            single = {m: ((seqs[m][0][pos_maps[m][a]],), seqs[m][1][pos_maps[m][a]]) for m in members}
            placeholders.append(Placeholder(name, _ph_type(tuple(out), len(out), list(single.values()))))
            for m, s in single.items():
                values[m][name] = s[0][0]
            out.append(f"<{name}>")
        else:
            out.append(ref_toks[a])
        prev = a
    gap(prev, len(ref_toks), len(out))
    return out


def build_template(
    gid: str, file: str, qname: str, module: str, members: list[MemberInput], matcher: Matcher | None = None
) -> Template:
    """Align ``members`` (largest first is best) and produce the group's template."""
    root = align_members(members, matcher)
    names = [m.member for m in members]
    namer = _Namer()
    statements: list[Statement] = []
    presence: dict[str, list[int]] = {m: [] for m in names}
    values: dict[str, dict[str, str]] = {m: {} for m in names}

    def visit(t: TNode, parent: int | None, depth: int) -> None:
        sid = len(statements)
        have = list(t.heads)
        same = len(have) == len(names) and len({t.heads[m][0] for m in have}) == 1 and len({t.tails[m][0] for m in have}) == 1
        phs: list[Placeholder] = []
        sub_values = {m: values[m] for m in have}
        head = _pattern(t.heads, not same, namer, phs, sub_values, t.kind)
        tail = _pattern(t.tails, not same, namer, phs, sub_values)
        statements.append(
            Statement(
                id=sid,
                parent=parent,
                depth=depth,
                kind=t.kind,
                tokens=head,
                close=tail,
                label=TARGET_INDEPENDENT if same else TARGET_SPECIFIC,
                placeholders=phs,
                presence=len(have),
            )
        )
        for m in have:
            presence[m].append(sid)
        for ch in t.children:
            visit(ch, sid, depth + 1)

    visit(root, None, 0)
    return Template(
        id=gid,
        file=file,
        qname=qname,
        module=module,
        targets=sorted({m.target for m in members}),
        statements=statements,
        members=[
            Member(member=m.member, target=m.target, function=m.function, spelling=m.spelling, statements=presence[m.member], values=values[m.member])
            for m in members
        ],
    )
