"""Build the templates: group the corpus, align every group, check the round trip, write templates and statistics.

Outputs in ``out`` (default ``$VEGA_LLVM_CACHE/templates`` or ``.../templates-holdout-<X>``):

- ``templates.jsonl``: one template per group (schema in ``vega_llvm.templates``);
- ``roundtrip.json``: per target, members checked / reproduced, and every miss;
- ``stats.json``: groups by number of targets, functions per target and module, coverage of the held-out target;
- ``meta.json``: LLVM version, source root, corpus, holdout, counts, seconds, the sha256 of ``templates.jsonl`` and
  the provenance block (``vega_llvm.provenance``: digest of the templates code, sha256 of the corpus).

A rerun with the same corpus content, holdout, targets and templates code reuses the outputs; anything else rebuilds.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import LLVM_VERSION, __version__
from ..cachelock import building
from ..provenance import code_digest, file_digest, stamp
from ..corpus.parse import tree_tokens
from ..corpus.records import FunctionRecord, atomic_write_text, load_corpus, write_lines_atomic
from ..errors import ConfigError
from .align import MemberInput, build_template
from .instantiate import instantiate, normalise
from .stats import template_stats

TEMPLATE_FORMAT = 1


@dataclass
class TemplatesResult:
    out: Path
    meta: dict[str, Any]
    stats: dict[str, Any]
    roundtrip: dict[str, Any]
    reused: bool


Group = tuple[str, str, str, str, list[MemberInput]]  # id, file, qname, module, members


def make_groups(records: list[FunctionRecord], holdout: str | None = None) -> list[Group]:
    """Group by abstracted (file, qualified name), leaving the held-out target out entirely."""
    by_key: dict[tuple[str, str], list[FunctionRecord]] = defaultdict(list)
    for r in records:
        if r.target != holdout:
            by_key[r.key].append(r)
    groups: list[Group] = []
    for i, key in enumerate(sorted(by_key)):
        recs = sorted(by_key[key], key=lambda r: (r.target, r.path, r.line))
        seen: dict[str, int] = defaultdict(int)
        members = []
        for r in recs:
            seen[r.target] += 1
            mid = r.target if seen[r.target] == 1 else f"{r.target}#{seen[r.target]}"
            members.append(MemberInput(mid, r.target, r.id, r.spelling, r.tree))
        members.sort(key=lambda m: (-len(tree_tokens(m.tree)), m.member))  # largest first: the richest skeleton
        module = max({r.module for r in recs}, key=lambda m: (sum(r.module == m for r in recs), m))
        groups.append((f"g{i:05d}", key[0], key[1], module, members))
    return groups


def _process(group: Group) -> dict[str, Any]:
    """Worker: template of one group plus its round-trip results (never raises)."""
    gid, file, qname, module, members = group
    try:
        tpl = build_template(gid, file, qname, module, members)
    except Exception as exc:  # one pathological group must not stop the run
        return {"id": gid, "qname": qname, "error": f"{type(exc).__name__}: {exc}"}
    trees = {m.member: m.tree for m in members}
    rt = []
    for mem in tpl.members:
        want = normalise(" ".join(tree_tokens(trees[mem.member])))
        got = normalise(instantiate(tpl, mem))
        rt.append((mem.member, mem.target, mem.function, got == want))
    return {"id": gid, "json": tpl.to_json(), "roundtrip": rt, "targets": len(tpl.targets)}


def build_templates(
    corpus: Path,
    out: Path,
    holdout: str | None = None,
    jobs: int | None = None,
    progress: bool = True,
    force: bool = False,
    targets: list[str] | None = None,
) -> TemplatesResult:
    """Templates of every group of ``corpus`` (a corpus directory), without ``holdout``'s functions."""
    t0 = time.monotonic()
    corpus = Path(corpus)
    cfile = corpus / "functions.jsonl" if corpus.is_dir() else corpus
    if not cfile.exists():
        raise ConfigError(f"no corpus at {cfile}: run `vega-llvm corpus` first (or pass --corpus)")
    key = {
        "corpus_sha256": corpus_digest(cfile),
        "holdout": holdout,
        "targets": sorted(targets) if targets else None,
        "code": code_digest("templates"),
        "template_format": TEMPLATE_FORMAT,
    }
    meta_path = out / "meta.json"
    # Built under out's lock (vega_llvm.cachelock); a process that waited for it reuses what the other one built.
    with building(out, ready=lambda: not force and _reusable(out, key)) as build:
        if not build:
            old = json.loads(meta_path.read_text())
            return TemplatesResult(
                out, old, json.loads((out / "stats.json").read_text()), json.loads((out / "roundtrip.json").read_text()), True
            )
        return _build(cfile, out, key, holdout, jobs, progress, targets, t0)


