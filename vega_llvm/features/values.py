"""Where a value of a target's code comes from in its description: the value index of a property table.

A template placeholder is filled, per training target, with a token of that target's real code (``GRRegsRegClass``,
``fixup_riscv_hi20``, ``"xcore"``, ``12``). The description holds the underlying names (``GRRegs``,
``fixup_riscv_hi20``, ``xcore``); code spells some of them with fixed LLVM suffixes or prefixes that TableGen's own
backends generate (``<Class>RegClass``, ``<Class>RegClassID``, ``<CSR>_SaveList``, ``<CSR>_RegMask``,
``Intrinsic::<name>`` without ``int_``, subtarget getters ``has<Feature>()`` from a feature's ``Attribute``). Those
suffixes are the same for every target, so deriving them here is not per-target knowledge.

``ValueIndex.kinds(token)`` answers "which property kinds of this target contain this token", which is all that the
dependency learning, the feature vectors and the value-recall measurement need.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..describe.properties import PropertyTable

T = "<T>"

# Generated C++ spellings of a described name, per kind (TableGen emitters' naming, target-independent).
_DERIVED: dict[str, tuple[str, ...]] = {
    "register_class": ("{}RegClass", "{}RegClassID", "{}RegisterClass"),
    "callee_saved": ("{}_SaveList", "{}_RegMask"),
    "feature.attribute": ("{lower}",),
    "searchable_index": ("get{}",),
}

_QUOTED = re.compile(r'^(?:u8|u|U|L|R)?"(.*)"$', re.S)


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


@dataclass(frozen=True)
class Source:
    """Where a code token comes from: a property ``kind`` and the ``form`` that spells a described name in code
    (``"{}RegClass"``; ``'"{}"'`` for a string literal; ``"{}"`` for the name itself)."""

    kind: str
    form: str = "{}"

    def spell(self, value: str) -> str:
        last = value.rsplit("::", 1)[-1]
        return self.form.format(value, lower=_lower_first(value), last=last)


@dataclass
class ValueIndex:
    """Token -> sources in one target's property table, including the generated C++ spellings of each name."""

    target: str
    spellings: list[str]
    index: dict[str, set[Source]] = field(default_factory=lambda: defaultdict(set))
    _memo: dict[str, frozenset[Source]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, table: PropertyTable, extra_spellings: list[str] | None = None) -> "ValueIndex":
        spellings = list(dict.fromkeys([table.target, table.namespace, *(extra_spellings or [])]))
        idx = cls(target=table.target, spellings=spellings)
        for kind, vals in table.values.items():
            forms = ("{}", *_DERIVED.get(kind, ()))
            if any("::" in v for v in vals):
                forms = (*forms, "{last}")
            for v in vals:
                for form in forms:
                    src = Source(kind, form)
                    idx.index[src.spell(v)].add(src)
                if "::" in v:
                    idx.index[v.rsplit("::", 1)[0]].add(Source("namespace"))
        return idx

    def candidates(self, token: str) -> list[tuple[str, bool]]:
        """Ways to read a code token as a described name: (text, was_quoted), with ``<T>`` replaced by each target
        spelling and leading ``&``/``*`` or a ``::`` qualification dropped."""
        token = token.strip()
        out: list[tuple[str, bool]] = [(token, False)]
        m = _QUOTED.match(token)
        if m:
            out.append((m.group(1), True))
        for t, q in list(out):
            if T in t:
                out.extend((t.replace(T, s), q) for s in self.spellings)
        for t, q in list(out):
            s = t.lstrip("&*")
            out.append((s, q))
            if "::" in s:
                out.append((s.rsplit("::", 1)[-1], q))
        return list(dict.fromkeys(x for x in out if x[0]))

    def sources(self, token: str) -> frozenset[Source]:
        """Every (kind, form) of this target's description that yields ``token``; empty when none does."""
        hit = self._memo.get(token)
        if hit is None:
            hit = self._memo[token] = frozenset(self._sources(token))
        return hit

    def _sources(self, token: str) -> set[Source]:
        found: set[Source] = set()
        for text, quoted in self.candidates(token):
            for src in self.index.get(text, ()):
                found.add(Source(src.kind, f'"{src.form}"') if quoted else src)
        if not found:
            num = _as_int(token)
            if num is not None:
                found |= {Source(s.kind, "{}") for s in self.index.get(str(num), ()) if s.kind == "number"}
        return found

    def kinds(self, token: str) -> set[str]:
        return {s.kind for s in self.sources(token)}


def _as_int(token: str) -> int | None:
    t = token.strip().rstrip("uUlL")
    try:
        return int(t, 0)
    except ValueError:
        return None
