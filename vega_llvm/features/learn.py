"""Learning which property each template placeholder and statement depends on, from the training targets.

VEGA's feature vector pairs a template statement with "the values of the properties it depends on". Writing that
mapping by hand per function would not scale to thousands of templates or carry over to a new target, so it is
read off the training targets:

- **Placeholders (target-specific properties).** For every training member, each value token of a placeholder is
  looked up in that member's own property table (``ValueIndex.sources``). The sources that explain the tokens of
  most members (e.g. ``register_class`` spelled ``{}RegClass``) are the placeholder's dependency.
- **Statements (target-independent properties).** A statement present in some training targets and absent in
  others depends on the boolean whose value best agrees with that presence (e.g. ``has.fixup``,
  ``instr.hasDelaySlot``), when it agrees better than always guessing the majority.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..describe.properties import PropertyTable
from .values import T, Source, ValueIndex

# A value token worth looking up: an identifier (possibly holding <T>), a number, a string or char literal.
_VALUE_TOKEN = re.compile(r"""^(?:[A-Za-z_]|<T>)[\w<>]*$|^[0-9][\w.']*$|^(?:u8|u|U|L)?"(?:[^"\\]|\\.)*"$|^'.+'$""")
_KEYWORDS = frozenset(
    """alignas alignof and asm auto bool break case catch char class const constexpr const_cast continue decltype
    default delete do double dynamic_cast else enum explicit extern false float for friend goto if inline int long
    mutable namespace new noexcept not nullptr operator or private protected public register reinterpret_cast return
    short signed sizeof static static_assert static_cast struct switch template this throw true try typedef typeid
    typename union unsigned using virtual void volatile while override final uint8_t uint16_t uint32_t uint64_t
    int8_t int16_t int32_t int64_t size_t""".split()
)
# A source must explain at least this share of a placeholder's resolvable tokens to count as a dependency.
MIN_SOURCE_SHARE = 0.2
MAX_SOURCES = 3
# A token that the code of at least this many *other* targets puts in placeholders, and that fewer than half of those
# targets' descriptions hold, is C++ vocabulary (``Subtarget``, ``DAG``, ``MVT``, a local ``Opc``), not a value.
MIN_OTHER_USERS = 3
# Kinds too generic to show that a token is a target's value: C++ fragments embedded in .td files mention ``MVT`` and
# ``Subtarget``, and every table lists small numbers. They still count when a target's token is looked up.
WEAK_KINDS = frozenset({"td_code", "number"})
MIN_EACH = 2

# Tokens of a value span: joined by single spaces, but a string literal may itself contain spaces.
_SPAN_TOKEN = re.compile(r"""(?:u8|u|U|L)?"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S+""")


def value_tokens(span: str) -> list[str]:
    """The tokens of a placeholder's value that could be a target's value (not punctuation, keywords or ``<T>``)."""
    return [t for t in _SPAN_TOKEN.findall(span) if t != T and t not in _KEYWORDS and _VALUE_TOKEN.match(t)]


@dataclass
class SlotDependency:
    template: str
    statement: int
    slot: str
    type: str
    sources: list[tuple[Source, float]]  # (source, share of resolvable tokens it explains)
    members: int  # training members with a non-empty value
    resolved: float  # share of their value tokens that their own descriptions hold

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "statement": self.statement,
            "slot": self.slot,
            "type": self.type,
            "sources": [{"kind": s.kind, "form": s.form, "share": round(w, 3)} for s, w in self.sources],
            "members": self.members,
            "resolved": round(self.resolved, 3),
        }


@dataclass
class FlagDependency:
    template: str
    statement: int
    flags: list[tuple[str, bool, float]]  # (flag, polarity: present when flag == polarity, accuracy)
    presence: float  # share of training members that have the statement
    members: int

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "statement": self.statement,
            "flags": [{"flag": f, "when": p, "accuracy": round(a, 3)} for f, p, a in self.flags],
            "presence": round(self.presence, 3),
            "members": self.members,
        }


@dataclass
class TargetData:
    """A training or held-out target's property table (a corpus target folder may hold several: AMDGPU+R600)."""

    name: str  # the corpus target: the folder under lib/Target
    table: PropertyTable
    spellings: list[str] = field(default_factory=list)
    _index: ValueIndex | None = None

    @property
    def index(self) -> ValueIndex:
        if self._index is None:
            self._index = ValueIndex.build(self.table, self.spellings)
        return self._index


def merge_tables(name: str, tables: list[PropertyTable]) -> PropertyTable:
    """One table for a corpus target from the tables of its folder (AMDGPU.td and R600.td both live in AMDGPU/)."""
    tables = sorted(tables, key=lambda t: (t.target != name, t.target))
    if len(tables) == 1:
        return tables[0]
    base = tables[0]
    values: dict[str, list[str]] = defaultdict(list)
    flags: dict[str, bool] = {}
    for t in tables:
        for k, vs in t.values.items():
            values[k].extend(vs)
        for k, v in t.flags.items():
            flags[k] = flags.get(k, False) or v
    return PropertyTable(
        target=base.target,
        namespace=base.namespace,
        values={k: list(dict.fromkeys(v)) for k, v in values.items()},
        flags=flags,
        details={},
        absent=base.absent,
        meta={"merged": [t.target for t in tables], **base.meta},
    )


def _members_by_target(template: Any, targets: set[str]) -> list[Any]:
    return [m for m in template.members if m.target in targets]


