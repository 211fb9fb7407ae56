"""Value recall: how much of what a target's real code needs does its description supply?

For every function of the target in the templates, every statement it has, every placeholder of that statement:
the target-specific value tokens (``SlotStats.target_specific``) either occur among the target's described property
values (``ValueIndex.sources``) or they do not. Misses are grouped by the kind of property the *other* targets'
values for the same placeholder come from ("the description lacks callee-saved lists"), else by token type
("unresolved identifier": no target's description explains that placeholder).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from .learn import SlotStats, TargetData
from .values import Source, _as_int

EXAMPLES = 8


@dataclass
class Recall:
    target: str
    tokens: int = 0
    hits: int = 0
    numeric_tokens: int = 0
    numeric_hits: int = 0
    hits_by_kind: Counter[str] = field(default_factory=Counter)
    misses_by_kind: Counter[str] = field(default_factory=Counter)
    examples: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def recall(self) -> float:
        return self.hits / self.tokens if self.tokens else 0.0

    @property
    def recall_non_numeric(self) -> float:
        n = self.tokens - self.numeric_tokens
        return (self.hits - self.numeric_hits) / n if n else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "tokens": self.tokens,
            "hits": self.hits,
            "recall": round(self.recall, 4),
            "non_numeric_tokens": self.tokens - self.numeric_tokens,
            "recall_non_numeric": round(self.recall_non_numeric, 4),
            "hits_by_kind": dict(self.hits_by_kind.most_common()),
            "misses_by_kind": dict(self.misses_by_kind.most_common()),
            "miss_examples": {k: [t for t, _ in c.most_common(EXAMPLES)] for k, c in self.examples.items()},
        }


def _token_type(tok: str) -> str:
    if tok[:1] in "\"'" or tok[:2] in ('u"', 'L"', 'U"') or tok.startswith('u8"'):
        return "string"
    if _as_int(tok) is not None or tok[:1].isdigit():
        return "number"
    return "identifier"


def value_recall(templates: Iterable[Any], data: dict[str, TargetData], targets: Iterable[str]) -> dict[str, Recall]:
    """Recall for each of ``targets`` (that has members in the templates and a property table)."""
    wanted = {t for t in targets if t in data}
    out = {t: Recall(target=t) for t in wanted}
    for tpl in templates:
        mine = [m for m in tpl.members if m.target in wanted]
        if not mine:
            continue
        by_id = {s.id: s for s in tpl.statements}
        slots = {ph.name: ph for s in tpl.statements for ph in s.placeholders}
        needed = {ph for m in mine for sid in m.statements for ph in (p.name for p in by_id[sid].placeholders)}
        for slot in needed:
            stats = SlotStats.of(tpl, slot, data)
            votes: dict[str, Counter[str]] = defaultdict(Counter)  # target -> kinds its own tokens resolve to
            for m in tpl.members:
                d = data.get(m.target)
                if d is None:
                    continue
                for tok in stats.target_specific(m, data):
                    for s in d.index.sources(tok):
                        votes[m.target][s.kind] += 1
            for m in mine:
                if not any(slot in (p.name for p in by_id[sid].placeholders) for sid in m.statements):
                    continue
                r = out[m.target]
                idx = data[m.target].index
                for tok in stats.target_specific(m, data):
                    numeric = _token_type(tok) == "number"
                    r.tokens += 1
                    r.numeric_tokens += numeric
                    srcs: frozenset[Source] = idx.sources(tok)
                    if srcs:
                        r.hits += 1
                        r.numeric_hits += numeric
                        r.hits_by_kind[_best_kind(srcs, votes, m.target)] += 1
                        continue
                    others: Counter[str] = Counter()
                    for t, c in votes.items():
                        if t != m.target:
                            others.update(c)
                    kind = others.most_common(1)[0][0] if others else f"unresolved {slots[slot].type or _token_type(tok)}"
                    r.misses_by_kind[kind] += 1
                    r.examples[kind][tok] += 1
    return out


def _best_kind(srcs: frozenset[Source], votes: dict[str, Counter[str]], target: str) -> str:
    """Of the kinds holding a token, the one the other targets' values for the same placeholder use most."""
    others: Counter[str] = Counter()
    for t, c in votes.items():
        if t != target:
            others.update(c)
    return max(sorted({s.kind for s in srcs}), key=lambda k: others.get(k, 0))
