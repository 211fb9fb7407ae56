"""Value recall: how much of what a target's real code needs does its description supply?

For every function of the target in the templates, every statement it has, every placeholder of that statement:
the target-specific value tokens (``learn.target_specific``) either occur among the target's described property
values (``ValueIndex.sources``) or they do not. Misses are grouped by the kind of property the *other* targets'
values for the same placeholder come from ("the description lacks callee-saved lists"), else by token type
("unresolved identifier": no target's description explains that placeholder).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from .learn import TargetData, Vocabulary, target_specific
from .values import Source, _as_int

EXAMPLES = 8
DECL_PREFIX = "decl."  # value kinds read from the target's header declarations (describe/declarations.py)


@dataclass
class Recall:
    target: str
    tokens: int = 0
    hits: int = 0
    td_hits: int = 0  # hits from the .td (and fixup/relocation inputs) alone, without the headers' declarations
    numeric_tokens: int = 0
    numeric_hits: int = 0
    sourced_tokens: int = 0  # tokens of placeholders whose values other targets' descriptions explain
    sourced_hits: int = 0
    local_tokens: int = 0  # names the function declares itself, not described: outside ``recall``
    hits_by_kind: Counter[str] = field(default_factory=Counter)
    misses_by_kind: Counter[str] = field(default_factory=Counter)
    examples: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def recall(self) -> float:
        """Hits over target-specific values, the function's own local names left out."""
        n = self.tokens - self.local_tokens
        return self.hits / n if n else 0.0

    @property
    def recall_td_only(self) -> float:
        """The same recall for the description without declarations (``decl.*`` kinds), as an ablation."""
        n = self.tokens - self.local_tokens
        return self.td_hits / n if n else 0.0

    @property
    def recall_all(self) -> float:
        return self.hits / self.tokens if self.tokens else 0.0

    @property
    def recall_non_numeric(self) -> float:
        n = self.tokens - self.local_tokens - self.numeric_tokens
        return (self.hits - self.numeric_hits) / n if n else 0.0

    @property
    def recall_sourced(self) -> float:
        return self.sourced_hits / self.sourced_tokens if self.sourced_tokens else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "tokens": self.tokens,
            "local_name_tokens": self.local_tokens,
            "hits": self.hits,
            "recall": round(self.recall, 4),
            "td_hits": self.td_hits,
            "recall_td_only": round(self.recall_td_only, 4),
            "recall_all": round(self.recall_all, 4),
            "numeric_tokens": self.numeric_tokens,
            "numeric_hits": self.numeric_hits,
            "recall_non_numeric": round(self.recall_non_numeric, 4),
            "sourced_tokens": self.sourced_tokens,
            "sourced_hits": self.sourced_hits,
            "recall_sourced": round(self.recall_sourced, 4),
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


def value_recall(
    templates: list[Any],
    data: dict[str, TargetData],
    targets: Iterable[str],
    vocab: Vocabulary | None = None,
    local: dict[str, set[str]] | None = None,
) -> dict[str, Recall]:
    """Recall for each of ``targets`` (that has members in the templates and a property table).

    ``local`` maps a function (corpus record id) to the names it declares (``local_names``); without it every
    token counts.
    """
    vocab = vocab or Vocabulary.build(templates, data)
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
            # target -> token type -> kinds its own tokens of that type resolve to
            votes: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
            for m in tpl.members:
                d = data.get(m.target)
                if d is None:
                    continue
                for tok in target_specific(m, slot, vocab):
                    for s in d.index.sources(tok):
                        votes[m.target][_token_type(tok)][s.kind] += 1
            for m in mine:
                if not any(slot in (p.name for p in by_id[sid].placeholders) for sid in m.statements):
                    continue
                r = out[m.target]
                idx = data[m.target].index
                own_names = (local or {}).get(m.function, set())
                for tok in target_specific(m, slot, vocab):
                    ttype = _token_type(tok)
                    numeric = ttype == "number"
                    others: Counter[str] = Counter()
                    for t, by_type in votes.items():
                        if t != m.target:
                            others.update(by_type.get(ttype, {}))
                    r.tokens += 1
                    r.numeric_tokens += numeric
                    r.sourced_tokens += bool(others)
                    srcs: frozenset[Source] = idx.sources(tok)
                    if srcs:
                        r.hits += 1
                        r.td_hits += any(not s.kind.startswith(DECL_PREFIX) for s in srcs)
                        r.numeric_hits += numeric
                        r.sourced_hits += bool(others)
                        r.hits_by_kind[_best_kind(srcs, others)] += 1
                        continue
                    if tok in own_names:
                        r.local_tokens += 1
                        kind = "(local name: not a value)"
                    elif others:
                        kind = others.most_common(1)[0][0]
                    else:
                        kind = f"unresolved {ttype}" + (f" ({slots[slot].type})" if slots[slot].type else "")
                    r.misses_by_kind[kind] += 1
                    r.examples[kind][tok] += 1
    return out


def _best_kind(srcs: frozenset[Source], others: Counter[str]) -> str:
    """Of the kinds holding a token, the one the other targets' values for the same placeholder use most."""
    return max(sorted({s.kind for s in srcs}), key=lambda k: others.get(k, 0))
