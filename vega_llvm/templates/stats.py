"""Statistics of a template build: functions per target and module, groups by number of targets, coverage.

Coverage answers "how much of a new target can templates reach at all": the share of a target's functions whose
group (abstracted file and qualified name) is also implemented by other targets. For ``--holdout X`` it is measured
against the groups actually built without X; for every target it is also given leave-one-out from the full corpus
(same definition, each target in turn removed), which costs nothing and shows how the held-out pair compares.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from ..corpus.modules import MODULES

if TYPE_CHECKING:
    from ..corpus.records import FunctionRecord
    from .build import Group


def _coverage(recs: list["FunctionRecord"], others: dict[tuple[str, str], set[str]]) -> dict[str, Any]:
    total = len(recs)
    cov1 = [r for r in recs if others.get(r.key)]
    cov2 = [r for r in recs if len(others.get(r.key, ())) >= 2]
    per_mod: dict[str, dict[str, Any]] = {}
    for m in MODULES:
        n = sum(r.module == m for r in recs)
        c = sum(r.module == m for r in cov1)
        per_mod[m] = {"functions": n, "covered": c, "percent": round(100.0 * c / n, 1) if n else None}
    return {
        "functions": total,
        "covered": len(cov1),
        "percent": round(100.0 * len(cov1) / total, 1) if total else None,
        "covered_by_2plus_targets": len(cov2),
        "percent_2plus": round(100.0 * len(cov2) / total, 1) if total else None,
        "per_module": per_mod,
        "uncovered_examples": sorted({f"{r.file} {r.qname}" for r in recs if not others.get(r.key)})[:40],
    }


def template_stats(records: list["FunctionRecord"], groups: list["Group"], holdout: str | None) -> dict[str, Any]:
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        if r.target != holdout:
            per[r.target][r.module] += 1
    by_targets: Counter[int] = Counter()
    funcs_by_targets: Counter[int] = Counter()
    for g in groups:
        n = len({m.target for m in g[4]})
        by_targets[n] += 1
        funcs_by_targets[n] += len(g[4])
    out: dict[str, Any] = {
        "holdout": holdout,
        "functions_per_target_module": {
            t: {m: per[t].get(m, 0) for m in MODULES} | {"total": sum(per[t].values())} for t in sorted(per)
        },
        "groups": len(groups),
        "groups_by_number_of_targets": {str(k): by_targets[k] for k in sorted(by_targets)},
        "functions_by_group_targets": {str(k): funcs_by_targets[k] for k in sorted(funcs_by_targets)},
        "groups_2plus_targets": sum(v for k, v in by_targets.items() if k >= 2),
    }
    if holdout is not None:
        built: dict[tuple[str, str], set[str]] = {(g[1], g[2]): {m.target for m in g[4]} for g in groups}
        out["holdout_coverage"] = _coverage([r for r in records if r.target == holdout], built)
    targets_by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in records:
        targets_by_key[r.key].add(r.target)
    loo: dict[str, Any] = {}
    by_target: dict[str, list[FunctionRecord]] = defaultdict(list)
    for r in records:
        by_target[r.target].append(r)
    for t, recs in sorted(by_target.items()):
        others = {k: v - {t} for k, v in targets_by_key.items() if v - {t}}
        cov = _coverage(recs, others)
        loo[t] = {k: cov[k] for k in ("functions", "covered", "percent", "percent_2plus")}
    out["leave_one_out_coverage"] = loo
    return out
