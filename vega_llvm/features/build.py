"""The ``features`` stage end to end: templates + property tables -> dependencies, training and inference JSONL."""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import LLVM_VERSION, __version__
from ..atomic import publish
from ..cachelock import serialised
from ..describe.properties import PropertyTable, write_json_atomic
from ..errors import ConfigError
from ..provenance import file_digest, stamp
from .data import add_spellings, load_tables, load_templates, table_folder
from .learn import TargetData, Vocabulary, learn_flags, learn_slots
from .recall import Recall, value_recall
from .vectors import Learned, feature_rows


@dataclass
class FeaturesResult:
    out: Path
    train_rows: int
    infer_rows: int
    train_targets: list[str]
    infer_targets: list[str]
    seconds: float


class AtomicJsonl:
    """A JSONL file that appears (renamed from a temporary) only when the ``with`` block succeeds."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.count = 0

    def __enter__(self) -> "AtomicJsonl":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self.fh = os.fdopen(fd, "w", encoding="utf-8")
        return self

    def write(self, row: dict[str, Any]) -> None:
        self.fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        self.fh.write("\n")
        self.count += 1

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.fh.close()
        if exc_type is None:
            publish(self.tmp)  # the umask's mode, not mkstemp's 0600
            os.replace(self.tmp, self.path)
        else:
            Path(self.tmp).unlink(missing_ok=True)


def prepare(
    templates_path: Path,
    describe_dir: Path,
    holdout: list[str],
    extra_tables: list[Path] | None = None,
) -> tuple[list[Any], dict[str, TargetData], set[str], set[str]]:
    """Templates, one property table per target, the training targets and the inference targets."""
    templates = load_templates(templates_path)
    members = {m.target for t in templates for m in t.members}
    wanted = members | set(holdout)
    data = load_tables(describe_dir, wanted)
    for p in extra_tables or []:
        table = PropertyTable.load(p)
        name = table_folder(table)
        data[name] = TargetData(name=name, table=table)
        holdout = [*holdout, name]
    unknown = [h for h in holdout if h not in data]
    if unknown:
        raise ConfigError(
            f"no property table for {', '.join(unknown)}: give its folder name under lib/Target, or --table FILE "
            "from `vega-llvm describe`"
        )
    leaked = sorted(members & set(holdout))
    if leaked:
        raise ConfigError(
            f"{templates_path}: held-out target(s) {', '.join(leaked)} are members of these templates, so their own code "
            f"would reach the features; build templates without them (`vega-llvm templates --holdout {' --holdout '.join(leaked)}`)"
        )
    add_spellings(templates, data)
    train = {t for t in members if t in data and t not in holdout}
    if not train:
        raise ConfigError(f"{templates_path}: no training target left (members: {sorted(members)}, held out: {holdout})")
    return templates, data, train, set(holdout)


@serialised(lambda templates_path, out, *_a, **_k: out)  # one writer of ``out`` at a time (vega_llvm.cachelock)
def build_features(
    templates_path: Path,
    out: Path,
    describe_dir: Path,
    holdout: list[str],
    extra_tables: list[Path] | None = None,
    max_values: int = 8,
    min_targets: int = 2,
) -> FeaturesResult:
    t0 = time.perf_counter()
    templates, data, train, infer = prepare(templates_path, describe_dir, holdout, extra_tables)
    # The vocabulary is learned from the training targets' code and descriptions only.
    vocab = Vocabulary.build([_restrict(t, train) for t in templates], {k: v for k, v in data.items() if k in train})
    slots = learn_slots(templates, data, train, vocab)
    learned = Learned(slots=slots, flags=learn_flags(templates, data, train, slots), vocab=vocab)
    rows = feature_rows(templates, data, learned, train, infer, max_values=max_values, min_targets=min_targets)
    out.mkdir(parents=True, exist_ok=True)
    deps = [d.to_json() | {"what": "slot"} for d in learned.slots.values()] + [
        d.to_json() | {"what": "statement"} for d in learned.flags.values() if d.flags
    ]
    with AtomicJsonl(out / "dependencies.jsonl") as dep_file:
        for d in deps:
            dep_file.write(d)
    counts = {"train": 0, "infer": 0}
    with AtomicJsonl(out / "train.jsonl") as train_file, AtomicJsonl(out / "infer.jsonl") as infer_file:
        for row in rows:
            (train_file if row["split"] == "train" else infer_file).write(row)
            counts[row["split"]] += 1
    seconds = time.perf_counter() - t0
    manifest = {
        "tool_version": __version__,
        "llvm_version": LLVM_VERSION,
        "provenance": features_stamp(templates_path, data, sorted(infer), max_values, min_targets),
        "train_sha256": file_digest(out / "train.jsonl"),
        "infer_sha256": file_digest(out / "infer.jsonl"),
        "templates": str(Path(templates_path).resolve()),
        "templates_sha256": templates_digest(templates_path),
        "train_targets": sorted(train),
        "infer_targets": sorted(infer),
        "tables": {n: {"target": d.table.target, "fingerprint": d.table.fingerprint(),
                       "declarations": bool(d.table.meta.get("declarations", {}).get("used"))}
                   for n, d in sorted(data.items())},
        "rows": counts,
        "slot_dependencies": len(learned.slots),
        "slots_with_source": sum(1 for d in learned.slots.values() if d.sources),
        "statements_with_flags": sum(1 for d in learned.flags.values() if d.flags),
        "max_values": max_values,
        "min_targets": min_targets,
        "seconds": round(seconds, 1),
    }
    write_json_atomic(out / "manifest.json", manifest, indent=1)
    return FeaturesResult(out, counts["train"], counts["infer"], sorted(train), sorted(infer), seconds)


def templates_digest(templates_path: Path) -> str:
    p = Path(templates_path)
    return file_digest(p / "templates.jsonl" if p.is_dir() else p)


def features_stamp(templates_path: Path, data: dict[str, TargetData], infer: list[str], max_values: int, min_targets: int) -> dict[str, Any]:
    """What decides the feature rows: the features code, the templates' content, every table's content, the
    held-out targets and the two limits. Equal stamps mean byte-identical rows."""
    return stamp("features", {
        "templates_sha256": templates_digest(templates_path),
        "tables": ",".join(f"{n}={d.table.fingerprint()}" for n, d in sorted(data.items())),
        "infer_targets": ",".join(infer),
        "max_values": max_values,
        "min_targets": min_targets,
    })


def _restrict(template: Any, targets: set[str]) -> Any:
    """The template seen through some targets' members only (for statistics that must not see held-out code)."""
    import copy

    view = copy.copy(template)
    view.members = [m for m in template.members if m.target in targets]
    return view


def measure_recall(
    templates_path: Path, describe_dir: Path, targets: list[str], corpus: Path | None = None
) -> dict[str, Recall]:
    """Value recall of ``targets``; with the corpus the templates came from, local names are told apart."""
    from .local_names import corpus_path_of, locals_by_function

    templates = load_templates(templates_path)
    members = {m.target for t in templates for m in t.members}
    missing = [t for t in targets if t not in members]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} has no functions in {templates_path}: value recall needs templates built with the "
            "target as a member (no --holdout)"
        )
    data = load_tables(describe_dir, members)
    add_spellings(templates, data)
    corpus = corpus or corpus_path_of(templates_path)
    local = locals_by_function(corpus, set(targets)) if corpus else None
    return value_recall(templates, data, targets, local=local)