@dataclass
class Vocabulary:
    """For every placeholder token of the templates: the targets whose code uses it and those whose description
    holds it. Separates a target's values from the C++ that every backend writes around them, from data alone."""

    users: dict[str, set[str]]
    described: dict[str, set[str]]

    @classmethod
    def build(cls, templates: Iterable[Any], data: dict[str, "TargetData"]) -> "Vocabulary":
        users: dict[str, set[str]] = defaultdict(set)
        for tpl in templates:
            slots = {ph.name for st in tpl.statements for ph in st.placeholders}
            for m in tpl.members:
                for slot in slots:
                    for tok in value_tokens(m.values.get(slot, "")):
                        users[tok].add(m.target)
        described = {
            tok: {t for t in ts if t in data and any(s.kind not in WEAK_KINDS for s in data[t].index.sources(tok))}
            for tok, ts in users.items()
        }
        return cls(users=dict(users), described=described)

    def is_value(self, token: str, target: str) -> bool:
        others = len(self.users.get(token, ()) - {target})
        if others < MIN_OTHER_USERS:
            return True
        return len(self.described.get(token, set()) - {target}) >= 0.5 * others


def target_specific(member: Any, slot: str, vocab: Vocabulary) -> list[str]:
    """The member's value tokens for ``slot`` that are the target's values rather than shared C++ (``Vocabulary``)."""
    return [t for t in value_tokens(member.values.get(slot, "")) if vocab.is_value(t, member.target)]


def learn_slots(
    templates: Iterable[Any], data: dict[str, TargetData], train: set[str], vocab: Vocabulary
) -> dict[tuple[str, int, str], SlotDependency]:
    """The sources each placeholder's values come from, over the training members only."""
    out: dict[tuple[str, int, str], SlotDependency] = {}
    for tpl in templates:
        members = [m for m in _members_by_target(tpl, train) if m.target in data]
        for st in tpl.statements:
            for ph in st.placeholders:
                votes: Counter[Source] = Counter()
                total = resolved = 0
                n = 0
                for m in members:
                    toks = target_specific(m, ph.name, vocab)
                    if not toks:
                        continue
                    n += 1
                    idx = data[m.target].index
                    for tok in toks:
                        total += 1
                        srcs = idx.sources(tok)
                        if srcs:
                            resolved += 1
                            for s in srcs:
                                votes[s] += 1.0 / len(srcs)
                # Ties broken by name, not by set order (which the string hash seed changes from run to run).
                ranked = sorted(((s, w / max(resolved, 1)) for s, w in votes.items()), key=lambda x: (-x[1], x[0].kind, x[0].form))
                ranked = [(s, w) for s, w in ranked if w >= MIN_SOURCE_SHARE][:MAX_SOURCES]
                out[(tpl.id, st.id, ph.name)] = SlotDependency(
                    template=tpl.id,
                    statement=st.id,
                    slot=ph.name,
                    type=ph.type,
                    sources=ranked,
                    members=n,
                    resolved=resolved / total if total else 0.0,
                )
    return out


def learn_flags(
    templates: Iterable[Any],
    data: dict[str, TargetData],
    train: set[str],
    slots: dict[tuple[str, int, str], SlotDependency] | None = None,
    top: int = 3,
) -> dict[tuple[str, int], FlagDependency]:
    """For statements whose presence varies over training targets: the booleans that predict it best.

    Among equally accurate booleans (common with few training targets), ``has.<kind>`` of a kind the statement's
    own placeholders draw from comes first: a ``case <fixup>:`` statement exists because the target has fixups.
    Targets are bits of an int, so agreement of a flag with presence over any subset is two popcounts.
    """
    names = sorted(t for t in train if t in data)
    bit = {t: 1 << i for i, t in enumerate(names)}
    all_flags = sorted({f for t in names for f in data[t].table.flags})
    flag_mask = {f: sum(bit[t] for t in names if data[t].table.flags.get(f)) for f in all_flags}
    out: dict[tuple[str, int], FlagDependency] = {}
    for tpl in templates:
        members = [m for m in _members_by_target(tpl, set(names))]
        if not members:
            continue
        scope = 0
        has: dict[int, int] = defaultdict(int)
        for m in members:
            scope |= bit[m.target]
            for sid in m.statements:
                has[sid] |= bit[m.target]
        n = scope.bit_count()
        for st in tpl.statements:
            y = has.get(st.id, 0) & scope
            pos = y.bit_count()
            majority = max(pos, n - pos) / n
            cands = []
            # A boolean "explains" presence only with both outcomes seen at least MIN_EACH times; with fewer
            # members many flags agree by chance.
            if min(pos, n - pos) >= MIN_EACH:
                for f, fm in flag_mask.items():
                    agree = (~(fm ^ y) & scope).bit_count()
                    for polarity, acc in ((True, agree / n), (False, (n - agree) / n)):
                        if acc > majority:
                            cands.append((f, polarity, acc))
                related = {
                    f"has.{src.kind}"
                    for ph in st.placeholders
                    for src, _ in (slots or {}).get((tpl.id, st.id, ph.name), SlotDependency("", 0, "", "", [], 0, 0)).sources
                }
                cands.sort(key=lambda c: (-c[2], c[0] not in related, c[0]))
            out[(tpl.id, st.id)] = FlagDependency(
                template=tpl.id, statement=st.id, flags=cands[:top], presence=pos / n, members=n
            )
    return out
