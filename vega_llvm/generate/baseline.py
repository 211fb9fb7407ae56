"""Nearest-neighbour baseline: each function copied from the most similar training target, renamed.

Similarity of two targets is the Jaccard index of their descriptions (true boolean properties and described values,
with each target's own name spelled ``<T>``), so the baseline needs nothing but what the model gets. For each template,
the most similar training target that implements it supplies its statements and values; ``<T>`` is spelled as the new
target (VEGA's ForkFlow renames MIPS the same way; this is its nearest-target variant).
"""

from __future__ import annotations

from typing import Any

from ..corpus.naming import abstract_spellings


def description_set(table: Any) -> set[str]:
    names = {table.target, table.namespace}
    out = {f"flag:{k}" for k, v in table.flags.items() if v}
    for kind, vals in table.values.items():
        for v in vals:
            out.add(f"{kind}:{abstract_spellings(v, names)}")
    return out


def rank_targets(target_table: Any, tables: dict[str, Any]) -> list[tuple[str, float]]:
    mine = description_set(target_table)
    scores = []
    for name, t in tables.items():
        other = description_set(t)
        union = len(mine | other)
        scores.append((name, len(mine & other) / union if union else 0.0))
    return sorted(scores, key=lambda x: (-x[1], x[0]))


def nearest_member(template: Any, ranking: list[str]) -> Any | None:
    by_target: dict[str, Any] = {}
    for m in template.members:
        by_target.setdefault(m.target, m)
    for t in ranking:
        if t in by_target:
            return by_target[t]
    return template.members[0] if template.members else None


def nearest_bodies(
    target_records: list[Any], train_records: list[Any], ranking: list[str], spellings: dict[str, list[str]],
    spelling: str,
) -> dict[str, tuple[str, str, str] | None]:
    """Record id -> (training target, its body and its signature respelled as ``spelling``) for each function of the
    held-out target, from the most similar training target (``ranking``, best first) that implements its group;
    None where none does.

    Only the group key of a held-out function is read (which function to fill in), never its code: the target comes
    from the descriptions (``rank_targets``), the overload from the donor's own file order (``first_definitions``)."""
    every = member_bodies(target_records, train_records, ranking, spellings, spelling)
    return {i: (bodies[0] if bodies else None) for i, bodies in every.items()}


def member_bodies(
    target_records: list[Any], train_records: list[Any], ranking: list[str], spellings: dict[str, list[str]],
    spelling: str,
) -> dict[str, list[tuple[str, str, str]]]:
    """Record id -> every training target's (target, body, signature; both respelled as ``spelling``) for the
    function's group, in ``ranking`` order: the nearest copy takes the first; the best-member upper bound looks at
    all. The signature names the body's parameters (the judge refers to the real ones under those names)."""
    from ..corpus.naming import respell
    from .groundtruth import first_definitions

    by_target: dict[str, list[Any]] = {}
    for r in train_records:
        by_target.setdefault(r.target, []).append(r)
    firsts = {t: first_definitions(by_target.get(t, [])) for t in ranking}
    out: dict[str, list[tuple[str, str, str]]] = {}
    for r in target_records:
        out[r.id] = []
        for donor in ranking:
            d = firsts[donor].get(r.key)
            if d is not None:
                names = [d.spelling, *spellings.get(donor, [donor])]
                out[r.id].append((donor, respell(d.body, names, spelling), respell(d.signature, names, spelling)))
    return out
