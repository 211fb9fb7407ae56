"""Feature vectors: FV_k = T_k (+) V_k for every template statement and every target, as the model reads them.

One JSON object per (template, member or target, statement)::

    {"template": id, "module": "EMI", "statement": 3, "target": "RISCV", "member": "RISCV", "split": "train",
     "text": "case <SV0> : return <SV1> ;",                  # T_k, the template statement (head tokens)
     "slots": [{"name": "SV0", "type": "identifier",
                "sources": ["fixup"], "values": ["fixup_riscv_hi20", ...]}],   # V_k: candidate values
     "flags": {"has.fixup": true},                            # booleans the statement's presence depends on
     "input": "case <SV0> : return <SV1> ; </s> <SV0> fixup : fixup_riscv_hi20 | ... </s> has.fixup = 1",
     "present": true, "label": "case <T> :: fixup_riscv_hi20 : return ELF :: R_RISCV_HI20 ;"}   # training only

``values`` are the target's described names spelled as code spells them (``form``), at most ``max_values`` of them,
ranked by character-trigram similarity to the values the *other* training targets use for the same placeholder: a
RISCV instruction list has 13k names and the model can read a few. The same ranking is used for training and
inference rows, so the model never sees a leaked label in the candidates it would not see for a new target.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ..corpus.naming import abstract_spellings
from .learn import FlagDependency, SlotDependency, TargetData, Vocabulary, target_specific
from .values import Source

SEP = " </s> "


def _trigrams(s: str) -> set[str]:
    s = f"^{s.lower()}$"
    return {s[i : i + 3] for i in range(len(s) - 2)}


@dataclass
class CandidateIndex:
    """Trigram postings of one target's values for one source, for ranking against reference values quickly."""

    values: list[str]
    postings: dict[str, list[int]]

    @classmethod
    def build(cls, values: list[str]) -> "CandidateIndex":
        postings: dict[str, list[int]] = defaultdict(list)
        for i, v in enumerate(values):
            for g in _trigrams(v):
                postings[g].append(i)
        return cls(values=values, postings=postings)

    def rank(self, references: Iterable[str], k: int) -> list[str]:
        if len(self.values) <= k:
            return list(self.values)
        score: Counter[int] = Counter()
        for ref in references:
            grams = _trigrams(ref)
            if not grams:
                continue
            for g in grams:
                for i in self.postings.get(g, ()):
                    score[i] += 1.0 / len(grams)
        ranked = [i for i, _ in score.most_common(k)]
        if len(ranked) < k:  # pad in description order so the list length does not depend on the references
            taken = set(ranked)
            ranked += [i for i in range(len(self.values)) if i not in taken][: k - len(ranked)]
        return [self.values[i] for i in ranked]


class Candidates:
    """Per target and source: the described values in code spelling, with ``<T>`` put back for the spelling."""

    def __init__(self, data: dict[str, TargetData]):
        self.data = data
        self._cache: dict[tuple[str, Source], CandidateIndex] = {}

    def of(self, target: str, src: Source) -> CandidateIndex:
        key = (target, src)
        if key not in self._cache:
            d = self.data[target]
            vals = [src.spell(v) for v in d.table.values.get(src.kind, [])]
            self._cache[key] = CandidateIndex.build(list(dict.fromkeys(_abstract(v, d) for v in vals)))
        return self._cache[key]


def _abstract(value: str, d: TargetData) -> str:
    """Spell the target's own name as ``<T>``, as the templates do (``CC_RISCV`` -> ``CC_<T>``)."""
    return abstract_spellings(value, {d.table.target, d.table.namespace, *d.spellings})


def _fill(tokens: list[str], values: dict[str, str]) -> str:
    out = []
    for tok in tokens:
        if tok.startswith("<SV") and tok.endswith(">"):
            v = values.get(tok[1:-1], "")
            if v:
                out.append(v)
        else:
            out.append(tok)
    return " ".join(out)