def _reusable(out: Path, key: dict[str, Any]) -> bool:
    """``out`` holds complete templates made with ``key`` (meta.json is written last)."""
    try:
        return json.loads((out / "meta.json").read_text()).get("key") == key and (out / "templates.jsonl").is_file()
    except (OSError, ValueError):
        return False


def _build(cfile: Path, out: Path, key: dict[str, Any], holdout: str | None, jobs: int | None, progress: bool,
           targets: list[str] | None, t0: float) -> TemplatesResult:
    meta_path = out / "meta.json"
    records = load_corpus(cfile)
    all_targets = sorted({r.target for r in records})
    if holdout is not None and holdout not in all_targets:
        raise ConfigError(f"--holdout {holdout} is not a target of the corpus; targets: {', '.join(all_targets)}")
    if targets:
        unknown = [t for t in targets if t not in all_targets]
        if unknown:
            raise ConfigError(f"unknown target(s) {', '.join(unknown)}; targets: {', '.join(all_targets)}")
        records = [r for r in records if r.target in targets or r.target == holdout]
    groups = make_groups(records, holdout)
    jobs = jobs or os.cpu_count() or 1

    results: list[dict[str, Any]] = []
    from rich.progress import Progress

    work = sorted(groups, key=lambda g: -sum(len(m.tree.get("c", ())) + 1 for m in g[4]) * len(g[4]))
    with Progress(disable=not progress, transient=True) as prog:
        task = prog.add_task(f"aligning {len(groups)} groups", total=len(groups))
        if jobs > 1 and len(work) > 16:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for res in pool.map(_process, work, chunksize=8):
                    results.append(res)
                    prog.advance(task)
        else:
            for g in work:
                results.append(_process(g))
                prog.advance(task)
    results.sort(key=lambda r: r["id"])

    failed = [{"id": r["id"], "qname": r["qname"], "error": r["error"]} for r in results if "error" in r]
    ok = [r for r in results if "error" not in r]
    write_lines_atomic(out / "templates.jsonl", (r["json"] for r in ok))
    roundtrip = roundtrip_summary(ok)
    stats = template_stats(records, groups, holdout)
    stats["failed_groups"] = failed
    seconds = time.monotonic() - t0
    meta = {
        "tool": "vega-llvm templates",
        "tool_version": __version__,
        "llvm_version": LLVM_VERSION,
        "source_root": _corpus_source_root(cfile),
        "corpus": str(cfile),
        "holdout": holdout,
        "groups": len(groups),
        "templates": len(ok),
        "failed_groups": len(failed),
        "members": sum(len(g[4]) for g in groups),
        "roundtrip_percent": roundtrip["overall"]["percent"],
        "seconds": round(seconds, 2),
        "key": key,
        "provenance": stamp("templates", {k: v for k, v in key.items() if k != "code"}),
        "templates_sha256": file_digest(out / "templates.jsonl"),
    }
    atomic_write_text(out / "roundtrip.json", json.dumps(roundtrip, indent=1))
    atomic_write_text(out / "stats.json", json.dumps(stats, indent=1))
    atomic_write_text(meta_path, json.dumps(meta, indent=1))
    return TemplatesResult(out, meta, stats, roundtrip, False)


def corpus_digest(cfile: Path) -> str:
    """sha256 of the corpus's functions.jsonl, read from the corpus's meta.json when it recorded the same file."""
    meta = cfile.parent / "meta.json"
    if meta.is_file():
        try:
            m = json.loads(meta.read_text())
        except ValueError:
            m = {}
        if m.get("functions_sha256") and meta.stat().st_mtime_ns >= cfile.stat().st_mtime_ns:
            return str(m["functions_sha256"])
    return file_digest(cfile)


def _corpus_source_root(cfile: Path) -> str | None:
    try:
        return json.loads((cfile.parent / "meta.json").read_text()).get("source_root")
    except (OSError, ValueError):
        return None


def roundtrip_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Round trip over members of groups with 2+ targets: per target checked, reproduced, percent, misses."""
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"checked": 0, "reproduced": 0, "misses": []})
    for r in results:
        if r["targets"] < 2:
            continue
        for member, target, function, good in r["roundtrip"]:
            row = per[target]
            row["checked"] += 1
            if good:
                row["reproduced"] += 1
            else:
                row["misses"].append({"template": r["id"], "member": member, "function": function})
    for row in per.values():
        row["percent"] = round(100.0 * row["reproduced"] / row["checked"], 2) if row["checked"] else None
    checked = sum(r["checked"] for r in per.values())
    reproduced = sum(r["reproduced"] for r in per.values())
    return {
        "overall": {"checked": checked, "reproduced": reproduced, "percent": round(100.0 * reproduced / checked, 2) if checked else None},
        "per_target": dict(sorted(per.items())),
    }
