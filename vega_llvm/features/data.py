"""Loading what the feature stage reads: templates (issue 3's schema) and one property table per corpus target.

Templates name targets by their folder under ``lib/Target`` (``PowerPC``, ``AMDGPU``); property tables by their
``Target`` record (``PPC``; ``AMDGPU`` and ``R600`` from one folder). The link is the folder of the ``.td`` each
table was made from, recorded in its ``meta``; a folder with several tables gets their union.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from ..describe.properties import PropertyTable
from ..errors import ConfigError
from .learn import TargetData, merge_tables


def load_templates(path: Path) -> list[Any]:
    """Issue 3's ``load_templates`` (documented in ``vega_llvm.templates``); no second template format here."""
    try:
        from ..templates import load_templates as load  # type: ignore[attr-defined]
    except ImportError:
        from ..templates.schema import load_templates as load
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no templates (run `vega-llvm templates` first, or pass --templates)")
    return load(path)


def table_folder(table: PropertyTable) -> str:
    td = table.meta.get("td")
    return Path(td).parent.name if td else table.target


def load_tables(describe_dir: Path, targets: set[str], describe_missing: bool = True) -> dict[str, TargetData]:
    """Property tables for the corpus targets in ``targets``, describing (cached) any that is not stored yet.

    A stored table made by other describe code (its ``meta.code`` is not today's digest) is not read: it is
    described again, or left out when ``describe_missing`` is off."""
    from ..provenance import code_digest

    code = code_digest("describe")
    by_folder: dict[str, list[PropertyTable]] = defaultdict(list)
    for p in sorted(Path(describe_dir).glob("*.json")):
        if p.name in ("summary.json",) or p.name.startswith("baseline-"):
            continue
        try:
            t = PropertyTable.load(p)
        except (ValueError, KeyError):
            continue
        if t.meta.get("code") != code:
            continue
        by_folder[table_folder(t)].append(t)
    missing = sorted(t for t in targets if t not in by_folder)
    if missing and describe_missing:
        from ..describe.describe import describe, discover_targets

        for td in discover_targets():
            if td.parent.name in missing:
                table, _ = describe(td)
                by_folder[td.parent.name].append(table)
    out = {}
    for name in targets:
        tables = {t.target: t for t in by_folder.get(name, [])}
        if tables:
            out[name] = TargetData(name=name, table=merge_tables(name, list(tables.values())))
    return out


def add_spellings(templates: list[Any], data: dict[str, TargetData]) -> None:
    """``<T>`` stands for the member's own spelling (PPC, SI, R600): let each target's index substitute all of them."""
    seen: dict[str, set[str]] = defaultdict(set)
    for tpl in templates:
        for m in tpl.members:
            if m.spelling:
                seen[m.target].add(m.spelling)
    for name, d in data.items():
        d.spellings = sorted(seen.get(name, set()))
        d._index = None