@dataclass
class Learned:
    slots: dict[tuple[str, int, str], SlotDependency]
    flags: dict[tuple[str, int], FlagDependency]
    vocab: Vocabulary


def feature_rows(
    templates: list[Any],
    data: dict[str, TargetData],
    learned: Learned,
    train: set[str],
    infer: set[str],
    max_values: int = 8,
    min_targets: int = 2,
) -> Iterator[dict[str, Any]]:
    """Training rows (every member of a training target, real statements as labels), then inference rows (every
    template for each held-out/new target, no labels).

    Only templates of at least ``min_targets`` training targets: a function only one backend has is that backend's
    private helper, not an interface a new target implements, and its template has nothing to learn (no
    placeholders).
    """
    cands = Candidates(data)
    for tpl in templates:
        if len({m.target for m in tpl.members if m.target in train}) < min_targets:
            continue
        refs = _references(tpl, learned.vocab, train)
        members = [m for m in tpl.members if m.target in train and m.target in data]
        for m in members:
            have = set(m.statements)
            for st in tpl.statements:
                row = _row(tpl, st, m.target, learned, cands, refs, max_values, exclude=m.member)
                row["member"] = m.member
                row["split"] = "train"
                row["present"] = st.id in have
                row["label"] = _fill(st.tokens, m.values) if st.id in have else ""
                yield row
        for target in sorted(infer):
            if target not in data:
                continue
            for st in tpl.statements:
                row = _row(tpl, st, target, learned, cands, refs, max_values, exclude=None)
                row["member"] = target
                row["split"] = "infer"
                yield row


def _references(tpl: Any, vocab: Vocabulary, train: set[str]) -> dict[str, list[tuple[str, str]]]:
    """Per placeholder: (member, value token) of the training members, the reference for candidate ranking."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for st in tpl.statements:
        for ph in st.placeholders:
            if ph.name in out:
                continue
            for m in tpl.members:
                if m.target in train:
                    out[ph.name].extend((m.member, tok) for tok in target_specific(m, ph.name, vocab))
    return out


def _row(
    tpl: Any,
    st: Any,
    target: str,
    learned: Learned,
    cands: Candidates,
    refs: dict[str, list[tuple[str, str]]],
    max_values: int,
    exclude: str | None,
) -> dict[str, Any]:
    table = cands.data[target].table
    slots = []
    parts = [" ".join(st.tokens)]
    used: list[Source] = []
    for ph in st.placeholders:
        dep = learned.slots.get((tpl.id, st.id, ph.name))
        sources = [s for s, _ in dep.sources] if dep else []
        used.extend(sources)
        references = [tok for member, tok in refs.get(ph.name, []) if member != exclude]
        values: list[str] = []
        for src in sources:
            for v in cands.of(target, src).rank(references, max_values):
                if v not in values:
                    values.append(v)
        values = values[:max_values]
        slots.append(
            {
                "name": ph.name,
                "type": ph.type,
                "sources": [s.kind if s.form == "{}" else f"{s.kind} {s.form}" for s in sources],
                "values": values,
            }
        )
        kinds = "/".join(s.kind for s in sources) or "none"
        parts.append(f"<{ph.name}> {kinds} : " + " | ".join(values))
    fdep = learned.flags.get((tpl.id, st.id))
    flags = {f: bool(table.flags.get(f, False)) for f, _, _ in (fdep.flags if fdep else [])}
    for src in used:  # "does the target have any X" for each kind a placeholder draws from
        flags.setdefault(f"has.{src.kind}", bool(table.values.get(src.kind)))
    if flags:
        parts.append(" ".join(f"{k} = {int(v)}" for k, v in flags.items()))
    return {
        "template": tpl.id,
        "module": tpl.module,
        "statement": st.id,
        "target": target,
        "text": parts[0],
        "slots": slots,
        "flags": flags,
        "input": SEP.join(parts),
    }
