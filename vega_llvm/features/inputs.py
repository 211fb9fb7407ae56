"""The inputs of training and of generation for a set of held-out targets, found fresh in the cache or rebuilt.

``train --holdout X --holdout Y`` and ``generate``/``eval`` with a checkpoint must read the same feature rows. Both go
through ``ensure_training_inputs``: the corpus, the templates of every other target, the property tables and the
features folder are each checked against what today's code and inputs would make (``vega_llvm.provenance``) and
rebuilt when they differ, so a stale cache is never read. ``checkpoint_features`` then compares the result with the
hashes a checkpoint recorded and refuses, naming what differs, when they disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..cachelock import building
from ..errors import CheckpointError, ConfigError
from ..provenance import differences, file_digest
from .build import build_features, features_stamp

Log = Callable[[str], None]


@dataclass
class TrainingInputs:
    corpus: Path
    templates: Path
    features: Path
    describe_dir: Path


def holdout_templates(corpus: Path, holdouts: list[str], log: Log | None = None) -> Path:
    """Templates of every corpus target except ``holdouts`` (``<cache>/templates-holdout-X[-Y]``), built or reused
    by ``build_templates``'s own content key; the held-out targets are never members."""
    from ..templates.build import build_templates
    from ..templates.commands import cache_root_templates

    names = json.loads((corpus / "targets.json").read_text())
    unknown = [h for h in holdouts if h not in names]
    if unknown:
        raise ConfigError(f"unknown target(s) {', '.join(unknown)}; the corpus has {', '.join(sorted(names))}")
    out = cache_root_templates(sorted(holdouts))
    others = sorted(t for t in names if t not in holdouts)
    res = build_templates(corpus, out, sorted(holdouts)[0] if holdouts else None, progress=log is not None, targets=others)
    if log is not None and not res.reused:
        log(f"templates of {len(others)} training targets -> {out}")
    return out


def features_staleness(out: Path, templates: Path, describe_dir: Path, holdouts: list[str],
                       max_values: int = 8, min_targets: int = 2) -> str:
    """Why ``out`` cannot be read as the features of ``templates`` with ``holdouts`` ('' when it can)."""
    from .data import load_tables

    man = out / "manifest.json"
    if not man.is_file():
        return "not built yet"
    try:
        m = json.loads(man.read_text())
    except ValueError:
        return f"{man} is unreadable"
    names = set(m.get("tables") or {})
    data = load_tables(describe_dir, names)
    if set(data) != names:
        return f"no property table for {', '.join(sorted(names - set(data)))}"
    diffs = differences(m.get("provenance"), features_stamp(templates, data, sorted(holdouts), max_values, min_targets))
    if diffs:
        return "; ".join(diffs)
    for split in ("train", "infer"):
        f = out / f"{split}.jsonl"
        if not f.is_file() or file_digest(f) != m.get(f"{split}_sha256"):
            return f"{f} is not the file its manifest recorded"
    return ""


def ensure_training_inputs(holdouts: list[str], log: Log | None = None) -> TrainingInputs:
    """Corpus, templates, tables and features for ``holdouts`` (``<cache>/features/<X-Y>``), fresh."""
    from ..corpus.build import ensure_corpus
    from ..describe.describe import describe_dir
    from ..paths import cache_root

    if not holdouts:
        raise ConfigError("give the held-out targets (--holdout X): a model is judged on targets it never saw")
    say = log or (lambda _m: None)
    corpus = ensure_corpus(log=say)
    templates = holdout_templates(corpus, holdouts, log)
    ddir = describe_dir()
    out = cache_root() / "features" / "-".join(sorted(holdouts))
    why = [""]

    def fresh() -> bool:
        why[0] = features_staleness(out, templates, ddir, holdouts)
        return not why[0]

    with building(out, ready=fresh) as build:
        if build:  # stale, and no other process built it while this one waited
            say(f"building the feature vectors into {out} ({why[0]})")
            build_features(templates, out, ddir, sorted(holdouts))
    return TrainingInputs(corpus, templates, out, ddir)


def checkpoint_features(model: Path, meta: dict[str, Any], log: Log | None = None) -> TrainingInputs:
    """The features a checkpoint was trained on, rebuilt from committed code when absent; refused when they differ."""
    rec = meta.get("inputs")
    if not rec:
        raise CheckpointError(
            f"{model}: records no hashes of the data it was trained on (made by older code); retrain it with "
            f"`vega-llvm train --holdout {' --holdout '.join(meta.get('held_out') or ['X'])} --out {model}`"
        )
    recorded = Path(meta.get("features", {}).get("path", ""))
    tpl = Path(meta.get("templates", {}).get("path", ""))
    if recorded.is_dir() and _matches(recorded, rec) and _templates_match(tpl, rec):
        from ..corpus.build import ensure_corpus
        from ..describe.describe import describe_dir

        return TrainingInputs(ensure_corpus(log=log), tpl, recorded, describe_dir())
    inputs = ensure_training_inputs(list(meta.get("held_out") or []), log)
    corpus_sha = json.loads((inputs.corpus / "meta.json").read_text()).get("functions_sha256")
    problems = []
    if corpus_sha != rec.get("corpus_sha256"):
        problems.append(f"corpus {str(corpus_sha)[:12]} != {str(rec.get('corpus_sha256'))[:12]}")
    if not _templates_match(inputs.templates, rec):
        problems.append(f"templates {inputs.templates} differ (templates code or corpus changed)")
    if not _matches(inputs.features, rec):
        m = json.loads((inputs.features / "manifest.json").read_text())
        problems += differences(rec["features"].get("provenance"), m.get("provenance")) or ["feature rows differ"]
    if problems:
        raise CheckpointError(
            f"{model}: the data today's code builds differs from what the model was trained on ({'; '.join(problems[:3])}); "
            "check out the commit it names or retrain it"
        )
    return inputs


def _matches(features: Path, rec: dict[str, Any]) -> bool:
    man = features / "manifest.json"
    if not man.is_file():
        return False
    m = json.loads(man.read_text())
    f = rec.get("features") or {}
    return (m.get("provenance") == f.get("provenance") and m.get("infer_sha256") == f.get("infer_sha256")
            and m.get("train_sha256") == f.get("train_sha256") and (features / "infer.jsonl").is_file()
            and file_digest(features / "infer.jsonl") == f.get("infer_sha256"))


def _templates_match(templates: Path, rec: dict[str, Any]) -> bool:
    f = templates / "templates.jsonl"
    return f.is_file() and file_digest(f) == rec.get("templates_sha256")
