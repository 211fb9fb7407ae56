"""Where each emitted function comes from: the model's results, else the nearest training target (renamed).

``scratch_functions`` builds the function set of a new target: every generated function, plus, for each function
of the nearest training target (Jaccard similarity of the descriptions, ``generate.baseline.rank_targets``) that no
generated function covers, that target's implementation with its names respelled, marked ``fallback:<Target>``
with confidence 0. ``swap_edits`` maps generated functions onto the real target's own functions for swap mode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import ConfigError
from ..evaluate.swap import FunctionEdit
from .functions import EmitFunction, abstract_name, parse_signature, respell, split_top
from .layout import FILE_KINDS


def corpus_records(corpus_dir: Path, targets: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """Corpus rows (without their statement trees) of the given targets, streamed."""
    path = Path(corpus_dir) / "functions.jsonl"
    if not path.is_file():
        raise ConfigError(f"{path}: no corpus (run `vega-llvm corpus` first)")
    needles = [f'"target":"{t}"' for t in targets] if targets else None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if needles and not any(n in line for n in needles):
                continue
            row = json.loads(line)
            row.pop("tree", None)
            if targets is None or row["target"] in targets:
                yield row


def _stem(abstract_file: str) -> str:
    return Path(abstract_file).stem.replace("<T>", "") or "<T>"


@dataclass
class Donor:
    target: str
    similarity: float
    spellings: list[str]


def rank_donors(table: Any, describe_dir: Path, corpus_dir: Path, exclude: set[str]) -> list[Donor]:
    """Training targets by similarity of their descriptions to ``table`` (the target itself excluded)."""
    from ..features.data import load_tables
    from ..generate.baseline import rank_targets

    targets_json = Path(corpus_dir) / "targets.json"
    names = json.loads(targets_json.read_text()) if targets_json.is_file() else {}
    candidates = set(names) - exclude
    tables = {k: v.table for k, v in load_tables(describe_dir, candidates, describe_missing=False).items()}
    if not tables:
        raise ConfigError(f"no property tables of training targets in {describe_dir} (run `vega-llvm describe --all`)")
    return [Donor(n, s, names.get(n, {}).get("spellings", [n])) for n, s in rank_targets(table, tables)]


def fallback_functions(donor: Donor, corpus_dir: Path, target: str, covered: set[str]) -> list[EmitFunction]:
    """The donor's functions in the layout's file kinds that ``covered`` (abstracted keys) lacks, renamed."""
    stems = {k.stem for k in FILE_KINDS}
    out: list[EmitFunction] = []
    seen: set[str] = set()
    for r in corpus_records(corpus_dir, {donor.target}):
        stem = _stem(r["file"])
        if stem not in stems or r["qname"] in covered or r["has_error"]:
            continue
        spell = [r["spelling"], *donor.spellings]
        sig = respell(r["signature"], spell, target)
        key = r["qname"]
        if key in seen:  # overloads: the group key is shared; keep each, numbered
            key = f"{key}#{sum(1 for s in seen if s.split('#')[0] == r['qname'])}"
        seen.add(key)
        out.append(
            EmitFunction(
                key=key, file_stem=stem, module=r["module"], signature=sig,
                body=respell(r["body"], spell, target), confidence=0.0, source=f"fallback:{donor.target}",
                order=r["line"], record_id=r["id"],
            )
        )
    return out


def scratch_functions(
    table: Any, generated: list[EmitFunction], corpus_dir: Path, describe_dir: Path, exclude: set[str]
) -> tuple[list[EmitFunction], list[Donor]]:
    """Generated functions (one per key, first wins) plus the nearest target's fallbacks for the rest."""
    donors = rank_donors(table, describe_dir, corpus_dir, exclude)
    fns: dict[str, EmitFunction] = {}
    for g in generated:
        fns.setdefault(g.key, g)
    covered = {k.split("#")[0] for k in fns}
    for d in donors:
        fb = fallback_functions(d, corpus_dir, table.target, covered)
        if fb:
            for f in fb:
                fns.setdefault(f.key, f)
            return list(fns.values()), donors
    return list(fns.values()), donors


def _arity(signature: str) -> int:
    try:
        return len(split_top(parse_signature(signature).params, ","))
    except ConfigError:
        return -1


def swap_edits(generated: list[EmitFunction], corpus_dir: Path, folder: str) -> tuple[list[FunctionEdit], list[EmitFunction], list[EmitFunction]]:
    """(edits, the generated functions they carry, generated functions with no counterpart in the real target).

    A generated function replaces the real function of the same group (abstracted file stem and qualified name);
    overloads are told apart by their number of parameters."""
    records: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in corpus_records(corpus_dir, {folder}):
        if not r["has_error"]:
            records.setdefault((_stem(r["file"]), r["qname"]), []).append(r)
    edits, used, missing = [], [], []
    taken: set[str] = set()
    for g in generated:
        cands = [r for r in records.get((g.file_stem, g.key), []) if r["id"] not in taken]
        if len(cands) > 1:
            n = _arity(g.signature)
            cands = [r for r in cands if _arity(r["signature"]) == n] or cands
        if not cands:
            missing.append(g)
            continue
        r = cands[0]
        taken.add(r["id"])
        g.record_id = r["id"]
        body = g.body.strip()
        edits.append(FunctionEdit(r["id"], r["path"], r["line"], r["body"], body))
        used.append(g)
    return edits, used, missing


__all__ = ["Donor", "abstract_name", "corpus_records", "fallback_functions", "rank_donors", "scratch_functions", "swap_edits"]
